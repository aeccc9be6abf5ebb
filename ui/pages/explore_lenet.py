"""Explore · Inside a small CNN: LeNet-5 trained in seconds on scikit-learn's bundled digits; every layer's maps, one
unit's kernel times its patch, and a shifted vs a rotated digit."""

from __future__ import annotations

import numpy as np
import streamlit as st

from ui.explore import lenet as L
from ui.explore import practise_url
from ui.explore.cache import lenet_trained

st.title("Inside a small CNN")
trained = lenet_trained()
st.caption(f"The registry's LeNet-5, trained on 1,347 of scikit-learn's 8×8 digits (×3, padded to 32×32): "
           f"{trained.accuracy:.1%} on the other 450.")  # fmt: skip
model = trained.model
i = st.slider("Test digit", 0, len(trained.x_test) - 1, 0, key="explore.lenet.pick")
image = trained.x_test[i]
acts = L.activations(model, image)
probs = acts["predictions"]
c1, c2 = st.columns([1, 2])
c1.altair_chart(L.heat(image[..., 0], f"input (label {trained.y_test[i]})"), width="content")
c2.bar_chart({"probability": {str(d): float(p) for d, p in enumerate(probs)}})
c2.markdown(f"Predicted **{int(np.argmax(probs))}** with {float(probs.max()):.1%}.")

st.subheader("Every layer's maps")
st.caption("Each map scaled to its own range: white = its highest value, black = its lowest.")
for name in L.map_layers(model):
    a = acts[name]
    st.image(L.tile(a, scale=max(1, 84 // a.shape[0])), caption=f"{name}: {a.shape[0]}×{a.shape[1]}×{a.shape[2]}")

st.subheader("One unit, by hand")
u1, u2, u3, u4 = st.columns(4)
layer = u1.selectbox("Layer", [n for n in L.map_layers(model) if n.endswith("conv")], key="explore.lenet.layer")
out = acts[layer]
ch = u2.number_input("Map", 0, out.shape[2] - 1, 0, key="explore.lenet.ch")
r = u3.number_input("Row", 0, out.shape[0] - 1, out.shape[0] // 2, key="explore.lenet.row")
c = u4.number_input("Col", 0, out.shape[1] - 1, out.shape[1] // 2, key="explore.lenet.col")
unit = L.unit(model, image, layer, int(ch), int(r), int(c))
k1, k2 = st.columns(2)
k1.altair_chart(L.heat(unit.weights.sum(axis=-1), "kernel (summed over input maps)", 200, text=True), width="content")
k2.altair_chart(
    L.heat(unit.patch.sum(axis=-1), "input patch (summed over input maps)", 200, text=True), width="content"
)
st.latex(rf"z = \sum w\,x + b = {unit.pre_activation - unit.bias:.4f} + ({unit.bias:.4f}) = {unit.pre_activation:.4f},"
         rf"\quad \tanh z = {unit.activation:.4f}\ \ (\text{{layer says }} {unit.model_value:.4f})")  # fmt: skip

st.subheader("Shift vs rotation")
s1, s2 = st.columns(2)
dy = s1.slider("Shift down", 0, 4, 4, key="explore.lenet.dy")
dx = s2.slider("Shift right", 0, 4, 0, key="explore.lenet.dx")
moved = L.shifted(image, dy, dx)
turned = L.rotated(image)
acts_moved = L.activations(model, moved)
p_moved = acts_moved["predictions"]
p_turned = L.activations(model, turned)["predictions"]
t1, t2, t3 = st.columns(3)
t1.altair_chart(L.heat(moved[..., 0], f"shifted: predicts {int(np.argmax(p_moved))}", 150), width="content")
t2.altair_chart(L.heat(turned[..., 0], f"rotated 90°: predicts {int(np.argmax(p_turned))}", 150), width="content")
rows = []
for name in L.map_layers(model):
    pred, err = L.map_shift(model, image, dy, dx, name, acts, acts_moved)
    rows.append({"layer": name, "maps move by": str(pred) if pred else "not a whole step", "max difference": err})
t3.dataframe(rows, hide_index=True)
st.caption("Convolution is equivariant: the maps of a shifted digit are the maps shifted, exactly, by the shift "
           "over the stride so far. The prediction is only as shift-invariant as training made it: these digits "
           "were always centred, so a 4-pixel shift can change it. Rotation has no such rule at all.")  # fmt: skip
st.markdown(f"[Practise this ↗]({practise_url('equivariance')})")
