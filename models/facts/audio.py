"""Declared facts of the audio CNNs (WaveNet, spectrogram_cnn): plain data and closed-form arithmetic, no Keras.

Neither model has a published parameter count in Keras' convention (the WaveNet paper gives no channel widths;
spectrogram_cnn is our own design), so params, MACs and receptive fields are INDEPENDENT closed forms over the
architecture tables below.  The one published figure — the receptive field of one WaveNet stack,
``1 + Σ d·(K−1)`` = 1024 for dilations 1…512 and ``K = 2`` (van den Oord et al. 2016, §2.1; concepts.md §4) —
is declared in ``reference``.

Conventions: Conv1D/Conv2D ``prod(K)·C_in·C_out`` weights (+``C_out`` bias); Keras BN ``4·C`` (γ, β trainable;
moving mean/variance not); MACs ``positions·prod(K)·C_in·C_out``; RF ``r ← r + (K−1)·d·j``, ``j ← j·S``.
"""

from __future__ import annotations

from . import Fact, Variant

# --------------------------------------------------------------------------------------------------- WaveNet
# Input one-hot µ-law (T = 4096, Q = 256).  causal conv K₀=2 (Q → R); 2 stacks × dilations 1…512 of residual
# layers: filter and gate convs (K=2, R → D, bias), 1×1 skip conv (D → S), 1×1 residual conv (D → R; not on the
# very last layer); head: ReLU → 1×1 (S → S) → ReLU → 1×1 (S → Q) → softmax.  R = D = 32, S = 256.

_WN_T, _WN_Q = 4096, 256
_WN_DILATIONS = [2**i for i in range(10)]
_WN_STACKS, _WN_K, _WN_K0 = 2, 2, 2
_WN_R, _WN_D, _WN_S = 32, 32, 256


def _wavenet() -> dict[str, object]:
    n_layers = _WN_STACKS * len(_WN_DILATIONS)
    gated = 2 * ((_WN_K * _WN_R + 1) * _WN_D)  # filter + gate convs, with bias
    skip = (_WN_D + 1) * _WN_S
    res = (_WN_D + 1) * _WN_R
    params = (_WN_K0 * _WN_Q + 1) * _WN_R  # initial causal conv
    params += n_layers * (gated + skip) + (n_layers - 1) * res
    params += (_WN_S + 1) * _WN_S + (_WN_S + 1) * _WN_Q  # head 1×1 convs
    macs = _WN_T * (_WN_K0 * _WN_Q * _WN_R)
    macs += _WN_T * n_layers * (2 * _WN_K * _WN_R * _WN_D + _WN_D * _WN_S) + _WN_T * (n_layers - 1) * _WN_D * _WN_R
    macs += _WN_T * (_WN_S * _WN_S + _WN_S * _WN_Q)
    one_stack = 1 + sum(d * (_WN_K - 1) for d in _WN_DILATIONS)
    whole = 1 + (_WN_K0 - 1) + _WN_STACKS * (one_stack - 1)
    return {"params": params, "macs": macs, "rf_one_stack": one_stack, "rf": (whole,)}


_WN = _wavenet()  # params 420,224; MACs 1,690,304,512; RF one stack 1024, whole model 2048

# ---------------------------------------------------------------------------------------- spectrogram CNN
# Input 128 mel bins × 128 frames × 1; blocks (filters, convs): (32, 2), (64, 2), (128, 2), (256, 2), each conv
# 3×3 'same' without bias + BN + ReLU, then 2×2 max pool; GAP → dropout → dense 50 (ESC-50's classes).

_SC_INPUT = (128, 128, 1)
_SC_BLOCKS = [(32, 2), (64, 2), (128, 2), (256, 2)]
_SC_CLASSES = 50


def _spectrogram_cnn() -> dict[str, object]:
    h, w, c = _SC_INPUT
    conv_w = bn_c = macs = 0
    r, j = [1, 1], [1, 1]
    for filters, convs in _SC_BLOCKS:
        for _ in range(convs):
            conv_w += 9 * c * filters
            macs += h * w * 9 * c * filters
            bn_c += filters
            c = filters
            r = [ri + 2 * ji for ri, ji in zip(r, j)]
        h, w = h // 2, w // 2
        r = [ri + ji for ri, ji in zip(r, j)]  # 2×2 pool: +(2−1)·j
        j = [2 * ji for ji in j]
    head = c * _SC_CLASSES + _SC_CLASSES
    return {
        "params": conv_w + 4 * bn_c + head,
        "trainable": conv_w + 2 * bn_c + head,
        "macs": macs + c * _SC_CLASSES,
        "rf": tuple(r),
        "features": (h, w, c),
    }


_SC = _spectrogram_cnn()  # params 1,187,410; trainable 1,185,490; MACs 835,203,584; RF (76, 76)

_CF = "closed form in models/facts/audio.py"

VARIANTS: dict[str, Variant] = {
    "wavenet": Variant(
        name="wavenet",
        family="audio",
        builder="models.audio:wavenet",
        input_shape=(_WN_T, _WN_Q),
        classes=_WN_Q,
        params=Fact(
            _WN["params"],
            f"{_CF}: (2·256+1)·32 + 20·[2·(2·32+1)·32 + (32+1)·256] + 19·(32+1)·32 + (256+1)·256 + (256+1)·256",
        ),
        trainable_params=Fact(_WN["params"], f"{_CF}: no BatchNorm, every weight is trainable"),
        macs=Fact(_WN["macs"], f"{_CF}: T = 4096 positions × the kernel sizes above"),
        output_shape=Fact(
            (_WN_T, _WN_Q), "van den Oord et al. 2016, §2.2: a softmax over 256 µ-law values per time step"
        ),
        receptive_field=Fact(_WN["rf"], f"{_CF}: 1 + (K₀−1) + stacks·Σ d·(K−1) = 1 + 1 + 2·1023"),
        reference={
            "rf_one_stack": Fact(
                _WN["rf_one_stack"],
                "van den Oord et al. 2016, §2.1 (dilations 1, 2, …, 512: receptive field 1024); "
                "concepts.md §4: 1 + Σ d·(K−1) = 1024",
                note="one stack alone (build with stacks=1, initial_kernel=1); the full model repeats the stack and "
                "adds the initial causal conv",
            ),
        },
    ),
    "spectrogram_cnn": Variant(
        name="spectrogram_cnn",
        family="audio",
        builder="models.audio:spectrogram_cnn",
        input_shape=_SC_INPUT,
        classes=_SC_CLASSES,
        params=Fact(_SC["params"], f"{_CF}: Σ 9·C_in·C_out (no bias) + 4·C per BN + (256+1)·50"),
        trainable_params=Fact(_SC["trainable"], f"{_CF}: conv weights + 2·C per BN (γ, β) + head"),
        macs=Fact(_SC["macs"], f"{_CF}: 128², 64², 32², 16² positions per block + 256·50"),
        output_shape=Fact((_SC_CLASSES,), "our design: ESC-50's 50 classes"),
        receptive_field=Fact(_SC["rf"], f"{_CF}: RF of block4_pool (mel, time): 8 convs 3×3 and 4 pools 2×2"),
        reference={
            "features": Fact(_SC["features"], f"{_CF}: block4_pool feature map 8×8×256 (128 / 2⁴)"),
        },
    ),
}
