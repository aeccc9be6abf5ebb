"""Facts about GoogLeNet and Inception-v3 (plain data, no Keras): published figures and closed forms.

Every conv is written out below as ``(kh, kw, C_in, C_out, H_out)`` from the papers' tables; counts follow:

* Keras ``count_params``: conv weights ``kh·kw·C_in·C_out`` (+ ``C_out`` bias for GoogLeNet's paper build), +3
  per BN channel for Inception-v3 (β, moving mean, moving variance: Keras' ``scale=False`` drops γ), + FC.
* trainable: the same without the moving statistics (BN: β only in Keras, γ and β in torchvision).
* MACs (torchvision's convention): ``H_out²·kh·kw·C_in·C_out`` per conv + ``n_in·n_out`` per dense layer.
"""

from __future__ import annotations

from . import Fact, Variant

Conv = tuple[int, int, int, int, int]  # kh, kw, C_in, C_out, H_out

# ---- GoogLeNet (paper Table 1) --------------------------------------------------------------------------------
GOOGLENET_STEM: tuple[Conv, ...] = (
    (7, 7, 3, 64, 112),  # conv1 7×7/2
    (1, 1, 64, 64, 56),  # conv2 3×3 reduce (after max-pool 3/2: 56)
    (3, 3, 64, 192, 56),  # conv2 3×3
)
# name, C_in, #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj, H  (Table 1 rows)
GOOGLENET_ROWS = (
    ("3a", 192, 64, 96, 128, 16, 32, 32, 28),
    ("3b", 256, 128, 128, 192, 32, 96, 64, 28),
    ("4a", 480, 192, 96, 208, 16, 48, 64, 14),
    ("4b", 512, 160, 112, 224, 24, 64, 64, 14),
    ("4c", 512, 128, 128, 256, 24, 64, 64, 14),
    ("4d", 512, 112, 144, 288, 32, 64, 64, 14),
    ("4e", 528, 256, 160, 320, 32, 128, 128, 14),
    ("5a", 832, 256, 160, 320, 32, 128, 128, 7),
    ("5b", 832, 384, 192, 384, 48, 128, 128, 7),
)


def googlenet_convs(wide_kernel: int = 5) -> list[Conv]:
    convs = list(GOOGLENET_STEM)
    for _, ci, c1, c3r, c3, c5r, c5, pp, h in GOOGLENET_ROWS:
        k = wide_kernel
        convs += [(1, 1, ci, c1, h), (1, 1, ci, c3r, h), (3, 3, c3r, c3, h), (1, 1, ci, c5r, h), (k, k, c5r, c5, h)]
        convs += [(1, 1, ci, pp, h)]
    return convs


def _weights(convs: list[Conv]) -> int:
    return sum(kh * kw * ci * co for kh, kw, ci, co, _ in convs)


def _channels(convs: list[Conv]) -> int:
    return sum(co for *_, co, _h in convs)


def _macs(convs: list[Conv]) -> int:
    return sum(h * h * kh * kw * ci * co for kh, kw, ci, co, h in convs)


_G5, _G3 = googlenet_convs(5), googlenet_convs(3)
GOOGLENET_FC = (1024 + 1) * 1000
# paper build: conv + bias, no BN
GOOGLENET_PARAMS = _weights(_G5) + _channels(_G5) + GOOGLENET_FC  # 6,998,552
GOOGLENET_MACS = _macs(_G5) + 1024 * 1000  # 1,582,671,872
# torchvision build: conv without bias + BN (γ, β), 3×3 in the "5×5" branch
GOOGLENET_TV_TRAINABLE = _weights(_G3) + 2 * _channels(_G3) + GOOGLENET_FC  # 6,624,904
GOOGLENET_TV_MACS = _macs(_G3) + 1024 * 1000  # 1,498,376,192
# paper sec. 5 aux classifiers: avg-pool 5/3 (14 → 4) → 1×1 conv 128 → FC 1024 → dropout 0.7 → FC 1000
GOOGLENET_AUX = [(512 + 1) * 128 + (4 * 4 * 128 + 1) * 1024 + (1024 + 1) * 1000,  # after 4a: 3,188,840
                 (528 + 1) * 128 + (4 * 4 * 128 + 1) * 1024 + (1024 + 1) * 1000]  # after 4d: 3,190,888  # fmt: skip
