"""grader.analytics against a small fixture whose every statistic is computed by hand below.

The fixture: 5 students × 4 items, last-attempt marks (i4 is worth 2 points):

    student  i1  i2  i3  i4 | total
       1      1   1   1   2 |   5
       2      1   1   0   2 |   4
       3      1   0   1   1 |   3
       4      0   1   0   0 |   1
       5      1   0   0   1 |   2

plus two earlier attempts that the item statistics must ignore: student 4 got i2 wrong (attempt 1,
trap B) 14 days before getting it right, and student 5 got i3 right (attempt 1) 28 days before
getting it wrong (attempt 2).  All sample variances and covariances divide by n − 1 = 4, as Moodle.
"""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.analytics import (
    ResponseRecord,
    assessment_statistics,
    generator_statistics,
    item_statistics,
    last_attempts,
    mastery,
    parameter_difficulty,
    trap_statistics,
    wilson_interval,
)

NOW = datetime(2025, 1, 29, 12, 0, tzinfo=UTC)
MARKS = {
    1: (1, 1, 1, 2),
    2: (1, 1, 0, 2),
    3: (1, 0, 1, 1),
    4: (0, 1, 0, 0),
    5: (1, 0, 0, 1),
}
ITEMS = ("i1", "i2", "i3", "i4")
MAX = (1, 1, 1, 2)
TOPIC = {"i1": "T1", "i2": "T1", "i3": "T2", "i4": "T2"}
# named traps on the wrong last attempts
TRAPS = {(4, "i1"): "A", (3, "i2"): "A", (5, "i2"): "B", (2, "i3"): "A", (4, "i4"): "C", (3, "i4"): "C"}
# a parameter that varies between students' variants (used by the per-generator breakdown)
STRIDE = {1: 1, 2: 1, 3: 2, 4: 2, 5: 2}


def rec(
    student: int, item: str, score: float, *, attempt: int = 1, at: datetime = NOW, trap: str | None = None
) -> ResponseRecord:
    j = ITEMS.index(item)
    return ResponseRecord(
        student=student,
        item=item,
        generator=f"gen.{item}",
        topic=TOPIC[item],
        params={"stride": STRIDE.get(student, 1), "padding": "same" if j % 2 == 0 else "valid", "kernel": [3, 3]},
        score=float(score),
        max_score=float(MAX[j]),
        trap=trap,
        attempt=attempt,
        answered_at=at,
    )


def fixture() -> list[ResponseRecord]:
    last = [
        rec(s, item, MARKS[s][j], attempt=2 if (s, item) in {(4, "i2"), (5, "i3")} else 1, trap=TRAPS.get((s, item)))
        for s in MARKS
        for j, item in enumerate(ITEMS)
    ]
    earlier = [
        rec(4, "i2", 0, attempt=1, at=NOW - timedelta(days=14), trap="B"),
        rec(5, "i3", 1, attempt=1, at=NOW - timedelta(days=28)),
    ]
    # last attempts listed first: the functions must pick by attempt number, not by position
    return last + earlier


def test_last_attempts_picks_the_highest_attempt() -> None:
    last = last_attempts(fixture())
    assert len(last) == 20
    by = {(r.student, r.item): r for r in last}
    assert by[(4, "i2")].score == 1 and by[(4, "i2")].attempt == 2
    assert by[(5, "i3")].score == 0 and by[(5, "i3")].attempt == 2


