"""Student-controlled text (answers, file names, program output) shown on a page: escaped, never interpreted."""

from __future__ import annotations

import html
import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def md(text: str, limit: int = 500) -> str:
    """``text`` as literal Markdown: every character Markdown (or KaTeX, or Streamlit's ``:color[...]``) would act
    on is backslash-escaped, line breaks become spaces, and it is cut at ``limit`` characters."""
    flat = " ".join(text.split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", flat)


def attr(text: str) -> str:
    """``text`` for an HTML attribute or element body (``&``, ``<``, ``>``, quotes escaped)."""
    return html.escape(text, quote=True)
