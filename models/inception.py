"""Inception: GoogLeNet (Inception-v1) and Inception-v3, built from block tables by one graph walker.

References:

* C. Szegedy, W. Liu, Y. Jia, P. Sermanet, S. Reed, D. Anguelov, D. Erhan, V. Vanhoucke, A. Rabinovich
  (2014), *Going Deeper with Convolutions*, arXiv:1409.4842 (CVPR 2015) — GoogLeNet, Table 1.
* C. Szegedy, V. Vanhoucke, S. Ioffe, J. Shlens, Z. Wojna (2015), *Rethinking the Inception Architecture for
  Computer Vision*, arXiv:1512.00567 (CVPR 2016) — Inception-v3; Keras' ``InceptionV3`` and torchvision's
  ``inception_v3`` implement the released (TF-slim) network, which the builder follows.

=============  =======================================================  ============  =======================
registry name  structure                                                Keras         published
=============  =======================================================  ============  =======================
googlenet      224²; conv 7×7/2 → max 3/2 → LRN → 1×1 → 3×3 → LRN →      6,998,552     torchvision 6,624,904
               max 3/2 → 3a, 3b → max → 4a–4e → max → 5a, 5b → GAP →    (paper        (BN, 3×3 "5×5"
               dropout 0.4 → FC; conv + bias + ReLU (the paper: no BN);  build)        branch); paper 1.5 G
               aux heads after 4a and 4d with ``aux_heads=True``                       multiply-adds
inception_v3   299²; stem (5 convs, 2 max-pools) → 3 × A (35²) → B      23,851,784    torchvision
               (35→17) → 4 × C (17², factorised 1×7/7×1) → D (17→8) →                 27,161,264 (aux head,
               2 × E (8², split 1×3 | 3×1) → GAP → FC; conv (no bias)                 BN γ/β), 5.71 GFLOPS
               → BN (no γ) → ReLU; aux head after 6e with ``aux_head``
=============  =======================================================  ============  =======================

Every Inception block runs its branches on the same input and concatenates them on the channel axis; the
1×1 "reduce" convs sit **before** the expensive 3×3 / 5×5 convs (they are the bottleneck that makes the
block cheap), and the pooling branch ends in a 1×1 "pool projection".

**googlenet** is the paper's network: every conv has a bias and a ReLU, no BatchNorm (BN was published
a year later), local response normalisation after the first pool and after conv2, 5×5 convs in the third
branch, dropout 0.4 before the classifier.  torchvision's ``googlenet`` (6,624,904 parameters) is the
TF-slim port instead: conv **without bias + BatchNorm** (γ, β), 3×3 (not 5×5) in the third branch, no
LRN.  Pass ``batch_norm=True, wide_kernel=3, lrn=False`` to build that one; its trainable count is
exactly torchvision's figure.

**inception_v3** equals ``keras.applications.InceptionV3`` layer for layer (same output-shape sequence):
``Conv2D(use_bias=False) → BatchNormalization(scale=False) → ReLU``, so Keras' count carries BN's β,
moving mean and moving variance (3 per channel, β the only trainable one).  torchvision's BN keeps γ too
(``bn_scale=True``) and its published 27,161,264 includes the auxiliary classifier (avg-pool 5/3 → 1×1 128 →
5×5 768 → FC), which Keras omits: ``aux_head=True, bn_scale=True`` reproduces it as the trainable count.

Names: GoogLeNet blocks are the paper's ``inception3a`` … ``inception5b``; Inception-v3 blocks follow the
paper's grid names ``mixed5b``, ``mixed5c``, ``mixed5d`` (Keras ``mixed0``–``mixed2``), ``mixed6a`` (``mixed3``),
``mixed6b``–``mixed6e`` (``mixed4``–``mixed7``), ``mixed7a`` (``mixed8``), ``mixed7b``, ``mixed7c``
(``mixed9``, ``mixed10``).  Inside a block: ``{block}_{branch}_{i}_conv|bn|relu|pool`` (``i`` = position in
the branch; the split 1×3 | 3×1 pair of an E block is ``{i}a`` / ``{i}b``), the block's concatenation is
``{block}``.
"""

from __future__ import annotations

from typing import Any

from ._keras import check_args, global_pool, keras
from .alexnet import LRN, LocalResponseNormalization

layers = keras.layers


# ---- ops of a branch (plain tuples) ------------------------------------------------------------------------------
def _c(filters: int, kernel: int | tuple[int, int], stride: int = 1, padding: str = "same") -> tuple[Any, ...]:
    return ("conv", filters, kernel if isinstance(kernel, tuple) else (kernel, kernel), stride, padding)