# ------------------------------------------------------------------ item statistics, by hand
#
# i1: x = [1,1,1,0,1], mean 0.8; rest = total − x = [4,3,2,1,1], mean 11/5 = 2.2
#     Σ(x−x̄)² = 4·0.2² + 0.8² = 0.8            → var 0.2, sd √0.2
#     Σ(r−r̄)² = 1.8²+0.8²+0.2²+1.2²+1.2² = 6.8   → var 1.7
#     Σ(x−x̄)(r−r̄) = 0.36+0.16−0.04+0.96−0.24 = 1.2 → cov 0.3
#     discrimination = 0.3/√(0.2·1.7) = 0.3/√0.34
#     sorted x [0,1,1,1,1], sorted rest [1,1,2,3,4]: Σ = 0.96−0.24−0.04+0.16+0.36 = 1.2 → efficiency 1
# i2: x = [1,1,0,1,0], mean 0.6; rest = [4,3,3,0,2], mean 2.4
#     Σ(x−x̄)² = 3·0.16 + 2·0.36 = 1.2          → var 0.3
#     Σ(r−r̄)² = 2.56+0.36+0.36+5.76+0.16 = 9.2    → var 2.3
#     Σ(x−x̄)(r−r̄) = 0.64+0.24−0.36−0.96+0.24 = −0.2 → cov −0.05
#     discrimination = −0.05/√(0.3·2.3) = −0.05/√0.69
#     sorted x [0,0,1,1,1] dev [−.6,−.6,.4,.4,.4], sorted rest [0,2,3,3,4] dev [−2.4,−.4,.6,.6,1.6]:
#     Σ = 1.44+0.24+0.24+0.24+0.64 = 2.8 → efficiency −0.2/2.8 = −1/14
# i3: x = [1,0,1,0,0], mean 0.4; rest = [4,4,2,1,2], mean 2.6
#     Σ(x−x̄)² = 2·0.36 + 3·0.16 = 1.2          → var 0.3
#     Σ(r−r̄)² = 1.96+1.96+0.36+2.56+0.36 = 7.2    → var 1.8
#     Σ(x−x̄)(r−r̄) = 0.84−0.56−0.36+0.64+0.24 = 0.8 → cov 0.2
#     discrimination = 0.2/√(0.3·1.8) = 0.2/√0.54
#     sorted x [0,0,0,1,1] dev [−.4,−.4,−.4,.6,.6], sorted rest [1,2,2,4,4] dev [−1.6,−.6,−.6,1.4,1.4]:
#     Σ = 0.64+0.24+0.24+0.84+0.84 = 2.8 → efficiency 0.8/2.8 = 2/7
# i4 (max 2): x = [2,2,1,0,1], mean 1.2, facility 1.2/2 = 0.6; rest = [3,2,2,1,1], mean 1.8
#     Σ(x−x̄)² = 0.64+0.64+0.04+1.44+0.04 = 2.8   → var 0.7, sd/max = √0.7/2
#     Σ(r−r̄)² = 1.44+0.04+0.04+0.64+0.64 = 2.8   → var 0.7
#     Σ(x−x̄)(r−r̄) = 0.96+0.16−0.04+0.96+0.16 = 2.2 → cov 0.55
#     discrimination = 0.55/√(0.7·0.7) = 11/14
#     sorted x [0,1,1,2,2] dev [−1.2,−.2,−.2,.8,.8], sorted rest [1,1,2,2,3] dev [−.8,−.8,.2,.2,1.2]:
#     Σ = 0.96+0.16−0.04+0.16+0.96 = 2.2 → efficiency 1
HAND_ITEMS = {
    # key: (max, mean, facility, sd / max, discrimination, efficiency)
    "i1": (1, 0.8, 0.8, math.sqrt(0.2), 0.3 / math.sqrt(0.34), 1.0),
    "i2": (1, 0.6, 0.6, math.sqrt(0.3), -0.05 / math.sqrt(0.69), -1 / 14),
    "i3": (1, 0.4, 0.4, math.sqrt(0.3), 0.2 / math.sqrt(0.54), 2 / 7),
    "i4": (2, 1.2, 0.6, math.sqrt(0.7) / 2, 11 / 14, 1.0),
}


def _check(stats: list, expected: dict[str, tuple[float, ...]], key_of=lambda k: k) -> None:  # type: ignore[no-untyped-def]
    got = {s.key: s for s in stats}
    assert set(got) == {key_of(k) for k in expected}
    for k, (mx, mean, fac, sd, disc, eff) in expected.items():
        s = got[key_of(k)]
        assert s.n == 5
        assert s.max_score == pytest.approx(mx)
        assert s.mean == pytest.approx(mean)
        assert s.facility == pytest.approx(fac)
        assert s.sd == pytest.approx(sd)
        assert s.discrimination == pytest.approx(disc)
        assert s.discriminative_efficiency == pytest.approx(eff)


def test_item_statistics_match_the_hand_computation() -> None:
    _check(item_statistics(fixture()), HAND_ITEMS)
    # the spot values, to catch a wrong formula that happens to agree with the expressions above
    by = {s.key: s for s in item_statistics(fixture())}
    assert by["i1"].discrimination == pytest.approx(0.514496, abs=1e-6)
    assert by["i2"].discrimination == pytest.approx(-0.060193, abs=1e-6)
    assert by["i3"].discrimination == pytest.approx(0.272166, abs=1e-6)
    assert by["i2"].discriminative_efficiency == pytest.approx(-0.071429, abs=1e-6)