# RF at inception5b: stem 1 + 6·1 + 2·2 + 2·4 + 2·4 = 27 (j 8); every block adds its widest branch,
# the 5×5: 4·j (3a, 3b at j 8; 4a–4e at j 16; 5a, 5b at j 32); pools 3/2 add 2·j
GOOGLENET_RF = 27 + 2 * 4 * 8 + 2 * 8 + 5 * 4 * 16 + 2 * 16 + 2 * 4 * 32  # 715


# ---- Inception-v3 at 299×299 (the released network, = keras.applications.InceptionV3) -------------------------
def _a(ci: int, pool_proj: int, h: int = 35) -> list[Conv]:
    return [(1, 1, ci, 64, h), (1, 1, ci, 48, h), (5, 5, 48, 64, h), (1, 1, ci, 64, h), (3, 3, 64, 96, h),
            (3, 3, 96, 96, h), (1, 1, ci, pool_proj, h)]  # fmt: skip


def _b(ci: int) -> list[Conv]:
    return [(3, 3, ci, 384, 17), (1, 1, ci, 64, 35), (3, 3, 64, 96, 35), (3, 3, 96, 96, 17)]


def _c(ci: int, c7: int, h: int = 17) -> list[Conv]:
    return [(1, 1, ci, 192, h), (1, 1, ci, c7, h), (1, 7, c7, c7, h), (7, 1, c7, 192, h), (1, 1, ci, c7, h),
            (7, 1, c7, c7, h), (1, 7, c7, c7, h), (7, 1, c7, c7, h), (1, 7, c7, 192, h), (1, 1, ci, 192, h)]  # fmt: skip


def _d(ci: int) -> list[Conv]:
    return [(1, 1, ci, 192, 17), (3, 3, 192, 320, 8), (1, 1, ci, 192, 17), (1, 7, 192, 192, 17),
            (7, 1, 192, 192, 17), (3, 3, 192, 192, 8)]  # fmt: skip


def _e(ci: int, h: int = 8) -> list[Conv]:
    return [(1, 1, ci, 320, h), (1, 1, ci, 384, h), (1, 3, 384, 384, h), (3, 1, 384, 384, h), (1, 1, ci, 448, h),
            (3, 3, 448, 384, h), (1, 3, 384, 384, h), (3, 1, 384, 384, h), (1, 1, ci, 192, h)]  # fmt: skip


