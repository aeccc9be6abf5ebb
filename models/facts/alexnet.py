"""Facts about AlexNet (plain data, no Keras): torchvision's figures and closed forms of both layouts.

Closed forms use ``(K²·C_in/groups + 1)·C_out`` per conv, ``(n_in + 1)·n_out`` per dense layer, and MACs in
torchvision's convention ``H_out·W_out·K²·C_in/groups·C_out`` (dense ``n_in·n_out``, pools and LRN 0).
"""

from __future__ import annotations

from . import Fact, Variant

# (K, C_in, C_out, groups, H_out) for each conv, written out from the architecture tables
TORCHVISION_CONVS = (
    (11, 3, 64, 1, 55),  # 224 + 2·2 − 11 = 217, ⌊217/4⌋ + 1 = 55
    (5, 64, 192, 1, 27),  # after max-pool 3/2: ⌊(55 − 3)/2⌋ + 1 = 27; pad 2 keeps 27
    (3, 192, 384, 1, 13),  # after max-pool: 13
    (3, 384, 256, 1, 13),
    (3, 256, 256, 1, 13),
)
PAPER_CONVS = (
    (11, 3, 96, 1, 55),  # (227 − 11)/4 + 1 = 55
    (5, 96, 256, 2, 27),  # two GPUs: each kernel is 5×5×48
    (3, 256, 384, 1, 13),  # conv3 sees both GPUs' maps
    (3, 384, 384, 2, 13),  # 3×3×192 kernels
    (3, 384, 256, 2, 13),  # 3×3×192 kernels
)
FC = ((6 * 6 * 256, 4096), (4096, 4096), (4096, 1000))  # after the last max-pool: 13 → 6


def _params(convs: tuple[tuple[int, int, int, int, int], ...]) -> int:
    conv = sum((k * k * c_in // g + 1) * c_out for k, c_in, c_out, g, _ in convs)
    return conv + sum((n_in + 1) * n_out for n_in, n_out in FC)


def _macs(convs: tuple[tuple[int, int, int, int, int], ...]) -> int:
    conv = sum(h * h * k * k * c_in // g * c_out for k, c_in, c_out, g, h in convs)
    return conv + sum(n_in * n_out for n_in, n_out in FC)


FC_PARAMS = sum((n_in + 1) * n_out for n_in, n_out in FC)  # 37,752,832 + 16,781,312 + 4,097,000 = 58,631,144
TORCHVISION_PARAMS = _params(TORCHVISION_CONVS)  # 23,296 + 307,392 + 663,936 + 884,992 + 590,080 + FC = 61,100,840
PAPER_PARAMS = _params(PAPER_CONVS)  # 34,944 + 307,456 + 885,120 + 663,936 + 442,624 + FC = 60,965,224
TORCHVISION_MACS = _macs(TORCHVISION_CONVS)  # 655,566,528 conv + 58,621,952 dense = 714,188,480
PAPER_MACS = _macs(PAPER_CONVS)  # 665,784,864 conv + 58,621,952 dense = 724,406,816

# RF of the last max-pool (r += (K−1)·j, j *= S; padding does not change it):
# conv1 11/4: 11, j 4 → pool 3/2: 19, j 8 → conv2 5: 51 → pool: 67, j 16 → 3× conv 3: 163 → pool: 195, j 32
RF = 1 + 10 * 1 + 2 * 4 + 4 * 8 + 2 * 8 + 3 * (2 * 16) + 2 * 16  # 195 (same kernels/strides in both layouts)

VARIANTS = {
    "alexnet": Variant(
        name="alexnet",
        family="alexnet",
        builder="models.alexnet:alexnet",
        kwargs={"config": "torchvision"},
        input_shape=(224, 224, 3),
        params=Fact(61_100_840, "torchvision.models.alexnet docs: num_params 61,100,840"),
        trainable_params=Fact(61_100_840, "torchvision docs (no BatchNorm: every parameter is trainable)"),
        macs=Fact(
            TORCHVISION_MACS,
            "closed form Σ H_out²·K²·C_in·C_out + Σ n_in·n_out = 714,188,480; torchvision docs: 0.71 GFLOPS",
        ),
        output_shape=Fact((1000,), "torchvision alexnet: 1000 ImageNet classes"),
        receptive_field=Fact((RF, RF), "closed form: 11 → 19 → 51 → 67 → 163 → 195 at the last max-pool"),
        reference={
            "torchvision_gmacs": Fact(
                0.71,
                "torchvision.models.alexnet docs: GFLOPS 0.71",
                note="torchvision's 'GFLOPS' column counts multiply-accumulates (one MAC = one 'FLOP').",
            ),
            "closed_form_params": Fact(
                TORCHVISION_PARAMS,
                "closed form: 23,296 + 307,392 + 663,936 + 884,992 + 590,080 (convs) + 58,631,144 (FC)",
            ),
            "fc_params": Fact(
                FC_PARAMS,
                "closed form: (9216+1)·4096 + (4096+1)·4096 + (4096+1)·1000 = 58,631,144 (96% of the model)",
            ),
        },
    ),
    "alexnet_2gpu": Variant(
        name="alexnet_2gpu",
        family="alexnet",
        builder="models.alexnet:alexnet",
        kwargs={"config": "paper"},
        input_shape=(227, 227, 3),
        params=Fact(
            PAPER_PARAMS,
            "closed form: (363+1)·96 + (25·48+1)·256 + (9·256+1)·384 + (9·192+1)·384 + (9·192+1)·256 "
            "+ 58,631,144 (FC) = 60,965,224",
        ),
        trainable_params=Fact(PAPER_PARAMS, "closed form (no BatchNorm; LRN has no parameters)"),
        macs=Fact(PAPER_MACS, "closed form Σ H_out²·K²·(C_in/groups)·C_out + Σ n_in·n_out = 724,406,816"),
        output_shape=Fact((1000,), "Krizhevsky et al. 2012: 1000-way softmax"),
        receptive_field=Fact((RF, RF), "closed form: 11 → 19 → 51 → 67 → 163 → 195 at the last max-pool"),
        reference={
            "paper_params": Fact(
                60_000_000,
                "Krizhevsky et al. 2012, sec. 4: 'Our neural network architecture has 60 million parameters'; "
                "concepts.md §4 '60 M'",
                note="a rounded figure: the closed form of the paper's two-GPU layout is 60,965,224. The "
                "grouped convs are what keep it below torchvision's 61,100,840 despite more filters "
                "(96/256/384/384/256): without groups conv2, conv4, conv5 would hold 614,656 + 1,327,488 + "
                "884,992 weights+biases instead of 307,456 + 663,936 + 442,624.",
            ),
            "ungrouped_params": Fact(
                PAPER_PARAMS + (25 * 48 * 256) + (9 * 192 * 384) + (9 * 192 * 256),
                "closed form: the same layers with groups=1 (one GPU): 62,378,344",
                note="groups=2 halves the weights (not the biases) of conv2, conv4 and conv5: −1,413,120.",
            ),
        },
    ),
}
