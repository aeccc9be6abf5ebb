"""Facts about ResNet-18/34/50/101/152 and ResNet-50 v1.5 (plain data, no Keras).

Sources: keras.applications' ResNet50/101/152 (Keras 3 reference implementation, ``weights=None``);
torchvision's ``ResNet*_Weights.IMAGENET1K_V1`` meta (``num_params``, ``_ops`` = GFLOPS, which torchvision
counts as multiply-accumulates); He et al. 2016; the receptive-field table of Araujo, Norris & Sim (2019),
*Computing Receptive Fields of Convolutional Neural Networks*, Distill (google-research/receptive_field).
Every figure is also re-derived below in closed form from the architecture table, independently of
``models/resnet.py``.

Conventions and why the published numbers differ (``B`` = Σ output channels over all convs; every conv is
followed by a BatchNorm over the same channels):

* torchvision counts trainable weights of bias-free convs: ``W = Σ K²·C_in·C_out + 2·B (BN γ, β) + fc``.
* Keras v1 (keras.applications) gives every conv a bias: trainable ``= W + B``; ``count_params()`` adds the
  BN moving mean and variance: ``W + B + 2·B = W + 3·B``.
* v1.5 (torchvision) has no conv bias: trainable ``= W``, ``count_params() = W + 2·B``.
* MACs ignore biases, so bias choice does not change them; the *stride position* does: in v1 the stride is
  in the first 1×1 of stages 3–5 (it runs on the downsampled grid), in v1.5 it is in the 3×3, so that 1×1
  runs on 4× the positions: ``+3·(28²·256·128 + 14²·512·256 + 7²·1024·512) = +231,211,008`` MACs for every
  bottleneck depth — the whole gap between Keras' 3.86 and torchvision's 4.09 GMACs for ResNet-50.
"""

from __future__ import annotations

from . import Fact, Variant

IMAGE = 224
CLASSES = 1000
STEM = 64
PLANES = (64, 128, 256, 512)  # bottleneck width per stage conv2..conv5
SIDES = (56, 28, 14, 7)  # stage output side at 224: stem 7×7/2 → 112, max-pool 3×3/2 → 56, then /2 per stage
BLOCKS = {18: (2, 2, 2, 2), 34: (3, 4, 6, 3), 50: (3, 4, 6, 3), 101: (3, 4, 23, 3), 152: (3, 8, 36, 3)}
BOTTLENECK = {18: False, 34: False, 50: True, 101: True, 152: True}


