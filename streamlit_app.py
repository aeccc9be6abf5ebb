"""cnnquiz — the Streamlit entry point: a router over the app's pages."""

from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="cnnquiz", page_icon="🧠", layout="centered")

pages = [
    st.Page("ui/pages/practice.py", title="Practice", icon="✏️", default=True),
]
st.navigation(pages).run()