def test_generator_statistics_equal_item_statistics_when_one_item_per_generator() -> None:
    _check(generator_statistics(fixture()), HAND_ITEMS, key_of=lambda k: f"gen.{k}")


def variants(records: list[ResponseRecord]) -> list[ResponseRecord]:
    """The same marks, but each student answered their own variant (own item id) of each generator."""
    return [replace(r, item=f"{r.item}:s{r.student}") for r in records]


def test_exam_variants_per_student_statistics_live_at_the_generator_level() -> None:
    recs = variants(fixture())
    _check(generator_statistics(recs), HAND_ITEMS, key_of=lambda k: f"gen.{k}")
    per_item = item_statistics(recs)
    assert len(per_item) == 20 and all(s.n == 1 for s in per_item)
    assert all(s.sd is None and s.discrimination is None and s.discriminative_efficiency is None for s in per_item)


def test_two_items_of_one_generator_form_one_unit() -> None:
    # i1 and i3 from the same generator "gA": unit marks x = i1 + i3 = [2,1,2,0,1] (max 2), mean 1.2
    #   facility 1.2/2 = 0.6; Σ(x−x̄)² = 0.64+0.04+0.64+1.44+0.04 = 2.8 → var 0.7, sd/max = √0.7/2
    #   rest = total − x = [3,3,1,1,1], mean 1.8; Σ(r−r̄)² = 2·1.44 + 3·0.64 = 4.8 → var 1.2
    #   Σ(x−x̄)(r−r̄) = 0.96−0.24−0.64+0.96+0.16 = 1.2 → cov 0.3; discrimination 0.3/√(0.7·1.2) = 0.3/√0.84
    #   sorted x [0,1,1,2,2] dev [−1.2,−.2,−.2,.8,.8], sorted rest [1,1,1,3,3] dev [−.8,−.8,−.8,1.2,1.2]:
    #   Σ = 0.96+0.16+0.16+0.96+0.96 = 3.2 → efficiency 1.2/3.2 = 0.375
    recs = [replace(r, generator="gA") if r.item in ("i1", "i3") else r for r in fixture()]
    ga = {s.key: s for s in generator_statistics(recs)}["gA"]
    assert ga.max_score == 2 and ga.mean == pytest.approx(1.2) and ga.facility == pytest.approx(0.6)
    assert ga.sd == pytest.approx(math.sqrt(0.7) / 2)
    assert ga.discrimination == pytest.approx(0.3 / math.sqrt(0.84))
    assert ga.discriminative_efficiency == pytest.approx(0.375)
    # α over 3 units (gA, i2, i4): variances 0.7 + 0.3 + 0.7 = 1.7; V_T = 2.5 (below)
    #   α = 3/2 · (1 − 1.7/2.5) = 1.5 · 0.32 = 0.48
    assert assessment_statistics(recs).alpha == pytest.approx(0.48)


# ------------------------------------------------------------------ assessment statistics, by hand
#
# totals T = [5,4,3,1,2], mean 3, deviations [2,1,0,−2,−1]: Σ = 4+1+0+4+1 = 10 → V_T = 2.5, sd √2.5
# median of [1,2,3,4,5] = 3; max total 1+1+1+2 = 5
# Σ V_i = 0.2 + 0.3 + 0.3 + 0.7 = 1.5
# α = 4/3 · (1 − 1.5/2.5) = 4/3 · 0.4 = 8/15
# error ratio = √(1 − 8/15) = √(7/15)
# standard error = √(7/15) · √2.5 = √(7/6)


@pytest.mark.parametrize("level", ["item", "generator"])
def test_assessment_statistics_match_the_hand_computation(level: str) -> None:
    t = assessment_statistics(fixture(), level=level)  # type: ignore[arg-type]
    assert (t.n_students, t.n_units, t.max_total) == (5, 4, 5)
    assert t.mean == pytest.approx(3) and t.median == pytest.approx(3)
    assert t.sd == pytest.approx(math.sqrt(2.5))
    assert t.alpha == pytest.approx(8 / 15)
    assert t.error_ratio == pytest.approx(math.sqrt(7 / 15))
    assert t.standard_error == pytest.approx(math.sqrt(7 / 6))
    assert t.standard_error == pytest.approx(1.080123, abs=1e-6)


