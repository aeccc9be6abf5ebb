"""one_by_one: 1×1 conv parameters, the Inception bottleneck, the four uses, RF 1."""

from __future__ import annotations

import pytest

from grader.scoring import grade
from quizbank import diagnose
from quizbank import formulas as F
from quizbank import traps as T
from quizbank import witness as W
from quizbank.generators import generate, generators

TOPIC = "one_by_one"
IDS = [g.id for g in generators(TOPIC)]


def test_formulas_match_hand_counts() -> None:
    assert F.one_by_one_params(64, 128) == 64 * 128 + 128 == 8_320
    assert F.one_by_one_params(64, 128, bias=False) == 8_192
    # 9× fewer than a 3×3 at the same widths (no bias)
    assert F.conv_params(3, 64, 128, bias=False) == 9 * F.one_by_one_params(64, 128, bias=False)
    # GoogLeNet Inception (3a) 5×5 branch: 192 → 1×1 16 → 5×5 32
    assert F.bottleneck_params(192, 16, 32, 5) == (192 + 1) * 16 + (25 * 16 + 1) * 32 == 15_920
    assert F.conv_params(5, 192, 32) == 153_632
    assert round(F.percent_fewer(15_920, 153_632), 1) == 89.6
    # a 1×1 adds nothing to the receptive field
    assert F.receptive_field([F.RFLayer(1)]) == (1, 1)
    assert F.receptive_field([F.RFLayer(3), F.RFLayer(1), F.RFLayer(3)])[0] == 5


def test_one_by_one_after_trap_value() -> None:
    q = next(
        q
        for s in range(200)
        if (q := generate(f"{TOPIC}.bottleneck", s, 1)).params["module"] == "3a" and q.params["k"] == 5
    )
    traps = {t.trap: t.value for t in q.traps}
    # 1×1 after the 5×5: the 5×5 runs at the full width 192 → 192, then a 1×1 192 → 32
    assert traps["one_by_one_after"] == F.conv_params(5, 192, 192) + F.one_by_one_params(192, 32)
    assert traps["bottleneck_forgot_reduce"] == F.conv_params(5, 16, 32)
    assert q.key == 15_920


def test_generators_registered() -> None:
    names = ("params", "vs_kxk", "bottleneck", "bottleneck_pick", "uses", "rf", "se_fpn")
    assert set(IDS) == {f"{TOPIC}.{n}" for n in names}


def test_difficulty_changes_the_ask() -> None:
    asks = {d: {generate(f"{TOPIC}.bottleneck", s, d).params["ask"] for s in range(60)} for d in (1, 2, 3)}
    assert asks[1] == {"params"} and "macs" in asks[3] and "percent" in asks[2]


def test_uses_options() -> None:
    for d in (1, 2, 3):
        for seed in range(20):
            q = generate(f"{TOPIC}.uses", seed, d)
            wrong = {o.trap for o in q.options if not o.correct}
            assert wrong <= {
                "one_by_one_spatial",
                "inception_1x1_after",
                "one_by_one_no_mixing",
                "one_by_one_downsamples",
            }
            assert grade(q, q.key).correct


@pytest.mark.live
def test_worked_examples_live() -> None:
    from quizbank.validate import live_value

    assert live_value(W.sequential([28, 28, 64], [W.conv2d(128, 1)], "count_params")) == 8_320
    branch = [W.conv2d(16, 1), W.conv2d(32, 5, padding="same")]
    assert live_value(W.sequential([28, 28, 192], branch, "count_params")) == 15_920
    rf = W.sequential([15, 15, 1], [W.conv2d(2, 1)], "receptive_field")
    assert live_value(rf) == 1
    assert live_value(W.probe("one_by_one_pointwise_mixing")) is True


# ------------------------------------------------------------------ 1×1 convs in SENet and FPN laterals


def test_se_gates_as_1x1_convs_add_up_to_se_resnet50() -> None:
    from models.facts import VARIANTS
    from models.facts.senet import STAGES

    # (2·C²/r + C/r + C) per gate, r = 16, over SE-ResNet-50's 16 blocks: the declared SE parameter count
    per_gate = {c: 2 * c * c // 16 + c // 16 + c for _, c, _ in STAGES}
    assert sum(n * per_gate[c] for n, c, _ in STAGES) == VARIANTS["se_resnet50"].reference["se_params"].value
    for s in range(30):
        q = generate(f"{TOPIC}.se_fpn", s, 2)
        c, r = q.params["c"], q.params["r"]
        assert q.key == (c * (c // r) + c // r) + ((c // r) * c + c)
        assert {t.trap for t in q.traps} >= {"forgot_bias", "se_no_reduction"}
        assert diagnose(q, 2 * c * c + 2 * c).trap == "se_no_reduction"


def test_fpn_laterals_by_hand() -> None:
    # ResNet-50's C5 (2048 channels) to d = 256: (2048 + 1)·256
    assert F.one_by_one_params(2048, 256) == 524_544
    assert T.fpn_lateral_3x3(2048, 256) == (9 * 2048 + 1) * 256
    for s in range(30):
        q = generate(f"{TOPIC}.se_fpn", s, 1)
        c = (256, 512, 1024, 2048)[q.params["level"] - 2]
        assert q.key == (c + 1) * q.params["d"]
    # all four laterals at 224: 56²·256 + 28²·512 + 14²·1024 + 7²·2048, times d = 256
    macs = (56 * 56 * 256 + 28 * 28 * 512 + 14 * 14 * 1024 + 7 * 7 * 2048) * 256
    q = next(
        q
        for s in range(80)
        if (q := generate(f"{TOPIC}.se_fpn", s, 3)).params["side"] == 224
        and q.params["backbone"] == "ResNet-50"
        and q.params["d"] == 256
    )
    assert q.key == macs and q.unit == "MACs"
    assert diagnose(q, T.laterals_one_resolution(56, (256, 512, 1024, 2048), 256)).trap == "laterals_one_resolution"


@pytest.mark.live
def test_se_fpn_live() -> None:
    from quizbank.validate import validate_question

    for d in (1, 2, 3):
        assert validate_question(generate(f"{TOPIC}.se_fpn", 2, d)).ok
