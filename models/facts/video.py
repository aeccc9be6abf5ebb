"""Declared facts of the video CNNs (C3D, I3D, SlowFast-R50): plain data and closed-form arithmetic, no Keras.

None of these models is in ``keras.applications``, and the papers do not publish a figure in Keras' convention,
so every Keras-convention figure here is an INDEPENDENT closed-form count over the architecture (written out
below from the papers' tables, not read off a built model); the papers' / reference implementations' figures go
in ``reference`` with the difference explained.

Conventions: a conv has ``prod(K)·C_in·C_out`` weights (+``C_out`` bias); Keras' BatchNormalization has
``γ, β`` (trainable) and moving mean/variance (non-trainable): ``4·C`` in ``count_params()``, ``3·C`` with
``scale=False`` (I3D).  MACs follow torchvision: ``positions·prod(K)·C_in·C_out`` per conv, ``n_in·n_out`` per
dense layer; pools, BN and activations count 0.  Receptive fields are per axis ``(t, h, w)``:
``r ← r + (K−1)·j``, ``j ← j·S``.
"""

from __future__ import annotations

from math import ceil, prod

from . import Fact, Variant

# ------------------------------------------------------------------------------------------------------ C3D
# Tran et al. 2015, §3.3: 8 convs (3×3×3, stride 1, padded), 5 max pools (pool1 1×2×2, the rest 2×2×2),
# fc6/fc7 4096, softmax over Sports-1M's 487 classes; input 3×16×112×112.  Caffe's pooling rounds up
# (ceil mode), so pool5 maps 2×7×7 → 1×4×4 and fc6 sees 4·4·512 = 8192 inputs.

_C3D_CONVS = [(3, 64), (64, 128), (128, 256), (256, 256), (256, 512), (512, 512), (512, 512), (512, 512)]
_C3D_BLOCK_OF = [1, 2, 3, 3, 4, 4, 5, 5]  # conv i sits in block _C3D_BLOCK_OF[i], followed by that block's pool
_C3D_POOLS = {1: (1, 2, 2), 2: (2, 2, 2), 3: (2, 2, 2), 4: (2, 2, 2), 5: (2, 2, 2)}
_C3D_INPUT = (16, 112, 112, 3)
_C3D_CLASSES = 487


def _c3d() -> dict[str, object]:
    t, h, w = _C3D_INPUT[:3]
    params = macs = 0
    r, j = [1, 1, 1], [1, 1, 1]
    for i, (cin, cout) in enumerate(_C3D_CONVS):
        params += 27 * cin * cout + cout
        macs += t * h * w * 27 * cin * cout
        r = [ri + 2 * ji for ri, ji in zip(r, j)]
        last_in_block = i + 1 == len(_C3D_CONVS) or _C3D_BLOCK_OF[i + 1] != _C3D_BLOCK_OF[i]
        if last_in_block:
            p = _C3D_POOLS[_C3D_BLOCK_OF[i]]
            t, h, w = ceil(t / p[0]), ceil(h / p[1]), ceil(w / p[2])
            r = [ri + (pi - 1) * ji for ri, pi, ji in zip(r, p, j)]
            j = [ji * pi for ji, pi in zip(j, p)]
    flat = t * h * w * 512  # 1·4·4·512 = 8192
    for n_in, n_out in [(flat, 4096), (4096, 4096), (4096, _C3D_CLASSES)]:
        params += n_in * n_out + n_out
        macs += n_in * n_out
    return {"params": params, "macs": macs, "rf": tuple(r), "flat": flat}


_C3D = _c3d()  # params 79,991,015; MACs 38,548,959,232; RF (76, 150, 150)

# ------------------------------------------------------------------------------------------------------ I3D
# Carreira & Zisserman 2017, Fig. 3: Inception-v1 (BN) inflated; every conv is conv (no bias) → BN (β only,
# Sonnet's default) → ReLU.  Mixed blocks: (#1×1, #3×3 reduce, #3×3, #"5×5" reduce, #"5×5" (a 3×3 here, as in
# DeepMind's code), pool proj).  Input 64×224×224×3, Kinetics' 400 classes.

_I3D_MIXED = {
    "3b": (64, 96, 128, 16, 32, 32),
    "3c": (128, 128, 192, 32, 96, 64),
    "4b": (192, 96, 208, 16, 48, 64),
    "4c": (160, 112, 224, 24, 64, 64),
    "4d": (128, 128, 256, 24, 64, 64),
    "4e": (112, 144, 288, 32, 64, 64),
    "4f": (256, 160, 320, 32, 128, 128),
    "5b": (256, 160, 320, 32, 128, 128),
    "5c": (384, 192, 384, 48, 128, 128),
}
_I3D_INPUT = (64, 224, 224, 3)
_I3D_CLASSES = 400


