"""An independent MAC count: TensorFlow's own graph profiler on the model's traced graph.

Used by tests and ``bench/`` to check :mod:`models.inspect`.  The profiler counts
FLOPs of each op from the frozen graph; conv, depthwise and matmul ops count
``2·MACs``, so their sum / 2 must equal the inspector's MACs.
"""

from __future__ import annotations

from typing import Any

from ._keras import keras

MAC_OPS = (
    "Conv2D",
    "Conv3D",
    "Conv1D",
    "DepthwiseConv2dNative",
    "MatMul",
    "BatchMatMulV2",
    "BatchMatMulV3",
    "Conv2DBackpropInput",
    "Einsum",
)


def profiler_flops(model: keras.Model, *, ops: tuple[str, ...] = MAC_OPS) -> dict[str, int]:
    """FLOPs per op type, as TensorFlow's profiler counts them on the model's graph (batch 1)."""
    import tensorflow as tf
    from tensorflow.python.framework.convert_to_constants import convert_variables_to_constants_v2

    spec = tf.TensorSpec([1, *model.input_shape[1:]], tf.float32)
    fn = tf.function(lambda x: model(x, training=False)).get_concrete_function(spec)
    frozen = convert_variables_to_constants_v2(fn)
    graph: Any = frozen.graph
    opts = tf.compat.v1.profiler.ProfileOptionBuilder(tf.compat.v1.profiler.ProfileOptionBuilder.float_operation())
    opts = opts.with_empty_output().select(["float_ops"]).order_by("float_ops").account_displayed_op_only(True).build()
    prof = tf.compat.v1.profiler.profile(graph=graph, run_meta=tf.compat.v1.RunMetadata(), cmd="op", options=opts)
    out: dict[str, int] = {}
    stack = list(prof.children)
    while stack:  # the "op" view nests each op type under the previous one: walk it, counting exclusive FLOPs
        node = stack.pop()
        stack.extend(node.children)
        if not ops or node.name in ops:
            out[node.name] = out.get(node.name, 0) + int(node.float_ops)
    return out


def profiler_macs(model: keras.Model) -> int:
    return sum(profiler_flops(model).values()) // 2
