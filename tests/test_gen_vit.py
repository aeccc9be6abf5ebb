"""ViT generators: token counts, patch-embedding params and shapes; named traps, the ViT-B/16 numbers live."""

from __future__ import annotations

import pytest

from quizbank import diagnose
from quizbank import formulas as F
from quizbank import traps as T
from quizbank.generators import generate, generators

GENS = [g.id for g in generators("vit")]


def test_generators_registered() -> None:
    assert set(GENS) == {"vit.tokens", "vit.tokens_pick", "vit.patch_params", "vit.patch_shape", "vit.sequence_shape"}


def test_vit_formulas() -> None:
    assert F.vit_tokens(224, 16) == 197 and T.vit_forgot_cls(224, 16) == 196
    assert F.vit_tokens_hw(224, 224, 16) == 197
    assert F.vit_tokens_hw(384, 640, 32) == 12 * 20 + 1 == 241
    assert F.vit_tokens(336, 14) == 577
    assert F.vit_patch_embed_params(16, 3, 768) == (16 * 16 * 3 + 1) * 768 == 590_592
    with pytest.raises(ValueError):
        F.vit_tokens_hw(225, 224, 16)


def test_token_traps() -> None:
    found = False
    for seed in range(40):
        q = generate("vit.tokens", seed, 1)
        if q.params == {"h": 224, "w": 224, "patch": 16}:
            found = True
            assert q.key == 197
            assert {t.trap: t.value for t in q.traps}["vit_forgot_cls"] == 196
    assert found


def test_forgot_cls_trap_is_diagnosed() -> None:
    q = generate("vit.tokens", 0, 2)
    assert diagnose(q, q.traps[0].value).trap == q.traps[0].trap == "vit_forgot_cls"
    q = generate("vit.sequence_shape", 0, 1)
    assert diagnose(q, q.traps[0].value).trap == "vit_forgot_cls"


@pytest.mark.live
def test_vit_b16_live() -> None:
    from models import probes
    from quizbank import witness as W
    from quizbank.validate import live_value

    assert probes.run("vit_token_count") == 197
    assert probes.run("vit_sequence_shape", dim=768) == [197, 768]
    embed = W.conv2d(768, 16, strides=16)
    assert live_value(W.sequential([224, 224, 3], [embed], "count_params")) == 590_592
    assert live_value(W.sequential([224, 224, 3], [embed], "output_shape")) == [14, 14, 768]
