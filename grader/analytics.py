"""Item and assessment statistics, trap statistics, per-parameter difficulty and mastery (pure functions).

Everything here is a function of a ``Sequence[ResponseRecord]`` (the DB layer builds the records);
nothing touches a database.  Unless a function says otherwise, only each student's **last attempt at
each item** counts (the highest ``attempt``, ties broken by ``answered_at``), as Moodle's statistics
report does for "last attempt" grading.

Item statistics (Moodle's definitions)
--------------------------------------
Moodle's quiz statistics report, ``question/classes/statistics/questions/calculator.php`` and
``mod/quiz/report/statistics/classes/calculator.php``, documented at
https://docs.moodle.org/dev/Quiz_statistics_calculations.  A *unit* is an item (one question
instance, ``level="item"``) or all of a student's items from one generator (``level="generator"``,
Moodle's per-slot statistics when every student gets their own variant of the slot).  For unit ``i``
over the ``s`` students who answered it, with ``x`` a student's mark on the unit, ``T`` their total
mark over every item they answered, and ``X = T − x`` the *rest-of-test* mark:

* ``facility`` = mean(x) / maxmark (Moodle shows it ×100 as a percentage); ``maxmark`` is the unit's
  maximum mark (mean over the students of the ``max_score`` they could earn, normally constant).
* ``sd`` = sample standard deviation of ``x`` (``n − 1``) / maxmark (Moodle's "Standard deviation" column).
* ``discrimination`` = Pearson correlation of ``x`` with ``X`` (item–rest correlation; Moodle's
  "Discrimination index" is this ×100), ``None`` when either variance is 0.
* ``discriminative_efficiency`` = cov(x, X) / cov_max(x, X), where ``cov_max`` is the covariance of
  ``x`` and ``X`` each sorted ascending — the largest covariance any pairing of these marginals could
  reach (Moodle's "Discriminative efficiency", shown ×100) — ``None`` when ``cov_max`` is 0.

Test statistics (Moodle's "Coefficient of internal consistency", "Error ratio", "Standard error")
-------------------------------------------------------------------------------------------------
Over the students with a mark on every unit (``missing="omit"``) or every student, a missing unit
scoring 0 (``missing="zero"``, Moodle's behaviour: every attempt contains every slot), with ``p``
units, ``V_i`` the sample variance of unit ``i`` and ``V_T`` that of the total:

* ``alpha`` (Cronbach's α, Moodle's CIC) = p/(p−1) · (1 − ΣV_i / V_T), always ≤ 1;
* ``error_ratio`` = √(1 − α) (Moodle shows it ×100): the share of the spread that is noise;
* ``standard_error`` = error_ratio × sd(T), in marks (Moodle shows it as a percentage of the maximum).

Moodle computes these only with more than two attempts; here they need ``s ≥ 2``, ``p ≥ 2`` and
``V_T > 0`` and are ``None`` otherwise.

Mastery (see :func:`mastery`) is a recency-weighted Beta posterior mean, defined there.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from quizbank import traps as quizbank_traps

Level = Literal["item", "generator"]
Missing = Literal["omit", "zero"]

_EPS = 1e-9


@dataclass(frozen=True)
class ResponseRecord:
    """One graded response, as the analytics functions see it (the DB layer builds these)."""

    student: int
    item: str
    generator: str
    topic: str
    params: dict[str, Any] = field(hash=False)
    score: float
    max_score: float
    trap: str | None
    attempt: int
    answered_at: datetime


# ---------------------------------------------------------------- helpers


def _utc(dt: datetime) -> datetime:
    """Aware UTC datetimes; a naive one (SQLite hands those back) is taken to be UTC already."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def last_attempts(records: Iterable[ResponseRecord]) -> list[ResponseRecord]:
    """Each student's last attempt at each item (highest ``attempt``, then latest ``answered_at``)."""
    best: dict[tuple[int, str], ResponseRecord] = {}
    for r in records:
        k = (r.student, r.item)
        cur = best.get(k)
        if cur is None or (r.attempt, _utc(r.answered_at)) > (cur.attempt, _utc(cur.answered_at)):
            best[k] = r
    return sorted(best.values(), key=lambda r: (r.student, r.item))


def _is_correct(r: ResponseRecord) -> bool:
    return r.max_score > 0 and r.score >= r.max_score - _EPS


def _fraction(r: ResponseRecord) -> float:
    if r.max_score <= 0:
        return 0.0
    return min(1.0, max(0.0, r.score / r.max_score))