def test_missing_answers_omitted_or_counted_as_zero() -> None:
    # drop student 5's answer to i4 (their mark there was 1)
    recs = [r for r in fixture() if not (r.student == 5 and r.item == "i4")]
    # omit: α over the 4 complete students; marks
    #   i1 [1,1,1,0] var: mean .75, Σ = 3·.0625+.5625 = .75 → .25
    #   i2 [1,1,0,1] var .25 (same pattern); i3 [1,0,1,0] mean .5, Σ = 1 → 1/3
    #   i4 [2,2,1,0] mean 1.25, Σ = .5625+.5625+.0625+1.5625 = 2.75 → 11/12
    #   T [5,4,3,1] mean 3.25, Σ = 3.0625+.5625+.0625+5.0625 = 8.75 → 35/12
    #   α = 4/3 · (1 − (3/12+3/12+4/12+11/12)/(35/12)) = 4/3 · (1 − 21/35) = 4/3 · 0.4 = 8/15
    omit = assessment_statistics(recs, level="item")
    assert omit.n_students == 4 and omit.alpha == pytest.approx(8 / 15)
    i4 = {s.key: s for s in item_statistics(recs)}["i4"]
    assert i4.n == 4 and i4.mean == pytest.approx(1.25)
    # zero: student 5 keeps 0 on i4 → i4 [2,2,1,0,0] mean 1.0, Σ = 1+1+0+1+1 = 4 → var 1
    #   T [5,4,3,1,1] mean 2.8, Σ = 4.84+1.44+.04+3.24+3.24 = 12.8 → 3.2
    #   α = 4/3 · (1 − (0.2+0.3+0.3+1.0)/3.2) = 4/3 · (1 − 0.5625) = 0.583333…
    zero = assessment_statistics(recs, level="item", missing="zero")
    assert zero.n_students == 5 and zero.alpha == pytest.approx(4 / 3 * (1 - 1.8 / 3.2))
    i4z = {s.key: s for s in item_statistics(recs, missing="zero")}["i4"]
    assert i4z.n == 5 and i4z.mean == pytest.approx(1.0) and i4z.facility == pytest.approx(0.5)


def test_degenerate_inputs_give_none_not_errors() -> None:
    assert item_statistics([]) == []
    empty = assessment_statistics([])
    assert empty.n_students == 0 and empty.alpha is None and empty.mean is None
    one = [rec(1, "i1", 1), rec(1, "i2", 0)]
    t = assessment_statistics(one, level="item")
    assert t.n_students == 1 and t.mean == 1 and t.sd is None and t.alpha is None
    same = [rec(s, "i1", 1) for s in MARKS] + [rec(s, "i2", 1) for s in MARKS]  # everyone full marks
    s = item_statistics(same)[0]
    assert s.facility == 1 and s.sd == 0 and s.discrimination is None and s.discriminative_efficiency is None
    assert assessment_statistics(same, level="item").alpha is None  # V_T = 0


# ------------------------------------------------------------------ trap statistics, by hand


def test_trap_statistics_per_item_generator_topic_and_cohort() -> None:
    cohorts = {1: "A", 2: "A", 3: "A", 4: "B", 5: "B"}
    rows = {(t.scope, t.key, t.trap): t for t in trap_statistics(fixture(), cohorts=cohorts)}
    expected = {
        # (scope, key, trap): (count, responses, wrong)
        # i1: wrong only s4 (trap A)
        ("item", "i1", "A"): (1, 5, 1),
        # i2: wrong s3 (A), s5 (B); s4's wrong first attempt does not count
        ("item", "i2", "A"): (1, 5, 2),
        ("item", "i2", "B"): (1, 5, 2),
        # i3: wrong s2 (A), s4, s5
        ("item", "i3", "A"): (1, 5, 3),
        # i4: not full credit s3 (1/2, C), s4 (0, C), s5 (1/2)
        ("item", "i4", "C"): (2, 5, 3),
        ("generator", "gen.i4", "C"): (2, 5, 3),
        # T1 = i1 + i2: 10 responses, 3 wrong; T2 = i3 + i4: 10 responses, 6 wrong
        ("topic", "T1", "A"): (2, 10, 3),
        ("topic", "T1", "B"): (1, 10, 3),
        ("topic", "T2", "A"): (1, 10, 6),
        ("topic", "T2", "C"): (2, 10, 6),
        # cohort A = s1..s3: 12 responses, wrong s2 i3, s3 i2, s3 i4
        ("cohort", "A", "A"): (2, 12, 3),
        ("cohort", "A", "C"): (1, 12, 3),
        # cohort B = s4, s5: 8 responses, wrong s4 i1, i3, i4 and s5 i2, i3, i4
        ("cohort", "B", "A"): (1, 8, 6),
        ("cohort", "B", "B"): (1, 8, 6),
        ("cohort", "B", "C"): (1, 8, 6),
    }
    for k, (count, responses, wrong) in expected.items():
        t = rows[k]
        assert (t.count, t.responses, t.wrong) == (count, responses, wrong), k
        assert t.rate == pytest.approx(count / responses)
        assert t.share_of_wrong == pytest.approx(count / wrong)
    assert len([k for k in rows if k[0] in ("item", "topic", "cohort")]) == len(
        [k for k in expected if k[0] != "generator"]
    )
    # most frequent first within a key
    t2 = [t for t in trap_statistics(fixture()) if t.scope == "topic" and t.key == "T2"]
    assert [t.trap for t in t2] == ["C", "A"]


