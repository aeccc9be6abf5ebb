"""Equivariance generators: formulas, keys, traps and probes."""

from __future__ import annotations

import pytest

from grader.scoring import grade
from quizbank import formulas as F
from quizbank.generators import generate, generators

GENS = [g.id for g in generators("equivariance")]


def test_generators_registered() -> None:
    assert set(GENS) == {
        "equivariance.fact",
        "equivariance.peak_shift",
        "equivariance.shift_map",
        "equivariance.rotation",
        "equivariance.statements",
    }


def test_feature_map_shift() -> None:
    assert F.feature_map_shift(8, [2, 2]) == 2  # total stride 4
    assert F.feature_map_shift(24, [3, 2]) == 4
    assert F.feature_map_shift(6, [1]) == 6  # stride 1: the map moves with the input
    assert F.feature_map_shift(3, [2]) is None  # not a multiple of the stride: no exact shift
    assert F.feature_map_shift(0, [2, 2, 2]) == 0
    with pytest.raises(ValueError):
        F.feature_map_shift(4, [0])


def test_peak_shift_key_and_traps() -> None:
    for seed in range(30):
        q = generate("equivariance.peak_shift", seed, 3)
        strides = [l[2] for l in q.params["layers"]]
        assert q.key == F.feature_map_shift(q.params["shift"], strides)
        assert q.key * q.params["total_stride"] == q.params["shift"]
        traps = {t.trap: t.value for t in q.traps}
        assert traps["feature_shift_ignores_stride"] == q.params["shift"]
        assert traps["equivariance_is_invariance"] == 0


def test_choice_distractors_name_traps() -> None:
    for gen in ("equivariance.fact", "equivariance.shift_map", "equivariance.rotation"):
        for d in (1, 2, 3):
            q = generate(gen, 7, d)
            wrong = [o for o in q.options if not o.correct]
            assert len(q.options) == 4
            g = grade(q, wrong[0].id)
            assert not g.correct and g.trap == wrong[0].trap and g.feedback == wrong[0].feedback


@pytest.mark.live
def test_probes_measure_the_facts() -> None:
    from models import probes

    assert probes.run("feature_shift", layers=[["conv", 3, 2], ["max", 2, 2]], shift=8, size=32) == 2
    assert probes.run("feature_shift", layers=[["conv", 3, 2]], shift=[4, 6], size=16) == [2, 3]
    assert probes.run("feature_shift", layers=[["conv", 3, 2]], shift=1, size=16) == -1
    assert probes.run("gap_shift_invariant", layers=[["conv", 3, 2]], shift=[2, 4], size=16) is True
    assert probes.run("conv_rotation_equivariance") is False
