"""Facts about MobileNet v1 (Howard et al. 2017) and v2 (Sandler et al. 2018), as plain data (no Keras).

The exact Keras figures are quoted from the keras.applications documentation; trainable counts, MACs and
receptive fields are reproduced by :func:`closed_form_v1` / :func:`closed_form_v2`, an independent
arithmetic restatement of the papers' layer tables (never copied from a built model).  The tests check the
closed forms against these literals and the live models against both.

Conventions: ``params`` = Keras ``count_params()`` (BN moving mean/variance included, 2 per BN channel);
``trainable_params`` = the paper's / torchvision's convention; ``macs`` in torchvision's convention
(conv ``H_out·W_out·K·K·C_in/groups·C_out``, dense ``n_in·n_out``); ``receptive_field`` = theoretical RF per
spatial axis of the last feature map, ``r ← r + (K−1)·j`` along the chain of 3×3 convs.

Architecture facts for quizzes (``reference["architecture"]``): v1 is a plain chain of depthwise-separable
blocks with **no inverted residuals and no linear bottlenecks** (ReLU6 after every conv, nothing added
back); v2 introduced both.
"""

from __future__ import annotations

from typing import Any

from . import Fact, Variant

# v1, paper Table 1, depthwise-separable rows: (pointwise filters, stride of the depthwise conv)
V1_LAYERS = (
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
)
# v2, paper Table 2: (expansion t, channels c, repeats n, stride s)
V2_STAGES = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))