V3_CONVS: list[Conv] = [
    (3, 3, 3, 32, 149),  # conv1a 3×3/2 valid: (299 − 3)/2 + 1 = 149
    (3, 3, 32, 32, 147),  # conv2a valid
    (3, 3, 32, 64, 147),  # conv2b same; then max-pool 3/2 → 73
    (1, 1, 64, 80, 73),  # conv3b
    (3, 3, 80, 192, 71),  # conv4a valid; then max-pool 3/2 → 35
    *_a(192, 32), *_a(256, 64), *_a(288, 64),  # mixed5b–5d: 256, 288, 288 channels
    *_b(288),  # mixed6a: 384 + 96 + 288 = 768 at 17×17
    *_c(768, 128), *_c(768, 160), *_c(768, 160), *_c(768, 192),  # mixed6b–6e
    *_d(768),  # mixed7a: 320 + 192 + 768 = 1280 at 8×8
    *_e(1280), *_e(2048),  # mixed7b, 7c: 320 + 768 + 768 + 192 = 2048
]  # fmt: skip
V3_FC = (2048 + 1) * 1000
V3_BN = _channels(V3_CONVS)  # 17,216 BN channels (one per conv output channel)
V3_PARAMS = _weights(V3_CONVS) + 3 * V3_BN + V3_FC  # 23,851,784
V3_TRAINABLE = _weights(V3_CONVS) + V3_BN + V3_FC  # 23,817,352
V3_TORCHVISION_NO_AUX = _weights(V3_CONVS) + 2 * V3_BN + V3_FC  # 23,834,568 (BN γ and β trainable)
# torchvision InceptionAux on mixed6e (17×17×768): avg-pool 5/3 → 1×1 768→128 → 5×5 128→768 → FC 768→1000
V3_AUX_CONVS: list[Conv] = [(1, 1, 768, 128, 5), (5, 5, 128, 768, 1)]
V3_AUX_FC = (768 + 1) * 1000
V3_AUX_TORCHVISION = _weights(V3_AUX_CONVS) + 2 * _channels(V3_AUX_CONVS) + V3_AUX_FC  # 3,326,696
V3_AUX_KERAS_TRAINABLE = _weights(V3_AUX_CONVS) + _channels(V3_AUX_CONVS) + V3_AUX_FC  # 3,325,800
V3_AUX_KERAS_PARAMS = _weights(V3_AUX_CONVS) + 3 * _channels(V3_AUX_CONVS) + V3_AUX_FC  # 3,327,592
V3_TORCHVISION = V3_TORCHVISION_NO_AUX + V3_AUX_TORCHVISION  # 27,161,264
V3_MACS = _macs(V3_CONVS) + 2048 * 1000  # 5,713,216,096
# RF at mixed7c: stem 1 + 2 + 4 + 4 + 4 (pool, j 4) + 8 + 8 (pool, j 8) = 31; then each block adds its deepest
# branch per axis: A 2·2·8 = 32 (×3), B 2·8 + 2·8 = 32 (j 16), C 2 × (6·16) = 192 (1×7, 7×1 twice; ×4),
# D 6·16 + 2·16 = 128 (j 32), E 2·32 + 2·32 = 128 (3×3 then 1×3 | 3×1; ×2)
V3_RF = 31 + 3 * 32 + 32 + 4 * 192 + 128 + 2 * 128  # 1311

