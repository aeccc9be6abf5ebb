"""Raw text → a typed answer, or a format error that costs no attempt.

Parsing is separate from grading: ``12x12`` for a numeric question is not a
wrong answer, it is a malformed one, and the student is told why.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from quizbank.schema import AnyQuestion, MultipleChoiceQuestion, MultiSelectQuestion, NumericQuestion, ShortTextQuestion

MAX_LEN = 200


class FormatError(ValueError):
    """The answer is malformed; it must not cost an attempt."""


@dataclass(frozen=True)
class Parsed:
    value: Any
    raw: str


_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([, \u00a0\u202f_]\d{3})+(\.\d+)?$")
_TIMES_TEN = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(?:[x×*·]|\\times|\\cdot)\s*10\s*(?:\^|\*\*)\s*\{?([+-]?\d+)\}?$")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_FRACTION = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)$")
_PERCENT = re.compile(r"^(.*?)\s*%$")


def _clean(raw: str) -> str:
    if not isinstance(raw, str):
        raise FormatError("the answer must be text")
    if len(raw) > MAX_LEN:
        raise FormatError(f"the answer is {len(raw)} characters long; at most {MAX_LEN} are accepted")
    text = raw.strip()
    if not text:
        raise FormatError("the answer is empty")
    return text


def parse_number(raw: str) -> float:
    """``73856``, ``73,856``, ``73 856``, ``7.3856e4``, ``7.3856×10^4``, ``=73856``, ``1/9``, ``28%``."""
    text = _clean(raw)
    if text.startswith("="):
        text = text[1:].strip()
    m = _PERCENT.match(text)
    if m:
        text = m.group(1)
    low = text.lower()
    if low in {"nan", "+nan", "-nan"} or "nan" in low:
        raise FormatError("NaN is not a number we can grade")
    if "inf" in low or "∞" in text:
        raise FormatError("infinity is not an answer here")
    if _THOUSANDS.match(text):
        value = float(re.sub(r"[, \u00a0\u202f_]", "", text))
    elif _PLAIN.match(text):
        value = float(text)
    elif m2 := _TIMES_TEN.match(text):
        value = float(m2.group(1)) * 10.0 ** int(m2.group(2))
    elif m3 := _FRACTION.match(text):
        den = float(m3.group(2))
        if den == 0:
            raise FormatError("division by zero")
        value = float(m3.group(1)) / den
    else:
        raise FormatError(f"{raw.strip()!r} is not a number (try 73856, 73,856, 7.3856e4 or 7.3856×10^4)")
    if not math.isfinite(value):
        raise FormatError("the number is too large")
    return value


_SHAPE_SEP = re.compile(r"\s*[x×X*,]\s*")


def parse_shape(raw: str) -> list[int]:
    """``(None, 112, 112, 64)``, ``112x112x64``, ``112×112×64``, ``[112, 112, 64]`` → ``[112, 112, 64]``."""
    text = _clean(raw)
    if text[0] in "([" and text[-1] in ")]":
        text = text[1:-1].strip().removesuffix(",").strip()  # (112,) is a 1-tuple
    parts = _SHAPE_SEP.split(text)
    if any(p == "" for p in parts):
        raise FormatError("a dimension is missing between the separators (write a shape like 112×112×64)")
    if parts and parts[0].lower() in ("none", "n", "batch", "?"):
        parts = parts[1:]
    if not parts:
        raise FormatError("a shape needs at least one dimension, e.g. 112×112×64")
    dims: list[int] = []
    for p in parts:
        if not re.fullmatch(r"\d+", p):
            raise FormatError(f"{p!r} is not a whole-number dimension (write a shape like 112×112×64)")
        dims.append(int(p))
    if len(dims) > 6:
        raise FormatError("a shape has at most 6 dimensions here")
    return dims


def parse_choice(raw: str, option_ids: list[str]) -> str:
    text = _clean(raw).lower().strip("() .")
    if text not in option_ids:
        raise FormatError(f"choose one of {', '.join(option_ids)}")
    return text


def parse_multi(raw: str, option_ids: list[str]) -> list[str]:
    """A comma (or space) separated list of option ids: ``a, c``."""
    text = _clean(raw).lower()
    parts = [p.strip("() .") for p in re.split(r"[,\s;]+", text) if p.strip("() .")]
    bad = [p for p in parts if p not in option_ids]
    if bad:
        raise FormatError(
            f"{', '.join(bad)} {'is' if len(bad) == 1 else 'are'} not options; choose from {', '.join(option_ids)}"
        )
    if len(set(parts)) != len(parts):
        raise FormatError("an option is listed twice")
    if not parts:
        raise FormatError("select at least one option")
    return sorted(parts)


def parse_answer(question: AnyQuestion, raw: str) -> Parsed:
    """Parse raw text for a question, or raise :class:`FormatError`."""
    if isinstance(question, NumericQuestion):
        return Parsed(parse_number(raw), raw)
    if isinstance(question, ShortTextQuestion):
        if question.format == "shape":
            return Parsed(parse_shape(raw), raw)
        return Parsed(_clean(raw), raw)
    ids = [o.id for o in question.options]
    if isinstance(question, MultipleChoiceQuestion):
        return Parsed(parse_choice(raw, ids), raw)
    if isinstance(question, MultiSelectQuestion):
        return Parsed(parse_multi(raw, ids), raw)
    raise TypeError(type(question).__name__)
