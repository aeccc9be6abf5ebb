"""Normalisation generators: axes, trainable vs Keras count_params, inference, batch 1."""

from __future__ import annotations

import pytest

from quizbank import diagnose
from quizbank import formulas as F
from quizbank import traps as T
from quizbank import witness as W
from quizbank.generators import generate
from quizbank.schema import NumericQuestion
from quizbank.validate import live_value


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


def test_bn_params_first_trap_is_a_count_convention() -> None:
    q = generate("normalization.bn_params", 0, 1)
    assert isinstance(q, NumericQuestion)
    assert diagnose(q, q.traps[0].value).trap == q.traps[0].trap
    assert q.traps[0].trap in ("bn_count_as_2c", "bn_trainable_as_4c")


def test_keras_default_layernorm_trap_on_offer() -> None:
    for s in range(40):
        q = generate("normalization.axes", s, 3)
        if q.params["kind"] == "layer":
            assert any(o.trap == "keras_ln_default_hwc" for o in q.options)
