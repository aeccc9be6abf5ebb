"""Normalisation generators: axes, trainable vs Keras count_params, inference, batch 1."""

from __future__ import annotations

import pytest

from quizbank import diagnose
from quizbank import formulas as F
from quizbank import traps as T
from quizbank import witness as W
from quizbank.generators import generate, generators
from quizbank.schema import NumericQuestion
from quizbank.validate import live_value, validate_question

GEN_IDS = [g.id for g in generators("normalization")]


def test_formulas_and_traps() -> None:
    # concepts.md §5: BatchNorm on 64 channels → 128 trainable, 256 in Keras count_params()
    assert F.batchnorm_params(64) == (128, 256)
    assert T.bn_count_as_2c(64) == 128 and T.bn_trainable_as_4c(64) == 256
    assert F.layernorm_params(64) == 128
    assert F.groupnorm_params(64, 8) == 128
    assert F.norm_axes("batch") == (0, 1, 2)
    assert F.norm_axes("layer") == (1, 2, 3)
    assert F.norm_axes("layer", keras_default=True) == (3,)
    assert F.norm_axes("instance") == (1, 2)


@pytest.mark.live
def test_worked_example_live() -> None:
    assert live_value(W.sequential([8, 8, 64], [W.batchnorm()], "trainable_params")) == 128
    assert live_value(W.sequential([8, 8, 64], [W.batchnorm()], "count_params")) == 256
    assert live_value(W.sequential([8, 8, 64], [W.batchnorm()], "non_trainable_params")) == 128
    assert live_value(W.sequential([3, 3, 4], [W.layernorm([1, 2, 3])], "count_params")) == 2 * 3 * 3 * 4


@pytest.mark.parametrize("gen_id", GEN_IDS)
def test_regeneration_is_bit_identical(gen_id: str) -> None:
    for d in (1, 2, 3):
        for s in range(30):
            assert generate(gen_id, s, d).model_dump_json() == generate(gen_id, s, d).model_dump_json()


def test_trap_answers_are_diagnosed() -> None:
    for gen_id in GEN_IDS:
        for d in (1, 2, 3):
            for s in range(20):
                q = generate(gen_id, s, d)
                if isinstance(q, NumericQuestion):
                    for t in q.traps:
                        assert diagnose(q, t.value).trap == t.trap, (q.uid, t)
    q = generate("normalization.bn_params", 0, 1)
    assert isinstance(q, NumericQuestion)
    assert diagnose(q, q.traps[0].value).trap == q.traps[0].trap
    assert q.traps[0].trap in ("bn_count_as_2c", "bn_trainable_as_4c")


def test_keras_default_layernorm_trap_on_offer() -> None:
    for s in range(40):
        q = generate("normalization.axes", s, 3)
        if q.params["kind"] == "layer":
            assert any(o.trap == "keras_ln_default_hwc" for o in q.options)


@pytest.mark.live
@pytest.mark.parametrize("gen_id", GEN_IDS)
def test_live_validation(gen_id: str) -> None:
    for d in (1, 2, 3):
        for s in range(20):
            q = generate(gen_id, s, d)
            r = validate_question(q)
            assert r.ok, (q.uid, r)
