"""Autograded tasks declared as data: statement, starter file, the function to call, and checks with points and
feedback that names the concept and, where one fits, a quizbank trap id (the same misconceptions are tracked across
quizzes and code).  Each task's reference solution lives in ``reference/<id>.py`` and scores full marks.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, model_validator

from quizbank import traps

from ..contract import TaskKind

REFERENCE_DIR = Path(__file__).parent / "reference"


class CheckSpec(BaseModel):
    name: str
    kind: str  # a function of grader.autograde.checks
    points: float = Field(gt=0)
    params: dict[str, Any] = Field(default_factory=dict)
    concept: str
    trap: str | None = None
    feedback: str

    @model_validator(mode="after")
    def _known_trap(self) -> CheckSpec:
        if self.trap is not None:
            traps.get(self.trap)  # raises on an unknown id
        return self


class Task(BaseModel):
    id: str
    title: str
    statement: str
    function: str
    kind: TaskKind = "build"
    starter: str
    cpu_seconds: int = Field(10, ge=1, le=300)
    checks: list[CheckSpec]

    @property
    def max_score(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def reference_path(self) -> Path:
        return REFERENCE_DIR / f"{self.id.replace('-', '_')}.py"

    def reference_source(self) -> str:
        return self.reference_path.read_text()


def _starter(signature: str, doc: str) -> str:
    return f'import keras\nfrom keras import layers\n\n\ndef {signature}:\n    """{doc}"""\n    raise NotImplementedError\n'


# the check both MobileNet blocks share: the depthwise conv is followed by a pointwise 1×1
DEPTHWISE_POINTWISE: dict[str, Any] = {
    "name": "depthwise then pointwise 1×1",
    "kind": "depthwise_pointwise",
    "points": 3,
    "params": {},
    "concept": "depthwise-separable conv",
    "trap": "separable_is_depthwise_plus_3x3",
    "feedback": "After the depthwise 3×3, mix channels with a *pointwise 1×1* conv, not another 3×3.",
}


_RAW: list[dict[str, Any]] = [
    {
        "id": "lenet5",
        "title": "LeNet-5",
        "statement": "Write build_model() returning LeNet-5 for 32×32×1 inputs and 10 classes: conv 5×5 (6) → pool → "
        "conv 5×5 (16) → pool → dense 120 → dense 84 → dense 10 with softmax.",
        "function": "build_model",
        "starter": _starter("build_model() -> keras.Model", "LeNet-5: Input((32, 32, 1)) → … → 10-way softmax."),
        "checks": [
            {
                "name": "input shape",
                "kind": "input_shape",
                "points": 1,
                "params": {"shape": [32, 32, 1]},
                "concept": "input tensor shape",
                "feedback": "The model must take 32×32×1 images: keras.Input((32, 32, 1)).",
            },
            {
                "name": "output shape",
                "kind": "output_shape",
                "points": 2,
                "params": {"shape": [10]},
                "concept": "one output unit per class",
                "feedback": "The classifier ends with one unit per class: Dense(10), giving an output of shape (None, 10).",
            },
            {
                "name": "softmax output",
                "kind": "output_activation",
                "points": 1,
                "params": {"activation": "softmax"},
                "concept": "class probabilities",
                "feedback": "End with a softmax so the 10 outputs are class probabilities.",
            },
            {
                "name": "two 5×5 convolutions",
                "kind": "conv_count",
                "points": 2,
                "params": {"kernel": [5, 5], "count": 2, "class_name": "Conv2D"},
                "concept": "LeNet's feature extractor",
                "feedback": "LeNet-5 has exactly two 5×5 convolutions (6 and 16 filters).",
            },
            {
                "name": "parameter count",
                "kind": "params_between",
                "points": 2,
                "params": {"low": 61706, "high": 61706},
                "concept": "counting parameters",
                "trap": "forgot_bias",
                "feedback": "LeNet-5 has 61,706 parameters, biases included; a different count means different "
                "layer sizes or layers without their bias.",
            },
        ],
    },
    {
        "id": "vgg-stack",
        "title": "VGG: two 3×3 instead of one 5×5",
        "statement": "Write build_model() for a 32×32×16 input that replaces one 5×5 conv (16 filters, 'same') by two "
        "stacked 3×3 convs with ReLU (16 filters each, 'same'): same receptive field (5), fewer parameters.",
        "function": "build_model",
        "starter": _starter("build_model() -> keras.Model", "Input((32, 32, 16)) → two 3×3 convs, 16 filters each."),
        "checks": [
            {
                "name": "output shape",
                "kind": "output_shape",
                "points": 1,
                "params": {"shape": [32, 32, 16]},
                "concept": "'same' padding keeps H×W",
                "trap": "same_as_valid",
                "feedback": "With padding='same' and stride 1 each conv keeps 32×32; 16 filters give 16 channels.",
            },
            {
                "name": "only 3×3 kernels",
                "kind": "kernels_only",
                "points": 2,
                "params": {"kernel": [3, 3]},
                "concept": "stacking small kernels",
                "trap": "single_large_kernel",
                "feedback": "Use 3×3 kernels only: a 5×5 (or larger) conv is what this block replaces.",
            },
            {
                "name": "receptive field 5",
                "kind": "receptive_field",
                "points": 2,
                "params": {"rf": [5, 5]},
                "concept": "receptive field of stacked convs",
                "trap": "rf_l_times_k",
                "feedback": "Two stacked 3×3 convs see 1 + 2·(3−1) = 5 pixels per axis: exactly the 5×5 they replace.",
            },
            {
                "name": "fewer parameters than a 5×5",
                "kind": "params_between",
                "points": 1,
                "params": {"low": 1, "high": 25 * 16 * 16 + 16 - 1},
                "concept": "parameter savings",
                "trap": "single_large_kernel",
                "feedback": "Two 3×3 convs (2·(9·16·16+16) = 4,640 params) must cost less than one 5×5 (6,416).",
            },
            {
                "name": "nonlinearity between",
                "kind": "activation_between_convs",
                "points": 1,
                "params": {},
                "concept": "extra nonlinearity",
                "feedback": "Put a ReLU after the first 3×3: without it, two linear convs collapse into one 5×5.",
            },
            {
                "name": "translation equivariant",
                "kind": "translation_equivariant",
                "points": 1,
                "params": {"shift": [3, 5], "margin": 4},
                "concept": "convolution is translation-equivariant",
                "trap": "equivariance_is_invariance",
                "feedback": "A conv stack with stride 1 and 'same' padding is translation-equivariant: shifting the "
                "input shifts the feature map by the same amount (it is not invariant).",
            },
        ],
    },
    {
        "id": "resnet-bottleneck",
        "title": "ResNet bottleneck block",
        "statement": "Write build_model() for a 16×16×64 input: a bottleneck block 1×1 (16) → 3×3 (16) → 1×1 (64), "
        "with BatchNorm/ReLU as you like, whose output is ReLU(F(x) + x): an identity skip that is *added*.",
        "function": "build_model",
        "starter": _starter("build_model() -> keras.Model", "Input((16, 16, 64)) → 1×1 → 3×3 → 1×1, plus x."),
        "checks": [
            {
                "name": "output shape",
                "kind": "output_shape",
                "points": 1,
                "params": {"shape": [16, 16, 64]},
                "concept": "block keeps its shape",
                "feedback": "The block maps 16×16×64 to 16×16×64 so x can be added.",
            },
            {
                "name": "1×1 → 3×3 → 1×1",
                "kind": "bottleneck_chain",
                "points": 2,
                "params": {},
                "concept": "bottleneck",
                "trap": "one_by_one_after",
                "feedback": "The residual path is 1×1 (reduce) → 3×3 → 1×1 (restore): the 3×3 runs on few channels.",
            },
            {
                "name": "skip is added",
                "kind": "add_skip",
                "points": 3,
                "params": {},
                "concept": "residual connection y = F(x) + x",
                "trap": "resnet_output_fx",
                "feedback": "The block must output F(x) + x: an Add of the residual path and the input.",
            },
            {
                "name": "not concatenated",
                "kind": "no_layer",
                "points": 1,
                "params": {"class_name": "Concatenate"},
                "concept": "residual connection adds",
                "trap": "resnet_concatenates",
                "feedback": "ResNet adds the skip; concatenating (DenseNet's choice) grows the channels instead.",
            },
        ],
    },
    {
        "id": "inception-module",
        "title": "Inception module",
        "statement": "Write build_model() for a 28×28×192 input: four branches — 1×1 (64); 1×1 (96) → 3×3 (128); "
        "1×1 (16) → 5×5 (32); 3×3 max-pool → 1×1 (32) — concatenated on channels (256 out), all 'same'.",
        "function": "build_model",
        "starter": _starter("build_model() -> keras.Model", "Input((28, 28, 192)) → four branches → concatenate."),
        "checks": [
            {
                "name": "output shape",
                "kind": "output_shape",
                "points": 1,
                "params": {"shape": [28, 28, 256]},
                "concept": "channels add up at a concatenation",
                "feedback": "64 + 128 + 32 + 32 = 256 channels at 28×28 ('same' padding everywhere).",
            },
            {
                "name": "branches concatenated",
                "kind": "concat_inputs",
                "points": 2,
                "params": {"min_inputs": 4},
                "concept": "multi-branch module",
                "feedback": "The four branches are joined by one Concatenate over the channel axis.",
            },
            {
                "name": "1×1 before the 3×3/5×5",
                "kind": "bottleneck_before",
                "points": 3,
                "params": {},
                "concept": "1×1 bottleneck",
                "trap": "inception_1x1_after",
                "feedback": "Each 3×3 and 5×5 must read the output of a 1×1 reduction, not the 192-channel input.",
            },
            {
                "name": "parameter count",
                "kind": "params_between",
                "points": 1,
                "params": {"low": 150000, "high": 170000},
                "concept": "bottlenecks save parameters",
                "trap": "one_by_one_after",
                "feedback": "GoogLeNet's inception (3a) has 163,696 parameters with biases; without the 1×1 "
                "reductions before the 3×3/5×5 it would have far more.",
            },
        ],
    },
    {
        "id": "dense-block",
        "title": "DenseNet block",
        "statement": "Write build_model() for a 16×16×24 input: a dense block of 4 layers (BN → ReLU → 3×3 conv with "
        "growth rate k = 12, 'same'), each layer's output *concatenated* to its input: 24 + 4·12 = 72 channels out.",
        "function": "build_model",
        "starter": _starter("build_model() -> keras.Model", "Input((16, 16, 24)) → 4 dense layers, k = 12."),
        "checks": [
            {
                "name": "output channels C0 + L·k",
                "kind": "output_shape",
                "points": 3,
                "params": {"shape": [16, 16, 72]},
                "concept": "growth rate",
                "trap": "densenet_added",
                "feedback": "Each layer concatenates k = 12 new channels: 24 + 4·12 = 72 (adding would keep 24).",
            },
            {
                "name": "concatenation",
                "kind": "concat_count",
                "points": 2,
                "params": {"min": 4},
                "concept": "dense connectivity",
                "trap": "densenet_added",
                "feedback": "DenseNet concatenates every layer's output with its input (4 Concatenates).",
            },
            {
                "name": "no addition",
                "kind": "no_layer",
                "points": 1,
                "params": {"class_name": "Add"},
                "concept": "dense connectivity",
                "trap": "densenet_added",
                "feedback": "A dense block concatenates; an Add makes it a residual block.",
            },
            {
                "name": "3×3 convs with k filters",
                "kind": "conv_count",
                "points": 1,
                "params": {"kernel": [3, 3], "count": 4, "filters": 12, "class_name": "Conv2D"},
                "concept": "growth rate",
                "feedback": "Four 3×3 convs with 12 filters each (the growth rate).",
            },
        ],
    },
    {
        "id": "se-block",
        "title": "Squeeze-and-excitation block",
        "statement": "Write build_model() for a 8×8×64 input: GAP → Dense(64/16 = 4, ReLU) → Dense(64, sigmoid) → "
        "multiply the input channel-wise by that gate.",
        "function": "build_model",
        "starter": _starter("build_model() -> keras.Model", "Input((8, 8, 64)) → SE gate (r = 16) → scaled input."),
        "checks": [
            {
                "name": "output shape",
                "kind": "output_shape",
                "points": 1,
                "params": {"shape": [8, 8, 64]},
                "concept": "SE rescales, keeps the shape",
                "trap": "gap_keeps_layout",
                "feedback": "The block outputs the input rescaled per channel: shape 8×8×64, not the 64-vector gate.",
            },
            {
                "name": "squeeze: global average pool",
                "kind": "has_layer",
                "points": 1,
                "params": {"class_name": "GlobalAveragePooling2D"},
                "concept": "squeeze",
                "feedback": "Squeeze each channel to one number with GlobalAveragePooling2D.",
            },
            {
                "name": "bottleneck C/r",
                "kind": "dense_units",
                "points": 1,
                "params": {"units": [4, 64]},
                "concept": "reduction ratio r",
                "feedback": "Excitation is FC(C/r = 4) → ReLU → FC(C = 64).",
            },
            {
                "name": "sigmoid gate",
                "kind": "gate_sigmoid",
                "points": 2,
                "params": {},
                "concept": "gate in (0, 1)",
                "trap": "se_gate_not_sigmoid",
                "feedback": "The last FC uses a sigmoid so each channel is scaled by a gate in (0, 1).",
            },
            {
                "name": "scales the input",
                "kind": "has_layer",
                "points": 1,
                "params": {"class_name": "Multiply"},
                "concept": "excitation rescales channels",
                "trap": "se_gate_not_sigmoid",
                "feedback": "Multiply the input by the gate (broadcast over H×W).",
            },
            {
                "name": "gate is bounded",
                "kind": "se_gate_bounded",
                "points": 1,
                "params": {},
                "concept": "gate in (0, 1)",
                "trap": "se_gate_not_sigmoid",
                "feedback": "Measured: |output| must never exceed |input| when the gate is a sigmoid.",
            },
        ],
    },
    {
        "id": "mobilenet-block",
        "title": "MobileNet-v2 inverted residual",
        "statement": "Write build_model() for a 16×16×32 input: expand 1×1 (×6 = 192, ReLU6) → depthwise 3×3 "
        "(ReLU6, 'same') → project 1×1 (32, *linear*: no activation) → add the input.",
        "function": "build_model",
        "starter": _starter("build_model() -> keras.Model", "Input((16, 16, 32)) → inverted residual, t = 6."),
        "checks": [
            {
                "name": "output shape",
                "kind": "output_shape",
                "points": 1,
                "params": {"shape": [16, 16, 32]},
                "concept": "block keeps its shape",
                "feedback": "Project back to 32 channels so the input can be added.",
            },
            DEPTHWISE_POINTWISE,
            {
                "name": "expansion ×6",
                "kind": "expansion",
                "points": 1,
                "params": {"channels": 192},
                "concept": "inverted residual (wide middle)",
                "trap": "mobilenet_v1_inverted_residual",
                "feedback": "v2 first *expands* 32 → 192 channels with a 1×1, then filters depthwise.",
            },
            {
                "name": "linear bottleneck",
                "kind": "linear_projection",
                "points": 2,
                "params": {},
                "concept": "linear bottleneck",
                "trap": "linear_bottleneck_relu",
                "feedback": "The projection 1×1 has no activation (linear) before the add.",
            },
            {
                "name": "skip is added",
                "kind": "add_skip",
                "points": 1,
                "params": {"kernel": [3, 3]},
                "concept": "residual connection",
                "trap": "resnet_output_fx",
                "feedback": "Add the input to the projected output (stride 1, same channels).",
            },
        ],
    },
    {
        "id": "mobilenet-v1-block",
        "title": "MobileNet-v1 depthwise-separable block",
        "statement": "Write build_model() for a 16×16×32 input: depthwise 3×3 ('same') → BN → ReLU → pointwise 1×1 "
        "(64) → BN → ReLU. A plain stack: no expansion, no skip.",
        "function": "build_model",
        "starter": _starter(
            "build_model() -> keras.Model", "Input((16, 16, 32)) → depthwise 3×3 → pointwise 1×1 (64)."
        ),
        "checks": [
            {
                "name": "output shape",
                "kind": "output_shape",
                "points": 1,
                "params": {"shape": [16, 16, 64]},
                "concept": "pointwise conv sets the channels",
                "feedback": "The pointwise 1×1 with 64 filters gives 16×16×64 ('same' depthwise keeps 16×16).",
            },
            DEPTHWISE_POINTWISE,
            {
                "name": "no residual",
                "kind": "no_layer",
                "points": 1,
                "params": {"class_name": "Add"},
                "concept": "MobileNet-v1 is a plain stack",
                "trap": "mobilenet_v1_inverted_residual",
                "feedback": "v1 has no skip connections: inverted residuals arrive in v2.",
            },
            {
                "name": "cheaper than a full 3×3",
                "kind": "params_between",
                "points": 2,
                "params": {"low": 1, "high": 9 * 32 * 64},
                "concept": "depthwise-separable savings",
                "trap": "separable_as_full",
                "feedback": "A depthwise-separable conv costs 9·32 + 32·64 weights (+ BN), far below a full 3×3 "
                "(9·32·64).",
            },
        ],
    },
    {
        "id": "wavenet-stack",
        "title": "WaveNet causal dilated stack",
        "statement": "Write build_model() for a (2048, 1) input: 10 Conv1D layers (kernel 2, 16 filters, tanh), "
        "padding='causal', dilations 1, 2, 4, …, 512: output length 2048 and receptive field 1024.",
        "function": "build_model",
        "starter": _starter("build_model() -> keras.Model", "Input((2048, 1)) → causal dilated Conv1D stack."),
        "checks": [
            {
                "name": "output length",
                "kind": "output_shape",
                "points": 1,
                "params": {"shape": [2048, 16]},
                "concept": "causal padding keeps the length",
                "trap": "same_as_valid",
                "feedback": "padding='causal' pads (k−1)·d on the left only: the output keeps 2048 steps.",
            },
            {
                "name": "causal (by gradient)",
                "kind": "causal",
                "points": 3,
                "params": {},
                "concept": "causality",
                "trap": "wavenet_not_causal",
                "feedback": "Output t must have zero gradient w.r.t. every input after t: use padding='causal'.",
            },
            {
                "name": "receptive field 1024 (by gradient)",
                "kind": "rf_1d",
                "points": 3,
                "params": {"rf": 1024},
                "concept": "dilated receptive field",
                "trap": "wavenet_rf_dilation_sum",
                "feedback": "With k = 2 and dilations 1…512 the RF is 1 + Σd·(k−1) = 1024 samples.",
            },
        ],
    },
    {
        "id": "i3d-inflate",
        "title": "I3D kernel inflation",
        "kind": "inflate",
        "statement": "Write inflate(w2d, T) turning a 2D kernel (k, k, C_in, C_out) into a 3D kernel "
        "(T, k, k, C_in, C_out) so that a 'boring' video (one image repeated T times) gives the 2D response.",
        "function": "inflate",
        "starter": "import numpy as np\n\n\ndef inflate(w2d: np.ndarray, T: int) -> np.ndarray:\n"
        '    """(k, k, C_in, C_out) → (T, k, k, C_in, C_out)."""\n    raise NotImplementedError\n',
        "checks": [
            {
                "name": "shape",
                "kind": "inflate_shape",
                "points": 1,
                "params": {},
                "concept": "3D kernel layout",
                "feedback": "Return shape (T, k, k, C_in, C_out): time comes first.",
            },
            {
                "name": "repeat along time, /T",
                "kind": "inflate_rule",
                "points": 2,
                "params": {},
                "concept": "inflation rule",
                "trap": "i3d_without_t",
                "feedback": "Repeat the 2D kernel T times along time and divide by T.",
            },
            {
                "name": "boring video",
                "kind": "boring_video",
                "points": 3,
                "params": {},
                "concept": "boring-video fixed point",
                "trap": "i3d_without_t",
                "feedback": "On a video of one image repeated T times, Conv3D(inflated) must equal Conv2D(original); "
                "without /T it is T times larger.",
            },
        ],
    },
    {
        "id": "lenet-train",
        "title": "Train LeNet on the digits",
        "kind": "train",
        "cpu_seconds": 60,
        "statement": "Write build_and_train(x, y) that builds a small CNN for 8×8×1 digit images (10 classes, softmax) "
        "and trains it on the given training split; it must reach ≥95% accuracy on a held-out split it never sees.",
        "function": "build_and_train",
        "starter": "import keras\nimport numpy as np\n\n\ndef build_and_train(x: np.ndarray, y: np.ndarray) -> keras.Model:\n"
        '    """x: (N, 8, 8, 1) floats in [0, 1]; y: (N,) ints 0–9. Return the trained model."""\n'
        "    raise NotImplementedError\n",
        "checks": [
            {
                "name": "output shape",
                "kind": "output_shape",
                "points": 1,
                "params": {"shape": [10]},
                "concept": "one output unit per class",
                "feedback": "End with Dense(10, activation='softmax').",
            },
            {
                "name": "input shape",
                "kind": "input_shape",
                "points": 1,
                "params": {"shape": [8, 8, 1]},
                "concept": "input tensor shape",
                "feedback": "The digits are 8×8×1 images.",
            },
            {
                "name": "held-out accuracy ≥ 95%",
                "kind": "heldout_accuracy",
                "points": 4,
                "params": {"min": 0.95},
                "concept": "generalisation",
                "feedback": "Train longer or with a better model: the held-out split "
                "(never shown to your code) must be classified at ≥ 95%.",
            },
        ],
    },
]


@cache
def tasks() -> dict[str, Task]:
    out = {}
    for raw in _RAW:
        t = Task.model_validate(raw)
        out[t.id] = t
    return out


def get(task_id: str) -> Task:
    try:
        return tasks()[task_id]
    except KeyError:
        raise KeyError(f"unknown task {task_id!r}; known: {', '.join(tasks())}") from None
