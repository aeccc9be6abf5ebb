"""Backward-pass generators: conv (flipped kernel), ReLU gate, ReLU → max-pool, the rules."""

from __future__ import annotations

import pytest

from quizbank import diagnose
from quizbank import formulas as F
from quizbank import traps as T
from quizbank.generators import generate
from quizbank.schema import NumericQuestion

X = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
Wk = [[1, 2], [3, 4]]


def test_formulas_and_traps() -> None:
    g = [[1, 0], [0, 0]]
    # only y[0,0] = x00·1 + x01·2 + x10·3 + x11·4 carries gradient: ∂L/∂x[1,1] = w[1,1] = 4
    assert F.conv_input_grad(Wk, g, (1, 1)) == 4
    assert T.conv_grad_unflipped(Wk, g, (1, 1)) == 1  # the unflipped kernel pairs g00 with w00
    # all-ones upstream: the centre input meets every weight once
    assert F.conv_input_grad(Wk, [[1, 1], [1, 1]], (1, 1)) == 10
    # a true convolution at a corner: ∂L/∂x[0,0] = g00·w00 only
    assert F.conv_input_grad(Wk, [[2, 5], [7, 11]], (0, 0)) == 2
    assert T.conv_grad_unflipped(Wk, [[2, 5], [7, 11]], (0, 0)) == 2 * 4
    assert F.conv_kernel_grad(X, g, (0, 0)) == 1
    assert F.conv_kernel_grad(X, [[1, 1], [1, 1]], (1, 1)) == 5 + 6 + 8 + 9
    assert F.relu_grad([1.0, -2.0, 3.0], [2.0, 5.0, -1.0]) == [2.0, 0.0, -1.0]


def test_conv_grad_first_trap_is_the_unflipped_kernel() -> None:
    q = generate("backward.conv_grad", 0, 1)
    assert isinstance(q, NumericQuestion)
    assert q.traps[0].trap == "conv_grad_unflipped"
    assert diagnose(q, q.traps[0].value).trap == "conv_grad_unflipped"


@pytest.mark.live
def test_probes_compute_the_small_examples() -> None:
    from models.probes import run
    from quizbank import witness as W

    assert run("conv_grad", x=X, kernel=Wk, upstream=[[1, 0], [0, 0]], at=[1, 1]) == 4.0
    assert run("conv_grad", x=X, kernel=Wk, upstream=[[1, 1], [1, 1]], at=[1, 1], wrt="kernel") == 28.0
    assert run("input_grad", layers=[W.relu()], x=[1.0, -2.0, 3.0], upstream=[2.0, 5.0, -1.0]) == 1.0
    assert run("input_grad", layers=[W.relu()], x=[1.0, -2.0, 3.0], upstream=[2.0, 5.0, -1.0], at=[1]) == 0.0
    assert run("conv_backward_flipped_kernel") is True
    assert run("relu_grad_gate") is True
