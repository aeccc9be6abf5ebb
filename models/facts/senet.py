"""Facts about SE-ResNet-50 (plain data, no Keras): closed-form counts and the paper's figures.

Source: Hu, Shen, Sun (2018), *Squeeze-and-Excitation Networks* (CVPR; TPAMI 2020 with Albanie, Wu):
SE-ResNet-50 has 28.09 M parameters, "~2.5 million additional parameters beyond the ~25 million of
ResNet-50, a ~10 % increase", and 3.87 GFLOPs against ResNet-50's 3.86 (Table 2).  The backbone here is
torchvision's ResNet-50 v1.5 (``models/facts/resnet.py``); a SE block on a branch with ``C`` channels adds

    Dense(C → C/r) + Dense(C/r → C) = 2·C²/r weights + C/r + C biases,     r = 16

over ``N_s`` blocks of width ``C_s`` per stage: ``(N, C) = (3, 256), (4, 512), (6, 1024), (3, 2048)``.
"""

from __future__ import annotations

from . import Fact, Variant
from .resnet import CLASSES, STRIDE_SHIFT_MACS, conv_channels, macs, receptive_field, torchvision_params

RATIO = 16
STAGES = ((3, 256, 56), (4, 512, 28), (6, 1024, 14), (3, 2048, 7))  # (blocks N_s, channels C_s, side H_s)

# the paper's Eq. (5): 2/r · Σ N_s·C_s² — the FC weights only, biases left out
SE_WEIGHTS = sum(n * 2 * c * c // RATIO for n, c, _ in STAGES)  # 24,576 + 131,072 + 786,432 + 1,572,864
SE_BIASES = sum(n * (c // RATIO + c) for n, c, _ in STAGES)  # 816 + 2,176 + 6,528 + 6,528 = 16,048
SE_PARAMS = SE_WEIGHTS + SE_BIASES  # 2,530,992
SE_MACS = SE_WEIGHTS  # one MAC per dense weight (the gate runs once per image, on a 1×1 map)

BACKBONE = torchvision_params(50)  # 25,557,032 (torchvision resnet50, bias-free convs, BN γ/β)
BN_CHANNELS = conv_channels(50)  # 26,560 BatchNorm channels → 2·26,560 moving statistics in Keras
TRAINABLE = BACKBONE + SE_PARAMS  # 28,088,024 ≈ the paper's 28.09 M
PARAMS = TRAINABLE + 2 * BN_CHANNELS  # 28,141,144
OVERHEAD_PERCENT = round(100 * SE_PARAMS / BACKBONE, 2)  # 2,530,992 / 25,557,032 = 9.90 %

MACS = macs(50, stride_in_3x3=True) + SE_MACS  # 4,089,184,256 + 2,514,944 = 4,091,699,200
# the paper counts the squeeze (H·W adds per channel) and the scale (H·W multiplies per channel) too,
# which torchvision's MAC convention leaves at 0: 2·Σ N_s·H_s²·C_s
SQUEEZE_SCALE_OPS = 2 * sum(n * side * side * c for n, c, side in STAGES)  # 2·5,519,360 = 11,038,720
PAPER_STYLE_MACS = MACS - STRIDE_SHIFT_MACS + SQUEEZE_SCALE_OPS  # 3,871,526,912 ≈ 3.87 G
RF = receptive_field(50, stride_in_3x3=True)  # 427: the gates rescale channels, they do not move the RF

VARIANTS = {
    "se_resnet50": Variant(
        name="se_resnet50",
        family="senet",
        builder="models.senet:se_resnet",
        kwargs={"depth": 50, "layout": "v1.5", "ratio": RATIO},
        params=Fact(
            PARAMS,
            f"closed form: ResNet-50 v1.5 W {BACKBONE:,} + SE {SE_PARAMS:,} + BN moving mean/var "
            f"2·{BN_CHANNELS:,} = {PARAMS:,}",
        ),
        trainable_params=Fact(
            TRAINABLE,
            f"closed form: {BACKBONE:,} + {SE_PARAMS:,} = {TRAINABLE:,}; Hu et al. 2018: SE-ResNet-50 28.09 M",
        ),
        macs=Fact(MACS, f"closed form: ResNet-50 v1.5 4,089,184,256 + SE dense 2/r·Σ N_s·C_s² = {SE_MACS:,}"),
        output_shape=Fact((CLASSES,), "ImageNet-1k head: GAP → Dense(1000, softmax)"),
        receptive_field=Fact(
            (RF, RF),
            "closed form: the ResNet-50 v1.5 backbone's 427 (SE gates are channel-wise; "
            "their GAP makes the output depend on the whole input)",
        ),
        reference={
            "paper_params_m": Fact(
                28.09,
                "Hu et al. 2018 (SENet): SE-ResNet-50 28.09 M parameters",
                note=f"= torchvision ResNet-50 {BACKBONE:,} + SE {SE_PARAMS:,} (FC weights and biases) = "
                f"{TRAINABLE:,}: the paper's convention is ours minus BN moving statistics",
            ),
            "se_params": Fact(
                SE_PARAMS,
                "closed form: Σ N_s·(2·C_s²/16 + C_s/16 + C_s) = 2,514,944 + 16,048 = 2,530,992",
                note="the paper's Eq. 5, 2/r·Σ N_s·C_s² = 2,514,944, leaves out the 16,048 FC biases",
            ),
            "paper_se_weights": Fact(
                SE_WEIGHTS,
                "Hu et al. 2018 Eq. 5: 2/r · Σ_s N_s·C_s² (FC weights only) = 2,514,944",
                note="'~2.5 million additional parameters beyond the ~25 million of ResNet-50'",
            ),
            "se_overhead_percent": Fact(
                OVERHEAD_PERCENT,
                "closed form: 100 · 2,530,992 / 25,557,032 = 9.90 % (paper: '~10 % increase')",
                note="parameters added by the SE gates relative to the ResNet-50 v1.5 backbone (trainable counts)",
            ),
            "se_macs": Fact(
                SE_MACS,
                "closed form: 2/r · Σ N_s·C_s² = 2,514,944 (+0.06 % of ResNet-50's MACs)",
                note="each dense weight is used once per image: the gate runs on the pooled 1×1×C vector",
            ),
            "paper_gmacs": Fact(
                3.87,
                "Hu et al. 2018 Table 2: SE-ResNet-50 3.87 GFLOPs (ResNet-50: 3.86)",
                note=f"the paper's ResNet has its stride in the 1×1 (−231,211,008 vs our v1.5) and counts the squeeze "
                f"and scale element-wise ops (+2·Σ N_s·H_s²·C_s = +{SQUEEZE_SCALE_OPS:,}): {MACS:,} − 231,211,008 "
                f"+ {SQUEEZE_SCALE_OPS:,} = {PAPER_STYLE_MACS:,} ≈ 3.87 G",
            ),
        },
    ),
}