def _i3d() -> dict[str, object]:
    convs: list[tuple[tuple[int, int, int], int, int, int]] = []  # (kernel, C_in, C_out, output positions)
    t, h, w = _I3D_INPUT[:3]
    t, h, w = ceil(t / 2), ceil(h / 2), ceil(w / 2)  # conv1a 7×7×7 stride 2
    convs.append(((7, 7, 7), 3, 64, t * h * w))
    h, w = ceil(h / 2), ceil(w / 2)  # pool2a 1×3×3 stride 1×2×2
    convs += [((1, 1, 1), 64, 64, t * h * w), ((3, 3, 3), 64, 192, t * h * w)]
    h, w = ceil(h / 2), ceil(w / 2)  # pool3a 1×3×3 stride 1×2×2
    c = 192
    for name, (f0, f1a, f1b, f2a, f2b, f3) in _I3D_MIXED.items():
        if name in ("4b", "5b"):  # pool4a 3×3×3 / pool5a 2×2×2, both stride 2
            t, h, w = ceil(t / 2), ceil(h / 2), ceil(w / 2)
        p = t * h * w
        convs += [
            ((1, 1, 1), c, f0, p),
            ((1, 1, 1), c, f1a, p),
            ((3, 3, 3), f1a, f1b, p),
            ((1, 1, 1), c, f2a, p),
            ((3, 3, 3), f2a, f2b, p),
            ((1, 1, 1), c, f3, p),
        ]
        c = f0 + f1b + f2b + f3
    conv_w = sum(prod(k) * ci * co for k, ci, co, _ in convs)
    bn_c = sum(co for *_, co, _p in convs)
    head = c * _I3D_CLASSES + _I3D_CLASSES
    macs = sum(p * prod(k) * ci * co for k, ci, co, p in convs) + c * _I3D_CLASSES
    # receptive field (t, h, w): each mixed block adds 2·j per axis (1×1 → 3×3, or 3×3 pool → 1×1)
    r, j = [7, 7, 7], [2, 2, 2]
    for k, s in [((1, 3, 3), (1, 2, 2)), ((3, 3, 3), (1, 1, 1)), ((1, 3, 3), (1, 2, 2))]:  # pool2a, conv2c, pool3a
        r = [ri + (ki - 1) * ji for ri, ki, ji in zip(r, k, j)]
        j = [ji * si for ji, si in zip(j, s)]
    for name in _I3D_MIXED:
        if name == "4b":
            r, j = [ri + 2 * ji for ri, ji in zip(r, j)], [2 * ji for ji in j]  # pool4a 3×3×3 stride 2
        if name == "5b":
            r, j = [ri + ji for ri, ji in zip(r, j)], [2 * ji for ji in j]  # pool5a 2×2×2 stride 2
        r = [ri + 2 * ji for ri, ji in zip(r, j)]
    return {
        "params": conv_w + 3 * bn_c + head,  # BN scale=False: β, moving mean, moving variance
        "trainable": conv_w + bn_c + head,
        "torch_params": conv_w + 2 * bn_c + head,  # torchvision-style BN with γ and β
        "macs": macs,
        "rf": tuple(r),
        "features": c,
    }


_I3D = _i3d()  # params 12,704,544; trainable 12,689,984; MACs 111,150,686,208; RF (99, 379, 379)

# ------------------------------------------------------------------------------------------------- SlowFast
# Feichtenhofer et al. 2019, Table 1 (ResNet-50, T×τ = 4×16, α = 8, β = 1/8): slow conv1 1×7×7, 64; fast
# conv1 5×7×7, 8; bottleneck stages (blocks, slow width, temporal kernel of conv "a" slow/fast):
# res2 (3, 64, 1/3), res3 (4, 128, 1/3), res4 (6, 256, 3/3), res5 (3, 512, 3/3); widths ×4 at each block's
# output, the first block of each stage has a projection shortcut.  Laterals (PySlowFast's FuseFastToSlow):
# 5×1×1 conv, stride α, 2·C_fast channels, BN, ReLU, concatenated to the slow pathway after pool1/res2/res3/res4.
# Head: both pathways globally average pooled, concatenated (2048 + 256), dropout, dense 400.
# Declared at the paper's inference view: 32 (fast) frames of 256×256 (slow pathway: 4 frames).

_SF_STAGES = [(3, 64, 1, 1), (4, 128, 1, 2), (6, 256, 3, 2), (3, 512, 3, 2)]  # blocks, width, slow t-kernel, stride
_SF_ALPHA, _SF_BETA_INV, _SF_FUSION_K = 8, 8, 5
_SF_INPUT = (32, 256, 256, 3)
_SF_CLASSES = 400


