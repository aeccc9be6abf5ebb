"""Heavy objects shared by the Explore pages: built once per server process (``st.cache_resource``)."""

from __future__ import annotations

from typing import Any

import streamlit as st


@st.cache_resource(show_spinner="Building the model…", max_entries=8)
def zoo_model(name: str) -> Any:
    """The registry's model ``name`` (random init, nothing downloaded)."""
    from models import registry

    return registry.get(name)


@st.cache_resource(show_spinner=False, max_entries=8)
def zoo_summary(name: str) -> Any:
    """:func:`models.inspect.summary` of :func:`zoo_model`."""
    from models import inspect

    return inspect.summary(zoo_model(name))


@st.cache_resource(show_spinner=False, max_entries=8)
def zoo_graph(name: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Layer names and edges of :func:`zoo_model` (for the block diagram)."""
    from ui.explore import arch

    m = zoo_model(name)
    return [layer.name for layer in m.layers], arch.edges(m)


@st.cache_resource(show_spinner=False, max_entries=64)
def stack_summary(tokens: str) -> Any:
    from models import inspect
    from ui.explore import rf

    return inspect.summary(rf.build(rf.parse_stack(tokens)))


@st.cache_resource(show_spinner="Measuring the gradient…", max_entries=64)
def stack_measured(tokens: str) -> Any:
    from ui.explore import rf

    return rf.measure(rf.parse_stack(tokens))


@st.cache_resource(show_spinner="Building the model for the gradient…", max_entries=4)
def zoo_rf(name: str) -> tuple[Any, str, Any, list[tuple[str, int, bool]]]:
    """The zoo model on the heat map's input (:func:`ui.explore.rf.zoo_rf_model`), the sentence saying which, its
    summary and the layers worth measuring."""
    from models import inspect
    from ui.explore import rf

    model, note = rf.zoo_rf_model(name)
    if model is None:
        return None, note, None, []
    summary = inspect.summary(model)
    return model, note, summary, rf.spatial_layers(summary, [layer.name for layer in model.layers])


@st.cache_resource(show_spinner="Measuring the gradient on the input (once per layer)…", max_entries=32)
def zoo_layer_map(name: str, layer: str) -> Any:
    from ui.explore import rf

    model, _, _, layers = zoo_rf(name)
    return rf.layer_map(model, layer, dict((n, r) for n, r, _ in layers)[layer])


@st.cache_resource(show_spinner="Measuring the gradient on the input (once per layer)…", max_entries=32)
def own_layer_map(text: str, layer: str) -> Any:
    from ui.explore import rf

    ex = own_model(text)
    return rf.layer_map(ex.model, layer, dict((n, r) for n, r, _ in ex.rf_layers)[layer])


@st.cache_resource(show_spinner="Training LeNet-5 on the bundled digits (a few seconds, once)…")
def lenet_trained() -> Any:
    from ui.explore import lenet

    return lenet.train()


@st.cache_resource(show_spinner=False, max_entries=16)
def i3d_inflation(t: int, k: int) -> Any:
    from ui.explore import video_norm

    return video_norm.inflation(t, k)


@st.cache_resource(show_spinner="Rebuilding your model the checker's way…", max_entries=16)
def own_model(text: str) -> Any:
    from ui.explore import own

    return own.explore_config(text)


@st.cache_resource(show_spinner=False)
def schedule_charts() -> tuple[Any, list[Any]]:
    """The dilation-schedule coverage strip and measured heat maps: the same for everyone, so built once."""
    from ui.explore import rf

    strip = rf.coverage_chart([c for n, rs in rf.SCHEDULES.items() for c in rf.coverage_cells(rs, 3, n)])
    maps = [
        rf.support_chart(rf.support_cells(rf.measure(rf.schedule_ops(rs))), n, size=180)
        for n, rs in rf.SCHEDULES.items()
    ]
    return strip, maps
