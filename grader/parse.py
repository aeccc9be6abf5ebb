"""Raw text → a typed answer, or a format error that costs no attempt.

Parsing is separate from grading: ``12x12`` for a numeric question is not a
wrong answer, it is a malformed one, and the student is told why.

Accepted forms
--------------
numbers
    ``73856``, ``73,856``, ``73 856`` (also thin/no-break spaces, ``_`` and ``'`` as
    thousands separators), ``7.3856e4``, ``7.3856×10^4`` (``x``, ``*``, ``·``,
    ``\\times``; ``^`` or ``**``; ``10⁴`` with superscripts), a leading ``=``, a
    Unicode minus ``−``, a fraction ``1/9`` and a trailing ``%`` (the number before it).
shapes
    ``(None, 112, 112, 64)``, ``112x112x64``, ``112×112×64``, ``[112, 112, 64]``;
    a leading ``None``/``batch``/``?`` is the batch axis and is dropped.
multi-select
    comma (or space / semicolon / "and") separated option ids: ``a, c``, ``{a, c}``.
multi-part
    one raw string per part, each parsed for its own question (:func:`parse_parts`).

Rejected, with a message saying why: empty input, more than :data:`MAX_LEN`
characters, NaN, infinity, overflow, division by zero, a shape typed for a
number, decimal commas, and anything else that is not one of the forms above.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from quizbank.schema import AnyQuestion, MultipleChoiceQuestion, MultiSelectQuestion, NumericQuestion, ShapeQuestion

MAX_LEN = 200
"""Longest raw answer accepted, in characters (the longest honest answer is a shape of ~30)."""
MAX_DIM = 10**12
"""Largest tensor dimension accepted in a shape; anything above is a typo, not a shape."""
MAX_PARTS = 50


class FormatError(ValueError):
    """The answer is malformed; it must not cost an attempt.

    ``part`` is the 0-based index of the offending part of a multi-part answer (else ``None``).
    """

    def __init__(self, message: str, part: int | None = None) -> None:
        super().__init__(message)
        self.part = part


@dataclass(frozen=True)
class Parsed:
    value: Any
    raw: str


_SEPARATORS = ", \u00a0\u2009\u202f_'"
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([, \u00a0\u2009\u202f_']\d{3})+(\.\d+)?$")
_TIMES_TEN = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(?:[x×*·]|\\times|\\cdot)\s*10\s*(?:\^|\*\*)\s*\{?([+-]?\d+)\}?$")
_POWER_OF_TEN = re.compile(r"^10\s*(?:\^|\*\*)\s*\{?([+-]?\d+)\}?$")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_FRACTION = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)$")
_PERCENT = re.compile(r"^(.*?)\s*%$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,(\d{1,2}|\d{4,})$")
_SHAPE_LIKE = re.compile(r"^(\d+(\s*[x×]\s*\d+)+|[(\[]\s*(none\s*,\s*)?\d+(\s*,\s*\d+)*\s*,?\s*[)\]])$", re.IGNORECASE)
_NAN = re.compile(r"(^|[^a-z])nan([^a-z]|$)")
_INF = re.compile(r"(^|[^a-z])inf(inity)?([^a-z]|$)")
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUPERSCRIPT_EXP = re.compile(r"10([⁻⁺]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+)$")


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
        if not text:
            raise FormatError("the answer is empty after '='")
    text = text.replace("\u2212", "-")  # Unicode minus sign
    m = _PERCENT.match(text)
    if m:
        text = m.group(1)
    if sup := _SUPERSCRIPT_EXP.search(text):
        text = text[: sup.start()] + "10^" + sup.group(1).translate(_SUPERSCRIPTS)
    low = text.lower()
    if _NAN.search(low):
        raise FormatError("NaN is not a number we can grade")
    if _INF.search(low) or "∞" in text:
        raise FormatError("infinity is not an answer here")
    if _THOUSANDS.match(text):
        mantissa = text
        value = float(re.sub(f"[{_SEPARATORS}]", "", text))
    elif _PLAIN.match(text):
        mantissa = re.split("[eE]", text)[0]
        value = float(text)
    elif m2 := _TIMES_TEN.match(text):
        # via the decimal string: 10.0 ** 400 raises OverflowError, float("1e400") is inf (reported below)
        mantissa = m2.group(1)
        value = float(f"{m2.group(1)}e{m2.group(2)}")
    elif m4 := _POWER_OF_TEN.match(text):
        mantissa = "1"
        value = float(f"1e{m4.group(1)}")
    elif m3 := _FRACTION.match(text):
        den = float(m3.group(2))
        if den == 0:
            raise FormatError("division by zero")
        mantissa = m3.group(1)
        value = float(m3.group(1)) / den
    elif _DECIMAL_COMMA.match(text):
        raise FormatError(f"{raw.strip()!r}: write decimals with a point (3.5), commas only group thousands (73,856)")
    elif _SHAPE_LIKE.match(text):
        raise FormatError(f"{raw.strip()!r} is not a number but looks like a shape; type a single number")
    else:
        raise FormatError(f"{raw.strip()!r} is not a number (try 73856, 73,856, 7.3856e4 or 7.3856×10^4)")
    if not math.isfinite(value):
        raise FormatError("the number is too large")
    if value == 0 and re.search(r"[1-9]", mantissa):
        raise FormatError("the number is too small to grade (it rounds to 0)")
    return value + 0.0  # -0 → 0


_SHAPE_SEP = re.compile(r"\s*[x×X*,]\s*")


def parse_shape(raw: str) -> list[int]:
    """``(None, 112, 112, 64)``, ``112x112x64``, ``112×112×64``, ``[112, 112, 64]`` → ``[112, 112, 64]``."""
    text = _clean(raw)
    if text[0] in "([" and text[-1] in ")]":
        text = text[1:-1].strip().removesuffix(",").strip()  # (112,) is a 1-tuple
    if not text:
        raise FormatError("a shape needs at least one dimension, e.g. 112×112×64")
    parts = _SHAPE_SEP.split(text)
    if any(p == "" for p in parts):
        raise FormatError("a dimension is missing between the separators (write a shape like 112×112×64)")
    if parts and parts[0].lower() in ("none", "n", "batch", "?"):
        parts = parts[1:]
    if not parts:
        raise FormatError("a shape needs at least one dimension, e.g. 112×112×64")
    if len(parts) > 6:
        raise FormatError("a shape has at most 6 dimensions here")
    dims: list[int] = []
    for p in parts:
        if not re.fullmatch(r"\d+", p):
            if p.lower() in ("none", "?"):
                raise FormatError("only the first (batch) dimension may be None")
            raise FormatError(f"{p!r} is not a whole-number dimension (write a shape like 112×112×64)")
        if len(p) > 13 or int(p) > MAX_DIM:
            raise FormatError(f"{p} is not a plausible tensor dimension")
        dims.append(int(p))
    return dims


def parse_choice(raw: str, option_ids: list[str]) -> str:
    """One option id: ``b``, ``(b)``, ``B.``."""
    text = _clean(raw).lower().strip("() .")
    if text not in option_ids:
        if re.search(r"[,;\s]", text):
            raise FormatError(f"choose exactly one of {', '.join(option_ids)}")
        raise FormatError(f"choose one of {', '.join(option_ids)}")
    return text


def parse_multi(raw: str, option_ids: list[str]) -> list[str]:
    """A comma (or space, semicolon, "and") separated list of option ids: ``a, c``, ``{a, c}``."""
    text = _clean(raw).lower().strip("{}[]")
    parts = [p.strip("() .") for p in re.split(r"[,\s;&]+", text) if p.strip("() .") not in ("", "and")]
    bad = [p for p in parts if p not in option_ids]
    if bad:
        shown = ", ".join(bad[:5]) + (", …" if len(bad) > 5 else "")
        raise FormatError(f"not options here: {shown}; choose from {', '.join(option_ids)}")
    if len(set(parts)) != len(parts):
        raise FormatError("an option is listed twice")
    if not parts:
        raise FormatError("select at least one option")
    return sorted(parts)


def parse_answer(question: AnyQuestion, raw: str) -> Parsed:
    """Parse raw text for a question, or raise :class:`FormatError`."""
    if isinstance(question, NumericQuestion):
        return Parsed(parse_number(raw), raw)
    if isinstance(question, ShapeQuestion):
        return Parsed(parse_shape(raw), raw)
    ids = [o.id for o in question.options]
    if isinstance(question, MultipleChoiceQuestion):
        return Parsed(parse_choice(raw, ids), raw)
    if isinstance(question, MultiSelectQuestion):
        return Parsed(parse_multi(raw, ids), raw)
    raise TypeError(type(question).__name__)


def parse_parts(raws: Sequence[str], questions: Sequence[AnyQuestion]) -> list[Parsed]:
    """Parse a multi-part answer: one raw string per part, each for its own question.

    All parts are parsed before anything is graded: one malformed part makes the
    whole submission a format error (naming the part, 1-based in the message, and
    setting :attr:`FormatError.part`), so no attempt is spent on a half-typed answer.
    """
    if isinstance(raws, str):
        raise FormatError("a multi-part answer is one answer per part, not a single text")
    if len(questions) > MAX_PARTS:
        raise FormatError(f"at most {MAX_PARTS} parts are accepted")
    if len(raws) != len(questions):
        raise FormatError(f"this question has {len(questions)} parts but {len(raws)} answers were given")
    parsed: list[Parsed] = []
    for i, (raw, q) in enumerate(zip(raws, questions, strict=True)):
        try:
            parsed.append(parse_answer(q, raw))
        except FormatError as e:
            raise FormatError(f"part {i + 1}: {e}", part=i) from e
    return parsed
