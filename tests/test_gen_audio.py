"""Audio generators (WaveNet, causal convs, spectrogram CNNs): formulas, keys, traps, the WaveNet probe."""

from __future__ import annotations

import pytest

from quizbank import diagnose
from quizbank import formulas as F
from quizbank import traps as T
from quizbank.generators import generate, generators

GENS = [g.id for g in generators("audio")]


def test_generators_registered() -> None:
    assert set(GENS) == {
        "audio.wavenet_rf",
        "audio.wavenet_pick",
        "audio.causal",
        "audio.causal_shape",
        "audio.spectrogram_shape",
    }


def test_wavenet_formulas() -> None:
    ds = [2**i for i in range(10)]
    assert F.wavenet_rf(2, ds) == 1024  # concepts.md: dilations 1..512, K = 2
    assert F.wavenet_rf(2, ds, stacks=3) == 1 + 3 * 1023 == 3070
    assert F.wavenet_rf(3, [1, 2, 4, 8]) == 31
    assert T.wavenet_rf_dilation_sum(ds) == 1023
    assert T.rf_l_times_k([F.RFLayer(2)] * 10) == 20
    # causal padding keeps the length at stride 1 and gives ceil(L/S) when strided
    assert F.output_size(16000, 2, 1, "causal", 512) == 16000
    assert F.output_size(1001, 3, 2, "causal") == 501


def test_wavenet_keys_and_traps() -> None:
    for seed in range(30):
        q = generate("audio.wavenet_rf", seed, 3)
        p = q.params
        assert q.key == 1 + p["stacks"] * (p["k"] - 1) * (2 ** p["n"] - 1)
        traps = {t.trap for t in q.traps}
        assert "wavenet_rf_dilation_sum" in traps
        if p["stacks"] > 1:
            assert "wavenet_stacks_ignored" in traps


def test_shape_trap_is_diagnosed() -> None:
    q = generate("audio.spectrogram_shape", 0, 2)  # a short-text shape; test_bank diagnoses numeric traps only
    assert diagnose(q, q.traps[0].value).trap == q.traps[0].trap


@pytest.mark.live
def test_wavenet_1024_live() -> None:
    from quizbank import witness as W
    from quizbank.validate import live_value

    layers = [W.conv1d(1, 2, dilation=2**i) for i in range(10)]
    assert live_value(W.sequential([2050, 1], layers, "receptive_field")) == 1024
