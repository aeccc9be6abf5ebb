"""The trap registry: a named mistake is declared beside the formula of its wrong value.

A *numeric* trap is a slip that gives a wrong-but-plausible number: it is declared by decorating its **value
function**, which computes that number from the same parameters as the right formula::

    @trap("forgot_bias", title="Forgot the bias", feedback="Each filter has one bias, so add C_out …")
    def conv_forgot_bias(k: int, c_in: int, c_out: int, **kw: int) -> int:
        return F.conv_params(k, c_in, c_out, bias=False, **kw)

A *conceptual* trap is a wrong claim with no value; it is declared as data with :func:`conceptual`.  Each record
keeps its feedback (what a student who fell into it should read) and, for conceptual traps, the claim as it
appears among the options.  The grader reuses the ids, so a misconception is tracked across quizzes and code.

The feedback a question stores is built for that question by :meth:`Trap.feedback_for`: a trap may declare an
``explain`` function that words the slip from the question's own key, the trap's value, the stem (its "times
more" or "times fewer") and whatever the generator passes, so that the same trap reads right when a bias-free
layer turns "forgot the bias" into "added a bias", or when the stem asks "how many times more".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

TrapKind = Literal["conceptual", "numeric"]
ValueFn = TypeVar("ValueFn", bound=Callable[..., Any])


@dataclass(frozen=True)
class Trap:
    id: str
    title: str
    kind: TrapKind
    feedback: str
    claim: str = ""
    fn: Callable[..., Any] | None = field(default=None, repr=False, compare=False)
    """The value function of a numeric trap (``None`` for a conceptual one)."""
    explain: Callable[..., str | None] | None = field(default=None, repr=False, compare=False)
    """``explain(key=, value=, stem=, **context) -> str | None``: the feedback for one question (``None``: the
    general ``feedback``)."""

    def feedback_for(self, *, key: Any = None, value: Any = None, stem: str = "", **context: Any) -> str:
        """The feedback of this trap in one question: the slip that gives ``value``, in the words of ``stem``."""
        if self.explain is None:
            return self.feedback
        return self.explain(key=key, value=value, stem=stem, **context) or self.feedback

    def value(self, *args: Any, **kwargs: Any) -> Any:
        """The wrong value this slip gives for the parameters of the right formula."""
        if self.fn is None:
            raise TypeError(f"trap {self.id!r} is conceptual: it has a claim, not a value")
        return self.fn(*args, **kwargs)


TRAPS: dict[str, Trap] = {}


def _register(t: Trap) -> Trap:
    if t.id in TRAPS:
        raise ValueError(f"trap {t.id!r} is declared twice")
    TRAPS[t.id] = t
    return t


def trap(
    id: str, *, title: str, feedback: str, claim: str = "", explain: Callable[..., str | None] | None = None
) -> Callable[[ValueFn], ValueFn]:
    """Register the decorated function as the value function of numeric trap ``id`` (the function is unchanged)."""

    def deco(fn: ValueFn) -> ValueFn:
        _register(Trap(id, title, "numeric", feedback, claim, fn, explain))
        return fn

    return deco


def conceptual(
    id: str, *, title: str, feedback: str, claim: str, explain: Callable[..., str | None] | None = None
) -> Trap:
    """Register conceptual trap ``id``: a wrong ``claim`` (an option's text) and the ``feedback`` that corrects it."""
    return _register(Trap(id, title, "conceptual", feedback, claim, None, explain))


def asks_more(stem: str) -> bool | None:
    """``True`` if the stem asks "how many times more" (or larger), ``False`` for "times fewer" / "smaller",
    ``None`` if it asks neither."""
    import re

    if re.search(r"times\s+\**(more|larger|bigger|as many)\b", stem, re.I):
        return True
    if re.search(r"times\s+\**(fewer|smaller|less)\b", stem, re.I):
        return False
    return None


def get(trap_id: str) -> Trap:
    try:
        return TRAPS[trap_id]
    except KeyError:
        raise KeyError(f"unknown trap {trap_id!r}") from None
