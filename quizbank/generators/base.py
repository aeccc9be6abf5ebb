"""The generator registry and the builders every topic module uses.

A generator is a pure function ``fn(rng, difficulty) -> dict`` registered under
an id such as ``"conv_params.count"``.  It draws parameters from ``rng`` (a
``random.Random`` seeded from ``(id, version, difficulty, seed)``, so a question
regenerates bit for bit), computes the key with :mod:`quizbank.formulas`, the
distractors with :mod:`quizbank.traps`, and returns the question's fields
through one of the builders below.  A builder raises :class:`Redraw` when the
draw cannot give distinct distractors; :func:`build` then draws again from the
same stream.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .. import traps as T
from .. import witness as W
from ..schema import AnyQuestion, AnyWitness, QuestionAdapter, Tolerance

DIFFICULTIES = (1, 2, 3)
MAX_REDRAWS = 64
OPTION_IDS = "abcdefgh"
DOTS = "\\dots"  # the ellipsis inside LaTeX math
RATIO_TOL = Tolerance(mode="relative", value=0.005)  # "how many times more" answers, within 0.5 %
PERCENT_TOL = Tolerance(mode="absolute", value=0.1)  # "how many percent fewer" answers, within 0.1 points
POOL_CLASS = {"max": "MaxPooling2D", "avg": "AveragePooling2D"}


class Redraw(Exception):
    """The drawn parameters cannot make a well-formed question: draw again."""


GenFn = Callable[[random.Random, int], dict[str, Any]]


@dataclass(frozen=True)
class Topic:
    id: str
    title: str
    summary: str


@dataclass(frozen=True)
class GeneratorSpec:
    id: str
    topic: str
    title: str
    version: int
    kind: str
    fn: GenFn = field(repr=False)
    difficulties: tuple[int, ...] = DIFFICULTIES


TOPICS: dict[str, Topic] = {}
REGISTRY: dict[str, GeneratorSpec] = {}


def topic(id: str, title: str, summary: str) -> Topic:
    t = Topic(id, title, summary)
    if id in TOPICS and TOPICS[id] != t:
        raise ValueError(f"topic {id!r} declared twice")
    TOPICS[id] = t
    return t


def generator(id: str, *, topic: str, title: str, kind: str, version: int = 1) -> Callable[[GenFn], GenFn]:
    """Register ``fn`` as generator ``id`` (ids are ``<topic>.<name>``)."""

    def deco(fn: GenFn) -> GenFn:
        if id in REGISTRY:
            raise ValueError(f"generator {id!r} registered twice")
        if topic not in TOPICS:
            raise ValueError(f"generator {id!r}: unknown topic {topic!r}")
        if not id.startswith(topic + "."):
            raise ValueError(f"generator id {id!r} must start with its topic {topic!r}")
        REGISTRY[id] = GeneratorSpec(id, topic, title, version, kind, fn)
        return fn

    return deco


def rng_for(gen_id: str, version: int, difficulty: int, seed: int) -> random.Random:
    return random.Random(f"{gen_id}/{version}/{difficulty}/{seed}")


def build(gen_id: str, seed: int, difficulty: int) -> AnyQuestion:
    try:
        spec = REGISTRY[gen_id]
    except KeyError:
        raise KeyError(f"unknown generator {gen_id!r}") from None
    if difficulty not in spec.difficulties:
        raise ValueError(f"difficulty must be one of {spec.difficulties}, got {difficulty}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    rng = rng_for(gen_id, spec.version, difficulty, seed)
    for _ in range(MAX_REDRAWS):
        try:
            draft = spec.fn(rng, difficulty)
            break
        except Redraw:
            continue
    else:  # pragma: no cover - a generator bug
        raise RuntimeError(f"{gen_id}: no valid draw in {MAX_REDRAWS} tries (seed {seed}, difficulty {difficulty})")
    draft.update(generator=gen_id, version=spec.version, seed=seed, difficulty=difficulty, topic=spec.topic)
    if draft["kind"] != spec.kind and not (
        spec.kind == "choice" and draft["kind"] in ("multiple_choice", "multi_select")
    ):
        raise RuntimeError(f"{gen_id} declared kind {spec.kind!r} but built {draft['kind']!r}")
    return QuestionAdapter.validate_python(draft)  # type: ignore[return-value]


# ------------------------------------------------------------------ formatting


def fmt(x: float | int) -> str:
    """73856 → '73,856'; 0.125 → '0.125'; 1.0 → '1'."""
    if isinstance(x, float):
        if x.is_integer() and abs(x) < 1e15:
            return f"{int(x):,}"
        return f"{x:,.4g}" if abs(x) >= 1e4 else f"{x:.4g}"
    return f"{x:,}"


def fmt_scaled(x: float, unit: str = "") -> str:
    """A large count with the unit its size calls for: 416,520 → '416.5 k', 3,857,973,248 → '3.86 G' (never '0.00 G')."""
    for scale, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(x) >= scale:
            v = x / scale
            digits = 2 if abs(v) < 10 else 1 if abs(v) < 1000 else 0
            return f"{v:.{digits}f} {prefix}{unit}"
    return f"{fmt(x)} {unit}".rstrip()


# ------------------------------------------------------------------ words around numbers


def noun(n: float, singular: str, plural_form: str | None = None) -> str:
    """The noun alone, in the number ``n`` asks for: 'row' (1), 'rows'; 'bias', 'biases'."""
    if n == 1:
        return singular
    return plural_form or singular + ("es" if singular.endswith(("s", "x", "sh")) else "s")


def plural(n: float, singular: str, plural_form: str | None = None) -> str:
    """'1 row', '3 rows', '1 bias', '2 biases' (``plural_form`` for irregular nouns)."""
    return f"{fmt(n)} {noun(n, singular, plural_form)}"


def article(following: str) -> str:
    """'a' or 'an' for the text that follows: 'an 8×8 map', 'an 11-layer', 'a 16×16 map', 'an input'."""
    t = following.lstrip("$`*( ")
    m = re.match(r"\d[\d,]*", t)
    if m:
        digits = m.group(0).replace(",", "")
        group = len(digits) % 3 or 3  # the leading group read before 'thousand' / 'million'
        return "an" if digits.startswith("8") or (group == 2 and digits[:2] in ("11", "18")) else "a"
    return "an" if t[:1].lower() in "aeio" else "a"


def with_article(text: str) -> str:
    """'an 8×8×256 map', 'a 7×7 map'."""
    return f"{article(text)} {text}"


def ordinal(n: int) -> str:
    """1 → '1st', 2 → '2nd', 3 → '3rd', 11 → '11th', 22 → '22nd'."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def every_nth(n: int, noun: str) -> str:
    """'every frame' (n = 1), 'every 2nd frame'."""
    return f"every {noun}" if n == 1 else f"every {ordinal(n)} {noun}"


