"""The validator itself: it must catch a wrong key, not only pass right ones."""

from __future__ import annotations

import pytest

from quizbank import witness as W
from quizbank.generators import generate
from quizbank.validate import Unverifiable, live_value, validate_question

pytestmark = pytest.mark.live


def test_detects_a_wrong_numeric_key() -> None:
    q = generate("conv_params.count", 3, 2)
    assert validate_question(q).ok
    bad = q.model_copy(update={"key": q.key + 1})
    r = validate_question(bad)
    assert not r.ok and r.live == q.key and r.expected == q.key + 1


def test_detects_a_wrong_choice_key() -> None:
    q = generate("conv_params.pick", 5, 1)
    wrong = next(o for o in q.options if not o.correct)
    swapped = [o.model_copy(update={"correct": o.id == wrong.id}) for o in q.options]
    bad = q.model_copy(update={"options": swapped, "key": wrong.id})
    assert not validate_question(bad).ok


def test_worked_examples_live() -> None:
    conv = W.sequential([56, 56, 64], [W.conv2d(128, 3)], "count_params")
    assert live_value(conv) == 73_856
    resnet = W.sequential(
        [224, 224, 3],
        [W.zero_pad2d(3), W.conv2d(64, 7, strides=2), W.pool2d("max", 3, strides=2, padding="same")],
        "output_shape",
    )
    assert live_value(resnet) == [56, 56, 64]
    rf = W.sequential([40, 40, 1], [W.conv2d(1, 3) for _ in range(5)], "receptive_field")
    assert live_value(rf) == 11
    sep = W.sequential([8, 8, 512], [W.separable2d(512, 3, use_bias=False)], "count_params")
    std = W.sequential([8, 8, 512], [W.conv2d(512, 3, use_bias=False)], "count_params")
    assert live_value(sep) == 266_752
    assert round(live_value(W.combine("ratio", std, sep)), 1) == 8.8
    bn = W.sequential([8, 8, 64], [W.batchnorm()], "count_params")
    bn_t = W.sequential([8, 8, 64], [W.batchnorm()], "trainable_params")
    assert (live_value(bn_t), live_value(bn)) == (128, 256)
    two = W.sequential([9, 9, 256], [W.conv2d(256, 3, use_bias=False)] * 2, "count_params")
    five = W.sequential([9, 9, 256], [W.conv2d(256, 5, use_bias=False)], "count_params")
    assert (live_value(two), live_value(five)) == (1_179_648, 1_638_400)


def test_functional_witness() -> None:
    g = W.Graph([16, 16, 8])
    a = g.add(W.conv2d(4, 1), g.input)
    b = g.add(W.conv2d(4, 3, padding="same"), g.input)
    cat = g.add(W.layer("Concatenate", axis=-1), [a, b])
    assert live_value(g.witness(cat, "output_shape")) == [16, 16, 8]
    assert live_value(g.witness(cat, "count_params")) == (8 + 1) * 4 + (9 * 8 + 1) * 4


def test_no_witness_is_unverifiable() -> None:
    q = generate("conv_params.count", 1, 1).model_copy(update={"witness": None})
    with pytest.raises(Unverifiable):
        validate_question(q)
