"""Text on a page, the one module for it: the bank's text as Streamlit markdown with every formula typeset by KaTeX
(:func:`render_md`), and student-controlled text escaped so that nothing in it is interpreted (:func:`md`,
:func:`attr`).

The bank writes formulas two ways: inside ``$…$`` (explanations, some stems) and as plain Unicode text in
feedback and statements (``(K·K·C_in + 1)·C_out``, ``K_eff = d·(K − 1) + 1``, ``H×W``). As plain markdown the
second kind breaks: ``C_in + 1)·C_out`` turns into italics between the underscores. :func:`render_md` keeps the
``$…$`` parts and code spans as they are (a thousands comma in math becomes ``{,}`` so KaTeX does not space it),
and in the plain parts wraps each formula in ``$…$`` as LaTeX (:func:`texify`) and escapes stray underscores.

A formula is found by a small parser (:class:`_Scanner`): terms made of numbers, one-letter symbols (with a
subscript such as ``_in`` or ``_{l−1}``, a superscript ``²``), parenthesised groups and ``floor``/``ceil``/
``max``/``min``/``log`` calls, joined by ``· × ÷ / + − = ≈ ≤ ≥``. A span is typeset only if it holds an operator
between two terms, a subscript or a superscript, and it starts and ends at word boundaries; a word with two
lower-case letters in a row (``depth``, ``use``) is never part of one, so prose stays prose.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_SEGMENTS = re.compile(r"(\$\$.+?\$\$|\$[^$\n]+?\$|`[^`\n]*`)", re.S)
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")

_BINOPS = {
    "·": r"\cdot ",
    "×": r"\times ",
    "÷": r"\div ",
    "/": "/",
    "+": "+",
    "−": "-",
    "=": "=",
    "≈": r"\approx ",
    "≤": r"\le ",
    "≥": r"\ge ",
}
_PREFIX = {"Σ": r"\sum ", "∂": r"\partial ", "−": "-"}
_SUPERS = {"²": "2", "³": "3", "⁴": "4", "ⁿ": "n"}
_GREEK = {
    "α": r"\alpha",
    "β": r"\beta",
    "γ": r"\gamma",
    "δ": r"\delta",
    "ε": r"\varepsilon",
    "λ": r"\lambda",
    "μ": r"\mu",
    "σ": r"\sigma",
    "τ": r"\tau",
    "Δ": r"\Delta",
}
_FUNCS = {"floor": (r"\left\lfloor ", r"\right\rfloor "), "ceil": (r"\left\lceil ", r"\right\rceil ")}
_NAMED = {"max": r"\max", "min": r"\min", "log": r"\log", "exp": r"\exp"}
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?")
_SUBSCRIPT = re.compile(r"_(?:\{([^{}\s]{1,16})\}|([A-Za-z0-9]{1,10}))")
_LETTER = re.compile(r"[A-Za-z" + "".join(_GREEK) + "]")
_WORD = re.compile(r"\w+|.", re.S)
_CALL = re.compile(r"[A-Za-z]\(")
_ACRONYM = re.compile(r"(?<![\\A-Za-z{])[A-Z]{2,}(?![a-z}])")


@dataclass
class _Parsed:
    end: int
    tex: str
    mathy: bool  # an operator between terms, a subscript or a superscript
    letters: str  # the run of letters outside subscripts (to refuse prose)


class _Scanner:
    """A recursive-descent parser over one plain-text segment (positions are indices into ``s``)."""

    def __init__(self, s: str) -> None:
        self.s = s

    def ws(self, i: int) -> int:
        while i < len(self.s) and self.s[i] == " ":
            i += 1
        return i

    def factor(self, i: int) -> _Parsed | None:
        s = self.s
        if i >= len(s):
            return None
        for name, (left, right) in _FUNCS.items():
            if s.startswith(name + "(", i):
                inner = self.group(i + len(name))
                if inner is None:
                    return None
                return _Parsed(inner.end, left + inner.tex[len(r"\left(") : -len(r"\right)")] + right, True, "")
        for name, tex in _NAMED.items():
            if s.startswith(name + "(", i):
                inner = self.group(i + len(name))
                return None if inner is None else _Parsed(inner.end, tex + inner.tex, True, "")
        if s[i] == "(":
            return self.group(i)
        if s[i] == "√":
            arg = self.factor(self.ws(i + 1))
            return None if arg is None else _Parsed(arg.end, r"\sqrt{" + arg.tex + "}", True, "")
        if s[i] == "…":
            return _Parsed(i + 1, r"\dots ", False, "")
        m = _NUMBER.match(s, i)
        if m:
            return _Parsed(m.end(), _THOUSANDS.sub("{,}", m.group()), False, "")
        if _LETTER.match(s, i):
            ch = s[i]
            tex, j, mathy = _GREEK.get(ch, ch), i + 1, False
            sub = _SUBSCRIPT.match(s, j)
            if sub:
                text = (sub.group(1) or sub.group(2)).replace("−", "-")
                tex += "_{" + text + "}"  # as the explanations write it: $C_{in}$
                j, mathy = sub.end(), True
            return _Parsed(j, tex + " " if ch in _GREEK else tex, mathy, "" if mathy else ch)
        return None

    def group(self, i: int) -> _Parsed | None:
        """``( expr [, expr]* )`` starting at ``i`` (which holds the ``(``)."""
        j = self.ws(i + 1)
        parts, mathy = [], False
        while True:
            e = self.expr(j)
            if e is None:
                return None
            parts.append(e.tex)
            mathy |= e.mathy
            j = self.ws(e.end)
            if j < len(self.s) and self.s[j] == ",":
                j = self.ws(j + 1)
                continue
            if j < len(self.s) and self.s[j] == ")":
                return _Parsed(j + 1, r"\left(" + ", ".join(parts) + r"\right)", mathy, "")
            return None

    def term(self, i: int) -> _Parsed | None:
        s, tex, j, mathy, letters = self.s, "", i, False, ""
        while j < len(s) and s[j] in _PREFIX and (s[j] != "−" or j == i):
            tex += _PREFIX[s[j]]
            j = self.ws(j + 1) if s[j] != "−" else j + 1
        count = 0
        while True:
            f = self.factor(j)
            if f is None:
                break
            if f.letters == "s" and count and s[j - 1].isdigit() and (f.end >= len(s) or not s[f.end].isalnum()):
                break  # a plural, as in "two 3×3s": the s is prose
            k, sup = f.end, ""
            while k < len(s) and s[k] in _SUPERS:
                sup += _SUPERS[s[k]]
                k += 1
            tex += f.tex + ("^{" + sup + "}" if sup else "")
            mathy |= f.mathy or bool(sup)
            letters = letters + f.letters if f.letters else letters + " "
            j, count = k, count + 1
        if count == 0 or re.search(r"[a-z]{2}", letters):
            return None  # prose: a word with two lower-case letters in a row is never a product of symbols
        # an acronym (RF, FC, GAP) is upright, not a product of italic symbols
        tex = _ACRONYM.sub(lambda m: r"\mathrm{" + m.group() + "}", tex)
        return _Parsed(j, tex, mathy, letters)

    def expr(self, i: int) -> _Parsed | None:
        first = self.term(i)
        if first is None:
            return None
        tex, end, mathy = first.tex, first.end, first.mathy
        while True:
            j = self.ws(end)
            if j == end + 1 and _CALL.match(self.s, j):  # "T f(x)": a product written with a space
                call = self.term(j)
                if call is not None:
                    tex, end = tex + r"\," + call.tex, call.end
                    continue
            if j >= len(self.s) or self.s[j] not in _BINOPS:
                break
            op = self.s[j]
            nxt = self.term(self.ws(j + 1))
            if nxt is None:
                break
            tex += " " + _BINOPS[op].strip() + " " + nxt.tex
            end, mathy = nxt.end, True
        return _Parsed(end, tex, mathy, "")


_BEFORE = set(" \t\n([{\"'“‘,;:—–*")
_AFTER = set(" \t\n.,;:)]}!?\"'”’—–*")


def _boundary_before(s: str, i: int) -> bool:
    """A formula starts after a space or an opening mark, never inside a word (``Conv1D/2D`` is a name)."""
    return i == 0 or s[i - 1] in _BEFORE


def _boundary_after(s: str, j: int) -> bool:
    return j >= len(s) or s[j] in _AFTER


def texify(plain: str) -> str:
    """Plain text with every formula in it as ``$LaTeX$`` and other underscores escaped (see the module docstring)."""
    sc, out, i, n = _Scanner(plain), [], 0, len(plain)
    while i < n:
        starts = plain[i] in "(…√" or plain[i] in _PREFIX or _NUMBER.match(plain, i) or _LETTER.match(plain, i)
        if starts and _boundary_before(plain, i):
            e = sc.expr(i)
            if e is not None and e.mathy and e.end > i and _boundary_after(plain, e.end):
                out.append("$" + " ".join(e.tex.split()) + "$")
                i = e.end
                continue
        m = _WORD.match(plain, i)
        assert m is not None
        out.append(m.group().replace("_", r"\_"))
        i = m.end()
    return "".join(out)


def render_md(text: str) -> str:
    """Markdown for ``st.markdown`` and alerts: ``$…$`` and code kept, formulas in plain text typeset by KaTeX."""
    parts = _SEGMENTS.split(text)
    out = []
    for k, part in enumerate(parts):
        if k % 2 == 0:
            out.append(texify(part))
        elif part.startswith("$"):
            out.append(_THOUSANDS.sub("{,}", part))
        else:
            out.append(part)
    return "".join(out)


# ------------------------------------------------------------------ student-controlled text

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def md(text: str, limit: int = 500) -> str:
    """Student-controlled ``text`` (answers, file names, program output) as literal Markdown: every character
    Markdown (or KaTeX, or Streamlit's ``:color[...]``) would act on is backslash-escaped, line breaks become spaces,
    and it is cut at ``limit`` characters. (:func:`render_md` is for the bank's own text, never for this.)"""
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", flat)


def attr(text: str) -> str:
    """``text`` for an HTML attribute or element body (``&``, ``<``, ``>``, quotes escaped)."""
    return html.escape(text, quote=True)
