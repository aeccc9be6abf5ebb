"""Facts about VGG-16 / VGG-19 (plain data, no Keras): keras.applications, paper and torchvision figures.

Closed forms: each 3×3 'same' conv costs ``(9·C_in + 1)·C_out`` parameters and ``H²·9·C_in·C_out`` MACs at
its block's resolution (224, 112, 56, 28, 14); the FC top ``(25,088 + 1)·4096 + (4096 + 1)·4096 +
(4096 + 1)·1000``.
"""

from __future__ import annotations

from . import Fact, Variant

WIDTHS = (64, 128, 256, 512, 512)
SIDES = (224, 112, 56, 28, 14)  # each block's conv resolution at 224 input (2×2/2 max-pool between blocks)
DEPTHS = {"vgg16": (2, 2, 3, 3, 3), "vgg19": (2, 2, 4, 4, 4)}  # paper Table 1, configurations D and E
FC = ((7 * 7 * 512, 4096), (4096, 4096), (4096, 1000))


def _convs(depths: tuple[int, ...]) -> list[tuple[int, int, int]]:
    """(C_in, C_out, H) of every conv, in order."""
    out, c_in = [], 3
    for n, width, side in zip(depths, WIDTHS, SIDES):
        for _ in range(n):
            out.append((c_in, width, side))
            c_in = width
    return out


def _conv_params(depths: tuple[int, ...]) -> int:
    return sum((9 * c_in + 1) * c_out for c_in, c_out, _ in _convs(depths))


def _macs(depths: tuple[int, ...]) -> int:
    return sum(h * h * 9 * c_in * c_out for c_in, c_out, h in _convs(depths)) + sum(a * b for a, b in FC)


def _rf(depths: tuple[int, ...]) -> int:
    """RF of block5_pool: each 3×3 conv adds 2·j, each 2×2/2 pool adds 1·j then doubles j."""
    r, j = 1, 1
    for n in depths:
        r += n * 2 * j + 1 * j
        j *= 2
    return r


FC_PARAMS = sum((a + 1) * b for a, b in FC)  # 102,764,544 + 16,781,312 + 4,097,000 = 123,642,856
CLOSED = {name: _conv_params(d) + FC_PARAMS for name, d in DEPTHS.items()}  # 138,357,544 / 143,667,240
CONV_PARAMS = {name: _conv_params(d) for name, d in DEPTHS.items()}  # 14,714,688 / 20,024,384
MACS = {name: _macs(d) for name, d in DEPTHS.items()}  # 15,470,264,320 / 19,632,062,464
RF = {name: _rf(d) for name, d in DEPTHS.items()}  # 212 / 268
# torchvision's vgg*_bn: a BatchNorm after every conv adds a trainable scale and shift per channel
BN_PARAMS = {name: CLOSED[name] + sum(2 * c_out for _, c_out, _ in _convs(d)) for name, d in DEPTHS.items()}


def _variant(
    name: str, config: str, keras_params: int, keras_cls: str, paper_m: int, tv_gmacs: float, slow: bool
) -> Variant:
    share = round(FC_PARAMS / keras_params, 3)
    return Variant(
        name=name,
        family="vgg",
        builder="models.vgg:vgg",
        kwargs={"config": config},
        input_shape=(224, 224, 3),
        slow=slow,
        params=Fact(keras_params, f"keras.applications.{keras_cls} docs table: {keras_params:,} parameters"),
        trainable_params=Fact(keras_params, f"keras.applications.{keras_cls}: no BatchNorm, all trainable"),
        macs=Fact(
            MACS[name],
            f"closed form Σ H²·9·C_in·C_out + Σ n_in·n_out = {MACS[name]:,}; torchvision docs: {tv_gmacs} GFLOPS",
        ),
        output_shape=Fact((1000,), f"keras.applications.{keras_cls}: 1000 ImageNet classes"),
        receptive_field=Fact((RF[name], RF[name]), "closed form at block5_pool: r += 2·j per conv, +j per pool"),
        reference={
            "closed_form_params": Fact(
                CLOSED[name], f"closed form: {CONV_PARAMS[name]:,} (3×3 convs) + {FC_PARAMS:,} (FC)"
            ),
            "conv_params": Fact(
                CONV_PARAMS[name],
                f"closed form Σ (9·C_in + 1)·C_out; keras.applications.{keras_cls} include_top=False",
            ),
            "fc_params": Fact(FC_PARAMS, "closed form: (25088+1)·4096 + (4096+1)·4096 + (4096+1)·1000 = 123,642,856"),
            "fc_share": Fact(
                share,
                f"closed form 123,642,856 / {keras_params:,} = {share}",
                note="concepts.md §4: 'most params in the FC layers' — fc1 alone (102,764,544) outweighs "
                "all the convs together.",
            ),
            "paper_params": Fact(
                paper_m * 1_000_000,
                f"Simonyan & Zisserman 2014, Table 2: {paper_m} M parameters for configuration {config}",
                note="rounded to millions; same network (biases, no BatchNorm) as Keras.",
            ),
            "torchvision_bn_params": Fact(
                BN_PARAMS[name],
                f"closed form {CLOSED[name]:,} + 2·Σ C_out (BatchNorm γ, β) = {BN_PARAMS[name]:,}; torchvision "
                f"{name}_bn docs: num_params {BN_PARAMS[name]:,}",
                note="the BatchNorm variant torchvision's published top-1 of the seed's table refers to",
            ),
            "torchvision_gmacs": Fact(
                tv_gmacs,
                f"torchvision.models.{name} docs: GFLOPS {tv_gmacs}"
                + ("; concepts.md §4: VGG-19 19.6 GMACs" if name == "vgg19" else ""),
                note="torchvision's 'GFLOPS' counts multiply-accumulates; its adaptive 7×7 pool is the "
                "identity at 224, so the network (and its 138/143.7 M parameters) equals Keras'.",
            ),
        },
    )


VARIANTS = {
    "vgg16": _variant("vgg16", "D", 138_357_544, "VGG16", 138, 15.47, slow=False),
    # the heaviest model of the lenet/alexnet/vgg/inception families: marked slow
    "vgg19": _variant("vgg19", "E", 143_667_240, "VGG19", 144, 19.63, slow=True),
}