def _slowfast() -> dict[str, int]:
    tf = _SF_INPUT[0]
    ts = tf // _SF_ALPHA
    s = ceil(_SF_INPUT[1] / 4)  # conv1 stride 2, pool1 stride 2: 256 → 64
    convs: list[tuple[int, int, int, int]] = []  # (prod(kernel), C_in, C_out, output positions); each has a BN
    convs.append((1 * 7 * 7, 3, 64, ts * (2 * s) ** 2))
    convs.append((5 * 7 * 7, 3, 64 // _SF_BETA_INV, tf * (2 * s) ** 2))
    slow_c, fast_c = 64, 64 // _SF_BETA_INV

    def lateral(fast_c: int, s: int) -> int:
        convs.append((_SF_FUSION_K, fast_c, 2 * fast_c, ts * s * s))
        return 2 * fast_c

    slow_c += lateral(fast_c, s)
    for i, (blocks, width, slow_tk, stride) in enumerate(_SF_STAGES):
        s_out = ceil(s / stride)
        for t, w, tk, c_attr in ((ts, width, slow_tk, "slow"), (tf, width // _SF_BETA_INV, 3, "fast")):
            c_in = slow_c if c_attr == "slow" else fast_c
            for b in range(blocks):
                s_in = s if b == 0 else s_out
                cin = c_in if b == 0 else 4 * w
                convs.append((tk, cin, w, t * s_in * s_in))  # a: tk×1×1 at the block's input resolution
                convs.append((9, w, w, t * s_out * s_out))  # b: 1×3×3, spatial stride here
                convs.append((1, w, 4 * w, t * s_out * s_out))  # c: 1×1×1
                if b == 0:
                    convs.append((1, cin, 4 * w, t * s_out * s_out))  # projection shortcut
        slow_c, fast_c, s = 4 * width, 4 * width // _SF_BETA_INV, s_out
        if i < len(_SF_STAGES) - 1:
            slow_c += lateral(fast_c, s)
    conv_w = sum(k * ci * co for k, ci, co, _ in convs)
    bn_c = sum(co for _k, _ci, co, _p in convs)
    feat = slow_c + fast_c
    head = feat * _SF_CLASSES + _SF_CLASSES
    lateral_bn = 2 * sum(co for k, _ci, co, _p in convs if k == _SF_FUSION_K)
    return {
        "params": conv_w + 4 * bn_c + head,
        "trainable": conv_w + 2 * bn_c + head,
        "no_lateral_bn": conv_w + 2 * bn_c + head - lateral_bn,
        "macs": sum(k * ci * co * p for k, ci, co, p in convs) + feat * _SF_CLASSES,
        "features": feat,
    }


_SF = _slowfast()  # params 34,540,904; trainable 34,480,216; MACs 36,099,198,976

_CF = "closed form in models/facts/video.py"

VARIANTS: dict[str, Variant] = {
    "c3d": Variant(
        name="c3d",
        family="video",
        builder="models.video:c3d",
        input_shape=_C3D_INPUT,
        classes=_C3D_CLASSES,
        slow=True,
        params=Fact(
            _C3D["params"],
            f"{_CF}: Σ(27·C_in+1)·C_out over conv1a…conv5b + (8192+1)·4096 + "
            "(4096+1)·4096 + (4096+1)·487 (Tran et al. 2015, §3.3 architecture)",
        ),
        trainable_params=Fact(_C3D["params"], f"{_CF}: no BatchNorm, every weight is trainable"),
        macs=Fact(
            _C3D["macs"],
            f"{_CF}: Σ T·H·W·27·C_in·C_out + dense n_in·n_out at 16×112×112",
            note="≈38.5 G multiply-adds, the figure usually quoted as C3D's '38.5 GFLOPs'",
        ),
        output_shape=Fact((_C3D_CLASSES,), "Tran et al. 2015: softmax over Sports-1M's 487 classes"),
        receptive_field=Fact(_C3D["rf"], f"{_CF}: RF of pool5 (t, h, w) — 8 convs 3×3×3 and 5 pools"),
        reference={
            "fc6_inputs": Fact(
                _C3D["flat"],
                "Tran et al. 2015: pool5 output 1×4×4×512 (Caffe ceil-mode pooling)",
                note="Keras MaxPooling3D(padding='same') reproduces Caffe's ceil rounding 7 → 4",
            ),
            "ucf101_params": Fact(
                _C3D["params"] - (4096 + 1) * (_C3D_CLASSES - 101),
                f"{_CF}: the same net with a 101-class (UCF101) head",
                note="Tran et al. 2015 state no total for the final C3D (only 17.5M for the 2048-fc nets of their "
                "kernel-depth search).  With Sports-1M's 487 classes the count is 79,991,015 ≈ 80.0M; a "
                "≈78M figure matches this net with a 101-class (UCF101) head (78,409,573); Carreira & Zisserman "
                "2017 (Table 1) list their C3D-style 3D-ConvNet at 79M.  Keras and Caffe count the same weights "
                "(no BN).",
            ),
        },
    ),
    "i3d": Variant(
        name="i3d",
        family="video",
        builder="models.video:i3d",
        input_shape=_I3D_INPUT,
        classes=_I3D_CLASSES,
        slow=True,
        params=Fact(
            _I3D["params"],
            f"{_CF}: Σ prod(K)·C_in·C_out (no bias) + 3·C per BN (β, moving mean/var; "
            "scale=False as in DeepMind's Sonnet code) + (1024+1)·400",
        ),
        trainable_params=Fact(_I3D["trainable"], f"{_CF}: conv weights + β per BN + head"),
        macs=Fact(_I3D["macs"], f"{_CF}: at 64×224×224 (stem 32×112×112, mixed3 32×28², mixed4 16×14², mixed5 8×7²)"),
        output_shape=Fact((_I3D_CLASSES,), "Carreira & Zisserman 2017: Kinetics-400 classes"),
        receptive_field=Fact(
            _I3D["rf"],
            f"{_CF}: RF of mixed5c (t, h, w); the temporal RF of 99 frames follows "
            "from the 1×3×3 (no temporal) first two pools",
        ),
        reference={
            "paper_two_stream_params_m": Fact(
                25,
                "Carreira & Zisserman 2017, Table 1: Two-Stream I3D 25M parameters",
                note=f"PyTorch/Sonnet-style count of one RGB stream with γ+β per BN: {_I3D['torch_params']:,}; the "
                "flow stream takes 2 input channels (7·7·7·64 = 21,952 fewer weights): "
                f"{2 * _I3D['torch_params'] - 343 * 64:,} ≈ 25M for both.  Our BN has β only (scale=False, "
                f"Sonnet's default): {_I3D['trainable']:,} trainable; Keras count_params() adds the BN moving "
                "mean/variance (2·7,280).",
            ),
            "torch_params": Fact(_I3D["torch_params"], f"{_CF}: one stream, BN with γ and β"),
            "features": Fact(_I3D["features"], "Carreira & Zisserman 2017, Fig. 3: Mixed_5c outputs 1024 channels"),
        },
    ),
    "slowfast_r50": Variant(
        name="slowfast_r50",
        family="video",
        builder="models.video:slowfast",
        input_shape=_SF_INPUT,
        classes=_SF_CLASSES,
        slow=True,
        params=Fact(
            _SF["params"], f"{_CF}: conv weights (no bias) + 4·C per BN (γ, β, moving mean/var) + (2304+1)·400"
        ),
        trainable_params=Fact(_SF["trainable"], f"{_CF}: conv weights + 2·C per BN + head"),
        macs=Fact(_SF["macs"], f"{_CF}: slow 4×256², fast 32×256² (the paper's 256×256 inference view)"),
        output_shape=Fact((_SF_CLASSES,), "Feichtenhofer et al. 2019: Kinetics-400 classes"),
        reference={
            "paper_gflops": Fact(
                36.1,
                "Feichtenhofer et al. 2019, Table 2: SlowFast 4×16, R50: 36.1 GFLOPs per view",
                note="the paper's FLOPs are multiply-adds of one 256×256 view; the closed form gives "
                "36,099,198,976 MACs, i.e. 36.1 G",
            ),
            "mmaction2_params": Fact(
                34_479_288,
                "open-mmlab/mmaction2 slowfast_r50_4x16x1_256e_kinetics400_rgb metafile: Parameters "
                "34479288 (the paper rounds to ≈34.5M)",
                note=f"mmaction2's lateral convs have no BatchNorm; PySlowFast's (and ours) have BN after each "
                f"lateral: +2·(16+64+128+256) = 928 trainable → {_SF['trainable']:,}.  Keras count_params() "
                "adds the BN moving mean/variance.",
            ),
            "mmaction2_no_lateral_bn": Fact(
                _SF["no_lateral_bn"], f"{_CF}: trainable count without lateral BN", note="equals mmaction2's 34,479,288"
            ),
            "mmaction2_flops": Fact(
                36_441_296_896,
                "open-mmlab/mmaction2 metafile: FLOPs 36441296896 (256×256)",
                note="mmcv's counter also counts BN, ReLU and pooling ops, hence above 36.10 G",
            ),
            "features": Fact(_SF["features"], "Feichtenhofer et al. 2019, Table 1: res5 2048 (slow) + 256 (fast)"),
        },
    ),
}
