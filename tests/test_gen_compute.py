"""compute: MACs of one conv layer, H_out·W_out·K²·C_in/groups·C_out, on hand-counted examples and live Keras."""

from __future__ import annotations

import pytest

from quizbank import diagnose
from quizbank import formulas as F
from quizbank import traps as T
from quizbank import witness as W
from quizbank.generators import generate, generators
from quizbank.schema import NumericQuestion

GEN = "compute.conv_macs"


def test_generators_registered() -> None:
    assert {g.id for g in generators("compute")} == {GEN}


def test_macs_by_hand() -> None:
    # ResNet-50's conv1: 112×112 outputs, each a 7·7·3 dot product, 64 filters
    assert F.conv_macs(112, 112, 7, 3, 64) == 112 * 112 * 147 * 64 == 118_013_952
    # a depthwise 3×3 on 56×56×128: one 3×3 window per channel and position
    assert F.conv_macs(56, 56, 3, 128, 128, groups=128) == 56 * 56 * 9 * 128
    assert T.macs_ignored_groups(56, 56, 3, 128, 128) == 128 * F.conv_macs(56, 56, 3, 128, 128, groups=128)
    assert T.macs_counted_bias(112, 112, 7, 3, 64) == (147 + 1) * 64 * 112 * 112
    assert T.macs_with_input_size(224, 224, 7, 3, 64) == 4 * 118_013_952


def test_keys_follow_the_output_size() -> None:
    for d in (1, 2, 3):
        keys = set()
        for s in range(40):
            q = generate(GEN, s, d)
            assert isinstance(q, NumericQuestion) and q.unit == "MACs"
            p = q.params
            out = F.output_size(p["h"], p["k"], p["stride"], p["padding"])
            assert q.key == out * out * p["k"] ** 2 * (p["c_in"] // p["groups"]) * p["c_out"]
            assert diagnose(q, 2 * q.key).trap == "macs_as_flops" or q.params["groups"] == 2
            keys.add(q.key)
            if d == 1:
                assert p["h_out"] == p["h"] and p["groups"] == 1
            if d == 2:
                assert p["h_out"] != p["h"]  # the output size is a step of its own
            if d == 3:
                assert p["groups"] > 1 and p["h_out"] != p["h"]
        assert len(keys) >= 3


def test_input_size_slip_is_named() -> None:
    q = next(q for s in range(40) if (q := generate(GEN, s, 2)).params["stride"] == 2)
    p = q.params
    wrong = T.macs_with_input_size(p["h"], p["h"], p["k"], p["c_in"], p["c_out"])
    assert diagnose(q, wrong).trap == "macs_with_input_size"


@pytest.mark.live
def test_inspector_counts_the_same_macs() -> None:
    from quizbank.validate import live_value, validate_question

    assert live_value(W.sequential([224, 224, 3], [W.zero_pad2d(3), W.conv2d(64, 7, strides=2)], "macs")) == 118_013_952
    dw = W.sequential([56, 56, 128], [W.depthwise2d(3, padding="same")], "macs")
    assert live_value(dw) == 56 * 56 * 9 * 128
    for d in (1, 2, 3):
        assert validate_question(generate(GEN, 3, d)).ok
