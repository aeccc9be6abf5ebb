"""The app's CSS: math that does not cramp its lines, answer options that are easy to hit on a phone, and the
empty containers of the app's scripts kept out of the layout."""

from __future__ import annotations

CSS = """
<style>
/* inline and display math: room between lines, no clipped fractions or matrices */
[data-testid="stMarkdownContainer"] p, [data-testid="stMarkdownContainer"] li { line-height: 1.75; }
.katex { font-size: 1.06em; }
.katex-display { margin: 0.9em 0; padding: 0.25em 0; overflow-x: auto; overflow-y: hidden; }
[data-testid="stMarkdownContainer"] p .katex { line-height: 1.2; }
/* answer options: large targets, spaced, wrapping on a phone */
[data-testid="stRadio"] [role="radiogroup"] { gap: 0.55rem; }
[data-testid="stRadio"] label, [data-testid="stCheckbox"] label {
  min-height: 2.75rem; align-items: center; padding: 0.35rem 0.5rem; border-radius: 0.5rem;
}
[data-testid="stRadio"] label:hover, [data-testid="stCheckbox"] label:hover { background: rgba(128, 128, 128, 0.08); }
[data-testid="stRadio"] label p, [data-testid="stCheckbox"] label p { font-size: 1.05rem; white-space: normal; }
[data-testid="stCheckbox"] { margin-bottom: 0.35rem; }
/* the scripts the app runs (cookie, focus) take no room */
[data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > script:only-child),
.stElementContainer:has(.stHtml > script:only-child) { display: none; }
/* a focused feedback block shows where the keyboard is */
[class*="st-key-"]:focus-visible, [class*="st-key-"]:focus { outline: 2px solid #4a7bd0; outline-offset: 4px; }
@media (max-width: 640px) {
  .block-container, [data-testid="stMainBlockContainer"] { padding-left: 1rem; padding-right: 1rem; }
  h1 { font-size: 1.8rem; }
  [data-testid="stRadio"] label p, [data-testid="stCheckbox"] label p { font-size: 1.1rem; }
  button[kind] { min-height: 2.75rem; }
}
</style>
"""


def inject() -> None:
    import streamlit as st

    st.html(CSS)
