"""Facts about Xception (Chollet 2017), as plain data (no Keras here).

``params`` is quoted from the keras.applications documentation and the trainable count from the paper;
both, and the MACs and receptive field, are reproduced by :func:`closed_form` — plain arithmetic over the
paper's Fig. 5 (never copied from a built model).  The tests check the closed form against these literals
and the live model against both.

Conventions: ``params`` = Keras ``count_params()`` (BN moving mean/variance included, 2 per BN channel);
``trainable_params`` = the paper's count; ``macs`` in torchvision's convention (a separable conv costs
``H·W·(9·C_in + C_in·C_out)``, a 1×1/2 shortcut conv ``H_out·W_out·C_in·C_out``); ``receptive_field``:
theoretical RF per spatial axis of the last feature map, the max over the main and shortcut paths.
"""

from __future__ import annotations

from typing import Any

from . import Fact, Variant

# Fig. 5: (kind, separable widths, repeats) after the two stem convs (3×3/2 32 and 3×3 64, 'valid')
FLOW = (
    ("down", (128, 128), 1),
    ("down", (256, 256), 1),
    ("down", (728, 728), 1),
    ("identity", (728, 728, 728), 8),
    ("down", (728, 1024), 1),
    ("exit", (1536, 2048), 1),
)


def closed_form(resolution: int = 299, classes: int = 1000) -> dict[str, Any]:
    """Keras count, trainable, BN channels, MACs and RF of Xception by plain arithmetic."""
    h = (resolution - 3) // 2 + 1  # block1_conv1: 3×3/2 'valid'
    trainable, macs, bn = 27 * 32, h * h * 27 * 32, 32
    h -= 2  # block1_conv2: 3×3 'valid'
    trainable += 9 * 32 * 64
    macs += h * h * 9 * 32 * 64
    bn += 64
    c, r, j = 64, 7, 2
    for kind, widths, repeats in FLOW:
        for _ in range(repeats):
            h_out = -(-h // 2) if kind == "down" else h
            if kind == "down":  # 1×1/2 conv + BN shortcut
                trainable += c * widths[-1]
                macs += h_out * h_out * c * widths[-1]
                bn += widths[-1]
            cin = c
            for wdt in widths:  # separable 3×3 ('same', stride 1) at the block's input resolution
                trainable += 9 * cin + cin * wdt
                macs += h * h * (9 * cin + cin * wdt)
                bn += wdt
                r += 2 * j
                cin = wdt
            if kind == "down":  # 3×3/2 max pool
                r += 2 * j
                j *= 2
            c, h = widths[-1], h_out
    trainable += c * classes + classes
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


VARIANTS = {
    "xception": Variant(
        name="xception",
        family="xception",
        builder="models.xception:xception",
        kwargs={},
        input_shape=(299, 299, 3),
        params=Fact(
            22_910_480,
            "keras.applications.Xception: 22,910,480 (Keras docs table 22.9M)",
            "includes 54,528 BN moving statistics (2 × 27,264 BN channels)",
        ),
        trainable_params=Fact(
            22_855_952,
            "Chollet 2017, Table 3: Xception 22,855,952 parameters (Inception V3: 23,626,728)",
            "= 22,910,480 − 54,528 BN moving statistics; reproduced by closed_form()",
        ),
        macs=Fact(8_357_403_496, "closed_form() (this module), torchvision convention", "≈ 8.36 GMACs at 299×299"),
        output_shape=Fact((1000,), "keras.applications.Xception: Dense(1000, softmax) head"),
        receptive_field=Fact(
            (1083, 1083),
            "closed form: 7 after the stem, + 2·jump per separable conv and pool",
            "theoretical RF of block14_sepconv2_act (the main path; shortcuts are shorter)",
        ),
        reference={
            "paper_params": Fact(
                22_855_952,
                "Chollet 2017, Table 3",
                "trainable weights (BN γ/β included, moving statistics not): Keras' trainable",
            ),
            "bn_moving_statistics": Fact(
                54_528, "closed form: 2 × 27,264 BN channels", "non-trainable, counted by Keras count_params()"
            ),
            "input_size": Fact(
                299, "keras.applications.Xception docs: default input 299×299, minimum 71", "same as Inception V3"
            ),
        },
    ),
}
