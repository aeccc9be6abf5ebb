"""Declared facts of the Vision Transformer (ViT-B/16): plain data and closed-form arithmetic, no Keras.

ViT is not in ``keras.applications``; the reference is torchvision's ``vit_b_16`` model card (86,567,656 params,
17.56 GFLOPS — torchvision's "GFLOPS" are multiply-accumulates).  Keras counts exactly the same weights here:
LayerNorm has no moving statistics and ``MultiHeadAttention``'s Q/K/V/output projections (kernels + biases)
match ``nn.MultiheadAttention``'s ``in_proj`` + ``out_proj``.  The closed form below reproduces both figures.

MACs (torchvision's convention, also :mod:`models.inspect`'s): patch conv ``N·(P²·3)·D``; per block the Q/K/V and
output projections ``4·T·D²``, the attention products ``QKᵀ`` and ``AV`` ``2·T²·D`` (summed over heads), the
MLP ``2·T·D·M``; the head ``D·classes`` (CLS token only).  ``T = N + 1`` tokens.
"""

from __future__ import annotations

from . import Fact, Variant

_IMG, _P, _D, _M, _H, _L, _CLASSES = 224, 16, 768, 3072, 12, 12, 1000


def _vit() -> dict[str, object]:
    n = (_IMG // _P) ** 2  # 196 patches
    t = n + 1  # + CLS = 197 tokens
    patch = (_P * _P * 3 + 1) * _D
    embed = _D + t * _D  # class token + position embeddings
    block = 2 * (2 * _D)  # two LayerNorms (γ, β)
    block += 4 * (_D * _D + _D)  # Q, K, V, output projections
    block += (_D * _M + _M) + (_M * _D + _D)  # MLP
    params = patch + embed + _L * block + 2 * _D + (_D * _CLASSES + _CLASSES)
    macs = n * (_P * _P * 3) * _D
    macs += _L * (4 * t * _D * _D + 2 * t * t * _D + 2 * t * _D * _M)
    macs += _D * _CLASSES
    return {"params": params, "macs": macs, "tokens": (t, _D), "patches": n}


_VIT = _vit()  # params 86,567,656; MACs 17,563,828,224; tokens (197, 768)

VARIANTS: dict[str, Variant] = {
    "vit_b16": Variant(
        name="vit_b16",
        family="vit",
        builder="models.vit:vit",
        kwargs={"config": "B/16"},
        input_shape=(_IMG, _IMG, 3),
        classes=_CLASSES,
        slow=True,
        params=Fact(
            86_567_656,
            "torchvision vit_b_16 model docs: num_params 86,567,656",
            note="Keras counts the same weights (no BN; MHA projections = in_proj + out_proj); the closed "
            "form in models/facts/vit.py gives the same total",
        ),
        trainable_params=Fact(86_567_656, "torchvision vit_b_16 docs: 86,567,656 (all weights are trainable)"),
        macs=Fact(
            _VIT["macs"],
            "closed form in models/facts/vit.py; torchvision vit_b_16 docs: 17.56 GFLOPS",
            note="torchvision's GFLOPS are MACs and include the attention products QKᵀ and AV "
            "(2·12·197²·768 = 59.6 M): without them the count would be 16.85 G",
        ),
        output_shape=Fact((_CLASSES,), "torchvision vit_b_16: ImageNet-1k head"),
        receptive_field=Fact(
            (_P, _P),
            "Dosovitskiy et al. 2020 §3.1: each token embeds one 16×16 patch",
            note="RF of the deepest spatial map (conv_proj); after the first self-attention every "
            "token depends on the whole image",
        ),
        reference={
            "tokens": Fact(
                _VIT["tokens"],
                "concepts.md §4 / Dosovitskiy et al. 2020 §3.1: (224/16)² = 196 "
                "patches + 1 CLS = 197 tokens of width 768",
                note="output shape of the embedding stage (layer `embedding`)",
            ),
            "closed_form_params": Fact(
                _VIT["params"],
                "closed form in models/facts/vit.py: (16·16·3+1)·768 + "
                "768 + 197·768 + 12·(2·1536 + 4·(768²+768) + 2·768·3072 + 3072 + 768) + "
                "1536 + 769·1000",
            ),
            "torchvision_gflops": Fact(17.56, "torchvision vit_b_16 model docs: GFLOPS 17.56"),
        },
    ),
}

# Published ViT configurations a question may name, as ``"<size>/<patch>": width D``.  Sizes (width, layers,
# heads): Ti 192/12/3 and S 384/12/6 from Touvron et al. 2021 (DeiT, Table 1); B 768/12/12, L 1024/24/16,
# H 1280/32/16 from Dosovitskiy et al. 2021 (Table 1); g 1536/40/24 from Oquab et al. 2023 (DINOv2).  Patch
# sizes as released: B/16, B/32, L/16, L/32, H/14 (Dosovitskiy et al. 2021, Table 2); Ti/16, S/16 (DeiT); S/32,
# B/8 (Steiner et al. 2021, "How to train your ViT?", AugReg checkpoints); S/8 (Caron et al. 2021, DINO);
# S/14, B/14, L/14, g/14 (DINOv2).
WIDTHS = {"Ti": 192, "S": 384, "B": 768, "L": 1024, "H": 1280, "g": 1536}
PUBLISHED = (
    "Ti/16", "S/8", "S/14", "S/16", "S/32", "B/8", "B/14", "B/16", "B/32", "L/14", "L/16", "L/32", "H/14", "g/14",
)  # fmt: skip
CONFIGS: dict[str, dict[str, int]] = {
    name: {"hidden_dim": WIDTHS[name.split("/")[0]], "patch_size": int(name.split("/")[1])} for name in PUBLISHED
}
