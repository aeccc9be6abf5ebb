"""Facts about EfficientNet-B0 … B7 (Tan & Le 2019), as plain data (no Keras here).

Every exact figure below (Keras ``count_params()``, trainable, MACs, receptive field) is reproduced by
:func:`closed_form`, an independent arithmetic restatement of the architecture (B0's stage table + the
official width/depth/resolution coefficients), never copied from a built model; ``tests/test_zoo_efficientnet``
checks the closed form against these literals and the live models against both.

Conventions:

* ``params`` = Keras ``count_params()``: trainable weights + BN moving mean/variance (2 per BN channel) +
  the **7** statistics of Keras' un-adapted input ``Normalization`` layer (mean 3, variance 3, count 1).
  torchvision's ``num_params`` and the paper's "#Params" count the trainable weights only (= our
  ``trainable_params``, exactly equal to torchvision's for B0, B1, B2, B4).
* ``macs`` in torchvision's convention (conv ``H_out·W_out·K·K·C_in/groups·C_out``, dense ``n_in·n_out``;
  SE convs run on a 1×1 map; BN, swish, pools, the SE multiply and preprocessing count 0).  The paper's
  "FLOPs" (0.39 B for B0) are these MACs.
* ``receptive_field``: theoretical RF per spatial axis of the last feature map (``top_activation``),
  along the main path: ``r ← r + (k−1)·j`` over the stem and every depthwise conv.

Compound-scaling quiz facts (``reference``): ``coefficients`` (official d, w, resolution), ``phi_rule``
(the seed's rule, FLOPs ∝ d·w²·r² ≈ 2^φ with α=1.2, β=1.1, γ=1.15, evaluated on the official
coefficients), and ``macs_ratio_vs_b0`` (the exact closed-form ratio, which the rule only approximates).
"""

from __future__ import annotations

import math
from typing import Any

from . import Fact, Variant

ALPHA, BETA, GAMMA = 1.2, 1.1, 1.15

# B0, paper Table 1, stages 2–8: (kernel, repeats, c_in, c_out, expand ratio, stride); SE ratio 0.25 everywhere
B0_STAGES = (
    (3, 1, 32, 16, 1, 1),
    (3, 2, 16, 24, 6, 2),
    (5, 2, 24, 40, 6, 2),
    (3, 3, 40, 80, 6, 2),
    (5, 3, 80, 112, 6, 1),
    (5, 4, 112, 192, 6, 2),
    (3, 1, 192, 320, 6, 1),
)
# official efficientnet_params: (width w, depth d, resolution R, dropout)
COEFFICIENTS = {
    "b0": (1.0, 1.0, 224, 0.2),
    "b1": (1.0, 1.1, 240, 0.2),
    "b2": (1.1, 1.2, 260, 0.3),
    "b3": (1.2, 1.4, 300, 0.3),
    "b4": (1.4, 1.8, 380, 0.4),
    "b5": (1.6, 2.2, 456, 0.4),
    "b6": (1.8, 2.6, 528, 0.5),
    "b7": (2.0, 3.1, 600, 0.5),
}