def terms(values: Sequence[Any], sep: str = " + ", dots: str = "…", shown: int = 4) -> str:
    """'1 + 2 + 4' (all shown), or '1 + 2 + … + 64' when the ellipsis hides at least one term."""
    vals = [fmt(v) if isinstance(v, int | float) else str(v) for v in values]
    if len(vals) <= shown:
        return sep.join(vals)
    return sep.join([*vals[:2], dots, vals[-1]])


def compared(a: float, b: float, more: str = "more", fewer: str = "fewer", same: str = "as many") -> str:
    """The comparison word for ``a`` against ``b``, computed from the numbers, never typed: ``compared(4.7, 7.1)``
    → 'fewer'; ``compared(m, rule, 'faster', 'slower', 'as fast')``."""
    return more if a > b else fewer if a < b else same


def fmt_shape(shape: Sequence[int | None]) -> str:
    return "×".join("N" if d is None else str(d) for d in shape)


def latex_matrix(rows: Sequence[Sequence[float | int]]) -> str:
    """A LaTeX ``pmatrix`` of small numbers."""
    return "\\begin{pmatrix}" + " \\\\ ".join(" & ".join(fmt(v) for v in r) for r in rows) + "\\end{pmatrix}"


def _same(a: Any, b: Any, tol: Tolerance | None) -> bool:
    if isinstance(a, list) or isinstance(b, list):
        return a == b
    if tol is not None and tol.mode != "exact":
        return tol.accepts(float(a), float(b))
    return abs(float(a) - float(b)) <= 1e-9 * max(1.0, abs(float(a)))


TrapEntry = tuple[str, Any] | tuple[str, Any, "str | dict[str, Any]"]
"""A wrong value: ``(trap id, value)``, or with a third item, the question's own feedback (a string) or the context
(a dict) the trap's ``explain`` words it from."""


def feedback_of(entry: Sequence[Any], key: Any, stem: str) -> str:
    """The feedback a question stores for one wrong value or option (see :meth:`quizbank.traps.Trap.feedback_for`)."""
    trap_id, value, *extra = entry
    if extra and isinstance(extra[0], str):
        return extra[0]
    context = extra[0] if extra else {}
    return T.get(trap_id).feedback_for(key=key, value=value, stem=stem, **context)


