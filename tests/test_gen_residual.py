"""Residual generators: y = F(x) + x, ∂y/∂x = ∂F/∂x + I, block parameters and shapes."""

from __future__ import annotations

import pytest

from quizbank import diagnose
from quizbank import formulas as F
from quizbank import traps as T
from quizbank.generators import generate
from quizbank.schema import NumericQuestion


def test_formulas_and_traps() -> None:
    # ResNet-50's first bottleneck at full width: 1×1 256→64, 3×3 64→64, 1×1 64→256, no biases
    assert F.resnet_bottleneck_params(256, 64, 256, bias=False) == 16_384 + 36_864 + 16_384
    # the first block of a stage projects 64 → 256 on the skip: + 16,384
    assert F.resnet_bottleneck_params(64, 64, 256, bias=False, projection=True) == 4_096 + 36_864 + 16_384 + 16_384
    # a basic block at 64 channels is two 3×3 convs of (9·64 + 1)·64 = 36,928
    assert F.resnet_basic_params(64, 64) == 2 * 36_928
    assert F.resnet_basic_params(64, 128, bias=False, projection=True) == 73_728 + 147_456 + 8_192
    # gradient: each block multiplies by F' + 1; a dead branch still passes 1
    assert F.residual_scalar_grad([[2.0, 1.0, 3.0]], 1.0) == 7.0
    assert F.residual_scalar_grad([[2.0, 1.0, 3.0]], 1.0, skip=False) == 6.0
    assert F.residual_scalar_grad([[2.0, 1.0, 3.0], [-1.0, 0.5, 2.0]], 1.0) == 7.0
    assert T.residual_grads_summed([[2.0, 1.0, 3.0], [-1.0, 0.5, 2.0]], 1.0) == 8.0


def test_grad_first_trap_is_the_output_fx() -> None:
    q = generate("residual.grad", 0, 1)
    assert isinstance(q, NumericQuestion)
    assert q.traps[0].trap == "resnet_output_fx"
    assert diagnose(q, q.traps[0].value).trap == "resnet_output_fx"


def test_block_witness_is_a_graph_with_an_add() -> None:
    q = generate("residual.block_params", 3, 2)
    assert q.witness is not None and q.witness.model is not None
    assert "Add" in {layer["class_name"] for layer in q.witness.model["config"]["layers"]}


@pytest.mark.live
def test_probes() -> None:
    from models.probes import run

    assert run("residual_scalar_grad", blocks=[[2.0, 1.0, 3.0]], x=1.0) == 7.0
    assert run("residual_identity_jacobian") is True
    assert run("residual_zero_init_identity") is True
