"""Slips of the comparisons every topic asks for (A ÷ B, percent fewer); they belong to no single topic."""

from __future__ import annotations

from typing import Any

from .base import asks_more, trap


def _ratio_explain(*, value: Any = None, stem: str = "", **_: Any) -> str:
    more = asks_more(stem)
    asked = "how many times more" if more else "how many times fewer" if more is False else "for a ratio"
    inverse = f" {value:.3g} is the inverse." if isinstance(value, int | float) else ""
    return (
        f"Check which count is divided by which: the question asks {asked}, the larger count divided by the smaller, "
        f"a number above 1.{inverse}"
    )


@trap(
    "percent_of_instead_of_fewer",
    title="Percent of instead of percent fewer",
    feedback="'How many percent fewer' is (old − new)/old, not new/old.",
)
def percent_of_instead_of_fewer(new: float, old: float) -> float:
    """``100·new/old`` (percent *of*) where the question asks how many percent fewer, ``100·(old − new)/old``."""
    return 100.0 * new / old


@trap(
    "ratio_inverted",
    title="Ratio inverted",
    feedback="Check which count is divided by which: the question's ratio is the larger count divided by the smaller, "
    "a number above 1.",
    explain=_ratio_explain,
)
def ratio_inverted(a: float, b: float) -> float:
    """``b/a`` where ``a/b`` is asked."""
    return b / a


@trap(
    "percent_relative_to_new",
    title="Percent fewer divided by the new count",
    feedback="'How many percent fewer' divides the saving by the *old* (larger) count: (old − new)/old, not (old − "
    "new)/new.",
)
def percent_relative_to_new(new: float, old: float) -> float:
    """``100·(old − new)/new``: the saving divided by the new count instead of the old one."""
    return 100.0 * (old - new) / new


@trap(
    "percent_as_fraction",
    title="A fraction typed for a percentage",
    feedback="The question asks for a percentage: multiply the fraction by 100 (0.28 of the count is 28 %).",
)
def percent_as_fraction(percent: float) -> float:
    """The answer as a fraction, ``percent/100``, where the question asks for percentage points."""
    return percent / 100.0


@trap(
    "percent_of_total",
    title="Percent of the sum",
    feedback="The question compares one count with the other: divide by the other count, not by the sum of both.",
)
def percent_of_total(part: float, other: float) -> float:
    """``100·part/(part + other)`` where ``100·part/other`` is asked."""
    return 100.0 * part / (part + other)
