"""Explore · Receptive field: growth per layer (models.inspect), the gradient RF measured live next to the theoretical
one, and dilation schedules side by side with their gridding holes."""

from __future__ import annotations

import streamlit as st

from models.registry import list_models
from ui.explore import practise_url
from ui.explore import rf as R
from ui.explore.cache import schedule_charts, stack_measured, stack_summary, zoo_layer_map, zoo_rf, zoo_summary
from ui.explore.links import params_from_query
from ui.explore.show import gradient_rf

st.title("Receptive field")
st.caption("Theory from models.inspect and quizbank.formulas; measurement from the gradient of a live Keras model.")
state = st.session_state
state.setdefault("explore.rf.stack", params_from_query(dict(st.query_params), "rf").get("stack", "c3 c3 m2s2 c3 c3"))

source = st.radio("Model", ["typed stack", "zoo model"], horizontal=True, key="explore.rf.source")
if source == "zoo model":
    name = st.selectbox("Zoo model", list_models(), index=list_models().index("vgg16"), key="explore.rf.zoo")
    summary = zoo_summary(name)
    rows = R.growth_rows(summary)
    st.altair_chart(R.growth_chart(rows, f"{name}: receptive field per layer"))
    rf = summary.receptive_field
    st.markdown(f"Deepest feature map's RF: **{rf[0] if rf else '—'}** px"
                + (" (a global pool / dense head then sees the whole input)" if summary.whole_input else ""))  # fmt: skip
    st.subheader("Measured on the input")
    model, note, small, layers = zoo_rf(name)
    st.caption(note)
    if model is not None:
        gradient_rf(
            layers, int(model.input_shape[1]), lambda layer: zoo_layer_map(name, layer), f"explore.rf.layer.{name}"
        )
    ops = None
else:
    text = st.text_input("Layers (c3 = conv 3×3, c3s2 = stride 2, c3d2 = dilation 2, m2s2 / a2s2 = max / avg pool)",
                         key="explore.rf.stack")  # fmt: skip
    try:
        ops = R.parse_stack(text)
    except ValueError as e:
        st.error(str(e))
        st.stop()
    tokens = " ".join(o.token for o in ops)
    summary = stack_summary(tokens)
    rows = R.growth_rows(summary)
    st.altair_chart(R.growth_chart(rows, "receptive field per layer"))
    r, j = R.theoretical(ops)
    st.markdown(f"Theory: $r_l = r_{{l-1}} + (K_l-1)\\,d_l\\,j_{{l-1}}$ gives **RF = {r}**, jump **{j}**.")
    if R.measure_side(ops) <= R.MAX_MEASURED:
        m = stack_measured(tokens)
        left, right = st.columns(2)
        left.altair_chart(R.support_chart(R.support_cells(m), "gradient of the centre output"), width="content")
        holes = int((~m.support[m.start : m.start + m.rf, m.start : m.start + m.rf]).sum())
        right.metric("Measured RF (gradient)", f"{m.measured[0]} × {m.measured[1]}")
        right.metric("Theoretical RF", f"{m.rf} × {m.rf}")
        right.metric("Holes inside the RF", holes)
    else:
        st.caption(f"The stack needs a {R.measure_side(ops)}-pixel input to measure: too large to draw here.")

st.subheader("Dilation schedules: 3×3 convs, three layers")
strip, maps = schedule_charts()
st.altair_chart(strip)
st.table([R.schedule_row(n, rs) for n, rs in R.SCHEDULES.items()])
for col, chart in zip(st.columns(len(maps)), maps, strict=True):
    col.altair_chart(chart, width="content")
st.caption("2, 2, 2 only ever reads even offsets: a checkerboard of holes. HDC's 1, 2, 5 covers its whole RF.")
st.markdown(f"[Practise this ↗]({practise_url('receptive_field')}) · [dilation ↗]({practise_url('dilation')})")
