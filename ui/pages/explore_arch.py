"""Explore · Architecture: a zoo model's block diagram drawn from its live graph, params and MACs per stage, the
per-layer table from models.inspect, and the family's variants."""

from __future__ import annotations

import streamlit as st

from models.registry import list_models
from ui.explore import arch as A
from ui.explore import practise_url
from ui.explore.cache import zoo_graph, zoo_summary

st.title("Architecture explorer")
st.caption("Drawn from the live Keras graph; every count is models.inspect on that model.")
names = list_models()
query_model = st.query_params.get("model")
st.session_state.setdefault("explore.arch.model", query_model if query_model in names else "resnet50")
name = st.selectbox("Model", names, key="explore.arch.model")
summary = zoo_summary(name)
layer_names, layer_edges = zoo_graph(name)

c1, c2, c3, c4 = st.columns(4)
c1.metric("Params", f"{summary.params:,}")
c2.metric(
    "MACs", f"{summary.macs / 1e9:.3g} G" if summary.macs >= 1e9 else f"{summary.macs:,}", help=f"{summary.macs:,}"
)
c3.metric("Layers", len(layer_names))
c4.metric("RF", f"{summary.receptive_field[0]}" if summary.receptive_field else "—")

expand = st.multiselect("Expand blocks", A.blocks(layer_names), key=f"explore.arch.expand.{name}")
st.graphviz_chart(A.diagram(layer_names, layer_edges, set(expand)))

st.subheader("Per stage")
st.dataframe(A.stage_rows(summary), hide_index=True)
with st.expander("Every layer (models.inspect)"):
    st.dataframe(A.layer_rows(summary), hide_index=True)
st.subheader("The family's variants (declared facts)")
st.dataframe(A.variants(name), hide_index=True)
st.markdown(f"[Practise this ↗]({practise_url('architectures')})")