def _filters(c: float, w: float) -> int:
    c *= w
    new = max(8, int(c + 4) // 8 * 8)
    return new + 8 if new < 0.9 * c else new


def closed_form(variant: str, resolution: int | None = None, classes: int = 1000) -> dict[str, Any]:
    """Keras count, trainable count, BN channels, MACs and RF of EfficientNet-``variant`` by plain arithmetic."""
    w, d, res, _ = COEFFICIENTS[variant]
    h = res if resolution is None else resolution
    bn = 0  # BN channels (each: γ, β trainable; moving mean, variance not)
    trainable = macs = 0
    # stem: 3×3 stride-2 conv (explicit pad + 'valid' ⇒ ceil(H/2)), no bias
    c = _filters(32, w)
    h = -(-h // 2)
    trainable += 9 * 3 * c
    macs += h * h * 9 * 3 * c
    bn += c
    r, j = 1 + 2, 2
    for k, n, c_in, c_out, t, s in B0_STAGES:
        f_in, f_out = _filters(c_in, w), _filters(c_out, w)
        for i in range(math.ceil(d * n)):
            cin = f_in if i == 0 else f_out
            stride = s if i == 0 else 1
            ce = cin * t
            if t != 1:  # 1×1 expansion at the input resolution
                trainable += cin * ce
                macs += h * h * cin * ce
                bn += ce
            h = -(-h // stride)
            trainable += k * k * ce  # depthwise
            macs += h * h * k * k * ce
            bn += ce
            r, j = r + (k - 1) * j, j * stride
            se = max(1, int(cin * 0.25))  # squeeze-excitation: two 1×1 convs with bias on a 1×1 map
            trainable += ce * se + se + se * ce + ce
            macs += 2 * ce * se
            trainable += ce * f_out  # linear 1×1 projection
            macs += h * h * ce * f_out
            bn += f_out
        c = f_out
    top = _filters(1280, w)
    trainable += c * top
    macs += h * h * c * top
    bn += top
    trainable += top * classes + classes  # dense head
    macs += top * classes
    trainable += 2 * bn
    normalization = 3 + 3 + 1
    return {
        "params": trainable + 2 * bn + normalization,
        "trainable": trainable,
        "bn_channels": bn,
        "macs": macs,
        "receptive_field": r,
        "feature_map": h,
        "features": top,
    }


def phi_rule(variant: str) -> float:
    """The seed's FLOPs rule ``d·w²·r²`` (r = R/224) on the official coefficients, relative to B0."""
    w, d, res, _ = COEFFICIENTS[variant]
    return d * w * w * (res / 224) ** 2


_KERAS_TABLE = {  # keras.io/api/applications table, "Parameters" column (rounded)
    "b0": "5.3M",
    "b1": "7.9M",
    "b2": "9.2M",
    "b3": "12.3M",
    "b4": "19.5M",
    "b5": "30.6M",
    "b6": "43.3M",
    "b7": "66.7M",
}
_PAPER = {  # Tan & Le 2019, Table 2: #Params, #FLOPS
    "b0": ("5.3M", "0.39B"),
    "b1": ("7.8M", "0.70B"),
    "b2": ("9.2M", "1.0B"),
    "b3": ("12M", "1.8B"),
    "b4": ("19M", "4.2B"),
    "b5": ("30M", "9.9B"),
    "b6": ("43M", "19B"),
    "b7": ("66M", "37B"),
}
_TORCHVISION = {  # pytorch.org/vision efficientnet_bN docs: num_params, GFLOPS (IMAGENET1K_V1)
    "b0": (5_288_548, 0.39),
    "b1": (7_794_184, 0.69),
    "b2": (9_109_994, 1.09),
    "b4": (19_341_616, 4.39),
}

# (Keras params, trainable, MACs, RF) — each reproduced by closed_form() above
_FIGURES = {
    "b0": (5_330_571, 5_288_548, 385_814_752, 851),
    "b1": (7_856_239, 7_794_184, 686_802_832, 1_183),
    "b2": (9_177_569, 9_109_994, 993_561_872, 1_183),
    "b3": (12_320_535, 12_233_232, 1_827_141_392, 1_407),
    "b4": (19_466_823, 19_341_616, 4_393_771_024, 1_799),
    "b5": (30_562_527, 30_389_784, 10_266_384_752, 2_131),
    "b6": (43_265_143, 43_040_704, 19_067_593_536, 2_523),
    "b7": (66_658_687, 66_347_960, 37_745_884_192, 3_079),
}
_KERAS_EXACT = {
    "b0": "keras.applications.EfficientNetB0: 5,330,571",
    "b7": "keras.applications.EfficientNetB7: 66,658,687",
}


def _variant(v: str) -> Variant:
    w, d, res, drop = COEFFICIENTS[v]
    params, trainable, macs, rf = _FIGURES[v]
    n_bn = (params - trainable - 7) // 2
    ref: dict[str, Fact] = {
        "paper_params": Fact(
            _PAPER[v][0],
            "Tan & Le 2019, Table 2 (#Params)",
            "trainable weights only: no BN moving statistics, no preprocessing statistics"
            + (
                " (B2's 9.2M sits above its 9,109,994 trainable weights; the paper rounds loosely)" if v == "b2" else ""
            ),
        ),
        "paper_flops": Fact(
            _PAPER[v][1], "Tan & Le 2019, Table 2 (#FLOPS)", "the paper's FLOPS are multiply-adds: compare with `macs`"
        ),
        "bn_moving_statistics": Fact(
            2 * n_bn, "closed form: 2 × Σ BN channels", f"{n_bn:,} BN channels × (moving mean + moving variance)"
        ),
        "normalization_statistics": Fact(
            7,
            "keras.applications EfficientNet: Rescaling + Normalization(axis=-1)",
            "un-adapted Normalization keeps mean (3) + variance (3) + count (1), "
            "non-trainable, counted by count_params()",
        ),
        "coefficients": Fact(
            {"depth": d, "width": w, "resolution": res, "dropout": drop},
            "official efficientnet_params (= keras.applications EfficientNet" + v.upper() + ")",
            "hand-rounded from the compound-scaling rule, independently per axis",
        ),
        "phi_rule": Fact(
            round(phi_rule(v), 3),
            "seed / Tan & Le 2019 eq. 3: FLOPs ∝ d·w²·r², α·β²·γ² ≈ 2 ⇒ ≈ 2^φ",
            "d·w²·(R/224)² on the official coefficients, relative to B0",
        ),
        "macs_ratio_vs_b0": Fact(
            round(macs / _FIGURES["b0"][2], 3),
            "closed form: MACs(variant) / MACs(B0)",
            "exact ratio; differs from phi_rule because channels round to multiples of 8, "
            "repeats round up, and the stem/head depth is not scaled",
        ),
    }
    if v in _TORCHVISION:
        n, g = _TORCHVISION[v]
        ref["torchvision_params"] = Fact(
            n,
            f"torchvision.models.efficientnet_{v} docs: num_params {n}",
            "trainable weights only; equals Keras trainable_params",
        )
        note = "torchvision's GFLOPS are GMACs: compare with macs / 1e9"
        if v == "b2":  # torchvision measures B2 at its 288×288 eval crop: closed_form("b2", 288) = 1,087,529,456
            note += "; measured at torchvision's 288×288 eval crop, not 260 (at 260: 0.99 GMACs)"
        ref["torchvision_gflops"] = Fact(g, f"torchvision.models.efficientnet_{v} docs: GFLOPS {g}", note)
    src = _KERAS_EXACT.get(v, f"closed form over the block table (this module); Keras docs table: {_KERAS_TABLE[v]}")
    return Variant(
        name=f"efficientnet_{v}",
        family="efficientnet",
        builder="models.efficientnet:efficientnet",
        kwargs={"variant": v},
        input_shape=(res, res, 3),
        slow=v in ("b6", "b7"),
        params=Fact(params, src, "includes BN moving statistics and the 7 Normalization statistics"),
        trainable_params=Fact(
            trainable,
            "closed form (this module)",
            f"= params − {2 * n_bn:,} BN moving statistics − 7 Normalization statistics",
        ),
        macs=Fact(
            macs, "closed form (this module), torchvision convention", f"paper: {_PAPER[v][1]} FLOPS (multiply-adds)"
        ),
        output_shape=Fact((1000,), "keras.applications EfficientNet" + v.upper() + ": Dense(1000, softmax) head"),
        receptive_field=Fact(
            (rf, rf),
            "closed form: 3 + Σ (k−1)·jump over the depthwise convs",
            "theoretical RF of top_activation; larger than the input from B0 on",
        ),
        reference=ref,
    )


VARIANTS = {f"efficientnet_{v}": _variant(v) for v in COEFFICIENTS}
