"""Edge-case generators: formulas, named traps, probes (witness=None only where nothing live applies)."""

from __future__ import annotations

import pytest

from grader.scoring import grade
from quizbank import diagnose
from quizbank import formulas as F
from quizbank.generators import generate, generators

GENS = [g.id for g in generators("edge_cases")]


def test_generators_registered() -> None:
    assert set(GENS) == {
        "edge_cases.dying_relu",
        "edge_cases.bn_inference",
        "edge_cases.bn_value",
        "edge_cases.gridding",
        "edge_cases.gridding_schedule",
        "edge_cases.degradation",
        "edge_cases.gap_layout",
        "edge_cases.separable",
    }


def test_gridding_formulas() -> None:
    # 3 taps at rate 2, three layers: RF 13, only the 7 even offsets are reached → 6 holes
    assert len(F.dilated_offsets([2, 2, 2], 3)) == 7 and F.gridding_holes([2, 2, 2], 3) == 6
    assert F.gridding_holes([1, 2, 5], 3) == 0  # HDC covers every pixel
    assert F.gridding_holes([2, 4, 8], 3) == 14  # a common factor 2: every odd offset is a hole
    assert F.gridding_holes([2, 4, 8], 2) == 7


def test_bn_inference_formula() -> None:
    assert F.bn_inference(3, 1, 4, 2, 0.5, eps=0.0) == pytest.approx(2.5)
    assert F.bn_inference(3, 1, 4, 2, 0.5) == pytest.approx(2 * 2 / (4.001**0.5) + 0.5)
    # BatchNorm 64 channels: 128 trainable, 256 counted by Keras (concepts.md section 5)
    assert F.batchnorm_params(64) == (128, 256)


def test_trap_answers_are_diagnosed() -> None:
    q = generate("edge_cases.gridding", 0, 1)
    assert diagnose(q, q.traps[0].value).trap == q.traps[0].trap == "gridding_fixed_by_same_rate"
    q = generate("edge_cases.bn_value", 0, 2)
    assert diagnose(q, q.traps[0].value).trap == q.traps[0].trap == "bn_batch_stats_at_inference"
    assert grade(q, round(q.key, 2)).correct


def test_only_the_degradation_cause_lacks_a_witness() -> None:
    for gen in GENS:
        for d in (1, 2, 3):
            for seed in range(5):
                q = generate(gen, seed, d)
                if q.witness is None:
                    assert gen == "edge_cases.degradation" and d == 1


@pytest.mark.live
def test_edge_probes() -> None:
    from models import probes

    assert probes.run("negative_preact_grad_flows", activation="relu") is False
    assert probes.run("negative_preact_grad_flows", activation="leaky_relu") is True
    assert probes.run("bn_inference_output", x=3.0, mean=1.0, var=4.0, gamma=2.0, beta=0.5) == pytest.approx(
        2.5, abs=1e-3
    )
    assert probes.run("bn_inference_output", x=3.0, mean=1.0, var=4.0, gamma=2.0, beta=0.5, training=True) == 0.5
    assert probes.run("dilation_gridding_holes", rates=[2, 2, 2], k=3) == 6