def test_trap_statistics_all_attempts_and_titles() -> None:
    rows = {(t.scope, t.key, t.trap): t for t in trap_statistics(fixture(), all_attempts=True)}
    # i2 now has 6 responses (s4's first attempt too), 3 of them wrong, trap B twice
    b = rows[("item", "i2", "B")]
    assert (b.count, b.responses, b.wrong) == (2, 6, 3)
    assert rows[("cohort", "all", "A")].responses == 22  # 20 last attempts + 2 earlier
    assert b.title is None  # not a quizbank trap id
    real = [replace(r, trap="forgot_bias") if r.trap == "A" else r for r in fixture()]
    from quizbank import traps

    named = next(t for t in trap_statistics(real) if t.trap == "forgot_bias")
    assert named.title == traps.get("forgot_bias").title


# ------------------------------------------------------------------ per-parameter difficulty, by hand


def test_parameter_difficulty_per_generator() -> None:
    rows = {(d.scope, d.param, d.value): d for d in parameter_difficulty(fixture())}
    # gen.i1, stride 1 (s1, s2): both right → 2/2; stride 2 (s3, s4, s5): s3, s5 right → 2/3
    s1, s2 = rows[("gen.i1", "stride", 1)], rows[("gen.i1", "stride", 2)]
    assert (s1.n, s1.correct, s1.correct_rate) == (2, 2, 1.0)
    assert (s2.n, s2.correct) == (3, 2) and s2.correct_rate == pytest.approx(2 / 3)
    # gen.i4 (max 2), stride 2 (s3 1/2, s4 0, s5 1/2): no full credit; mean fraction (0.5+0+0.5)/3 = 1/3
    i4 = rows[("gen.i4", "stride", 2)]
    assert (i4.n, i4.correct, i4.correct_rate) == (3, 0, 0.0) and i4.mean_score == pytest.approx(1 / 3)
    # list values are grouped by their JSON text
    assert rows[("gen.i1", "kernel", "[3, 3]")].n == 5


def test_parameter_difficulty_across_generators() -> None:
    rows = {(d.param, d.value): d for d in parameter_difficulty(fixture(), by="all")}
    # padding "same" = i1, i3 (10 responses): full credit 4 + 2 = 6; mean fraction (4 + 2)/10
    # padding "valid" = i2, i4: full credit 3 + 2 = 5; mean fraction (3 + (1+1+.5+0+.5))/10 = 0.6
    same, valid = rows[("padding", "same")], rows[("padding", "valid")]
    assert (same.n, same.correct, same.correct_rate, same.mean_score) == (10, 6, 0.6, pytest.approx(0.6))
    assert (valid.n, valid.correct, valid.correct_rate) == (10, 5, 0.5) and valid.mean_score == pytest.approx(0.6)
    # stride 1 = students 1, 2 on all four items (8 responses): full credit 4 + 3 = 7
    assert (rows[("stride", 1)].n, rows[("stride", 1)].correct) == (8, 7)
    topics = {(d.scope, d.param, d.value): d for d in parameter_difficulty(fixture(), by="topic")}
    assert topics[("T1", "padding", "same")].n == 5 and topics[("T1", "padding", "same")].correct == 4


