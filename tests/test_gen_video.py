"""Video generators (C3D, I3D, SlowFast): formulas, keys, traps and probes."""

from __future__ import annotations

import pytest

from quizbank import diagnose
from quizbank import formulas as F
from quizbank import traps as T
from quizbank.generators import generate, generators

GENS = [g.id for g in generators("video")]


def test_generators_registered() -> None:
    assert set(GENS) == {
        "video.c3d_count",
        "video.c3d_factor",
        "video.i3d_boring",
        "video.i3d_concept",
        "video.slowfast_shape",
        "video.slowfast_params",
        "video.long_video",
    }


def test_c3d_formulas() -> None:
    # (K_t·K·K·C_in + 1)·C_out: 3×3×3, 64 → 128 is 3× the 2D 73,856 minus the extra biases
    assert F.conv3d_params(3, 3, 64, 128) == (27 * 64 + 1) * 128 == 221_312
    assert F.conv3d_params(3, 3, 64, 128, bias=False) == 3 * F.conv_params(3, 64, 128, bias=False) == 221_184
    assert T.c3d_factor_k_squared(3) == 9  # the trap: K_t² instead of K_t
    # MACs: T·H·W·K_t·K·K·C_in·C_out
    assert F.conv_macs(56, 56, 3, 64, 64, k_t=3, t_out=16) == 16 * 56 * 56 * 27 * 64 * 64


def test_i3d_and_slowfast_formulas() -> None:
    assert F.i3d_boring_factor(3) == 1.0 and F.i3d_boring_factor(3, divide=False) == 3.0
    assert T.i3d_without_t(5) == 5.0
    assert F.slowfast_channels(64) == 8 and F.slowfast_channels(256, 1 / 4) == 64
    assert F.slowfast_fast_frames(4, 8) == 32


def test_c3d_count_keys() -> None:
    for seed in range(40):
        q = generate("video.c3d_count", seed, 2)
        p = q.params
        if p["quantity"] == "params":
            assert q.key == (p["k_t"] * p["k"] ** 2 * p["c_in"] + int(p["bias"])) * p["c_out"]
        else:
            assert q.key == p["t"] * p["h"] * p["w"] * p["k_t"] * p["k"] ** 2 * p["c_in"] * p["c_out"]


def test_c3d_factor_options() -> None:
    q = generate("video.c3d_factor", 0, 1)
    right = next(o for o in q.options if o.correct)
    assert right.value == q.params["k_t"] == 3
    assert {o.trap for o in q.options if not o.correct} == {
        "c3d_factor_k_squared",
        "c3d_params_times_frames",
        "c3d_forgot_kt",
    }


def test_slowfast_shape_key() -> None:
    q = generate("video.slowfast_shape", 0, 1)  # α = 8, τ = 16, β = 1/8, 64 slow channels
    p = q.params
    assert q.key_value == [p["t_raw"] // 2, -(-p["h"] // 2), -(-p["h"] // 2), 8]


def test_shape_trap_is_diagnosed() -> None:
    q = generate("video.slowfast_shape", 3, 2)  # a short-text shape; test_bank diagnoses numeric traps only
    assert diagnose(q, q.traps[0].value).trap == q.traps[0].trap


@pytest.mark.live
def test_i3d_probe_measures_t_without_division() -> None:
    from models import probes

    assert probes.run("i3d_boring_video_ratio", t=4, divide=True) == pytest.approx(1.0)
    assert probes.run("i3d_boring_video_ratio", t=4, divide=False) == pytest.approx(4.0)


# ------------------------------------------------------------------ long videos: sliding windows + aggregation


def test_long_video_windows_by_hand() -> None:
    # 300 frames, 16-frame clips every 8 frames: starts 0, 8, …, 280 → 36 windows (not 300/8 = 37, not 35)
    assert (300 - 16) // 8 + 1 == 36
    assert T.windows_ignored_clip(300, 8) == 37 and T.windows_forgot_plus_one(300, 16, 8) == 35
    assert T.windows_non_overlapping(300, 16) == 18
    for d in (1, 2, 3):
        keys = set()
        for seed in range(40):
            q = generate("video.long_video", seed, d)
            p = q.params
            n = (p["frames"] - p["clip"]) // p["hop"] + 1
            if d == 3:
                clip = F.conv_macs(p["side"], p["side"], 3, p["c_in"], p["c_out"], k_t=3, t_out=p["clip"])
                assert q.key == n * clip and q.unit == "MACs"
                assert diagnose(q, clip).trap == "video_macs_one_clip"
            else:
                assert q.key == n
            if d >= 2:
                assert p["frames"] == p["seconds"] * p["fps"]  # frames from seconds: a step of its own
            keys.add(q.key)
        assert len(keys) >= 3


@pytest.mark.live
def test_long_video_witnesses_live() -> None:
    from quizbank.validate import live_value, validate_question

    q = generate("video.long_video", 0, 1)
    assert q.witness is not None and live_value(q.witness) == q.key
    for d in (2, 3):
        assert validate_question(generate("video.long_video", 1, d)).ok
