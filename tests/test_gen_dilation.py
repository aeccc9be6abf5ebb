"""Dilation generators: K_eff, unchanged parameters, RF of dilated stacks, gridding and HDC."""

from __future__ import annotations

import pytest

from quizbank import formulas as F
from quizbank import traps as T
from quizbank.generators import dilation as D
from quizbank.generators import generate, generators
from quizbank.schema import MultipleChoiceQuestion, NumericQuestion

GEN_IDS = [g.id for g in generators("dilation")]


def test_concepts_worked_examples() -> None:
    # a 3×3 at d=2 sees 5×5 with 9 weights per channel pair; the parameters do not depend on d
    assert F.effective_kernel(3, 2) == 5
    assert F.effective_kernel(3, 6) == 13 and F.effective_kernel(3, 24) == 49
    assert T.effective_kernel_as_kd(3, 2) == 6
    assert F.conv_params(3, 64, 128) == 73_856  # the same whether dilation_rate is 1 or 4
    # WaveNet: K=2, dilations 1..512 → 1024; the Σd trap gives 1023
    assert F.wavenet_rf() == 1024
    assert T.wavenet_rf_dilation_sum([2**i for i in range(10)]) == 1023


def test_gridding_holes() -> None:
    assert F.gridding_holes((2, 2, 2)) == 6  # offsets −6..6 step 2: 13 span, 7 reached
    assert F.gridding_holes((1, 2, 5)) == 0  # HDC
    assert F.gridding_holes((2, 4, 8)) == 14
    assert F.gridding_holes((1, 4, 8)) == 6
    assert F.gridding_holes([2**i for i in range(10)], 2) == 0
    for r in D.SAME_RATE + D.COMMON_FACTOR + D.TOO_FAST:
        assert D.HOLES[r] > 0, r
    for r in D.COVERING:
        assert D.HOLES[r] == 0, r
    assert D._holey_trap((2, 2, 2)) == "gridding_fixed_by_same_rate"
    assert D._holey_trap((2, 4, 8)) == "dilation_common_factor"
    assert D._holey_trap((1, 4, 8)) == "dilation_rate_too_large"


def test_wavenet_trap_shortcuts_match_trap_functions() -> None:
    for n in range(3, 11):
        for stacks in (1, 2, 3):
            rates = [2**i for i in range(n)]
            layers = [F.RFLayer(2, 1, d) for d in rates] * stacks
            key = F.receptive_field(layers)[0]
            assert key == F.wavenet_rf(2, rates, stacks)
            q_traps = {
                "dilation_as_k_times_d": 1 + stacks * sum(2 * d - 1 if d > 1 else 1 for d in rates),
                "ignored_dilation": 1 + stacks * n,
                "rf_l_times_k": 2 * stacks * n,
            }
            assert q_traps["dilation_as_k_times_d"] == T.rf_dilation_as_kd(layers)
            assert q_traps["ignored_dilation"] == F.receptive_field([F.RFLayer(2, 1, 1)] * (n * stacks))[0]
            assert q_traps["rf_l_times_k"] == T.rf_l_times_k(layers)


def test_numeric_questions_offer_the_dilation_traps() -> None:
    qs = [
        q for g in GEN_IDS for d in (1, 2, 3) for s in range(30) if isinstance(q := generate(g, s, d), NumericQuestion)
    ]
    assert not [q.uid for q in qs if not q.traps]
    seen = {t.trap for q in qs for t in q.traps}
    assert {"dilation_as_k_times_d", "ignored_dilation", "dilation_adds_params", "wavenet_rf_dilation_sum"} <= seen


def test_params_key_ignores_dilation() -> None:
    for s in range(30):
        q = generate("dilation.params", s, 2)
        assert isinstance(q, NumericQuestion)
        p = q.params
        assert q.key == F.conv_params(p["k"], p["c_in"], p["c_out"], bias=p["bias"])
        assert dict((t.trap, t.value) for t in q.traps)["dilation_adds_params"] == F.conv_params(
            F.effective_kernel(p["k"], p["d"]), p["c_in"], p["c_out"], bias=p["bias"]
        )


def test_gridding_question_options() -> None:
    for d in (1, 2, 3):
        for s in range(30):
            q = generate("dilation.gridding", s, d)
            assert isinstance(q, MultipleChoiceQuestion) and q.witness is not None
            holes = q.witness.expect
            assert (holes > 0) == (q.params["polarity"] == "holes")
            assert holes == F.gridding_holes(q.params["rates"])


@pytest.mark.live
def test_probes_match_the_hole_arithmetic() -> None:
    from models.probes import run

    for r in D.SAME_RATE + D.COMMON_FACTOR + D.TOO_FAST + D.COVERING:
        assert run("dilation_gridding_holes", rates=list(r), k=3) == D.HOLES[r], r
    assert run("dilated_rf_extent", rates=[1, 2, 5], k=3) == 17
    assert run("dilation_free_rf_growth", k=3, d=2) is True
