"""Stacked small kernels against one large kernel: parameters and function class."""

from __future__ import annotations

from .. import formulas as F
from .base import conceptual, trap

conceptual(
    "single_large_kernel",
    title="One large kernel beats stacked 3×3s",
    feedback="Two stacked 3×3 convs see a 5×5 window (three see 7×7) with fewer weights (2·9·C² vs 25·C²) and an extra "
    "nonlinearity in between: VGG replaced large kernels by stacks of 3×3.",
    claim="A single 5×5 conv is cheaper than two stacked 3×3 convs with the same receptive field.",
)


conceptual(
    "stack_costs_more",
    title="The 3×3 stack costs more",
    feedback="Two 3×3 convs cost 2·9·C² = 18C², fewer than the 25C² of one 5×5; three cost 27C² against 49C² for a "
    "7×7.",
    claim="The stack of 3×3 convolutions has more parameters than the single large kernel.",
)


conceptual(
    "stack_equals_big_kernel",
    title="A 3×3 stack is the same as the big kernel",
    feedback="With a non-linearity between them, two 3×3 convs are not a 5×5 conv; even without one they reach only "
    "the 5×5 kernels that factor into two 3×3s (18C² free weights against 25C²). Same RF, different function class.",
    claim="Two stacked 3×3 convolutions with a ReLU between them compute exactly the same functions as one 5×5.",
)


@trap(
    "stack_counted_once",
    title="Counted one layer of the stack",
    feedback="Each of the L stacked convs has its own K·K·C_in·C_out weights (and C_out biases): multiply one layer's "
    "count by L.",
)
def stack_counted_once(k: int, c: int, *, bias: bool = True) -> int:
    """One ``K×K`` layer's count (``C → C``) for the whole stack."""
    return F.conv_params(k, c, c, bias=bias)