VARIANTS = {
    "googlenet": Variant(
        name="googlenet",
        family="inception",
        builder="models.inception:googlenet",
        kwargs={"aux_heads": False},
        input_shape=(224, 224, 3),
        params=Fact(
            GOOGLENET_PARAMS,
            "closed form over paper Table 1 (conv + bias, no BN, 5×5 branch, no aux heads): "
            "Σ (kh·kw·C_in + 1)·C_out + (1024 + 1)·1000 = 6,998,552",
        ),
        trainable_params=Fact(GOOGLENET_PARAMS, "closed form: no BatchNorm, every parameter trainable"),
        macs=Fact(GOOGLENET_MACS, "closed form Σ H²·kh·kw·C_in·C_out + 1024·1000 = 1,582,671,872"),
        output_shape=Fact((1000,), "Szegedy et al. 2014: 1000-way softmax"),
        receptive_field=Fact((GOOGLENET_RF, GOOGLENET_RF), "closed form at inception5b (5×5 branches): 715"),
        reference={
            "torchvision_params": Fact(
                6_624_904,
                "torchvision.models.googlenet docs: num_params 6,624,904 (aux heads dropped)",
                note="torchvision (the TF-slim port) differs from the paper in two counted ways: every conv "
                "is bias-free + BatchNorm with γ and β (+1 parameter per channel vs a bias), and the "
                "'5×5' branch uses 3×3 kernels. Closed form Σ kh·kw·C_in·C_out + 2·Σ C_out + 1,025,000 = "
                "6,624,904 = this builder's trainable count with batch_norm=True, wide_kernel=3, lrn=False.",
            ),
            "torchvision_gmacs": Fact(
                1.50,
                "torchvision.models.googlenet docs: GFLOPS 1.50",
                note="MACs of the torchvision build (3×3 branch): closed form 1,498,376,192; the paper's "
                "5×5 costs 1,582,671,872.",
            ),
            "torchvision_macs": Fact(GOOGLENET_TV_MACS, "closed form of the torchvision build (3×3 branch)"),
            "paper_macs": Fact(
                1_500_000_000,
                "Szegedy et al. 2014, sec. 5: 'a computational budget of 1.5 billion multiply-adds at "
                "inference time'; Table 1 ops column sums to 1,502 M",
                note="Table 1's per-block ops match the closed form (3a 128 M, 3b 304 M, 4e 170 M ...), but "
                "its conv1 row (2.7 K params, 34 M ops) is inconsistent with a 7×7×3→64 conv (9,408 "
                "weights, 118 M MACs at 112×112); with that row corrected the paper's own count is ~1.58 G.",
            ),
            "paper_weights": Fact(
                _weights(_G5) + 1024 * 1000,
                "closed form in the convention of Table 1's params column: weights only, no biases (its 3a "
                "row: 159 K = 163,328 / 1024)",
                note="Table 1 lists weights without biases in units of 1024 (column sum 6,797.7 K ≈ 6.8 M; a few "
                "rows, conv1 most of all, deviate from the layer shapes); the built model adds 8,280 biases "
                "(7,280 conv + 1,000 FC).",
            ),
            "aux_heads_params": Fact(
                sum(GOOGLENET_AUX),
                "closed form, paper sec. 5: per head (C_in + 1)·128 + (2048 + 1)·1024 + (1024 + 1)·1000 "
                "(4a: 3,188,840; 4d: 3,190,888)",
                note="discarded at inference; built with aux_heads=True (the model then returns [main, aux1, aux2]).",
            ),
        },
    ),
    "inception_v3": Variant(
        name="inception_v3",
        family="inception",
        builder="models.inception:inception_v3",
        kwargs={"aux_head": False},
        input_shape=(299, 299, 3),
        slow=True,
        params=Fact(23_851_784, "keras.applications.InceptionV3 docs table: 23,851,784; concepts.md §4"),
        trainable_params=Fact(
            V3_TRAINABLE,
            "closed form Σ kh·kw·C_in·C_out + 17,216 (BN β) + 2,049,000 (FC) = 23,817,352",
            note="Keras' InceptionV3 uses BatchNormalization(scale=False): per BN channel only β is "
            "trainable; moving mean and variance (2 × 17,216 = 34,432) are counted by count_params().",
        ),
        macs=Fact(V3_MACS, "closed form Σ H²·kh·kw·C_in·C_out + 2048·1000 at 299 = 5,713,216,096"),
        output_shape=Fact((1000,), "keras.applications.InceptionV3: 1000 ImageNet classes"),
        receptive_field=Fact((V3_RF, V3_RF), "closed form at mixed7c (deepest branch per block): 1311"),
        reference={
            "closed_form_params": Fact(
                V3_PARAMS, "closed form Σ kh·kw·C_in·C_out + 3·17,216 (BN β, mean, var) + 2,049,000"
            ),
            "torchvision_params": Fact(
                27_161_264,
                "torchvision.models.inception_v3 docs: num_params 27,161,264; concepts.md §4 '27.2 M'",
                note="torchvision counts trainable tensors with BN γ and β and includes the auxiliary "
                "classifier (on mixed6e: avg-pool 5/3 → 1×1 128 → 5×5 768 → FC 1000, 3,326,696 params). "
                "Main network 23,834,568 (= Keras' trainable 23,817,352 + 17,216 γ) + aux 3,326,696. Our "
                "model reproduces it exactly as the trainable count with aux_head=True, bn_scale=True; with "
                "Keras' BN (aux_head=True only) the trainable count is 27,143,152, short by the 18,112 γ "
                "(17,216 main + 896 aux) that scale=False drops.",
            ),
            "torchvision_no_aux": Fact(
                V3_TORCHVISION_NO_AUX, "closed form: Σ kh·kw·C_in·C_out + 2·17,216 (γ, β) + 2,049,000"
            ),
            "aux_head_trainable_keras": Fact(
                V3_TRAINABLE + V3_AUX_KERAS_TRAINABLE,
                "closed form: 23,817,352 + aux 3,325,800 (Keras BN convention: β only)",
            ),
            "aux_head_params_keras": Fact(
                V3_PARAMS + V3_AUX_KERAS_PARAMS,
                "closed form: 23,851,784 + aux 3,327,592 (count_params, BN β + moving statistics)",
            ),
            "torchvision_gmacs": Fact(
                5.71,
                "torchvision.models.inception_v3 docs: GFLOPS 5.71; concepts.md §4",
                note="MACs of the main network at 299 (the aux head only runs in training).",
            ),
        },
    ),
}
