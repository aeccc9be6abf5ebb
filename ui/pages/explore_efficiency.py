"""Explore · Efficiency: params, MACs and top-1 across the zoo (declared facts with their sources), and EfficientNet
B0–B7 on its compound-scaling curve."""

from __future__ import annotations

import streamlit as st

from ui.explore import efficiency as E
from ui.explore import practise_url

st.title("Efficiency across the zoo")
st.caption("Every point is a declared fact in models/facts, checked against the live model in the test suite; "
           "hover a point for its source.")  # fmt: skip
points = E.zoo_points()
st.altair_chart(E.accuracy_chart(points), width="stretch")  # its labels are laid out for any width ≥ 280 px
st.altair_chart(E.zoo_chart(points))
st.subheader("EfficientNet: compound scaling")
st.latex(E.rule_latex())
rows = E.efficientnet_rows()
st.altair_chart(E.efficientnet_chart(rows))
st.dataframe(rows, hide_index=True)
st.caption("Channels round to multiples of 8, repeats round up and the stem and head are not scaled, so the real "
           "MACs drift from the rule; φ is taken as the B-number.")  # fmt: skip
st.markdown(f"[Practise this ↗]({practise_url('milestones')}) · [compute ↗]({practise_url('compute')})")
