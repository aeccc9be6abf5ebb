"""Text shared by the exporters: the bank's Markdown with ``$…$`` math, as HTML (math kept as LaTeX for MathJax or
Canvas) or as Typst markup (math converted, :func:`latex_to_typst`), and answers as plain strings."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache
from math import floor, log10

from ..schema import (
    AnyQuestion,
    MultipleChoiceQuestion,
    NumericQuestion,
    ShapeQuestion,
    TrapValue,
)

_MATH = re.compile(r"\$([^$]+)\$")


def split_math(text: str) -> list[tuple[bool, str]]:
    """``text`` cut into ``(is_math, piece)`` at its ``$…$`` spans."""
    out: list[tuple[bool, str]] = []
    pos = 0
    for m in _MATH.finditer(text):
        if m.start() > pos:
            out.append((False, text[pos : m.start()]))
        out.append((True, m.group(1)))
        pos = m.end()
    if pos < len(text):
        out.append((False, text[pos:]))
    return out


def number(x: float | int) -> str:
    """A number as a machine reads it back: no thousands separators nor exponent, up to 12 significant digits."""
    if isinstance(x, bool):
        raise TypeError("not a number")
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer() and abs(x) < 1e15):
        return str(int(x))
    s = f"{x:.12g}"
    if "e" in s:  # readers of GIFT and QTI take no exponents
        s = format(Decimal(s), "f")
    return s


def shape_text(dims: list[int]) -> str:
    return "×".join(str(d) for d in dims)


def trap_text(q: AnyQuestion, t: TrapValue) -> str:
    """A trap's value written the way an answer to ``q`` is."""
    if isinstance(t.value, list):
        return shape_text(t.value)
    return number(t.value)


def absolute_tolerance(q: NumericQuestion) -> float:
    """The question's tolerance as a ± around the key (what Moodle, GIFT and Canvas take)."""
    tol = q.tolerance
    if tol.mode == "exact":
        return 0.0
    if tol.mode == "absolute":
        return tol.value
    if tol.mode == "relative":
        return tol.value * abs(q.key)
    exponent = floor(log10(abs(q.key))) if q.key != 0 else 0
    return 0.5 * 10.0 ** (exponent - max(1, int(tol.value)) + 1)


def key_text(q: AnyQuestion, labels: bool = True) -> str:
    """The key as a person reads it (options by letter and text)."""
    if isinstance(q, NumericQuestion):
        return number(q.key) + (f" {q.unit}" if q.unit else "")
    if isinstance(q, ShapeQuestion):
        return q.key
    letters = {o.id: letter(i) for i, o in enumerate(q.options)}
    chosen = [q.key] if isinstance(q, MultipleChoiceQuestion) else list(q.key)
    ordered = [o for o in q.options if o.id in chosen]
    return "; ".join(f"({letters[o.id]}) {o.text}" if labels else o.text for o in ordered)


