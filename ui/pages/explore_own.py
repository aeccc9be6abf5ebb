"""Explore · Your own model: paste or upload the JSON config your model exports; it is rebuilt the autograder
checker's way (no code of yours runs) and shown like a zoo model."""

from __future__ import annotations

import streamlit as st

from ui.explore import arch as A
from ui.explore import own as O
from ui.explore import practise_url
from ui.explore import rf as R
from ui.explore.cache import own_layer_map, own_model
from ui.explore.show import gradient_rf
from ui.mathtext import md
from ui.state import current_user, services

st.title("Your own model")
submission = st.query_params.get("submission")
config = ""
if submission is not None:
    found = O.from_submission(services(), current_user(), submission)
    if found.config is None:
        st.error(md(found.message))
    else:
        st.caption(md(found.message))
        config = found.config
if not config:
    st.caption("`model.to_json()` from your code, or the config the Code page's sandbox exported. It is rebuilt from "
               "the config alone, with the checker's limits; none of your code runs here.")  # fmt: skip
    up = st.file_uploader("Model config (.json)", type=["json"], max_upload_size=4, key="explore.own.file")
    text = st.text_area("…or paste it", key="explore.own.text", height=140)
    raw = up.getvalue() if up is not None else text.encode()
    if not raw.strip():
        st.info("Paste a model config to explore it.")
        st.stop()
    try:
        config = raw.decode("utf-8")
    except UnicodeDecodeError:
        st.error("The file is not UTF-8 text.")
        st.stop()
try:
    ex = own_model(config)
except ValueError as e:
    st.error(md(str(e)))
    st.stop()

s = ex.summary
c1, c2, c3 = st.columns(3)
c1.metric("Params", f"{s.params:,}")
c2.metric("MACs", f"{s.macs / 1e9:.3g} G" if s.macs >= 1e9 else f"{s.macs:,}", help=f"{s.macs:,}")
c3.metric("RF", f"{s.receptive_field[0]}" if s.receptive_field else "—")
expand = st.multiselect("Expand blocks", A.blocks(ex.layer_names), key="explore.own.expand")
st.graphviz_chart(A.diagram(ex.layer_names, ex.edges, set(expand)) if expand else ex.dot)
if ex.growth:
    st.altair_chart(R.growth_chart(ex.growth, "receptive field per layer"))
if ex.rf_layers:
    st.subheader("Receptive field measured on the input")
    gradient_rf(ex.rf_layers, int(s.input_shape[0]), lambda layer: own_layer_map(config, layer), "explore.own.layer")
elif ex.growth:
    st.caption(f"The gradient heat map needs a fixed 2D input at most {O.MAX_MAP_SIDE} px wide; this model's input "
               f"is {s.input_shape}.")  # fmt: skip
st.dataframe(ex.stages, hide_index=True)
with st.expander("Every layer (models.inspect)"):
    st.dataframe(ex.layers, hide_index=True)
st.markdown(f"[Practise this ↗]({practise_url('architectures')})")