def _mean(xs: Sequence[float]) -> float:
    return math.fsum(xs) / len(xs)


def _cov(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Sample covariance (``n − 1``), as Moodle."""
    mx, my = _mean(xs), _mean(ys)
    return math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (len(xs) - 1)


def _clean(v: float) -> float:
    """Round away float dust (1e-17 residues) so a zero variance reads as 0."""
    return 0.0 if abs(v) < 1e-12 else v


# ---------------------------------------------------------------- the score matrix


@dataclass(frozen=True)
class _Matrix:
    units: list[str]
    marks: dict[tuple[int, str], float]
    maxes: dict[tuple[int, str], float]
    students: list[int]
    totals: dict[int, float]


def _matrix(records: Sequence[ResponseRecord], level: Level) -> _Matrix:
    unit_of: Callable[[ResponseRecord], str] = (lambda r: r.item) if level == "item" else (lambda r: r.generator)
    marks: dict[tuple[int, str], float] = defaultdict(float)
    maxes: dict[tuple[int, str], float] = defaultdict(float)
    totals: dict[int, float] = defaultdict(float)
    for r in last_attempts(records):
        u = unit_of(r)
        marks[(r.student, u)] += r.score
        maxes[(r.student, u)] += r.max_score
        totals[r.student] += r.score
    units = sorted({u for _, u in marks})
    return _Matrix(units, dict(marks), dict(maxes), sorted(totals), dict(totals))


# ---------------------------------------------------------------- item statistics


@dataclass(frozen=True)
class ItemStats:
    """Moodle's per-question statistics for one unit (an item or a generator); fractions, not percentages."""

    level: Level
    key: str
    """The item id or generator id."""
    n: int
    """Students with a mark on this unit (Moodle's ``s``)."""
    max_score: float
    """The unit's maximum mark (Moodle's ``maxmark``)."""
    mean: float
    """Mean mark."""
    facility: float | None
    sd: float | None
    discrimination: float | None
    discriminative_efficiency: float | None


def item_statistics(
    records: Sequence[ResponseRecord], level: Level = "item", missing: Missing = "omit"
) -> list[ItemStats]:
    """Facility, SD, discrimination index (item–rest correlation) and discriminative efficiency per unit.

    ``missing="zero"`` counts a student who answered anything but not this unit as 0 of maxmark
    (Moodle: every attempt contains every slot); ``"omit"`` uses only the students who answered it.
    """
    m = _matrix(records, level)
    out: list[ItemStats] = []
    for u in m.units:
        answered = [s for s in m.students if (s, u) in m.marks]
        unit_max = _mean([m.maxes[(s, u)] for s in answered])
        students = m.students if missing == "zero" else answered
        xs = [m.marks.get((s, u), 0.0) for s in students]
        rest = [m.totals[s] - x for s, x in zip(students, xs, strict=True)]
        n = len(xs)
        mean = _mean(xs)
        facility = mean / unit_max if unit_max > 0 else None
        sd = disc = eff = None
        if n > 1:
            vx, vr, c = _clean(_cov(xs, xs)), _clean(_cov(rest, rest)), _clean(_cov(xs, rest))
            sd = math.sqrt(vx) / unit_max if unit_max > 0 else None
            if vx > 0 and vr > 0:
                disc = max(-1.0, min(1.0, c / math.sqrt(vx * vr)))
            cmax = _clean(_cov(sorted(xs), sorted(rest)))
            if cmax > 0:
                eff = min(1.0, c / cmax)
        out.append(ItemStats(level, u, n, unit_max, mean, facility, sd, disc, eff))
    return out


def generator_statistics(records: Sequence[ResponseRecord], missing: Missing = "omit") -> list[ItemStats]:
    """:func:`item_statistics` with each generator as one unit (a student's marks on its items summed)."""
    return item_statistics(records, level="generator", missing=missing)


# ---------------------------------------------------------------- test statistics


@dataclass(frozen=True)
class AssessmentStats:
    """Moodle's assessment-level statistics; ``alpha`` and ``error_ratio`` are fractions, not percentages."""

    level: Level
    n_students: int
    """Students included (see ``missing``)."""
    n_units: int
    """Moodle's ``p``: the number of units (items or generators)."""
    max_total: float
    mean: float | None
    median: float | None
    sd: float | None
    """Sample SD of the total mark, in marks."""
    alpha: float | None
    """Cronbach's α, Moodle's "Coefficient of internal consistency"."""
    error_ratio: float | None
    """√(1 − α): Moodle's "Error ratio"."""
    standard_error: float | None
    """error_ratio × sd, in marks: Moodle's "Standard error"."""


def assessment_statistics(
    records: Sequence[ResponseRecord], level: Level = "generator", missing: Missing = "omit"
) -> AssessmentStats:
    """Cronbach's α with Moodle's error ratio and standard error, plus mean, median and SD of the total.

    ``level="generator"`` (default) treats each generator as one slot, right for exams where every
    student gets a variant; use ``"item"`` when everyone answers the same instances.
    ``missing="omit"`` keeps the students who have a mark on every unit; ``"zero"`` keeps everyone.
    """
    m = _matrix(records, level)
    p = len(m.units)
    students = [s for s in m.students if missing == "zero" or all((s, u) in m.marks for u in m.units)]
    unit_max = {u: _mean([m.maxes[(s, u)] for s in m.students if (s, u) in m.maxes]) for u in m.units}
    max_total = math.fsum(unit_max.values())
    if not students:
        return AssessmentStats(level, 0, p, max_total, None, None, None, None, None, None)
    cols = {u: [m.marks.get((s, u), 0.0) for s in students] for u in m.units}
    totals = [math.fsum(cols[u][i] for u in m.units) for i in range(len(students))]
    n = len(students)
    ordered = sorted(totals)
    median = ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2
    mean = _mean(totals)
    if n < 2:
        return AssessmentStats(level, n, p, max_total, mean, median, None, None, None, None)
    var_total = _clean(_cov(totals, totals))
    sd = math.sqrt(var_total)
    alpha = error_ratio = standard_error = None
    if p > 1 and var_total > 0:
        sum_var = math.fsum(_cov(c, c) for c in cols.values())
        alpha = min(1.0, p / (p - 1) * (1 - sum_var / var_total))
        error_ratio = math.sqrt(1 - alpha)
        standard_error = error_ratio * sd
    return AssessmentStats(level, n, p, max_total, mean, median, sd, alpha, error_ratio, standard_error)


# ---------------------------------------------------------------- trap statistics

TrapScope = Literal["item", "generator", "topic", "cohort"]


@dataclass(frozen=True)
class TrapStat:
    """How often one named trap was chosen within one scope (an item, generator, topic or cohort)."""

    scope: TrapScope
    key: str
    trap: str
    title: str | None
    """The trap's title from :mod:`quizbank.traps` (``None`` for an unknown id)."""
    count: int
    responses: int
    """Responses in this scope."""
    wrong: int
    """Responses in this scope without full credit."""
    rate: float
    """count / responses: how often students in this scope fell into this trap."""
    share_of_wrong: float
    """count / wrong: which part of the wrong answers this trap explains."""


def trap_statistics(
    records: Sequence[ResponseRecord],
    cohorts: Mapping[int, str] | None = None,
    all_attempts: bool = False,
) -> list[TrapStat]:
    """Frequency of each named trap per item, generator, topic and cohort.

    ``cohorts`` maps a student to a cohort name (default: everyone is in cohort ``"all"``); students
    missing from the mapping are in cohort ``"unassigned"``.  ``all_attempts=True`` counts every
    attempt (each wrong try shows a misconception) instead of each student's last attempt per item.
    Rows are sorted by scope, key, then most frequent trap first.
    """
    rows = list(records) if all_attempts else last_attempts(records)
    keys: dict[TrapScope, Callable[[ResponseRecord], str]] = {
        "item": lambda r: r.item,
        "generator": lambda r: r.generator,
        "topic": lambda r: r.topic,
        "cohort": lambda r: "all" if cohorts is None else cohorts.get(r.student, "unassigned"),
    }
    out: list[TrapStat] = []
    for scope, key_of in keys.items():
        responses: dict[str, int] = defaultdict(int)
        wrong: dict[str, int] = defaultdict(int)
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for r in rows:
            k = key_of(r)
            responses[k] += 1
            if not _is_correct(r):
                wrong[k] += 1
            if r.trap:
                counts[(k, r.trap)] += 1
        for (k, trap), c in counts.items():
            known = quizbank_traps.TRAPS.get(trap)
            out.append(
                TrapStat(
                    scope,
                    k,
                    trap,
                    known.title if known else None,
                    c,
                    responses[k],
                    wrong[k],
                    c / responses[k],
                    c / wrong[k] if wrong[k] else 0.0,
                )
            )
    order = {s: i for i, s in enumerate(keys)}
    return sorted(out, key=lambda t: (order[t.scope], t.key, -t.count, t.trap))


# ---------------------------------------------------------------- per-parameter difficulty


@dataclass(frozen=True)
class ParamDifficulty:
    """The correct rate of the responses whose question had ``param == value``."""

    scope: str
    """The generator id, topic id or ``"*"`` (see ``by``)."""
    param: str
    value: Any
    """The parameter's value (a list or dict appears as its JSON text)."""
    n: int
    correct: int
    """Responses with full credit."""
    correct_rate: float
    mean_score: float
    """Mean fraction of the points earned (partial credit counts)."""
    low: float
    high: float
    """Wilson 95 % interval for ``correct_rate``: the small groups are the uncertain ones."""


def wilson_interval(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion ``k/n`` (``(0, 1)`` when ``n`` is 0)."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # exact ends: the interval of 0/n starts at 0 and that of n/n ends at 1 (no float dust)
    return (0.0 if k == 0 else max(0.0, centre - half)), (1.0 if k == n else min(1.0, centre + half))


def _value_key(v: Any) -> Any:
    if isinstance(v, (list, dict, tuple)):
        return json.dumps(v, sort_keys=True, default=str)
    return v


def parameter_difficulty(
    records: Sequence[ResponseRecord],
    by: Literal["generator", "topic", "all"] = "generator",
    all_attempts: bool = False,
) -> list[ParamDifficulty]:
    """Correct rate broken down by each parameter's value (stride, dilation, padding mode, …).

    Groups are (scope, parameter, value), the scope being the generator (default: parameters mean
    the same thing within a generator), the topic, or everything (``"*"``).  Sorted by scope,
    parameter, then value.
    """
    rows = list(records) if all_attempts else last_attempts(records)
    groups: dict[tuple[str, str, Any], list[ResponseRecord]] = defaultdict(list)
    for r in rows:
        scope = r.generator if by == "generator" else r.topic if by == "topic" else "*"
        for name, v in r.params.items():
            groups[(scope, name, _value_key(v))].append(r)
    out: list[ParamDifficulty] = []
    for (scope, name, v), rs in groups.items():
        k = sum(_is_correct(r) for r in rs)
        low, high = wilson_interval(k, len(rs))
        out.append(
            ParamDifficulty(scope, name, v, len(rs), k, k / len(rs), _mean([_fraction(r) for r in rs]), low, high)
        )
    return sorted(out, key=lambda d: (d.scope, d.param, json.dumps(d.value, sort_keys=True, default=str)))


FACTORS = ("stride", "dilation", "padding")
"""The design parameters :func:`question_factors` reads off a question (what :func:`parameter_difficulty` is run on
to see which of them make a question hard)."""
_ALIASES: dict[str, tuple[str, ...]] = {
    "stride": ("stride", "strides", "s"),
    "dilation": ("dilation", "dilation_rate", "d", "dilations", "rates"),
    "padding": ("padding", "pad"),
}
_KERAS = {"stride": "strides", "dilation": "dilation_rate", "padding": "padding"}
_NESTED = ("layers", "prefix", "stack")


def _factor_value(factor: str, v: Any) -> Any:
    """One layer's value of a factor as a plain scalar: the largest stride or rate of a tuple, a padding mode
    (an explicit ``P`` counts as ``explicit``, ``P = 0`` as ``valid``); ``None`` when it is not one."""
    if isinstance(v, bool):
        return None
    if factor == "padding":
        if isinstance(v, str):
            return v.lower()
        if isinstance(v, int):
            return "explicit" if v > 0 else "valid"
        return None
    if isinstance(v, list | tuple):
        nums = [x for x in v if isinstance(x, int) and not isinstance(x, bool)]
        return max(nums) if nums else None
    return v if isinstance(v, int) else None


def _combine(factor: str, values: list[Any]) -> Any:
    if not values:
        return None
    if factor == "padding":
        modes = sorted(set(values))
        return modes[0] if len(modes) == 1 else "mixed"
    return max(values)


def _witness_layers(w: Any) -> list[dict[str, Any]]:
    """The serialized Keras layers of a witness (a layer stack, a functional model, or the parts of a combination)."""
    if w is None:
        return []
    data = w.model_dump() if hasattr(w, "model_dump") else w
    out: list[dict[str, Any]] = list(data.get("layers") or [])
    model = data.get("model") or {}
    out += list((model.get("config") or {}).get("layers") or [])
    for part in data.get("parts") or []:
        out += _witness_layers(part)
    return out


def question_factors(params: Mapping[str, Any], witness: Any = None) -> dict[str, Any]:
    """Stride, dilation and padding mode of a question, read off the parameters its generator drew.

    Generators name them in their own ways (``stride``/``strides``/``s``, ``d``/``dilation``/``rates``,
    ``padding``/``pad``), at the top level or per layer in a list (``layers``, ``prefix``); a question of several
    layers gets its largest stride and rate and its padding mode (``mixed`` when its layers differ). A parameter
    drawn as ``None`` (Keras' default, e.g. a pool's stride) is read from the witness, the Keras layers that back the
    key. A factor the generator does not draw is absent: a parameter count does not vary the stride.
    """
    found: dict[str, list[Any]] = defaultdict(list)
    defaulted: set[str] = set()

    def walk(p: Mapping[str, Any]) -> None:
        for factor, names in _ALIASES.items():
            for name in names:
                if name in p:
                    v = p[name]
                    if v is None:
                        defaulted.add(factor)
                    elif (x := _factor_value(factor, v)) is not None:
                        found[factor].append(x)
        for key in _NESTED:
            nested = p.get(key)
            if isinstance(nested, list):
                for layer in nested:
                    if isinstance(layer, Mapping):
                        walk(layer)

    walk(params)
    for factor in defaulted - set(found):
        for layer in _witness_layers(witness):
            v = (layer.get("config") or {}).get(_KERAS[factor])
            if (x := _factor_value(factor, v)) is not None:
                found[factor].append(x)
    return {f: _combine(f, found[f]) for f in FACTORS if found.get(f)}


# ---------------------------------------------------------------- mastery


@dataclass(frozen=True)
class Mastery:
    """A student's mastery of one concept (a quizbank topic)."""

    student: int
    topic: str
    mastery: float
    """Posterior mean of the recency-weighted Beta model (see :func:`mastery`)."""
    sd: float
    """Posterior standard deviation."""
    evidence: float
    """Σ weights: the number of responses the estimate rests on, discounted by age."""
    n: int
    """Responses counted (every attempt)."""
    last_answered: datetime
    mastered: bool


def mastery(
    records: Sequence[ResponseRecord],
    now: datetime | None = None,
    half_life_days: float = 14.0,
    prior: tuple[float, float] = (1.0, 1.0),
    threshold: float = 0.8,
    min_evidence: float = 3.0,
) -> list[Mastery]:
    """Mastery per student and concept: a Beta-smoothed correct rate with recency weighting.

    Definition.  Every response (every attempt: a wrong try followed by a right one is evidence of
    both) with fraction of points ``x = score / max_score`` and age ``a = now − answered_at`` gets
    weight ``w = 2^(−a / half_life)``.  Starting from the prior ``Beta(α₀, β₀)`` (default uniform),
    ``α = α₀ + Σ w·x`` and ``β = β₀ + Σ w·(1 − x)``; mastery is the posterior mean ``α / (α + β)``
    and ``sd = √(αβ / ((α + β)² (α + β + 1)))``.  Partial credit counts fractionally.  A concept is
    ``mastered`` when ``mastery ≥ threshold`` and the evidence ``Σ w ≥ min_evidence`` (with the
    defaults: three recent right answers and no wrong one).  ``now`` defaults to the latest
    ``answered_at`` in ``records``, so the result is deterministic; responses "from the future" count
    with weight 1.
    """
    if half_life_days <= 0:
        raise ValueError("half_life_days must be positive")
    a0, b0 = prior
    if a0 <= 0 or b0 <= 0:
        raise ValueError("the Beta prior needs positive parameters")
    if not records:
        return []
    ref = _utc(now) if now is not None else max(_utc(r.answered_at) for r in records)
    groups: dict[tuple[int, str], list[ResponseRecord]] = defaultdict(list)
    for r in records:
        groups[(r.student, r.topic)].append(r)
    out: list[Mastery] = []
    for (student, topic), rs in sorted(groups.items()):
        alpha, beta, evidence = a0, b0, 0.0
        for r in rs:
            age_days = max(0.0, (ref - _utc(r.answered_at)).total_seconds() / 86400)
            w = 0.5 ** (age_days / half_life_days)
            x = _fraction(r)
            alpha += w * x
            beta += w * (1 - x)
            evidence += w
        mean = alpha / (alpha + beta)
        sd = math.sqrt(alpha * beta / ((alpha + beta) ** 2 * (alpha + beta + 1)))
        last = max(_utc(r.answered_at) for r in rs)
        out.append(
            Mastery(student, topic, mean, sd, evidence, len(rs), last, mean >= threshold and evidence >= min_evidence)
        )
    return out