def _div8(v: float) -> int:
    new = max(8, int(v + 4) // 8 * 8)
    return new + 8 if new < 0.9 * v else new


def closed_form_v1(alpha: float = 1.0, resolution: int = 224, classes: int = 1000) -> dict[str, Any]:
    """Keras count, trainable, BN channels, MACs, RF of MobileNet v1 (Keras layout) by plain arithmetic."""
    c = int(32 * alpha)
    h = -(-resolution // 2)  # 3×3/2 'same' stem
    trainable, macs, bn = 27 * c, h * h * 27 * c, c
    r, j = 3, 2
    for filters, s in V1_LAYERS:
        out = int(filters * alpha)
        h = h if s == 1 else (h + 1 - 3) // 2 + 1  # stride 2: pad (0, 1) then 3×3/2 'valid'
        trainable += 9 * c + c * out  # 3×3 depthwise + 1×1 pointwise, no biases (BN follows)
        macs += h * h * (9 * c + c * out)
        bn += c + out
        r, j = r + 2 * j, j * s
        c = out
    trainable += c * classes + classes  # the FC layer, as a 1×1 conv with bias
    macs += c * classes
    trainable += 2 * bn
    return {
        "params": trainable + 2 * bn,
        "trainable": trainable,
        "bn_channels": bn,
        "macs": macs,
        "receptive_field": r,
        "feature_map": h,
        "features": c,
    }


def closed_form_v2(alpha: float = 1.0, resolution: int = 224, classes: int = 1000) -> dict[str, Any]:
    """Keras count, trainable, BN channels, MACs, RF of MobileNet v2 (Keras layout) by plain arithmetic."""
    c = _div8(32 * alpha)
    h = -(-resolution // 2)
    trainable, macs, bn = 27 * c, h * h * 27 * c, c
    r, j = 3, 2
    for t, ch, n, s in V2_STAGES:
        out = _div8(int(ch * alpha))
        for i in range(n):
            stride = s if i == 0 else 1
            e = t * c
            if t != 1:  # 1×1 expansion
                trainable += c * e
                macs += h * h * c * e
                bn += e
            h = -(-h // stride)
            trainable += 9 * e + e * out  # 3×3 depthwise + linear 1×1 projection
            macs += h * h * (9 * e + e * out)
            bn += e + out
            r, j = r + 2 * j, j * stride
            c = out
    last = _div8(1280 * alpha) if alpha > 1.0 else 1280
    trainable += c * last
    macs += h * h * c * last
    bn += last
    trainable += last * classes + classes
    macs += last * classes
    trainable += 2 * bn
    return {
        "params": trainable + 2 * bn,
        "trainable": trainable,
        "bn_channels": bn,
        "macs": macs,
        "receptive_field": r,
        "feature_map": h,
        "features": last,
    }


_V1_ARCH = Fact(
    {
        "depthwise_separable": True,
        "inverted_residuals": False,
        "linear_bottlenecks": False,
        "residuals": False,
        "activation": "ReLU6 after every conv (depthwise and pointwise)",
    },
    "Howard et al. 2017 §3 and Fig. 3; Sandler et al. 2018 §3 (v2 introduces both)",
    "v1 has neither inverted residuals nor linear bottlenecks: it is a plain chain",
)
_V2_ARCH = Fact(
    {
        "depthwise_separable": True,
        "inverted_residuals": True,
        "linear_bottlenecks": True,
        "residuals": True,
        "expansion": 6,
        "activation": "ReLU6 after expand and depthwise; none after the projection",
    },
    "Sandler et al. 2018, Table 1 and §3.2–3.3",
    "the skip joins the thin bottleneck tensors (inverted w.r.t. ResNet's wide-thin-wide); the 1×1 projection "
    "is linear because ReLU in a low-dimensional space destroys information",
)

VARIANTS = {
    "mobilenet_v1": Variant(
        name="mobilenet_v1",
        family="mobilenet",
        builder="models.mobilenet:mobilenet_v1",
        kwargs={"alpha": 1.0},
        input_shape=(224, 224, 3),
        params=Fact(
            4_253_864,
            "keras.applications.MobileNet (alpha=1.0, 224): 4,253,864 (Keras docs table 4.3M)",
            "includes 21,888 BN moving statistics (2 × 10,944 BN channels)",
        ),
        trainable_params=Fact(
            4_231_976, "closed_form_v1() (this module)", "= 4,253,864 − 21,888 BN moving statistics; the paper's 4.2M"
        ),
        macs=Fact(
            568_740_352,
            "closed_form_v1() (this module), torchvision convention",
            "paper Table 8: 569M Mult-Adds for 1.0 MobileNet-224",
        ),
        output_shape=Fact((1000,), "keras.applications.MobileNet: 1×1 conv_preds + reshape + softmax"),
        receptive_field=Fact(
            (315, 315), "closed form: 3 + Σ 2·jump over the 13 depthwise 3×3 convs", "theoretical RF of conv_pw_13_relu"
        ),
        reference={
            "paper_params": Fact(
                "4.2M",
                "Howard et al. 2017, Table 8 (1.0 MobileNet-224)",
                "trainable weights (conv kernels, BN γ/β, FC): no BN moving statistics",
            ),
            "paper_mult_adds": Fact("569M", "Howard et al. 2017, Table 8", "≈ our MACs, 568,740,352"),
            "bn_moving_statistics": Fact(
                21_888, "closed form: 2 × 10,944 BN channels", "non-trainable, counted by Keras count_params()"
            ),
            "architecture": _V1_ARCH,
            "width_multiplier": Fact(
                "alpha",
                "Howard et al. 2017 §3.3: width multiplier α",
                "channels int(C·α); cost ∝ α² (Keras kwarg `alpha`)",
            ),
        },
    ),
    "mobilenet_v2": Variant(
        name="mobilenet_v2",
        family="mobilenet",
        builder="models.mobilenet:mobilenet_v2",
        kwargs={"alpha": 1.0},
        input_shape=(224, 224, 3),
        params=Fact(
            3_538_984,
            "keras.applications.MobileNetV2 (alpha=1.0, 224): 3,538,984 (Keras docs table 3.5M)",
            "includes 34,112 BN moving statistics (2 × 17,056 BN channels)",
        ),
        trainable_params=Fact(
            3_504_872,
            "torchvision.models.mobilenet_v2 docs: num_params 3504872",
            "= 3,538,984 − 34,112 BN moving statistics; reproduced by closed_form_v2()",
        ),
        macs=Fact(
            300_774_272,
            "closed_form_v2() (this module), torchvision convention",
            "torchvision GFLOPS 0.30; paper 300M MAdds",
        ),
        output_shape=Fact((1000,), "keras.applications.MobileNetV2: Dense(1000, softmax) head"),
        receptive_field=Fact(
            (491, 491), "closed form: 3 + Σ 2·jump over the 17 depthwise 3×3 convs", "theoretical RF of out_relu"
        ),
        reference={
            "paper_params": Fact(
                "3.4M",
                "Sandler et al. 2018, Table 4 (MobileNetV2 1.0)",
                "about the conv + FC weights alone: 3,470,760 = trainable 3,504,872 − 34,112 BN "
                "γ/β (torchvision's exact trainable count is 3,504,872)",
            ),
            "paper_mult_adds": Fact(
                "300M", "Sandler et al. 2018, Table 4", "≈ our MACs, 300,774,272 (the paper rounds)"
            ),
            "torchvision_params": Fact(
                3_504_872,
                "torchvision.models.mobilenet_v2 docs: num_params 3504872",
                "trainable only; equals Keras trainable_params",
            ),
            "torchvision_gflops": Fact(
                0.30, "torchvision.models.mobilenet_v2 docs: GFLOPS 0.30", "GMACs: compare with macs / 1e9"
            ),
            "bn_moving_statistics": Fact(
                34_112, "closed form: 2 × 17,056 BN channels", "non-trainable, counted by Keras count_params()"
            ),
            "architecture": _V2_ARCH,
        },
    ),
}