def convs(depth: int, stride_in_3x3: bool) -> list[tuple[int, int, int, int]]:
    """Every conv as (K, C_in, C_out, output side) at 224×224, stem first, shortcuts included."""
    out = [(7, 3, STEM, IMAGE // 2)]
    c = STEM
    for s, (p, side, n) in enumerate(zip(PLANES, SIDES, BLOCKS[depth], strict=True)):
        for i in range(n):
            first = i == 0
            side_in = 2 * side if first and s > 0 else side
            if BOTTLENECK[depth]:
                # 1×1 reduce (on the input grid when the stride is in the 3×3), 3×3, 1×1 expand
                out += [(1, c, p, side_in if stride_in_3x3 else side), (3, p, p, side), (1, p, 4 * p, side)]
                if first:
                    out.append((1, c, 4 * p, side))  # projection shortcut (width 64 → 256 in conv2 too)
                c = 4 * p
            else:
                out += [(3, c, p, side), (3, p, p, side)]
                if c != p or side_in != side:
                    out.append((1, c, p, side))
                c = p
    return out


def final_channels(depth: int) -> int:
    return PLANES[-1] * (4 if BOTTLENECK[depth] else 1)


def conv_channels(depth: int) -> int:
    """B: Σ C_out over every conv = number of conv biases = number of BatchNorm channels."""
    return sum(c_out for _, _, c_out, _ in convs(depth, False))


def torchvision_params(depth: int) -> int:
    """W: bias-free conv weights + BN γ/β + fc weights and biases (torchvision's num_params)."""
    conv_w = sum(k * k * c_in * c_out for k, c_in, c_out, _ in convs(depth, False))
    return conv_w + 2 * conv_channels(depth) + (final_channels(depth) + 1) * CLASSES


def macs(depth: int, stride_in_3x3: bool) -> int:
    """Σ H_out·W_out·K²·C_in·C_out over convs + fc n_in·n_out (torchvision's convention)."""
    conv = sum(side * side * k * k * c_in * c_out for k, c_in, c_out, side in convs(depth, stride_in_3x3))
    return conv + final_channels(depth) * CLASSES


def receptive_field(depth: int, stride_in_3x3: bool) -> int:
    """RF of the last feature map along the residual branch (the longest path): r += (K−1)·j, j *= S."""
    r, j = 1 + (7 - 1) * 1, 2  # stem 7×7 / 2
    r, j = r + (3 - 1) * j, j * 2  # max-pool 3×3 / 2: r = 11, j = 4
    for s, n in enumerate(BLOCKS[depth]):
        for i in range(n):
            stride = 2 if s > 0 and i == 0 else 1
            if BOTTLENECK[depth] and not stride_in_3x3:
                j *= stride  # the stride is applied by the 1×1 before the 3×3
                r += 2 * j
            else:
                r += 2 * j  # 3×3 (strided or not) sees the incoming grid
                j *= stride
                if not BOTTLENECK[depth]:
                    r += 2 * j  # the basic block's second 3×3
    return r


# Shift from v1 (stride in 1×1) to v1.5 (stride in 3×3): 28²·256·128 + 14²·512·256 + 7²·1024·512 = 77,070,336
# per stage-3..5 first block's 1×1 on the 4× larger grid, 3 extra quarters each: 3·77,070,336 = 231,211,008.
STRIDE_SHIFT_MACS = 3 * (28 * 28 * 256 * 128 + 14 * 14 * 512 * 256 + 7 * 7 * 1024 * 512)

TV_NOTE = (
    "torchvision convs have no bias and num_params counts trainable weights only (BN γ/β, not moving stats). "
    "Keras v1 adds one bias per conv output channel (trainable + B) and BN moving mean/var (2·B more in "
    "count_params): Keras = torchvision + 3·B, B = Σ conv C_out = {b:,}, i.e. {tv:,} + 3·{b:,} = {k:,}."
)
STRIDE_NOTE = (
    "torchvision's ResNet is v1.5 (stride in the 3×3): the first 1×1 of stages 3–5 runs on the 4× larger grid, "
    "+3·(28²·256·128 + 14²·512·256 + 7²·1024·512) = +231,211,008 MACs; Keras v1 (stride in the 1×1) "
    "{keras:,} + 231,211,008 = {tv:,} ≈ {g} G."
)
RF_SOURCE = "Araujo, Norris & Sim 2019 (Distill) / google-research/receptive_field table: resnet_v1_{d} {rf}"


def _keras_v1(
    depth: int,
    tv_params: int,
    tv_gmacs: float,
    keras_params: int | None = None,
    keras_src: str = "",
    extra: dict[str, Fact] | None = None,
) -> Variant:
    """A keras.applications-layout (v1) ResNet: stride in the first 1×1, biases on every conv."""
    b, w = conv_channels(depth), torchvision_params(depth)
    count, trainable = w + 3 * b, w + b
    m, rf = macs(depth, stride_in_3x3=False), receptive_field(depth, stride_in_3x3=False)
    bottleneck = BOTTLENECK[depth]
    name = f"resnet{depth}"
    ref: dict[str, Fact] = {
        "torchvision_params": Fact(
            tv_params,
            f"torchvision ResNet{depth}_Weights.IMAGENET1K_V1 meta num_params",
            note=TV_NOTE.format(b=b, tv=tv_params, k=count),
        ),
        "conv_bias": Fact(b, f"closed form: B = Σ C_out over the {len(convs(depth, False))} convs = {b:,}"),
        "torchvision_gmacs": Fact(
            tv_gmacs,
            f"torchvision ResNet{depth}_Weights meta _ops (GFLOPS, counted as MACs)",
            note=STRIDE_NOTE.format(keras=m, tv=m + STRIDE_SHIFT_MACS, g=tv_gmacs)
            if bottleneck
            else "basic blocks already have their stride in the first 3×3 and MACs ignore biases: same count.",
        ),
    }
    if bottleneck:
        ref["stride_shift_macs"] = Fact(
            STRIDE_SHIFT_MACS,
            "closed form: 3·(28²·256·128 + 14²·512·256 + 7²·1024·512) = 231,211,008",
            note="MACs added by moving the stride from the first 1×1 to the 3×3 (v1 → v1.5)",
        )
    ref.update(extra or {})
    if keras_params is not None:
        params = Fact(keras_params, keras_src, note=f"closed form W + 3·B = {w:,} + 3·{b:,} = {count:,}")
        trainable_fact = Fact(
            trainable, f"keras.applications.ResNet{depth} trainable weights; closed form W + B = {w:,} + {b:,}"
        )
    else:
        params = Fact(count, f"closed form (not in keras.applications): W + 3·B = {w:,} + 3·{b:,} = {count:,}")
        trainable_fact = Fact(
            trainable,
            f"closed form: W + B = {w:,} + {b:,} = {trainable:,}",
            note=f"with use_bias=False the trainable count is torchvision's {tv_params:,}",
        )
    rf_src = (
        RF_SOURCE.format(d=depth, rf=rf) + "; closed form r += (K−1)·j along the residual branch"
        if bottleneck
        else "closed form: r += (K−1)·j over stem, max-pool and every 3×3 of the residual branch"
    )
    return Variant(
        name=name,
        family="resnet",
        builder="models.resnet:resnet",
        kwargs={"depth": depth, "layout": "v1"},
        slow=depth >= 152,
        params=params,
        trainable_params=trainable_fact,
        macs=Fact(
            m,
            "closed form: Σ H_out²·K²·C_in·C_out over convs (v1: stride in the 1×1) + "
            f"{final_channels(depth)}·1000 fc = {m:,}",
        ),
        output_shape=Fact((CLASSES,), "ImageNet-1k head: GAP → Dense(1000, softmax)"),
        receptive_field=Fact((rf, rf), rf_src),
        reference=ref,
    )


# the original (Caffe) ResNet-50 has its stride in the 1×1 like Keras: the SENet paper's 3.86 is Keras' count
PAPER_GMACS_50 = Fact(
    3.86,
    "Hu et al. 2018 (SENet) Table 2: ResNet-50 3.86 GFLOPs (multiply-adds); He et al. 2016 Table 1: 3.8×10⁹",
    note="stride in the 1×1 (v1), as in Keras: 3,857,973,248 MACs ≈ 3.86 G; torchvision's v1.5 is 4.09 G",
)

VARIANTS: dict[str, Variant] = {
    "resnet18": _keras_v1(18, 11_689_512, 1.814),
    "resnet34": _keras_v1(34, 21_797_672, 3.664),
    "resnet50": _keras_v1(
        50, 25_557_032, 4.089, 25_636_712, "keras.applications.ResNet50: 25,636,712", {"paper_gmacs": PAPER_GMACS_50}
    ),
    "resnet101": _keras_v1(101, 44_549_160, 7.801, 44_707_176, "keras.applications.ResNet101: 44,707,176"),
    "resnet152": _keras_v1(152, 60_192_808, 11.514, 60_419_944, "keras.applications.ResNet152: 60,419,944"),
}

_B50, _W50 = conv_channels(50), torchvision_params(50)
_M15, _RF15 = macs(50, stride_in_3x3=True), receptive_field(50, stride_in_3x3=True)
VARIANTS["resnet50_v1_5"] = Variant(
    name="resnet50_v1_5",
    family="resnet",
    builder="models.resnet:resnet",
    kwargs={"depth": 50, "layout": "v1.5"},
    params=Fact(
        _W50 + 2 * _B50,
        f"closed form: W + 2·B (BN moving mean/var) = {_W50:,} + 2·{_B50:,}",
        note="torchvision's 25,557,032 trainable plus 53,120 BatchNorm moving statistics",
    ),
    trainable_params=Fact(
        25_557_032,
        "torchvision ResNet50_Weights.IMAGENET1K_V1 meta num_params: 25,557,032; concepts.md §4 '25.6 M'",
        note=f"closed form W = {_W50:,}",
    ),
    macs=Fact(
        _M15,
        f"closed form: Σ H_out²·K²·C_in·C_out (v1.5: stride in the 3×3) + 2048·1000 = {_M15:,}",
        note="torchvision ResNet50_Weights meta _ops 4.089; concepts.md §4 4.09",
    ),
    output_shape=Fact((CLASSES,), "ImageNet-1k head: GAP → Dense(1000, softmax)"),
    receptive_field=Fact(
        (_RF15, _RF15),
        "closed form: r += (K−1)·j; with the stride in the 3×3 each stage's first "
        "3×3 sees the finer grid: 11 + 24 + (8 + 48) + (16 + 160) + (32 + 128) = 427",
        note="smaller than v1's 483: in v1 the first 3×3 of stages 3–5 already runs at the doubled jump",
    ),
    reference={
        "torchvision_params": Fact(
            25_557_032,
            "torchvision ResNet50_Weights.IMAGENET1K_V1 meta num_params",
            note="no conv biases, so Keras trainable = torchvision exactly",
        ),
        "torchvision_gmacs": Fact(
            4.089,
            "torchvision ResNet50_Weights meta _ops (GFLOPS, counted as MACs); concepts.md §4 4.09",
            note="same layout as torchvision: no correction",
        ),
        "conv_bias": Fact(0, "v1.5 convs have no bias (BatchNorm's β makes it redundant)"),
        "keras_v1_params": Fact(
            25_636_712,
            "keras.applications.ResNet50: 25,636,712",
            note=f"v1 adds B = {_B50:,} conv biases: 25,610,152 + 26,560 = 25,636,712; the "
            "stride position changes MACs (+231,211,008 here) but no parameter",
        ),
    },
)
