"""Pooling generators: 0 parameters, output sizes, gradient routing, GAP heads."""

from __future__ import annotations

import pytest

from quizbank import diagnose
from quizbank import formulas as F
from quizbank import traps as T
from quizbank.generators import generate
from quizbank.schema import NumericQuestion


def test_formulas_and_traps() -> None:
    assert F.pool_params() == 0
    # concepts.md §5: ResNet-50's conv1 gives 112, then a 3×3 max-pool S=2 'same' → 56 ('valid' → 55)
    assert F.output_size(224, 7, 2, 3) == 112
    assert F.output_size(112, 3, 2, "same") == 56
    assert F.output_size(112, 3, 2, "valid") == 55
    assert F.output_size(16, 2, 2) == 8  # MaxPooling2D(2): stride defaults to the pool size
    assert T.pool_counted_as_conv(2, 64) == (4 * 64 + 1) * 64
    # max-pool backward: the whole gradient to the argmax; overlapping windows add up
    x = [[1, 5], [3, 2]]
    assert F.pool_grad("max", x, 2, 2, [[3]], (0, 1)) == 3
    assert F.pool_grad("max", x, 2, 2, [[3]], (0, 0)) == 0
    assert F.pool_grad("max", [[1, 2, 0], [0, 9, 1], [2, 0, 3]], 2, 1, [[1, 2], [3, 4]], (1, 1)) == 10
    # average pool: 1/K² to each input (the trap says 1/K)
    assert F.pool_grad("avg", [[0] * 3] * 3, 3, 3, [[2]], (0, 1)) == pytest.approx(2 / 9)
    assert F.avgpool_grad(2) == 0.25 and T.avgpool_grad_1_over_k(2) == 0.5
    # GAP head vs Flatten head on 7×7×512, 1000 classes
    assert F.dense_params(7 * 7 * 512, 1000) == 25_089_000
    assert F.dense_params(512, 1000) == 513_000


def test_net_params_first_trap_counts_the_pool_as_a_conv() -> None:
    q = generate("pooling.net_params", 0, 1)
    assert isinstance(q, NumericQuestion)
    assert diagnose(q, q.traps[0].value).trap == q.traps[0].trap == "pool_counted_as_conv"


def test_pool_params_pairs_zero_parameters_with_the_output_shape() -> None:
    """The key is always '0 parameters', so the question varies the pool and asks for its output shape with it."""
    keys = set()
    for s in range(30):
        for d in (1, 2):
            q = generate("pooling.pool_params", s, d)
            assert q.witness.quantity == "count_params" and q.witness.expect == 0
            k, h, c = q.params["k"], q.params["h"], q.params["c"]
            o = F.output_size(h, k, q.params["strides"] or k, q.params["padding"])
            right = next(o for o in q.options if o.correct)
            assert right.text == f"It has 0 parameters; output {o}×{o}×{c}."
            keys.add(right.text)
            for wrong in (o for o in q.options if not o.correct):
                assert not wrong.text.startswith("It has 0 parameters") or f"output {o}×{o}×" not in wrong.text
        q3 = generate("pooling.pool_params", s, 3)
        assert q3.kind == "multi_select" and q3.witness.expect == 0
    assert len(keys) > 5


@pytest.mark.live
def test_probes_measure_the_routing() -> None:
    from models.probes import run
    from quizbank import witness as W

    x = [[[1], [5]], [[3], [2]]]
    assert run("input_grad", layers=[W.pool2d("max", 2)], x=x, upstream=[[[3]]], at=[0, 1, 0]) == 3.0
    assert run("input_grad", layers=[W.pool2d("max", 2)], x=x, upstream=[[[3]]], at=[0, 0, 0]) == 0.0
    assert run("input_grad", layers=[W.pool2d("avg", 2)], x=x, upstream=[[[3]]], at=[1, 1, 0]) == 0.75
    assert run("maxpool_grad_routes_to_argmax") is True