def _p(kind: str, size: int, stride: int, padding: str = "same") -> tuple[Any, ...]:
    return ("pool", kind, size, stride, padding)


def _split(*ops: tuple[Any, ...]) -> tuple[Any, ...]:
    """Parallel ops on the same tensor, concatenated (the 1×3 | 3×1 pair of Inception-v3's E block)."""
    return ("split", ops)


# ---- block templates: arguments → branches (name, ops) -------------------------------------------------------------
def _v1(c1: int, c3r: int, c3: int, c5r: int, c5: int, pool_proj: int, wide_kernel: int = 5) -> tuple[Any, ...]:
    """GoogLeNet's Inception module (paper Fig. 2b); the columns of Table 1."""
    return (
        ("1x1", (_c(c1, 1),)),
        ("3x3", (_c(c3r, 1), _c(c3, 3))),
        ("5x5", (_c(c5r, 1), _c(c5, wide_kernel))),
        ("pool", (_p("max", 3, 1), _c(pool_proj, 1))),
    )


def _v3_a(pool_proj: int, **_: Any) -> tuple[Any, ...]:
    """35×35 module (v3 paper Fig. 5; the released net keeps one 5×5 branch)."""
    return (
        ("1x1", (_c(64, 1),)),
        ("5x5", (_c(48, 1), _c(64, 5))),
        ("3x3dbl", (_c(64, 1), _c(96, 3), _c(96, 3))),
        ("pool", (_p("avg", 3, 1), _c(pool_proj, 1))),
    )


def _v3_b(**_: Any) -> tuple[Any, ...]:
    """Grid reduction 35 → 17 (v3 paper Fig. 10): stride-2 convs in parallel with a stride-2 max-pool."""
    return (
        ("3x3", (_c(384, 3, 2, "valid"),)),
        ("3x3dbl", (_c(64, 1), _c(96, 3), _c(96, 3, 2, "valid"))),
        ("pool", (_p("max", 3, 2, "valid"),)),
    )


def _v3_c(c7: int, **_: Any) -> tuple[Any, ...]:
    """17×17 module with 7×7 factorised into 1×7 and 7×1 (v3 paper Fig. 6, n = 7)."""
    return (
        ("1x1", (_c(192, 1),)),
        ("7x7", (_c(c7, 1), _c(c7, (1, 7)), _c(192, (7, 1)))),
        ("7x7dbl", (_c(c7, 1), _c(c7, (7, 1)), _c(c7, (1, 7)), _c(c7, (7, 1)), _c(192, (1, 7)))),
        ("pool", (_p("avg", 3, 1), _c(192, 1))),
    )


def _v3_d(**_: Any) -> tuple[Any, ...]:
    """Grid reduction 17 → 8."""
    return (
        ("3x3", (_c(192, 1), _c(320, 3, 2, "valid"))),
        ("7x7x3", (_c(192, 1), _c(192, (1, 7)), _c(192, (7, 1)), _c(192, 3, 2, "valid"))),
        ("pool", (_p("max", 3, 2, "valid"),)),
    )


def _v3_e(**_: Any) -> tuple[Any, ...]:
    """8×8 module with expanded filter bank outputs: 1×3 and 3×1 side by side (v3 paper Fig. 7)."""
    return (
        ("1x1", (_c(320, 1),)),
        ("3x3", (_c(384, 1), _split(_c(384, (1, 3)), _c(384, (3, 1))))),
        ("3x3dbl", (_c(448, 1), _c(384, 3), _split(_c(384, (1, 3)), _c(384, (3, 1))))),
        ("pool", (_p("avg", 3, 1), _c(192, 1))),
    )


BLOCKS = {"v1": _v1, "A": _v3_a, "B": _v3_b, "C": _v3_c, "D": _v3_d, "E": _v3_e}