def test_wilson_interval() -> None:
    # k = 6, n = 10, z = 1.96: p = 0.6, z²/n = 0.38416, denominator 1.38416
    #   centre = (0.6 + 0.19208) / 1.38416 = 0.79208 / 1.38416 = 0.572246
    #   half   = 1.96/1.38416 · √(0.024 + 0.009604) = 1.416021 · 0.183314 = 0.259576
    #   → (0.312670, 0.831822)
    low, high = wilson_interval(6, 10, z=1.96)
    assert low == pytest.approx(0.312670, abs=1e-5) and high == pytest.approx(0.831822, abs=1e-5)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(0, 5)[0] == 0.0 and wilson_interval(5, 5)[1] == 1.0


# ------------------------------------------------------------------ mastery, by hand (uniform prior, half-life 14 d)


def test_mastery_matches_the_hand_computation() -> None:
    m = {(x.student, x.topic): x for x in mastery(fixture())}  # now = latest answer = NOW
    # s5, T2: i3 attempt 1 right 28 d ago (w = 2^(−28/14) = 0.25), i3 attempt 2 wrong now (w 1),
    #   i4 half credit now (x 0.5, w 1)
    #   α = 1 + 0.25 + 0 + 0.5 = 1.75; β = 1 + 0 + 1 + 0.5 = 2.5 → mastery 1.75/4.25 = 7/17
    #   sd = √(1.75·2.5 / (4.25² · 5.25)); evidence 2.25
    s5 = m[(5, "T2")]
    assert s5.mastery == pytest.approx(7 / 17)
    assert s5.sd == pytest.approx(math.sqrt(1.75 * 2.5 / (4.25**2 * 5.25)))
    assert s5.evidence == pytest.approx(2.25) and s5.n == 3 and not s5.mastered
    # s4, T1: i1 x=0 w=1; i2 a1 x=0 14 d ago w=0.5; i2 a2 x=1 w=1
    #   α = 1 + 1 = 2; β = 1 + 1 + 0.5 = 2.5 → 2/4.5 = 4/9
    assert m[(4, "T1")].mastery == pytest.approx(4 / 9) and m[(4, "T1")].evidence == pytest.approx(2.5)
    # s1, T1: two right answers now: α = 3, β = 1 → 0.75, evidence 2 < 3 → not mastered
    assert m[(1, "T1")].mastery == pytest.approx(0.75) and not m[(1, "T1")].mastered
    # s1, T2: i3 x=1, i4 x=1 → α = 3, β = 1 → 0.75
    assert m[(1, "T2")].mastery == pytest.approx(0.75)
    assert len(m) == 10 and m[(5, "T2")].last_answered == NOW


def test_mastery_recency_and_threshold() -> None:
    # three right answers now: α = 4, β = 1 → 0.8 ≥ 0.8 with evidence 3 → mastered
    fresh = [rec(9, "i1", 1, attempt=a) for a in (1, 2, 3)]
    (f,) = mastery(fresh)
    assert f.mastery == pytest.approx(0.8) and f.evidence == pytest.approx(3) and f.mastered
    # the same answers seen 14 days later weigh half: α = 1 + 1.5, β = 1 → 2.5/3.5; evidence 1.5
    (old,) = mastery(fresh, now=NOW + timedelta(days=14))
    assert old.mastery == pytest.approx(2.5 / 3.5) and old.evidence == pytest.approx(1.5) and not old.mastered
    # a recent wrong answer outweighs an old right one
    mixed = [rec(9, "i1", 1, attempt=1, at=NOW - timedelta(days=28)), rec(9, "i1", 0, attempt=2)]
    (mx,) = mastery(mixed)
    assert mx.mastery == pytest.approx(1.25 / 3.25) and mx.mastery < 0.5
    # naive datetimes (as SQLite returns them) are read as UTC
    naive = [replace(r, answered_at=r.answered_at.replace(tzinfo=None)) for r in fresh]
    assert mastery(naive)[0].mastery == pytest.approx(0.8)
    with pytest.raises(ValueError):
        mastery(fresh, half_life_days=0)
    assert mastery([]) == []


# ------------------------------------------------------------------ properties


