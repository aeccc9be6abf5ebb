"""Raw text → a typed answer, or a format error that costs no attempt.

Parsing is separate from grading: ``12x12`` for a numeric question is not a
wrong answer, it is a malformed one, and the student is told why.

Accepted forms
--------------
numbers
    ``73856``, ``73,856``, ``73 856`` (also thin/no-break spaces, ``_`` and ``'`` as
    thousands separators), ``7.3856e4``, ``7.3856×10^4`` (``x``, ``*``, ``·``,
    ``\\times``; ``^`` or ``**``; ``10⁴`` with superscripts), a leading ``=``, ``≈`` or
    ``~``, a Unicode minus ``−``, a fraction ``1/9``, an SI suffix (``73.9k``, ``3.86 G``,
    ``25.6M``: ×10³, ×10⁶, ×10⁹; also ``thousand``, ``million``, ``billion``) and a
    trailing ``%`` (:func:`parse_number`: the number before it).
numbers for a question (:func:`parse_numeric`)
    all of the above, and a unit word after the number when it is the question's own
    unit or agrees with what the question counts (:func:`answer_measure`):
    ``73,856 params``, ``3.86 GMACs``, ``1.78×`` (``x``, ``times``) after a ratio, ``197
    tokens``, ``11 px``. A unit that contradicts the question is a format error that
    says so (``4.09 GFLOPs`` where MACs are asked: FLOPs ≈ 2·MACs). ``%`` follows the
    question: ``11.1%`` is 11.1 where the answer is in percent, 0.111 where it is a
    ratio or a plain fraction, and refused where it is a count.
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

from quizbank.schema import (
    AnyQuestion,
    CombinedWitness,
    MultipleChoiceQuestion,
    MultiSelectQuestion,
    NumericQuestion,
    ProbeWitness,
    ShapeQuestion,
)

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


def _strip_leading(text: str) -> str:
    """Drop a leading ``=``, ``≈``, ``~`` or ``≃`` (``= 73856``, ``≈73.9k``)."""
    if text[0] in "=≈~≃":
        text = text[1:].strip()
        if not text:
            raise FormatError("the answer is empty after '='")
    return text.replace("\u2212", "-")  # Unicode minus sign


def _value(text: str, raw: str, exponent: int = 0) -> float:
    """The number ``text`` (no ``=``, no ``%``, no unit) times ``10**exponent``."""
    if sup := _SUPERSCRIPT_EXP.search(text):
        text = text[: sup.start()] + "10^" + sup.group(1).translate(_SUPERSCRIPTS)
    low = text.lower()
    if _NAN.search(low):
        raise FormatError("NaN is not a number we can grade")
    if _INF.search(low) or "∞" in text:
        raise FormatError("infinity is not an answer here")
    # a plain decimal is scaled through its exponent, so 73.856k is exactly 73856 (73.856·1000 is not)
    if _THOUSANDS.match(text):
        mantissa = re.sub(f"[{_SEPARATORS}]", "", text)
        value = float(f"{mantissa}e{exponent}")
    elif _PLAIN.match(text):
        mantissa, _, e = text.replace("E", "e").partition("e")
        value = float(f"{mantissa}e{int(e or 0) + exponent}")
    elif m2 := _TIMES_TEN.match(text):
        # via the decimal string: 10.0 ** 400 raises OverflowError, float("1e400") is inf (reported below)
        mantissa = m2.group(1)
        value = float(f"{m2.group(1)}e{int(m2.group(2)) + exponent}")
    elif m4 := _POWER_OF_TEN.match(text):
        mantissa = "1"
        value = float(f"1e{int(m4.group(1)) + exponent}")
    elif m3 := _FRACTION.match(text):
        den = float(m3.group(2))
        if den == 0:
            raise FormatError("division by zero")
        mantissa = m3.group(1)
        value = float(m3.group(1)) / den * 10.0**exponent
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


# ------------------------------------------------------------------ suffixes and units after a number

SI_PREFIXES = {"k": 3, "K": 3, "M": 6, "G": 9}
"""SI suffixes a number may carry: ``73.9k`` = 73,900, ``3.86 G`` = 3.86·10⁹ (``M`` is mega)."""
SCALE_WORDS = {"thousand": 3, "million": 6, "billion": 9}
_MISREAD_PREFIXES = {
    "m": "'m' is milli: write M for millions (25.6M)",
    "g": "write G for billions (3.86G)",
    "b": "write G for billions (3.86G), not B",
    "B": "write G for billions (3.86G), not B",
    "bn": "write G for billions (3.86G), not bn",
}
MEASURES: dict[str, tuple[str, ...]] = {
    "params": ("param", "params", "parameter", "parameters", "weight", "weights"),
    "macs": ("mac", "macs", "madd", "madds", "mult-adds", "multiply-adds", "multiply-accumulates"),
    "flops": ("flop", "flops"),
    "pixels": ("px", "pixel", "pixels"),
    "tokens": ("token", "tokens"),
    "channels": ("channel", "channels"),
    "samples": ("sample", "samples"),
    "rows": ("row", "rows"),
    "ratio": ("×", "x", "times"),
    "percent": ("%", "percent", "per cent", "pct"),
}
"""What a numeric answer counts, and the unit words that name it (case-insensitive)."""
_UNIT_WORDS = {w: m for m, words in MEASURES.items() for w in words}
_COUNTS = {"params", "macs", "flops", "pixels", "tokens", "channels", "samples", "rows"}
_DESCRIBE = {
    "params": "a number of parameters",
    "macs": "a number of MACs (multiply-accumulates)",
    "flops": "a number of FLOPs",
    "pixels": "a size in pixels",
    "tokens": "a number of tokens",
    "channels": "a number of channels",
    "samples": "a number of samples",
    "rows": "a number of rows",
    "ratio": "a ratio",
    "percent": "a percentage",
}
_QUANTITY_MEASURE = {
    "count_params": "params",
    "trainable_params": "params",
    "non_trainable_params": "params",
    "macs": "macs",
    "receptive_field": "pixels",
    "channels": "channels",
}
_PROBE_MEASURE = {"output_dim": "pixels", "vit_token_count": "tokens"}
_UNIT_TAIL = re.compile(
    r"^(?P<num>.*?[0-9.}⁰¹²³⁴⁵⁶⁷⁸⁹])\s*(?P<tail>[^\W\d_⁰¹²³⁴⁵⁶⁷⁸⁹](?:[^\W\d⁰¹²³⁴⁵⁶⁷⁸⁹]|[\s\-])*|%|×)\s*$"
)


def answer_measure(question: NumericQuestion) -> str | None:
    """What the question's answer counts (a key of :data:`MEASURES`), or ``None`` when it is a plain number.

    From the question's unit when it has one, else from its witness: a ratio or percentage of two measurements, or
    the measured quantity (parameters, MACs, a receptive field in pixels, channels)."""
    if question.unit:
        return _UNIT_WORDS.get(question.unit.strip().lower(), question.unit.strip().lower())
    w = question.witness
    if w is None:
        return None
    if isinstance(w, CombinedWitness) and w.op == "ratio":
        return "ratio"
    if isinstance(w, CombinedWitness) and w.op.startswith("percent"):
        return "percent"
    if isinstance(w, ProbeWitness):
        return _PROBE_MEASURE.get(w.probe)
    return _QUANTITY_MEASURE.get(w.quantity)


def _describe(measure: str) -> str:
    return _DESCRIBE.get(measure, f"a number of {measure}")


def _suffix(tail: str, raw: str) -> tuple[int, str | None]:
    """``(power of ten, measure)`` named by the text after a number: ``k``, ``G MACs``, ``params``, ``%``, ``×``."""
    text = " ".join(tail.split())
    low = text.lower()
    if low in _UNIT_WORDS:
        return 0, _UNIT_WORDS[low]
    exponent, rest = 0, text
    first, _, after = text.partition(" ")
    if first.lower() in SCALE_WORDS:
        exponent, rest = SCALE_WORDS[first.lower()], after
    elif first in _MISREAD_PREFIXES and (not after or after.lower() in _UNIT_WORDS):
        raise FormatError(f"{raw.strip()!r}: {_MISREAD_PREFIXES[first]}")
    elif text[0] in SI_PREFIXES:
        exponent, rest = SI_PREFIXES[text[0]], text[1:].strip()
    elif text[0] in _MISREAD_PREFIXES and text[1:].strip().lower() in _UNIT_WORDS:
        raise FormatError(f"{raw.strip()!r}: {_MISREAD_PREFIXES[text[0]]}")
    if not rest:
        return exponent, None
    measure = _UNIT_WORDS.get(rest.lower())
    if measure is None or measure == "percent":
        raise FormatError(
            f"{raw.strip()!r} is not a number: {rest!r} is not a unit we know (try 73856, 73,856, 73.9k or 7.3856e4)"
        )
    return exponent, measure


def _split_unit(text: str) -> tuple[str, str | None]:
    """``"73,856 params"`` → ``("73,856", "params")``; a text without letters, ``%`` or ``×`` after its last digit is
    all number (``7.3856×10^4`` ends with a digit)."""
    m = _UNIT_TAIL.match(text)
    if m is None:
        return text, None
    return m.group("num"), m.group("tail")


def parse_number(raw: str) -> float:
    """``73856``, ``73,856``, ``73 856``, ``7.3856e4``, ``7.3856×10^4``, ``=73856``, ``1/9``, ``28%`` (28), ``73.9k``.

    Without a question there is nothing to read a unit or a ``%`` against: a unit word is refused and ``%`` is
    dropped (:func:`parse_numeric` reads both against a question)."""
    text = _strip_leading(_clean(raw))
    m = _PERCENT.match(text)
    if m:
        return _value(m.group(1), raw)
    num, tail = _split_unit(text)
    if tail is None:
        return _value(text, raw)
    exponent, measure = _suffix(tail, raw)
    if measure is not None:
        raise FormatError(f"{raw.strip()!r}: a unit is read against a question; type the number alone")
    return _value(num, raw, exponent)


def parse_numeric(raw: str, question: NumericQuestion) -> float:
    """The number typed for ``question``, read against what it counts (:func:`answer_measure`).

    Accepts everything :func:`parse_number` does, plus a unit word naming what the question counts (``73,856
    params``, ``3.86 GMACs``, ``1.78×``); refuses a unit that contradicts it. ``%`` is read against the question:
    percentage points where the answer is in %, a fraction (11.1% → 0.111) where it is a ratio or a plain number,
    and refused where it is a count."""
    text = _strip_leading(_clean(raw))
    num, tail = _split_unit(text)
    if tail is None:
        return _value(text, raw)
    expected = answer_measure(question)
    exponent, typed = _suffix(tail, raw)
    if typed == "percent":
        if expected == "percent":
            return _value(num, raw)
        if expected is None or expected == "ratio":
            return _value(num, raw, -2)
        raise FormatError(f"this question asks for {_describe(expected)}, not a percentage: type the number alone")
    if typed is not None and typed != expected:
        if expected is None:
            raise FormatError(f"this answer is a plain number: type it without {tail.strip()!r}")
        if typed == "flops" and expected == "macs":
            raise FormatError(
                "this question counts MACs (multiply-accumulates), and FLOPs ≈ 2·MACs: a FLOP count is a different "
                "number. Give the number of MACs"
            )
        if typed == "macs" and expected == "flops":
            raise FormatError("this question counts FLOPs (≈ 2·MACs), not MACs: give the number of FLOPs")
        raise FormatError(f"this question asks for {_describe(expected)}, not {_describe(typed)}")
    return _value(num, raw, exponent)


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
        return Parsed(parse_numeric(raw, question), raw)
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
