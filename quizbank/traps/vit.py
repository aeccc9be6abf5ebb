"""Vision Transformer patches: the (H/P)·(W/P) grid, the CLS token, the patch embedding as a strided conv."""

from __future__ import annotations

from .. import formulas as F
from .base import trap


@trap(
    "vit_forgot_cls",
    title="Forgot the CLS token",
    feedback="ViT prepends one learnable CLS token to the (H/P)² patch tokens: 196 + 1 = 197 at 224 with P = 16.",
)
def vit_forgot_cls(image: int, patch: int) -> int:
    return F.vit_tokens(image, patch, cls=False)


@trap(
    "vit_tokens_not_squared",
    title="Patches per side not squared",
    feedback="The image is cut into a grid: (H/P)·(W/P) patches, e.g. 14·14 = 196 at 224 with P = 16, plus the CLS "
    "token; H/P is only one side of the grid.",
)
def vit_tokens_not_squared(h: int, w: int, patch: int) -> int:
    """Patches along one side (both sides added for a non-square grid) + CLS, instead of their product + CLS."""
    gh, gw = h // patch, w // patch
    return (gh if h == w else gh + gw) + 1


@trap(
    "vit_divided_by_p_once",
    title="Pixels divided by P, not P²",
    feedback="Each patch covers P·P pixels: the number of patches is H·W/P², e.g. 224·224/256 = 196, not H·W/P.",
)
def vit_divided_by_p_once(h: int, w: int, patch: int) -> int:
    """``H·W/P + 1`` instead of ``H·W/P² + 1``."""
    return h * w // patch + 1


@trap(
    "vit_patch_stride_1",
    title="Patch conv with stride 1",
    feedback="The patch embedding is a P×P conv with stride P: non-overlapping patches, an (H/P)×(W/P) grid, not the "
    "(H − P + 1)×(W − P + 1) of a stride-1 conv.",
)
def vit_patch_stride_1(h: int, w: int, patch: int, dim: int) -> list[int]:
    """The patch conv's output shape at stride 1: ``(H − P + 1)×(W − P + 1)×D``."""
    return [h - patch + 1, w - patch + 1, dim]


@trap(
    "vit_patch_dim_unprojected",
    title="Token width P²·C instead of D",
    feedback="A flattened patch has P·P·C values; the linear projection (the conv's D filters) maps it to the model "
    "width D, which is each token's length.",
)
def vit_patch_dim_unprojected(patch: int, channels: int) -> int:
    """The flattened patch's ``P·P·C`` values taken as the token width ``D``."""
    return patch * patch * channels
