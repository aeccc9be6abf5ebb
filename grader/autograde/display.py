"""Text a submission controls (its traceback, what it printed, its file name, the layer names it chose), made safe to
show: control characters become visible escapes (an ANSI sequence cannot recolour, move the cursor or clear a
terminal; a carriage return cannot overwrite the grader's line; a bidi override cannot reorder what is read), and
whole blocks of it are marked as the submission's own words, so that nothing it prints passes for the grader's."""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, and the Unicode bidi embeddings, overrides and isolates
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


_NAMED = {"\r": "\\r", "\b": "\\b", "\f": "\\f", "\v": "\\v"}


def _escape(m: re.Match[str]) -> str:
    c = m.group()
    return _NAMED.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def clean(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\r``, ``\\u202e``); tabs and newlines
    kept."""
    return _UNSAFE.sub(_escape, text)


def clean_line(text: str) -> str:
    """``clean``, on one line (a file name, a table cell): newlines and tabs are escaped too."""
    return clean(text).replace("\n", "\\n").replace("\t", "\\t")


def from_submission(text: str, what: str) -> str:
    """A block of the submission's own text, cleaned and fenced so that a reader can tell it from the grader's."""
    return f"----- {what} (from the submission, shown as is) -----\n{clean(text).rstrip()}\n----- end of {what} -----"


def markup(text: str) -> str:
    """For Rich: cleaned, and with every ``[`` escaped so that nothing in it is read as markup."""
    from rich.markup import escape

    return escape(clean(text))