@st.composite
def cohorts(draw: st.DrawFn) -> list[ResponseRecord]:
    n_students = draw(st.integers(2, 12))
    n_items = draw(st.integers(2, 6))
    maxes = draw(st.lists(st.sampled_from([1.0, 2.0, 3.0]), min_size=n_items, max_size=n_items))
    out = []
    for s in range(n_students):
        for i in range(n_items):
            if draw(st.integers(0, 9)) == 0:  # some missing answers
                continue
            steps = int(maxes[i] * 2)
            score = draw(st.integers(0, steps)) / 2
            out.append(
                ResponseRecord(
                    s,
                    f"q{i}",
                    f"g{i % 3}",
                    f"t{i % 2}",
                    {"stride": draw(st.sampled_from([1, 2])), "padding": draw(st.sampled_from(["same", "valid"]))},
                    score,
                    maxes[i],
                    draw(st.sampled_from([None, "x", "y"])) if score < maxes[i] else None,
                    draw(st.integers(1, 3)),
                    NOW - timedelta(hours=draw(st.integers(0, 2000))),
                )
            )
    return out


@settings(max_examples=150, deadline=None)
@given(cohorts(), st.sampled_from(["omit", "zero"]), st.sampled_from(["item", "generator"]))
def test_statistics_stay_in_range(recs: list[ResponseRecord], missing: str, level: str) -> None:
    for s in item_statistics(recs, level=level, missing=missing):  # type: ignore[arg-type]
        assert s.facility is None or 0 <= s.facility <= 1
        assert s.sd is None or s.sd >= 0
        assert s.discrimination is None or -1 <= s.discrimination <= 1
        assert s.discriminative_efficiency is None or s.discriminative_efficiency <= 1
    t = assessment_statistics(recs, level=level, missing=missing)  # type: ignore[arg-type]
    assert t.alpha is None or t.alpha <= 1
    if t.alpha is not None:
        assert t.error_ratio is not None and t.error_ratio >= 0 and t.standard_error is not None
        assert t.error_ratio == pytest.approx(math.sqrt(1 - t.alpha))
    for tr in trap_statistics(recs):
        assert 0 < tr.rate <= 1 and 0 <= tr.share_of_wrong <= 1 and tr.count <= tr.wrong <= tr.responses
    for d in parameter_difficulty(recs):
        assert 0 <= d.low <= d.correct_rate <= d.high <= 1 and 0 <= d.mean_score <= 1
    for m in mastery(recs):
        assert 0 < m.mastery < 1 and m.sd > 0


@settings(max_examples=100, deadline=None)
@given(cohorts())
def test_discrimination_and_alpha_agree_with_numpy(recs: list[ResponseRecord]) -> None:
    """An independent implementation: numpy's corrcoef and var over the complete score matrix."""
    last = last_attempts(recs)
    students = sorted({r.student for r in last})
    items = sorted({r.item for r in last})
    x = np.zeros((len(students), len(items)))
    for r in last:
        x[students.index(r.student), items.index(r.item)] = r.score
    stats = {s.key: s for s in item_statistics(recs, missing="zero")}
    total = x.sum(axis=1)
    for j, item in enumerate(items):
        rest = total - x[:, j]
        if x[:, j].std() > 1e-9 and rest.std() > 1e-9:
            assert stats[item].discrimination == pytest.approx(np.corrcoef(x[:, j], rest)[0, 1], abs=1e-9)
    t = assessment_statistics(recs, level="item", missing="zero")
    p = len(items)
    if p > 1 and total.var(ddof=1) > 1e-9:
        alpha = p / (p - 1) * (1 - x.var(axis=0, ddof=1).sum() / total.var(ddof=1))
        assert t.alpha == pytest.approx(alpha, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(cohorts(), st.integers(0, 2**32))
def test_statistics_do_not_depend_on_order_or_on_the_point_scale(recs: list[ResponseRecord], seed: int) -> None:
    shuffled = list(recs)
    random.Random(seed).shuffle(shuffled)
    assert item_statistics(shuffled) == item_statistics(recs)
    assert assessment_statistics(shuffled) == assessment_statistics(recs)
    scaled = [replace(r, score=r.score * 4, max_score=r.max_score * 4) for r in recs]
    for a, b in zip(item_statistics(recs), item_statistics(scaled), strict=True):
        for f in ("facility", "sd", "discrimination", "discriminative_efficiency"):
            va, vb = getattr(a, f), getattr(b, f)
            assert (va is None) == (vb is None) and (va is None or va == pytest.approx(vb, abs=1e-9))
    ta, tb = assessment_statistics(recs), assessment_statistics(scaled)
    assert (ta.alpha is None and tb.alpha is None) or ta.alpha == pytest.approx(tb.alpha, abs=1e-9)
