"""depthwise_separable: depthwise K·K·C_in, separable K·K·C_in + C_in·C_out, the ~8–9× saving, MobileNet."""

from __future__ import annotations

import pytest

from grader.scoring import grade
from quizbank import formulas as F
from quizbank import traps as T
from quizbank import witness as W
from quizbank.generators import generate, generators

TOPIC = "depthwise_separable"
IDS = [g.id for g in generators(TOPIC)]


def test_formulas_match_hand_counts() -> None:
    # 3×3, 512 → 512: 4,608 + 262,144 = 266,752 vs 2,359,296 → 8.8× fewer
    assert F.separable_params(3, 512, 512, bias=False) == 4_608 + 262_144 == 266_752
    assert F.conv_params(3, 512, 512, bias=False) == 2_359_296
    assert round(2_359_296 / 266_752, 1) == 8.8
    assert 1 / F.separable_ratio(3, 512) == pytest.approx(2_359_296 / 266_752)
    # Keras: one C_out bias after the pointwise step, none on the depthwise step
    assert F.separable_params(3, 512, 512) == 266_752 + 512
    assert F.depthwise_params(3, 32) == 9 * 32 + 32
    assert F.depthwise_params(3, 32, depth_multiplier=2, bias=False) == 576
    assert T.separable_as_full(3, 512, 512) == 2_359_296
    assert T.separable_forgot_pointwise(3, 512, 512) == 4_608


def test_generators_registered() -> None:
    assert set(IDS) == {f"{TOPIC}.{n}" for n in ("params", "pick", "ratio", "definition", "facts")}


def test_difficulty_3_uses_depth_multiplier() -> None:
    ms = {d: {generate(f"{TOPIC}.params", s, d).params["m"] for s in range(80)} for d in (1, 2, 3)}
    assert ms[1] == ms[2] == {1} and max(ms[3]) > 1


def test_concept_distractors() -> None:
    seen: set[str | None] = set()
    for s in range(20):
        q = generate(f"{TOPIC}.definition", s, 1)
        wrong = [o.trap for o in q.options if not o.correct]
        assert len(set(wrong)) == len(wrong), "one misconception per option"
        right = next(o.text for o in q.options if o.correct)
        assert "1×1" in right or ", 1)" in right, right  # the pointwise step, whatever the phrasing
        seen.update(wrong)
    assert "separable_is_depthwise_plus_3x3" in seen
    for d in (1, 2, 3):
        for s in range(20):
            f = generate(f"{TOPIC}.facts", s, d)
            assert any("pointwise 1×1" in o.text for o in f.options if o.correct)
            assert grade(f, f.key).correct


@pytest.mark.live
def test_worked_example_live() -> None:
    from quizbank.validate import live_value

    sep = W.sequential([14, 14, 512], [W.separable2d(512, 3, use_bias=False)], "count_params")
    std = W.sequential([14, 14, 512], [W.conv2d(512, 3, use_bias=False)], "count_params")
    assert live_value(sep) == 266_752
    assert live_value(std) == 2_359_296
    assert live_value(W.combine("ratio", std, sep)) == pytest.approx(8.845, abs=1e-3)
    keras_default = W.sequential([14, 14, 512], [W.separable2d(512, 3)], "count_params")
    assert live_value(keras_default) == 266_752 + 512
    assert live_value(W.sequential([8, 8, 32], [W.depthwise2d(3)], "count_params")) == 320
    assert live_value(W.probe("separable_is_depthwise_then_pointwise", depth_multiplier=2)) is True
    assert live_value(W.probe("separable_less_expressive")) is True
