"""Streamlit pieces shared by several Explore pages (the logic they draw lives in the sibling modules)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ui.explore import rf as R


def gradient_rf(layers: list[tuple[str, int, bool]], side: int, measure: Callable[[str], R.LayerMap], key: str) -> None:
    """Pick a layer, then its centre unit's input gradient as a heat map next to the inspector's RF."""
    if not layers:
        return
    names = [n for n, _, _ in layers]
    rfs = {n: (r, whole) for n, r, whole in layers}
    state = st.session_state
    if state.get(key) not in names:
        state[key] = names[R.default_layer(layers, side)]
    layer = st.select_slider(
        "Layer whose centre unit is measured",
        names,
        key=key,
        format_func=lambda n: f"{n} (RF {rfs[n][0]})",
        help="Only layers where the receptive field grows are listed.",
    )
    m = measure(layer)
    left, right = st.columns([3, 2])
    left.altair_chart(R.map_chart(m, f"{layer}: centre unit's gradient"), width="content")
    right.metric("Measured RF (gradient)", f"{m.measured[0]} × {m.measured[1]}")
    right.metric("Theoretical RF (models.inspect)", f"{m.rf} × {m.rf}")
    notes = []
    if m.clipped:
        notes.append(
            f"the theoretical RF ({m.rf}) is wider than the {m.side[0]}-px input: the gradient stops at its edges"
        )
    if rfs[layer][1]:
        notes.append("a gate on a global pool (squeeze-and-excitation) makes this unit depend on the whole input")
    if notes:
        text = "; ".join(notes)
        right.caption(text[0].upper() + text[1:] + ".")
    right.caption(
        "Red dashed box: the theoretical RF, centred on the measured one. Colour: each input pixel's share of the unit "
        "(log scale), measured on a copy of the model whose every layer averages its inputs: most of the weight sits "
        "near the centre (the effective RF) although the whole box is reached."
    )
