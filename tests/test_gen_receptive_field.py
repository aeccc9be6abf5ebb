"""Receptive-field generators: stacks, the jump after strides, dilation, branching graphs (max over paths)."""

from __future__ import annotations

import pytest

from quizbank import formulas as F
from quizbank import traps as T
from quizbank.generators import generate, generators
from quizbank.generators import receptive_field as R
from quizbank.schema import MultipleChoiceQuestion, NumericQuestion

GEN_IDS = [g.id for g in generators("receptive_field")]


def test_concepts_worked_examples() -> None:
    # concepts.md §2 and §5: three 3×3 → 7, five 3×3 → 11
    assert F.rf_stacked(3, 3) == 7
    assert F.rf_stacked(5, 3) == 11
    five = [R._conv(3) for _ in range(5)]
    assert R._rf(five) == (11, 1)
    # a stride-2 pool in the middle: the later layers grow the RF twice as fast (4 per 3×3 instead of 2)
    mid = [R._conv(3), R._conv(3), R._pool("max", 2), R._conv(3), R._conv(3), R._conv(3)]
    r, j = R._rf(mid)
    assert (r, j) == (1 + 2 + 2 + 1 * 1 + 3 * 2 * 2, 2) == (18, 2)
    assert R._rf([*mid, R._conv(3)])[0] - r == 4
    # dilation: a 3×3 at d=2 adds 4 like a 5×5
    assert R._rf([R._conv(3, 1, 2)])[0] == 5


def test_trap_functions() -> None:
    five = R._rf_layers([R._conv(3) for _ in range(5)])
    assert T.rf_l_times_k(five) == 15
    chain = R._rf_layers([R._conv(3), R._pool("max", 2), R._conv(3), R._conv(3, 1, 2)])
    r, _ = F.receptive_field(chain)
    assert r == 1 + 2 + 1 + 4 + 8 == 16
    assert T.rf_ignored_stride(chain) == 1 + 2 + 1 + 2 + 4 == 10
    assert T.rf_dilation_as_kd(chain) == 1 + 2 + 1 + 4 + (6 - 1) * 2 == 18
    traps = dict(R._chain_traps([R._conv(3), R._pool("max", 2), R._conv(3), R._conv(3, 1, 2)], chain, r))
    assert traps["ignored_dilation"] == 1 + 2 + 1 + 4 + 4 == 12
    assert traps["rf_forgot_one"] == 15
    uni = R._rf_layers([R._conv(3) for _ in range(5)])
    assert dict(R._chain_traps([R._conv(3)] * 5, uni, 11, uniform=True))["rf_one_layer_short"] == 9


def test_branching_graph_is_max_over_paths() -> None:
    block = {"kind": "inception", "branches": [[R._conv(1)], [R._conv(3)], [R._conv(1), R._conv(5)]]}
    segs = [{"kind": "layer", "layer": R._conv(3, 2)}, block]
    # trunk 3×3/2 → 3, jump 2; longest branch 5×5 adds 4·2 = 8
    assert R._graph_rf(segs) == 11
    assert R._graph_rf(segs) == F.rf_branches(
        [[F.RFLayer(3, 2)] + [F.RFLayer(x["k"], x["s"], x["d"]) for x in b] for b in block["branches"]]
    )
    assert R._graph_rf(segs, "sum") == 3 + (0 + 2 + 4) * 2 == 15
    assert R._graph_rf(segs, "min") == 3
    assert R._graph_rf(segs, "nostride") == 3 + 4
    res = {"kind": "residual", "branches": [[R._conv(3), R._conv(3)]]}
    assert R._graph_rf([res]) == 5 and R._graph_rf([res], "min") == 1


def test_numeric_questions_offer_the_rf_traps() -> None:
    qs = [
        q for g in GEN_IDS for d in (1, 2, 3) for s in range(30) if isinstance(q := generate(g, s, d), NumericQuestion)
    ]
    assert not [q.uid for q in qs if not q.traps]
    seen = {t.trap for q in qs for t in q.traps}
    assert {"rf_l_times_k", "rf_ignored_stride", "dilation_as_k_times_d", "rf_branches_summed"} <= seen


def test_pick_values_are_the_rf() -> None:
    for s in range(20):
        q = generate("receptive_field.pick", s, 1)
        assert isinstance(q, MultipleChoiceQuestion)
        right = next(o for o in q.options if o.correct)
        n, k = len(q.params["layers"]), q.params["layers"][0]["k"]
        assert right.value == F.rf_stacked(n, k) and right.text == f"{right.value}×{right.value}"


@pytest.mark.live
def test_live_rf_of_five_3x3_and_pool_in_the_middle() -> None:
    from quizbank.validate import live_value

    five = [R._conv(3) for _ in range(5)]
    assert live_value(R._witness(five, 30)) == 11
    mid = [R._conv(3), R._conv(3), R._pool("max", 2), R._conv(3), R._conv(3), R._conv(3)]
    assert live_value(R._witness(mid, 50)) == 18
