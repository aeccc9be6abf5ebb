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


# ------------------------------------------------------------------ ∂L/∂W and the multi-channel backward

X2 = [[[1, 10], [2, 20], [3, 30]], [[4, 40], [5, 50], [6, 60]], [[7, 70], [8, 80], [9, 90]]]  # 3×3×2
G2 = [[[1, 0], [0, 2]], [[0, 1], [3, 0]]]  # 2×2×2
K2 = [[[[1, 2], [3, 4]], [[5, 6], [7, 8]]], [[[-1, -2], [-3, -4]], [[0, 1], [1, 0]]]]  # 2×2×2×2


def test_multichannel_formulas_by_hand() -> None:
    # 0-based: G's channel 0 is [[1, 0], [0, 3]], channel 1 is [[0, 2], [1, 0]]
    # ∂L/∂w[0,0,c=1,o=0] = Σ x[p,q,1]·G[p,q,0] = 10·1 + 50·3 = 160
    assert F.conv_kernel_grad_channels(X2, G2, (0, 0, 1, 0)) == 160
    # summed over both input channels: + (1·1 + 5·3); channels swapped: x channel 0 with G channel 1: 2·2 + 4·1
    assert T.wgrad_summed_channels(X2, G2, (0, 0, 1, 0)) == 160 + 16
    assert T.wgrad_channels_swapped(X2, G2, (0, 0, 1, 0)) == 8
    assert T.bias_grad_for_weight([[1, 2], [3, 4]]) == 10
    # ∂L/∂x[1,1,0]: every output channel o and window offset (a, b) with 0 ≤ 1−a, 1−b < 2
    want = sum(G2[1 - a][1 - b][o] * K2[a][b][0][o] for o in range(2) for a in range(2) for b in range(2))
    assert F.conv_input_grad_channels(K2, G2, (1, 1, 0)) == want
    one = sum(G2[1 - a][1 - b][0] * K2[a][b][0][0] for a in range(2) for b in range(2))
    assert T.xgrad_one_output_channel(K2, G2, (1, 1, 0)) == one


def test_weight_grad_difficulties() -> None:
    asks = {}
    for d in (1, 2, 3):
        keys = set()
        for s in range(30):
            q = generate("backward.weight_grad", s, d)
            assert isinstance(q, NumericQuestion)
            p = q.params
            if d == 1:
                assert q.key == F.conv_kernel_grad(p["x"], p["g"], p["at"])
            elif d == 2:
                assert q.key == F.conv_kernel_grad_channels(p["x"], p["g"], p["at"])
            else:
                assert q.key == F.conv_input_grad_channels(p["w"], p["g"], p["at"])
            for t in q.traps:
                assert diagnose(q, t.value).trap == t.trap
            keys.add(q.key)
            asks[d] = (p["wrt"], len(p["at"]))
        assert len(keys) >= 3
    assert asks == {1: ("kernel", 2), 2: ("kernel", 4), 3: ("input", 3)}


@pytest.mark.live
def test_multichannel_probe_matches_the_formulas() -> None:
    from models.probes import run

    for at in ((0, 0, 1, 0), (1, 0, 0, 1), (1, 1, 1, 1)):
        assert run("conv_grad_channels", x=X2, kernel=K2, upstream=G2, at=list(at), wrt="kernel") == (
            F.conv_kernel_grad_channels(X2, G2, at)
        )
    for at in ((1, 1, 0), (0, 2, 1), (2, 2, 0)):
        assert run("conv_grad_channels", x=X2, kernel=K2, upstream=G2, at=list(at)) == (
            F.conv_input_grad_channels(K2, G2, at)
        )