def _distinct_traps(key: Any, entries: Sequence[Sequence[Any]], tol: Tolerance | None) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for entry in entries:
        trap_id, value = entry[0], entry[1]
        T.get(trap_id)  # fail loudly on an unknown trap id
        if value is None or _same(key, value, tol) or any(_same(e[1], value, tol) for e in out):
            continue
        out.append(tuple(entry))
    return out


def _clean_number(v: Any) -> Any:
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v


def spread(key: float, traps: Sequence[Sequence[Any]], rel: float = 0.01) -> list[Any]:
    """Drop trap values within ``rel`` of the key or of an earlier trap, so a typed answer names one trap.

    For answers checked with a tolerance (ratios, percentages), where :func:`numeric` only drops equal values."""
    kept: list[Any] = []
    for entry in traps:
        v = entry[1]
        if all(abs(v - u) > rel * max(abs(u), abs(v)) + 0.02 for u in [key, *(e[1] for e in kept)]):
            kept.append(entry)
    return kept


# ------------------------------------------------------------------ builders


def numeric(
    *,
    stem: str,
    key: float | int,
    explanation: str,
    params: dict[str, Any],
    witness: AnyWitness | None,
    traps: Sequence[TrapEntry] = (),
    tolerance: Tolerance | None = None,
    unit: str | None = None,
    min_traps: int = 1,
) -> dict[str, Any]:
    """A numeric question whose wrong answers are diagnosed by the given named traps.

    Traps whose value equals the key or an earlier trap are dropped; fewer than
    ``min_traps`` left means the draw is not a good question: :class:`Redraw`.
    """
    kept = _distinct_traps(key, traps, tolerance)
    if len(kept) < min_traps:
        raise Redraw
    if unit == "%":  # every percentage can be typed as a fraction
        kept = _distinct_traps(key, [*kept, ("percent_as_fraction", T.percent_as_fraction(key))], tolerance)
    return {
        "kind": "numeric",
        "stem": stem,
        "key": _clean_number(key),
        "explanation": explanation,
        "params": params,
        "witness": witness,
        "tolerance": tolerance or Tolerance(),
        "unit": unit,
        "traps": [{"trap": e[0], "value": _clean_number(e[1]), "feedback": feedback_of(e, key, stem)} for e in kept],
    }


def shape(
    *,
    stem: str,
    key: Sequence[int],
    explanation: str,
    params: dict[str, Any],
    witness: AnyWitness | None,
    traps: Sequence[TrapEntry] = (),
    min_traps: int = 1,
) -> dict[str, Any]:
    """A question answered with a tensor shape typed as text, such as ``112×112×64`` (no batch axis)."""
    key_l = [int(v) for v in key]
    kept = _distinct_traps(key_l, [(e[0], [int(v) for v in e[1]], *e[2:]) for e in traps], None)
    if len(kept) < min_traps:
        raise Redraw
    kept = _distinct_traps(key_l, [*kept, *layout_traps(key_l)], None)
    text = fmt_shape(key_l)
    return {
        "kind": "shape",
        "stem": stem,
        "key": text,
        "key_value": key_l,
        "accept": [text, "x".join(map(str, key_l)), "(None, " + ", ".join(map(str, key_l)) + ")"],
        "explanation": explanation,
        "params": params,
        "witness": witness,
        "traps": [{"trap": e[0], "value": e[1], "feedback": feedback_of(e, key_l, stem)} for e in kept],
    }


def layout_traps(key: Sequence[int]) -> list[tuple[str, list[int]]]:
    """The slips of any typed shape: a batch axis of 1 in front, and (from rank 3) the channels moved first."""
    out = [("shape_batch_axis", T.shape_with_batch_axis(key))]
    if len(key) >= 3:
        out.append(("shape_channels_first", T.shape_channels_first(key)))
    return out