def letter(i: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[i]


def accepted_shapes(q: ShapeQuestion) -> list[str]:
    """The key and every accepted spelling, without repeats."""
    seen: list[str] = []
    for a in [q.key, *q.accept]:
        if a not in seen:
            seen.append(a)
    return seen


def trap_feedback_list(q: NumericQuestion | ShapeQuestion) -> str:
    """The traps as a Markdown list: the wrong value and the misconception it comes from."""
    if not q.traps:
        return ""
    lines = [f"- {trap_text(q, t)}: {t.feedback}" for t in q.traps]
    return "\n\nCommon wrong answers:\n\n" + "\n".join(lines)


# ------------------------------------------------------------------ Markdown → HTML

_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITAL = re.compile(r"(?<![*\w])\*(?!\s)([^*]+?)(?<!\s)\*(?![*\w])")
_ULIST = re.compile(r"^\s*[-*] +(.*)$")
_OLIST = re.compile(r"^\s*\d+[.)] +(.*)$")


def mathjax(latex: str) -> str:
    """Inline math for Moodle's MathJax filter: ``\\( … \\)``, HTML-escaped."""
    return r"\(" + html.escape(latex, quote=False) + r"\)"


def _plain_html(piece: str) -> str:
    """Markdown text without math as HTML: code spans kept literal, then bold and italics."""
    codes: list[str] = []

    def keep(m: re.Match[str]) -> str:
        codes.append("<code>" + html.escape(m.group(1), quote=False) + "</code>")
        return f"\x00{len(codes) - 1}\x00"

    s = html.escape(_CODE.sub(keep, piece), quote=False)
    s = _BOLD.sub(r"<strong>\1</strong>", s)
    s = _ITAL.sub(r"<em>\1</em>", s)
    return re.sub("\x00(\\d+)\x00", lambda m: codes[int(m.group(1))], s)


def _with_math(text: str, math: Callable[[str], str], plain: Callable[[str], str]) -> str:
    """``plain`` applied to the text with each ``$…$`` span held out (so emphasis may wrap math), then the spans
    put back as ``math`` renders them."""
    spans: list[str] = []

    def hold(m: re.Match[str]) -> str:
        spans.append(math(m.group(1)))
        return f"\x01{len(spans) - 1}\x01"

    return re.sub("\x01(\\d+)\x01", lambda m: spans[int(m.group(1))], plain(_MATH.sub(hold, text)))


def _inline_html(text: str, math: Callable[[str], str]) -> str:
    return _with_math(text, math, _plain_html)


def _blocks(text: str) -> list[tuple[str, list[str]]]:
    """Paragraphs and lists: ``("p", [text])``, ``("ul", items)``, ``("ol", items)``."""
    out: list[tuple[str, list[str]]] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        para: list[str] = []
        for line in block.splitlines():
            m_u, m_o = _ULIST.match(line), _OLIST.match(line)
            kind = "ul" if m_u else "ol" if m_o else None
            if kind is None:
                if out and out[-1][0] in ("ul", "ol") and not para and line.startswith(" "):
                    out[-1][1][-1] += " " + line.strip()
                else:
                    para.append(line.strip())
                continue
            if para:
                out.append(("p", [" ".join(para)]))
                para = []
            item = (m_u or m_o).group(1)  # type: ignore[union-attr]
            if out and out[-1][0] == kind:
                out[-1][1].append(item)
            else:
                out.append((kind, [item]))
        if para:
            out.append(("p", [" ".join(para)]))
    return out


# An exam repeats the same few thousand texts (stems, explanations, trap feedback) across students and formats:
# the conversions below are pure, so each distinct text is converted once per process.
_CACHE_SIZE = 1 << 14


@lru_cache(maxsize=_CACHE_SIZE)
def md_html(text: str, math: Callable[[str], str] = mathjax) -> str:
    """The bank's Markdown as HTML on one line (GIFT ends a question at a blank line)."""
    html_parts: list[str] = []
    for kind, items in _blocks(text):
        if kind == "p":
            html_parts.append("<p>" + _inline_html(items[0], math) + "</p>")
        else:
            html_parts.append(f"<{kind}>" + "".join(f"<li>{_inline_html(i, math)}</li>" for i in items) + f"</{kind}>")
    return "".join(html_parts)


# ------------------------------------------------------------------ LaTeX → Typst math

_SYMBOLS = {
    "cdot": "dot.op",
    "times": "times",
    "partial": "partial",
    "approx": "approx",
    "le": "<=",
    "leq": "<=",
    "ge": ">=",
    "geq": ">=",
    "ne": "!=",
    "neq": "!=",
    "in": "in",
    "sum": "sum",
    "prod": "product",
    "dots": "dots.h",
    "ldots": "dots.h",
    "cdots": "dots.h.c",
    "star": "star.op",
    "max": "max",
    "min": "min",
    "log": "log",
    "exp": "exp",
    "lfloor": "floor.l",
    "rfloor": "floor.r",
    "lceil": "ceil.l",
    "rceil": "ceil.r",
    "to": "arrow.r",
    "rightarrow": "arrow.r",
    "infty": "infinity",
    "pm": "plus.minus",
    "varepsilon": "epsilon.alt",
    "epsilon": "epsilon",
    ",": "thin",
    ";": "med",
    " ": "space",
    "quad": "quad",
    "%": "%",
    "{": "\\{",
    "}": "\\}",
    "_": "\\_",
    "#": "\\#",
    "$": "\\$",
}
_GREEK_NAMES = set(
    "alpha beta gamma delta zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau upsilon phi chi psi omega "
    "Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega".split()
)
_TEXTUAL = {"text", "mathrm", "textrm", "operatorname", "mathit", "textit", "mathbf", "textbf"}
_MATRICES = {"pmatrix": '"("', "bmatrix": '"["', "matrix": "#none", "vmatrix": '"|"'}
_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[A-Za-z]+|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\s+|.", re.S)


class _LatexToTypst:
    def __init__(self, latex: str) -> None:
        self.toks = [t for t in _TOKEN.findall(latex)]
        self.i = 0
        self.unknown: Counter[str] = Counter()

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> str:
        t = self.toks[self.i]
        self.i += 1
        return t

    def group(self) -> str:
        """The next argument: a ``{…}`` group or one token, converted."""
        while self.peek() is not None and self.peek().isspace():  # type: ignore[union-attr]
            self.i += 1
        if self.peek() == "{":
            self.i += 1
            return self.until("}")
        if self.peek() is None:
            return ""
        return self.one()

    def raw_group(self) -> str:
        """The literal text of the next ``{…}`` group."""
        if self.peek() != "{":
            return self.take() if self.peek() is not None else ""
        self.i += 1
        depth, out = 1, []
        while self.peek() is not None:
            t = self.take()
            if t == "{":
                depth += 1
            elif t == "}":
                depth -= 1
                if depth == 0:
                    break
            out.append(t)
        return "".join(out)

    def until(self, end: str | None) -> str:
        out: list[str] = []
        while self.peek() is not None and self.peek() != end:
            if end == "}" and self.peek() == "\\end":
                break
            out.append(self.one())
        if end is not None and self.peek() == end:
            self.i += 1
        return "".join(out)

    def one(self) -> str:
        t = self.take()
        if t.startswith("\\") and len(t) > 1:
            name = t[1:]
            if name in _SYMBOLS:
                return f" {_SYMBOLS[name]} "
            if name in _GREEK_NAMES:
                return f" {name} "
            if name == "frac":
                a, b = self.group(), self.group()
                return f" ({a})/({b}) "
            if name == "sqrt":
                return f" sqrt({self.group()}) "
            if name in ("bar", "overline"):
                return f" overline({self.group()}) "
            if name == "hat":
                return f" hat({self.group()}) "
            if name in _TEXTUAL:
                text = self.raw_group().replace("\\", "\\\\").replace('"', '\\"')
                return f' "{text}" '
            if name == "\\":
                return "; "
            if name == "begin":
                env = self.raw_group()
                if env in _MATRICES:
                    return self.matrix(env)
            if name == "left" or name == "right":
                return self.one() if self.peek() is not None else ""
            self.unknown[t] += 1
            return f' #raw("{t.replace(chr(92), chr(92) * 2)}") '
        if t == "{":
            return self.until("}")
        if t in ("^", "_"):
            arg = self.group().strip()
            return f"{t}({arg})"
        if (t.isalpha() and len(t) > 1) or (t[0].isdigit() and "," in t):
            return f' "{t}" '
        if t == "&":
            return ", "
        return {
            "/": "\\/",
            ",": "\\,",
            ";": "\\;",
            '"': '\\"',
            "#": "\\#",
            "$": "\\$",
            "@": "\\@",
            "'": "'",
            "~": " ",
            "*": " ast.op ",
            "[": "\\[",
            "]": "\\]",
        }.get(t, t)

    def matrix(self, env: str) -> str:
        cells = self.until_end()
        self.raw_group()  # the environment's name after \end
        return f" mat(delim: {_MATRICES[env]}, {cells}) "

    def until_end(self) -> str:
        out: list[str] = []
        while self.peek() is not None and self.peek() != "\\end":
            out.append(self.one())
        if self.peek() == "\\end":
            self.i += 1
        return "".join(out)


def latex_to_typst(latex: str, unknown: Counter[str] | None = None) -> str:
    """Typst math for the LaTeX the bank writes; a command it does not know is shown as raw code and counted in
    ``unknown``."""
    conv = _LatexToTypst(latex)
    out = conv.until(None)
    if unknown is not None:
        unknown.update(conv.unknown)
    out = re.sub(r"\s+([\^_]\()", r"\1", out)
    return re.sub(r"\s+", " ", out).strip()


# ------------------------------------------------------------------ Markdown → Typst markup

_TYPST_SPECIAL = re.compile(r"([\\*_`#$@<>\[\]~/=+\-'\"])")


def _typst_escape(s: str) -> str:
    return _TYPST_SPECIAL.sub(r"\\\1", s)


# Inline code in raw's own look (its font at 0.8em) without a raw element: 300 exams hold thousands of code spans,
# and a raw element costs Typst 10-20 % of the whole layout more than styled text.
_CODE_TYPST = '#text(font: "DejaVu Sans Mono", size: 0.8em, {})'


def _after_code(text: str) -> str:
    """Escaped text that follows an embedded ``#…`` expression: Typst would take a first ``;`` as the expression's
    end (and drop it), and a ``.`` or ``(`` as a field access or a call."""
    return ("\\" + text[0] + _typst_escape(text[1:])) if text[:1] in (";", ".", "(") else _typst_escape(text)


def _plain_typst(piece: str) -> str:
    out: list[str] = []
    pos = 0
    for m in re.finditer(r"`([^`]+)`|\*\*(.+?)\*\*|(?<![*\w])\*(?!\s)([^*]+?)(?<!\s)\*(?![*\w])", piece):
        out.append(_after_code(piece[pos : m.start()]) if pos else _typst_escape(piece[pos : m.start()]))
        if m.group(1) is not None:
            out.append(_CODE_TYPST.format(typst_string(m.group(1))))
        elif m.group(2) is not None:
            out.append("#strong[" + _typst_escape(m.group(2)) + "]")
        else:
            out.append("#emph[" + _typst_escape(m.group(3)) + "]")
        pos = m.end()
    out.append(_after_code(piece[pos:]) if pos else _typst_escape(piece))
    return "".join(out)


def _inline_typst(text: str, unknown: Counter[str] | None) -> str:
    return _with_math(text, lambda latex: "$" + latex_to_typst(latex, unknown) + "$", _plain_typst)


def md_typst(text: str, unknown: Counter[str] | None = None) -> str:
    """The bank's Markdown (with ``$…$`` math) as Typst markup."""
    markup, missing = _md_typst(text)
    if unknown is not None and missing:
        unknown.update(dict(missing))
    return markup


@lru_cache(maxsize=_CACHE_SIZE)
def _md_typst(text: str) -> tuple[str, tuple[tuple[str, int], ...]]:
    """:func:`md_typst` of ``text`` and the LaTeX commands it could not convert, with their counts."""
    unknown: Counter[str] = Counter()
    out: list[str] = []
    for kind, items in _blocks(text):
        if kind == "p":
            out.append(_inline_typst(items[0], unknown))
        else:
            mark = "-" if kind == "ul" else "+"
            out.append("\n".join(f"{mark} {_inline_typst(i, unknown)}" for i in items))
    return "\n\n".join(out), tuple(unknown.items())


def typst_string(s: str) -> str:
    """A Typst string literal."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
