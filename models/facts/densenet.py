"""Facts about DenseNet-121/161/169/201 (plain data, no Keras): closed-form counts and published figures.

Sources: keras.applications' DenseNet121/169/201 (Keras 3 reference implementation, ``weights=None``);
torchvision's ``DenseNet*_Weights.IMAGENET1K_V1`` meta (``num_params``; ``_ops`` = GFLOPS, counted as
multiply-accumulates); concepts.md §4 (DenseNet-161: 28.7 M, 7.73).  Every figure is re-derived below in
closed form from (stem C0, growth k, layers per block), independently of ``models/densenet.py``.

Channel growth: dense block ``b`` starts with ``C0_b`` channels and ends with ``C0_b + L_b·k``; the transition
after it keeps ``floor(C/2)``.  Convs are bias-free, so the two conventions differ only by BatchNorm's
moving statistics: torchvision ``num_params`` = Keras trainable (γ, β) and Keras ``count_params()`` =
trainable + 2·(BN channels).
"""

from __future__ import annotations

from . import Fact, Variant

IMAGE = 224
CLASSES = 1000
BOTTLENECK = 4  # 1×1 conv width = 4k
STAGES = ("conv2", "conv3", "conv4", "conv5")
SIDES = (56, 28, 14, 7)  # dense block resolution at 224: stem 7×7/2 → 112, max-pool → 56, each transition /2
DEPTHS = {
    121: (64, 32, (6, 12, 24, 16)),
    161: (96, 48, (6, 12, 36, 24)),
    169: (64, 32, (6, 12, 32, 32)),
    201: (64, 32, (6, 12, 48, 32)),
}