# ---- architecture tables: rows (kind, name, args) walked in order -----------------------------------------------
# kinds: "conv" (filters, kernel, stride, padding) | "pool" (kind, size, stride, padding) | "lrn" | "aux" (head kind)
#        | a BLOCKS key with the template's arguments
GOOGLENET: tuple[tuple[Any, ...], ...] = (
    ("conv", "conv1", (64, 7, 2, "same")),
    ("pool", "pool1", ("max", 3, 2, "same")),
    ("lrn", "norm1", ()),
    ("conv", "conv2_reduce", (64, 1, 1, "same")),
    ("conv", "conv2", (192, 3, 1, "same")),
    ("lrn", "norm2", ()),
    ("pool", "pool2", ("max", 3, 2, "same")),
    # paper Table 1: #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj
    ("v1", "inception3a", (64, 96, 128, 16, 32, 32)),
    ("v1", "inception3b", (128, 128, 192, 32, 96, 64)),
    ("pool", "pool3", ("max", 3, 2, "same")),
    ("v1", "inception4a", (192, 96, 208, 16, 48, 64)),
    ("aux", "aux1", ("v1",)),
    ("v1", "inception4b", (160, 112, 224, 24, 64, 64)),
    ("v1", "inception4c", (128, 128, 256, 24, 64, 64)),
    ("v1", "inception4d", (112, 144, 288, 32, 64, 64)),
    ("aux", "aux2", ("v1",)),
    ("v1", "inception4e", (256, 160, 320, 32, 128, 128)),
    ("pool", "pool4", ("max", 3, 2, "same")),
    ("v1", "inception5a", (256, 160, 320, 32, 128, 128)),
    ("v1", "inception5b", (384, 192, 384, 48, 128, 128)),
)

INCEPTION_V3: tuple[tuple[Any, ...], ...] = (
    ("conv", "conv1a", (32, 3, 2, "valid")),
    ("conv", "conv2a", (32, 3, 1, "valid")),
    ("conv", "conv2b", (64, 3, 1, "same")),
    ("pool", "pool1", ("max", 3, 2, "valid")),
    ("conv", "conv3b", (80, 1, 1, "valid")),
    ("conv", "conv4a", (192, 3, 1, "valid")),
    ("pool", "pool2", ("max", 3, 2, "valid")),
    ("A", "mixed5b", {"pool_proj": 32}),
    ("A", "mixed5c", {"pool_proj": 64}),
    ("A", "mixed5d", {"pool_proj": 64}),
    ("B", "mixed6a", {}),
    ("C", "mixed6b", {"c7": 128}),
    ("C", "mixed6c", {"c7": 160}),
    ("C", "mixed6d", {"c7": 160}),
    ("C", "mixed6e", {"c7": 192}),
    ("aux", "aux", ("v3",)),
    ("D", "mixed7a", {}),
    ("E", "mixed7b", {}),
    ("E", "mixed7c", {}),
)


# ---- the walker --------------------------------------------------------------------------------------------------
class _Units:
    """Conv units of one build: conv → (BN) → ReLU, with the build's conventions."""

    def __init__(self, batch_norm: bool, bn_scale: bool) -> None:
        self.batch_norm, self.bn_scale = batch_norm, bn_scale

    def conv(self, x: Any, filters: int, kernel: Any, stride: int, padding: str, name: str) -> Any:
        x = layers.Conv2D(
            filters, kernel, strides=stride, padding=padding, use_bias=not self.batch_norm, name=f"{name}_conv"
        )(x)
        if self.batch_norm:
            x = layers.BatchNormalization(axis=-1, scale=self.bn_scale, epsilon=1e-3, name=f"{name}_bn")(x)
        return layers.Activation("relu", name=f"{name}_relu")(x)

    @staticmethod
    def pool(x: Any, kind: str, size: int, stride: int, padding: str, name: str) -> Any:
        Pool = layers.MaxPooling2D if kind == "max" else layers.AveragePooling2D
        return Pool(size, strides=stride, padding=padding, name=name)(x)

    def op(self, x: Any, op: tuple[Any, ...], name: str) -> Any:
        if op[0] == "conv":
            return self.conv(x, *op[1:], name=name)
        if op[0] == "pool":
            return self.pool(x, *op[1:], name=f"{name}_pool")
        if op[0] == "split":
            outs = [self.op(x, sub, f"{name}{chr(ord('a') + k)}") for k, sub in enumerate(op[1])]
            return layers.Concatenate(axis=-1, name=f"{name}_concat")(outs)
        raise ValueError(f"unknown op {op[0]!r}")

    def block(self, x: Any, branches: tuple[Any, ...], name: str) -> Any:
        outs = []
        for branch, ops in branches:
            y = x
            for i, op in enumerate(ops, start=1):
                y = self.op(y, op, f"{name}_{branch}_{i}")
            outs.append(y)
        return layers.Concatenate(axis=-1, name=name)(outs)

    def aux(self, x: Any, kind: str, name: str, classes: int, activation: Any) -> Any:
        x = layers.AveragePooling2D(5, strides=3, padding="valid", name=f"{name}_pool")(x)
        x = self.conv(x, 128, 1, 1, "same", f"{name}_proj")
        if kind == "v1":  # GoogLeNet paper sec. 5: 1×1 128 → FC 1024 → dropout 0.7 → classifier
            x = layers.Flatten(name=f"{name}_flatten")(x)
            x = layers.Dense(1024, activation="relu", name=f"{name}_fc")(x)
            x = layers.Dropout(0.7, name=f"{name}_dropout")(x)
        else:  # Inception-v3 (torchvision InceptionAux): 1×1 128 → 5×5 768 ('valid': 5×5 → 1×1) → FC
            x = self.conv(x, 768, 5, 1, "valid", f"{name}_conv5")
            x = layers.GlobalAveragePooling2D(name=f"{name}_gap")(x)
        return layers.Dense(classes, activation=activation, name=f"{name}_predictions")(x)