def _options(rng: random.Random, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rng.shuffle(entries)
    return [{"id": OPTION_IDS[i], **e} for i, e in enumerate(entries)]


def choice(
    rng: random.Random,
    *,
    stem: str,
    correct: str,
    distractors: Sequence[str | tuple[Any, ...]],
    explanation: str,
    params: dict[str, Any],
    witness: AnyWitness | None,
    n_options: int = 4,
    correct_feedback: str | None = None,
    correct_value: Any = None,
) -> dict[str, Any]:
    """A multiple-choice question whose distractors are named traps.

    Each distractor is a trap id (its claim is the option text), ``(trap_id, text)`` or ``(trap_id, text, feedback)``
    (feedback written for this option, or a dict of context for the trap's ``explain``).
    The first ``n_options − 1`` distinct distractors are used; too few → :class:`Redraw`.
    """
    entries: list[dict[str, Any]] = [
        {
            "text": correct,
            "correct": True,
            "trap": None,
            "feedback": correct_feedback or "Correct.",
            "value": correct_value,
        }
    ]
    seen = {correct}
    for d in distractors:
        trap_id, text, *extra = (d, T.get(d).claim) if isinstance(d, str) else d
        if not text or text in seen:
            continue
        seen.add(text)
        fb = feedback_of((trap_id, text, *extra), correct_value, stem)
        entries.append({"text": text, "correct": False, "trap": trap_id, "feedback": fb})
        if len(entries) == n_options:
            break
    return _multiple_choice(rng, entries, n_options, stem, explanation, params, witness)


def _multiple_choice(
    rng: random.Random,
    entries: list[dict[str, Any]],
    n_options: int,
    stem: str,
    explanation: str,
    params: dict[str, Any],
    witness: AnyWitness | None,
) -> dict[str, Any]:
    """The draft of a multiple-choice question from its option entries (a re-draw if there are too few)."""
    if len(entries) < n_options:
        raise Redraw
    opts = _options(rng, entries)
    return {
        "kind": "multiple_choice",
        "stem": stem,
        "options": opts,
        "key": next(o["id"] for o in opts if o["correct"]),
        "explanation": explanation,
        "params": params,
        "witness": witness,
    }


def numeric_choice(
    rng: random.Random,
    *,
    stem: str,
    key: float | int,
    traps: Sequence[TrapEntry],
    explanation: str,
    params: dict[str, Any],
    witness: AnyWitness | None,
    n_options: int = 4,
    render: Callable[[Any], str] = fmt,
) -> dict[str, Any]:
    """A multiple-choice question whose options are numbers: the key and the values of named traps."""
    kept = _distinct_traps(key, traps, None)
    rendered = {render(key)}
    entries: list[dict[str, Any]] = [
        {"text": render(key), "correct": True, "trap": None, "feedback": "Correct.", "value": _clean_number(key)}
    ]
    for e in kept:
        text = render(e[1])
        if text in rendered:
            continue
        rendered.add(text)
        entries.append(
            {
                "text": text,
                "correct": False,
                "trap": e[0],
                "feedback": feedback_of(e, key, stem),
                "value": _clean_number(e[1]),
            }
        )
        if len(entries) == n_options:
            break
    return _multiple_choice(rng, entries, n_options, stem, explanation, params, witness)


def multi_select(
    rng: random.Random,
    *,
    stem: str,
    correct: Sequence[str],
    wrong: Sequence[str | tuple[Any, ...]],
    explanation: str,
    params: dict[str, Any],
    witness: AnyWitness | None,
) -> dict[str, Any]:
    """Select all that apply: every true statement, and wrong ones drawn from named traps."""
    entries: list[dict[str, Any]] = [
        {"text": c, "correct": True, "trap": None, "feedback": "Correct."} for c in correct
    ]
    seen = set(correct)
    for d in wrong:
        trap_id, text, *extra = (d, T.get(d).claim) if isinstance(d, str) else d
        if text in seen:
            raise Redraw
        seen.add(text)
        entries.append(
            {
                "text": text,
                "correct": False,
                "trap": trap_id,
                "feedback": feedback_of((trap_id, text, *extra), None, stem),
            }
        )
    if not correct or not wrong:
        raise Redraw
    opts = _options(rng, entries)
    return {
        "kind": "multi_select",
        "stem": stem,
        "options": opts,
        "key": [o["id"] for o in opts if o["correct"]],
        "explanation": explanation,
        "params": params,
        "witness": witness,
    }


# ------------------------------------------------------------------ drafts shared by several topics


def comparison(q: dict[str, Any], setting: str, derivation: str) -> dict[str, Any]:
    """The typed-answer question of a comparison draft ``q``: how many percent fewer, how many times more, or a plain
    count of one of two designs.

    ``q`` holds ``p`` (the params), ``tail`` and ``note`` (the question and its answer format, after ``setting``),
    ``key`` and its ``traps``, ``tol`` and ``unit`` (``None`` for a plain count), ``witness``, and ``extra`` (the
    explanation after ``derivation``).  A percentage's key is rounded to 1 decimal, a ratio's to 3, and their traps
    are :func:`spread` apart."""
    key = q["key"]
    return numeric(
        stem=setting + "\n\n" + q["tail"] + q["note"],
        key=key if isinstance(key, int) else round(key, 1 if q["unit"] == "%" else 3),
        traps=spread(key, q["traps"]) if q["tol"] else q["traps"],
        tolerance=q["tol"],
        unit=q["unit"],
        explanation=derivation + q["extra"],
        params=q["p"],
        witness=q["witness"],
    )


def comparison_choice(
    rng: random.Random, q: dict[str, Any], setting: str, derivation: str, render: Callable[[Any], str]
) -> dict[str, Any]:
    """The multiple-choice form of a comparison draft ``q`` (see :func:`comparison`), its options drawn by ``render``."""
    return numeric_choice(
        rng,
        stem=setting + "\n\n" + q["tail"],
        key=q["key"],
        traps=q["traps"],
        explanation=derivation + q["extra"],
        params=q["p"],
        witness=q["witness"],
        render=render,
    )


def one_per_trap(rng: random.Random, entries: Sequence[Any], n: int) -> list[Any]:
    """Up to ``n`` entries drawn at random, at most one per trap id (a trap id alone or the first item of a tuple), so
    no two options state the same misconception."""
    by_trap: dict[str, Any] = {}
    for e in rng.sample(list(entries), len(entries)):
        by_trap.setdefault(e if isinstance(e, str) else e[0], e)
    return list(by_trap.values())[:n]


def claims_choice(
    rng: random.Random,
    *,
    stem: str,
    right: Sequence[str],
    wrong: Sequence[tuple[Any, ...]],
    explanation: str,
    params: dict[str, Any],
    witness: AnyWitness | None,
    n_options: int = 4,
    correct_feedback: str | None = None,
    correct_value: Any = None,
) -> dict[str, Any]:
    """A multiple-choice question over varied claims: one true claim drawn from ``right`` and distractors drawn from
    ``wrong`` (``(trap, text)`` or ``(trap, text, feedback)``), never two with the same trap, so no option repeats a
    misconception and the option set changes from seed to seed."""
    correct = pick(rng, right)
    distractors = one_per_trap(rng, wrong, n_options - 1)
    return choice(
        rng,
        stem=stem,
        correct=correct,
        distractors=distractors,
        explanation=explanation,
        params={**params, "claim": list(right).index(correct)},
        witness=witness,
        n_options=n_options,
        correct_feedback=correct_feedback,
        correct_value=correct_value,
    )


def fact_choice(rng: random.Random, fact: dict[str, Any], *, name: str = "fact") -> dict[str, Any]:
    """A multiple-choice question from a fact record: its ``stem``, a ``correct`` answer drawn from ``right`` (its
    phrasings), trap ``distractors`` (at most one per trap, drawn at random when there are more than three),
    ``explanation`` and probe ``witness``; the params name the fact (``fact[name]``) and repeat the probe's args."""
    witness = fact["witness"]
    right = fact.get("right") or [fact["correct"]]
    correct = pick(rng, right)
    return choice(
        rng,
        stem=fact["stem"],
        correct=correct,
        distractors=one_per_trap(rng, fact["distractors"], 3),
        explanation=fact["explanation"],
        params={name: fact[name], "claim": right.index(correct), **witness.args},
        witness=witness,
    )


def pick(rng: random.Random, seq: Sequence[Any]) -> Any:
    return seq[rng.randrange(len(seq))]


# ------------------------------------------------------------------ a stack of K×K convs given as (K, S) pairs


def stride_one_layer(rng: random.Random, chain: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Give one layer of the chain, drawn among all but the last, stride 2 (in place)."""
    i = rng.randrange(len(chain) - 1)
    chain[i] = (chain[i][0], 2)
    return chain


def conv_chain_text(chain: Sequence[tuple[int, int]]) -> str:
    """``3×3, 1×1 (stride 2), 5×5``."""
    return ", ".join(f"{k}×{k}" + (f" (stride {s})" if s > 1 else "") for k, s in chain)


def conv_chain_rf_steps(chain: Sequence[tuple[int, int]]) -> str:
    """The receptive-field recursion worked layer by layer: ``3×3: $+(3-1)\\cdot1$ → 3; …``."""
    steps, r, j = [], 1, 1
    for k, s in chain:
        r += (k - 1) * j
        steps.append(f"{k}×{k}{'' if s == 1 else f'/s{s}'}: $+({k}-1)\\cdot{j}$ → {r}")
        j *= s
    return "; ".join(steps)


def conv_chain_rf_witness(chain: Sequence[tuple[int, int]], rf: int, jump: int) -> AnyWitness:
    """The chain as 'valid' ``Conv2D`` layers on an input large enough for the centre output's receptive field."""
    side = 2 * rf + 2 * jump + 4
    return W.sequential([side, side, 1], [W.conv2d(2, k, strides=s) for k, s in chain], "receptive_field")
