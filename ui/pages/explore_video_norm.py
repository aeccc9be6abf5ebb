"""Explore · Video and normalisation: I3D inflation with the boring-video check run live, and the axes each
normalisation averages over for a tensor shape you choose."""

from __future__ import annotations

import streamlit as st

from ui.explore import practise_url
from ui.explore import video_norm as V
from ui.explore.cache import i3d_inflation

st.title("Video and normalisation")
st.subheader("I3D: inflating a 2D kernel")
c1, c2 = st.columns(2)
t = c1.slider("Frames T", 1, 7, 3, key="explore.vn.t")
k = c2.slider("Kernel K", 1, 5, 3, key="explore.vn.k")
inf = i3d_inflation(int(t), int(k))
st.altair_chart(V.kernel_chart(inf.kernel_3d, f"the 2D kernel copied {t}× along time, each copy ÷ {t}"))
st.markdown(f"On a boring video (the image $x$ repeated {t} times):")
st.latex(V.inflation_latex(int(t)))
m1, m2 = st.columns(2)
m1.metric("Measured 3D / 2D response, with ÷T", f"{inf.ratio:.4f}", help=f"formulas say {inf.expected:g}")
m2.metric("…without ÷T", f"{inf.ratio_without_division:.4f}", help=f"formulas say {inf.expected_without_division:g}")
st.caption("Measured on live Keras Conv2D / Conv3D layers (models.measure.boring_video): "
           "the inflated network starts out answering a still video exactly as the 2D one answers the image.")  # fmt: skip

st.subheader("Which axes a normalisation averages over")
n1, n2, n3, n4, n5 = st.columns(5)
n = n1.number_input("N", 1, 4, 2, key="explore.vn.n")
h = n2.number_input("H", 1, 4, 2, key="explore.vn.h")
w = n3.number_input("W", 1, 4, 2, key="explore.vn.w")
c = n4.number_input("C", 1, 8, 4, key="explore.vn.c")
divisors = [g for g in range(1, int(c) + 1) if int(c) % g == 0]
groups = n5.selectbox("Groups", divisors, index=min(1, len(divisors) - 1), key="explore.vn.g")
kind = st.radio("Normalisation", list(V.KINDS), horizontal=True, key="explore.vn.kind")
nums = V.norm_numbers(kind, int(n), int(h), int(w), int(c), int(groups))
st.altair_chart(V.norm_chart(V.norm_cells(kind, int(n), int(h), int(w), int(c), int(groups)),
                             [f"{kind}: the elements sharing", "one mean/variance with (0, 0, 0, 0)"]))  # fmt: skip
names = "NHWC"
st.markdown(f"Reduces over **{', '.join(names[a] for a in nums['axes'])}**"
            + (f" (and {int(c) // int(groups)} channels per group)" if kind == "GroupNorm" else "")
            + f": **{nums['values per statistic']}** values per mean/variance, **{nums['statistics']}** statistics; "
            f"parameters: **{nums['parameters']}**.")  # fmt: skip
st.markdown(f"[Practise this ↗]({practise_url('normalization')}) · [video ↗]({practise_url('video')})")