def count(depth: int) -> dict[str, object]:
    """Closed-form walk of the architecture table: weights, BN channels, MACs, RF and channels per block."""
    c0, k, blocks = DEPTHS[depth]
    conv_w, bn, mac = 7 * 7 * 3 * c0, c0, (IMAGE // 2) ** 2 * 7 * 7 * 3 * c0  # stem conv + its BN
    r, j = 1 + 6 * 1, 2  # stem 7×7 / 2
    r, j = r + 2 * j, j * 2  # max-pool 3×3 / 2: r = 11, j = 4
    c, block_out, trans_out = c0, [], []
    for b, (n, side) in enumerate(zip(blocks, SIDES, strict=True)):
        for i in range(n):
            cin = c + i * k
            conv_w += cin * BOTTLENECK * k + 9 * BOTTLENECK * k * k  # 1×1 (4k) + 3×3 (k)
            bn += cin + BOTTLENECK * k  # BN before each conv
            mac += side * side * (cin * BOTTLENECK * k + 9 * BOTTLENECK * k * k)
            r += 2 * j  # each 3×3 on the path
        c += n * k
        block_out.append(c)
        if b < len(blocks) - 1:  # transition: BN-ReLU-1×1 (c → c//2) at this side, then 2×2 avg-pool
            conv_w += c * (c // 2)
            bn += c
            mac += side * side * c * (c // 2)
            r, j = r + 1 * j, j * 2
            c //= 2
            trans_out.append(c)
    bn += c  # final BN
    trainable = conv_w + 2 * bn + (c + 1) * CLASSES
    return {
        "trainable": trainable,
        "bn_channels": bn,
        "params": trainable + 2 * bn,
        "macs": mac + c * CLASSES,
        "rf": r,
        "block_out": tuple(block_out),
        "transition_out": tuple(trans_out),
        "final_channels": c,
    }


TV = {  # torchvision DenseNet*_Weights.IMAGENET1K_V1 meta: (num_params, _ops GFLOPS)
    121: (7_978_856, 2.834),
    161: (28_681_000, 7.728),
    169: (14_149_480, 3.36),
    201: (20_013_928, 4.291),
}
KERAS = {121: 8_062_504, 169: 14_307_880, 201: 20_242_984}  # keras.applications.DenseNet*(weights=None)


def _variant(depth: int) -> Variant:
    f = count(depth)
    c0, k, blocks = DEPTHS[depth]
    tv_params, tv_gmacs = TV[depth]
    trainable, bn, params, m, rf = f["trainable"], f["bn_channels"], f["params"], f["macs"], f["rf"]
    rf_terms = " + ".join(f"{n}·{2 * 4 * 2**b}" for b, n in enumerate(blocks))
    ref: dict[str, Fact] = {
        "torchvision_params": Fact(
            tv_params,
            f"torchvision DenseNet{depth}_Weights.IMAGENET1K_V1 meta num_params",
            note=f"bias-free convs: torchvision counts the same trainable weights (BN γ/β) as Keras; Keras' "
            f"count_params() adds BN moving mean/var, 2·{bn:,}: {tv_params:,} + {2 * bn:,} = {params:,}",
        ),
        "torchvision_gmacs": Fact(
            tv_gmacs,
            f"torchvision DenseNet{depth}_Weights meta _ops (GFLOPS, counted as MACs)",
            note="convs + classifier, pools 0: the same convention as models.inspect",
        ),
        "bn_channels": Fact(bn, f"closed form: Σ channels entering every BatchNorm = {bn:,}"),
    }
    cin = c0
    for b, (stage, n, out) in enumerate(zip(STAGES, blocks, f["block_out"], strict=True)):
        nxt = f" ; transition pool{b + 2} keeps floor({out}/2) = {out // 2}" if b < len(blocks) - 1 else ""
        ref[f"{stage}_out_channels"] = Fact(
            out,
            f"closed form: C0 + L·k = {cin} + {n}·{k} = {out}{nxt}",
            note=f"dense block {stage}: {n} layers, each concatenating k = {k} new maps",
        )
        cin = out // 2
    if depth == 161:
        ref["concepts_params_m"] = Fact(
            28.7,
            "concepts.md §4: DenseNet-161 28.7 M (torchvision/paper convention)",
            note=f"= Keras trainable {tv_params:,}, rounded",
        )
        ref["concepts_gmacs"] = Fact(
            7.73, "concepts.md §4: DenseNet-161 7.73 GFLOPs (MACs)", note=f"closed form {m:,} MACs"
        )
    if depth in KERAS:
        params_fact = Fact(
            KERAS[depth],
            f"keras.applications.DenseNet{depth}: {KERAS[depth]:,}",
            note=f"closed form trainable + 2·BN = {trainable:,} + 2·{bn:,} = {params:,}",
        )
        trainable_fact = Fact(
            tv_params,
            f"torchvision DenseNet{depth} num_params {tv_params:,} = "
            f"keras.applications.DenseNet{depth} trainable weights",
            note=f"closed form: convs + 2·BN + fc = {trainable:,}",
        )
    else:
        params_fact = Fact(
            params, f"closed form (not in keras.applications): trainable + 2·BN = {trainable:,} + 2·{bn:,} = {params:,}"
        )
        trainable_fact = Fact(
            tv_params,
            f"torchvision DenseNet{depth}_Weights num_params: {tv_params:,}; concepts.md §4 '28.7 M'",
            note=f"closed form: convs + 2·BN + fc = {trainable:,}",
        )
    return Variant(
        name=f"densenet{depth}",
        family="densenet",
        builder="models.densenet:densenet",
        kwargs={"depth": depth},
        slow=depth == 201,
        params=params_fact,
        trainable_params=trainable_fact,
        macs=Fact(
            m,
            f"closed form: Σ H²·(C_in·4k + 9·4k·k) over dense layers + transitions H²·C·C/2 + stem + "
            f"{f['final_channels']}·1000 = {m:,}",
            note=f"torchvision _ops {tv_gmacs}",
        ),
        output_shape=Fact((CLASSES,), "ImageNet-1k head: BN-ReLU → GAP → Dense(1000, softmax)"),
        receptive_field=Fact(
            (rf, rf),
            f"closed form: 11 (stem + pool) + {rf_terms} (2·j per 3×3, j = 4, 8, 16, 32) "
            f"+ 4 + 8 + 16 (transition 2×2 pools) = {rf}",
        ),
        reference=ref,
    )


VARIANTS = {f"densenet{d}": _variant(d) for d in DEPTHS}
