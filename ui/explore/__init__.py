"""Visual explainers ("see it happen"): the logic of the Explore pages, tested without Streamlit.

Every number a view shows comes from :mod:`quizbank.formulas`, :mod:`models.inspect`, :mod:`models.measure` or a live
Keras model; the modules here only arrange those numbers into frames, chart data and formulas.
"""

from __future__ import annotations


def practise_url(topic: str) -> str:
    """The Practice page opened on ``topic``."""
    return f"/practice?topic={topic}"
