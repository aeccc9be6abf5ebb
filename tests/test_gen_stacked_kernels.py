"""stacked_kernels: two 3×3 vs one 5×5, three 3×3 vs one 7×7."""

from __future__ import annotations

import pytest

from quizbank import formulas as F
from quizbank import traps as T
from quizbank import witness as W
from quizbank.generators import generate, generators

TOPIC = "stacked_kernels"
IDS = [g.id for g in generators(TOPIC)]


def test_formulas_match_hand_counts() -> None:
    assert F.stacked_vs_single(2, 256) == (1_179_648, 1_638_400)  # 18C² vs 25C² at C = 256
    assert F.stacked_vs_single(3, 10) == (2_700, 4_900)  # 27C² vs 49C²
    assert F.percent_fewer(18, 25) == pytest.approx(28.0)
    assert F.rf_stacked(2, 3) == 5 and F.rf_stacked(3, 3) == 7 and F.rf_stacked(5, 3) == 11
    layers = [F.RFLayer(3), F.RFLayer(3)]
    assert T.rf_l_times_k(layers) == 6  # the trap: RF as L·K


def test_worked_example_question() -> None:
    q = next(
        q for s in range(300) if (q := generate(f"{TOPIC}.params", s, 1)).params["c"] == 256 and q.params["n"] == 2
    )
    assert q.key == (1_179_648 if q.params["ask"] == "stack" else 1_638_400)
    cmp = next(c for s in range(60) if (c := generate(f"{TOPIC}.compare", s, 1)).params["n"] == 2)
    assert cmp.key == 28.0
    traps = {t.trap: t.value for t in cmp.traps}
    assert traps["percent_of_instead_of_fewer"] == pytest.approx(72.0)
    assert traps["rf_l_times_k"] == pytest.approx(50.0)


def test_generators_registered() -> None:
    assert set(IDS) == {f"{TOPIC}.{n}" for n in ("params", "compare", "pick", "rf", "why")}


def test_difficulty_changes_the_draw() -> None:
    draws = {
        d: {(q.params["n"], q.params["k"]) for s in range(60) if (q := generate(f"{TOPIC}.params", s, d))}
        for d in (1, 2, 3)
    }
    assert draws[1] == {(2, 3), (3, 3), (4, 3)}, "difficulty 1: two to four 3×3s"
    assert 3 in {n for n, _ in draws[2]} and not draws[3] & draws[1], "difficulty 3 never repeats a difficulty-1 stack"
    keys = {generate(f"{TOPIC}.compare", s, 1).key for s in range(60)}
    assert {28.0, 44.9, 55.6} <= keys


@pytest.mark.live
def test_worked_example_live() -> None:
    from quizbank.validate import live_value

    stack = W.sequential([16, 16, 256], [W.conv2d(256, 3, use_bias=False) for _ in range(2)], "count_params")
    single = W.sequential([16, 16, 256], [W.conv2d(256, 5, use_bias=False)], "count_params")
    assert live_value(stack) == 1_179_648
    assert live_value(single) == 1_638_400
    assert live_value(W.combine("percent_fewer", stack, single)) == pytest.approx(28.0)
    assert live_value(W.probe("stacked_vs_single_kernel", n=3, k=3, c=4)) == [7, 7, 27 * 16, 49 * 16]
    five = W.sequential([30, 30, 1], [W.conv2d(2, 3) for _ in range(5)], "receptive_field")
    assert live_value(five) == 11