def _build(
    table: tuple[tuple[Any, ...], ...],
    *,
    include_top: bool,
    input_shape: tuple[Any, ...],
    classes: int,
    pooling: str | None,
    name: str,
    aux: bool,
    batch_norm: bool,
    bn_scale: bool,
    lrn: bool,
    dropout: float,
    block_kwargs: dict[str, Any],
    classifier_activation: Any,
    weights: Any,
) -> Any:
    check_args(weights, pooling)
    u = _Units(batch_norm, bn_scale)
    inputs = keras.Input(shape=tuple(input_shape), name="input_layer")
    x, aux_outputs = inputs, []
    for kind, row_name, args in table:
        if kind == "conv":
            x = u.conv(x, *args, name=row_name)
        elif kind == "pool":
            x = u.pool(x, *args, name=row_name)
        elif kind == "lrn":
            if lrn:
                x = LocalResponseNormalization(**LRN, name=row_name)(x)
        elif kind == "aux":
            if aux and include_top:
                aux_outputs.append(u.aux(x, args[0], row_name, classes, classifier_activation))
        else:
            template = BLOCKS[kind]
            branches = template(*args, **block_kwargs) if isinstance(args, tuple) else template(**args, **block_kwargs)
            x = u.block(x, branches, row_name)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout:
            x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling is not None:
        x = global_pool(pooling)(x)
    return keras.Model(inputs, [x, *aux_outputs] if aux_outputs else x, name=name)


def googlenet(
    include_top: bool = True,
    input_shape: tuple[Any, ...] = (224, 224, 3),
    classes: int = 1000,
    pooling: str | None = None,
    name: str = "googlenet",
    aux_heads: bool = False,
    batch_norm: bool = False,
    lrn: bool = True,
    wide_kernel: int = 5,
    dropout: float = 0.4,
    classifier_activation: Any = "softmax",
    weights: Any = None,
) -> Any:
    """GoogLeNet (Szegedy et al. 2014) from ``GOOGLENET``; ``aux_heads=True`` returns ``[main, aux1, aux2]``.

    Defaults build the paper's network; ``batch_norm=True, wide_kernel=3, lrn=False`` builds torchvision's.
    """
    return _build(
        GOOGLENET, include_top=include_top, input_shape=input_shape, classes=classes, pooling=pooling, name=name,
        aux=aux_heads, batch_norm=batch_norm, bn_scale=True, lrn=lrn, dropout=dropout,
        block_kwargs={"wide_kernel": wide_kernel}, classifier_activation=classifier_activation, weights=weights,
    )  # fmt: skip


def inception_v3(
    include_top: bool = True,
    input_shape: tuple[Any, ...] = (299, 299, 3),
    classes: int = 1000,
    pooling: str | None = None,
    name: str = "inception_v3",
    aux_head: bool = False,
    bn_scale: bool = False,
    classifier_activation: Any = "softmax",
    weights: Any = None,
) -> Any:
    """Inception-v3 from ``INCEPTION_V3``; equal to ``keras.applications.InceptionV3`` with the defaults.

    ``aux_head=True`` returns ``[main, aux]``; ``bn_scale=True`` adds BN's γ (torchvision's convention).
    """
    return _build(
        INCEPTION_V3, include_top=include_top, input_shape=input_shape, classes=classes, pooling=pooling, name=name,
        aux=aux_head, batch_norm=True, bn_scale=bn_scale, lrn=False, dropout=0.0, block_kwargs={},
        classifier_activation=classifier_activation, weights=weights,
    )  # fmt: skip


__all__ = ["BLOCKS", "GOOGLENET", "INCEPTION_V3", "googlenet", "inception_v3"]
