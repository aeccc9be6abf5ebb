"""Vision Transformer, built from a table of configurations with ``keras.applications``-style arguments.

Reference: A. Dosovitskiy, L. Beyer, A. Kolesnikov, D. Weissenborn, X. Zhai, T. Unterthiner, M. Dehghani,
M. Minderer, G. Heigold, S. Gelly, J. Uszkoreit, N. Houlsby (2020), *An Image is Worth 16x16 Words:
Transformers for Image Recognition at Scale*, arXiv:2010.11929 (ICLR 2021).  Layout as torchvision's
``vit_b_16`` (pre-norm blocks, LayerNorm ε = 1e-6, exact GELU, a linear head on the final CLS token).

=========  =====  ======  ====  =====  ======  =====================================================
config     patch  hidden  MLP   heads  layers  registry name
=========  =====  ======  ====  =====  ======  =====================================================
``B/16``   16     768     3072  12     12      ``vit_b16`` (224×224: 196 patches + CLS = 197 tokens)
``B/32``   32     768     3072  12     12      —
``L/16``   16     1024    4096  16     24      —
=========  =====  ======  ====  =====  ======  =====================================================

Structure: ``conv_proj`` (Conv2D hidden, patch×patch, stride patch) → ``patches`` (Reshape to N×hidden) →
``embedding`` (prepend the learned CLS token, add learned position embeddings: (N+1)×hidden) → blocks
``encoder_block{i}_…`` (LN → MultiHeadAttention → +, LN → Dense·GELU → Dense → +) → ``encoder_ln`` →
``cls_token`` (Cropping1D keeps token 0) → ``head``.  The only custom layer is :class:`ClassTokenPosEmbedding`
(Keras has no built-in learned CLS token / position embedding).
"""

from __future__ import annotations

from typing import Any

from ._keras import check_args, global_pool, keras

layers = keras.layers
ops = keras.ops

VIT_CONFIGS: dict[str, dict[str, int]] = {
    "B/16": {"patch_size": 16, "hidden_dim": 768, "mlp_dim": 3072, "num_heads": 12, "num_layers": 12},
    "B/32": {"patch_size": 32, "hidden_dim": 768, "mlp_dim": 3072, "num_heads": 12, "num_layers": 12},
    "L/16": {"patch_size": 16, "hidden_dim": 1024, "mlp_dim": 4096, "num_heads": 16, "num_layers": 24},
}


@keras.saving.register_keras_serializable(package="cnnquiz")
class ClassTokenPosEmbedding(layers.Layer):
    """``(B, N, D) → (B, N+1, D)``: prepend a learned CLS token, add learned position embeddings.

    Weights: ``class_token`` (1, 1, D) and ``pos_embedding`` (1, N+1, D) — torchvision's ``class_token`` and
    ``encoder.pos_embedding``.
    """

    def build(self, input_shape: tuple[Any, ...]) -> None:
        n, d = int(input_shape[1]), int(input_shape[2])
        self.class_token = self.add_weight(shape=(1, 1, d), initializer="zeros", name="class_token")
        self.pos_embedding = self.add_weight(
            shape=(1, n + 1, d), initializer=keras.initializers.RandomNormal(stddev=0.02), name="pos_embedding"
        )

    def call(self, x: Any) -> Any:
        cls = ops.broadcast_to(ops.cast(self.class_token, x.dtype), (ops.shape(x)[0], 1, ops.shape(x)[2]))
        return ops.concatenate([cls, x], axis=1) + ops.cast(self.pos_embedding, x.dtype)

    def compute_output_shape(self, input_shape: tuple[Any, ...]) -> tuple[Any, ...]:
        n = None if input_shape[1] is None else input_shape[1] + 1
        return (input_shape[0], n, input_shape[2])


def vit(
    include_top: bool = True,
    weights: Any = None,
    input_shape: tuple[int, ...] = (224, 224, 3),
    classes: int = 1000,
    pooling: str | None = None,
    classifier_activation: str | None = "softmax",
    name: str = "vit_b16",
    config: str = "B/16",
    dropout: float = 0.0,
    attention_dropout: float = 0.0,
) -> keras.Model:
    """ViT (Dosovitskiy et al. 2020) of the given ``config`` (a key of :data:`VIT_CONFIGS`).

    ``include_top=True``: the final CLS token → dense ``classes``.  ``include_top=False``: the token sequence
    ``(N+1, hidden)`` after the final LayerNorm, or its global average / max over tokens with ``pooling``.
    """
    check_args(weights, pooling)
    c = VIT_CONFIGS[config]
    p, d = c["patch_size"], c["hidden_dim"]
    if input_shape[0] % p or input_shape[1] % p:
        raise ValueError(f"input {input_shape[:2]} is not a multiple of the patch size {p}")
    n = (input_shape[0] // p) * (input_shape[1] // p)
    inputs = keras.Input(shape=input_shape, name="input")
    x = layers.Conv2D(d, p, strides=p, padding="valid", name="conv_proj")(inputs)
    x = layers.Reshape((n, d), name="patches")(x)
    x = ClassTokenPosEmbedding(name="embedding")(x)
    x = layers.Dropout(dropout, name="embedding_dropout")(x)
    for i in range(1, c["num_layers"] + 1):
        b = f"encoder_block{i}"
        y = layers.LayerNormalization(epsilon=1e-6, name=f"{b}_ln1")(x)
        y = layers.MultiHeadAttention(c["num_heads"], d // c["num_heads"], dropout=attention_dropout, name=f"{b}_mha")(
            y, y
        )
        y = layers.Dropout(dropout, name=f"{b}_attn_dropout")(y)
        x = layers.Add(name=f"{b}_add1")([x, y])
        y = layers.LayerNormalization(epsilon=1e-6, name=f"{b}_ln2")(x)
        y = layers.Dense(c["mlp_dim"], activation="gelu", name=f"{b}_mlp_dense1")(y)
        y = layers.Dropout(dropout, name=f"{b}_mlp_dropout1")(y)
        y = layers.Dense(d, name=f"{b}_mlp_dense2")(y)
        y = layers.Dropout(dropout, name=f"{b}_mlp_dropout2")(y)
        x = layers.Add(name=f"{b}_add2")([x, y])
    x = layers.LayerNormalization(epsilon=1e-6, name="encoder_ln")(x)
    if include_top:
        x = layers.Cropping1D((0, n), name="cls_token")(x)
        x = layers.Flatten(name="cls_flatten")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="head")(x)
    elif pooling:
        x = global_pool(pooling, 1, "pool")(x)
    return keras.Model(inputs, x, name=name)


__all__ = ["VIT_CONFIGS", "ClassTokenPosEmbedding", "vit"]
