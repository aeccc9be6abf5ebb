"""fc_vs_conv: a dense layer between feature maps vs a conv on the same tensors."""

from __future__ import annotations

import pytest

from quizbank import formulas as F
from quizbank import witness as W
from quizbank.generators import generate, generators

TOPIC = "fc_vs_conv"
IDS = [g.id for g in generators(TOPIC)]


def test_formulas_match_hand_counts() -> None:
    # 8×8×16 → 8×8×16: 1,024 inputs × 1,024 outputs + 1,024 biases
    assert F.fc_equivalent_params(8, 8, 16, 16) == 1_049_600
    assert F.fc_equivalent_params(8, 8, 16, 16, bias=False) == 1_048_576
    assert F.conv_params(3, 16, 16) == 2_320
    # without biases the ratio is exactly (H·W)²/K²
    assert F.fc_equivalent_params(8, 8, 16, 16, bias=False) / F.conv_params(3, 16, 16, bias=False) == 64**2 / 9
    # the conv does not depend on H, W; the dense layer grows 16× when both double
    assert F.fc_equivalent_params(16, 16, 4, 4, bias=False) == 16 * F.fc_equivalent_params(8, 8, 4, 4, bias=False)


def test_generators_registered() -> None:
    assert set(IDS) == {f"{TOPIC}.{n}" for n in ("fc_params", "ratio", "pick", "why", "facts")}


def test_difficulty_changes_the_draw() -> None:
    sizes = {d: {generate(f"{TOPIC}.fc_params", s, d).params["h"] for s in range(60)} for d in (1, 2, 3)}
    assert max(sizes[1]) <= 8 < max(sizes[3])


def test_fc_params_question_and_traps() -> None:
    for seed in range(40):
        q = generate(f"{TOPIC}.fc_params", seed, 2)
        p = q.params
        n_in, n_out = p["h"] * p["w"] * p["c_in"], p["h"] * p["w"] * p["c_out"]
        assert q.key == n_in * n_out + n_out
        traps = {t.trap: t.value for t in q.traps}
        assert traps["fc_forgot_bias"] == n_in * n_out
        assert q.key <= 17_000_000 + n_out  # small enough to build live


@pytest.mark.live
def test_worked_example_live() -> None:
    from quizbank.validate import live_value

    fc = W.sequential([8, 8, 16], [W.flatten(), W.dense(8 * 8 * 16)], "count_params")
    conv = W.sequential([8, 8, 16], [W.conv2d(16, 3, padding="same")], "count_params")
    assert live_value(fc) == 1_049_600
    assert live_value(conv) == 2_320
    assert live_value(W.sequential([32, 32, 16], [W.conv2d(16, 3, padding="same")], "count_params")) == 2_320
    assert live_value(W.probe("conv_sharing_locality")) is True
