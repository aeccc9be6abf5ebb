"""Facts about LeNet-5 (plain data, no Keras): closed-form counts and the paper's figures.

Our ``lenet5`` is the textbook network (``models/lenet.py``): 32×32×1 → C1 conv 6@5×5 (28×28) → S2 avg-pool
(14×14) → C3 conv 16@5×5 (10×10) → S4 avg-pool (5×5) → flatten 400 → 120 → 84 → 10, biases everywhere.
"""

from __future__ import annotations

from . import Fact, Variant


def _conv(k: int, c_in: int, c_out: int) -> int:
    return (k * k * c_in + 1) * c_out


def _dense(n_in: int, n_out: int) -> int:
    return (n_in + 1) * n_out


# ---- parameters (Keras count_params == trainable: no BatchNorm) ---------------------------------------------
C1 = _conv(5, 1, 6)  # (25·1 + 1)·6 = 156
C3 = _conv(5, 6, 16)  # (25·6 + 1)·16 = 2,416
F5 = _dense(5 * 5 * 16, 120)  # (400 + 1)·120 = 48,120   (the paper's C5: 120 5×5 kernels on a 5×5 map)
F6 = _dense(120, 84)  # (120 + 1)·84 = 10,164
OUT = _dense(84, 10)  # (84 + 1)·10 = 850
PARAMS = C1 + C3 + F5 + F6 + OUT  # 61,706

# ---- the paper's "60,000 trainable parameters" ---------------------------------------------------------------
# C3 is only partially connected (paper Table I): 6 maps see 3 of S2's maps, 9 see 4, 1 sees all 6.
PAPER_C3 = 25 * (6 * 3 + 9 * 4 + 1 * 6) + 16  # 1,500 weights + 16 biases = 1,516
PAPER_S2 = 2 * 6  # subsampling: one trainable coefficient + one bias per map
PAPER_S4 = 2 * 16
# the output layer is 10 Euclidean RBF units over F6's 84 outputs; their 840 weights are fixed, not trained
PAPER_RBF_FIXED = 84 * 10
PAPER_TRAINABLE = C1 + PAPER_S2 + PAPER_C3 + PAPER_S4 + F5 + F6  # = 60,000 exactly

# ---- MACs (torchvision convention: conv H_out·W_out·K²·C_in·C_out, dense n_in·n_out, pools 0) ------------------
MACS = 28 * 28 * 25 * 1 * 6 + 10 * 10 * 25 * 6 * 16 + 400 * 120 + 120 * 84 + 84 * 10  # 416,520

# ---- receptive field of S4 (the last spatial map): r += (K−1)·j, j *= S ---------------------------------------
# C1 5×5: r = 5, j = 1; S2 2/2: r = 6, j = 2; C3 5×5: r = 6 + 4·2 = 14; S4 2/2: r = 14 + 1·2 = 16, j = 4
RF = 1 + (5 - 1) * 1 + (2 - 1) * 1 + (5 - 1) * 2 + (2 - 1) * 2  # 16

VARIANTS = {
    "lenet5": Variant(
        name="lenet5",
        family="lenet",
        builder="models.lenet:lenet",
        kwargs={},
        input_shape=(32, 32, 1),
        classes=10,
        params=Fact(PARAMS, "closed form: (25·1+1)·6 + (25·6+1)·16 + (400+1)·120 + (120+1)·84 + (84+1)·10 = 61,706"),
        trainable_params=Fact(PARAMS, "closed form: no BatchNorm, every weight is trainable"),
        macs=Fact(MACS, "closed form: 28²·25·6 + 10²·150·16 + 400·120 + 120·84 + 84·10 = 416,520"),
        output_shape=Fact((10,), "10 digit classes (dense softmax; the paper uses 10 RBF units)"),
        receptive_field=Fact((RF, RF), "closed form: S4 map, 5 → 6 → 14 → 16 (r += (K−1)·j)"),
        reference={
            "paper_trainable": Fact(
                PAPER_TRAINABLE,
                "LeCun et al. 1998, sec. II.B per-layer counts (C1 156, S2 12, C3 1,516, S4 32, C5 48,120, F6 10,164); "
                "concepts.md §4 '~60 k'",
                note="closed form of the paper's network: C1 156 + S2 12 + C3 1,516 (partial connection table) "
                "+ S4 32 + C5 48,120 + F6 10,164 = 60,000; the 10 RBF output units' 840 weights are fixed by "
                "hand and not counted. Our textbook model has 1,706 more: full C3 (+900), dense softmax "
                "output (+850), no trainable pooling coefficients (−44).",
            ),
            "paper_c3": Fact(PAPER_C3, "LeCun et al. 1998, sec. II.B: C3 has 1,516 trainable parameters"),
        },
    ),
}
