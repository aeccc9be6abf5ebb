"""Explore · Convolution arithmetic: slide a kernel over a padded input frame by frame, with the output-size formula
filled in and Keras' padding split; causal dilated Conv1D as WaveNet stacks it."""

from __future__ import annotations

import streamlit as st

from ui.explore import conv as C
from ui.explore import practise_url
from ui.explore.links import params_from_query

st.title("Convolution arithmetic")
st.caption("Every size here is quizbank.formulas.output_size; `same` pads the way TensorFlow does.")
state = st.session_state
defaults = {"w": 7, "k": 3, "s": 1, "d": 1, "mode": "valid", "p": 1}
for key, value in {**defaults, **params_from_query(dict(st.query_params), "conv")}.items():
    state.setdefault(f"explore.conv.{key}", value)

c1, c2, c3, c4 = st.columns(4)
w = c1.number_input("Input W", 1, 256, key="explore.conv.w")
k = c2.number_input("Kernel K", 1, 11, key="explore.conv.k")
s = c3.number_input("Stride S", 1, 8, key="explore.conv.s")
d = c4.number_input("Dilation d", 1, 8, key="explore.conv.d")
p1, p2 = st.columns([2, 1])
mode = p1.radio("Padding", ["valid", "same", "explicit P"], horizontal=True, key="explore.conv.mode")
p = p2.number_input("P", 0, 10, key="explore.conv.p")
padding: C.Padding = int(p) if mode == "explicit P" else mode
setup = C.Setup(int(w), int(k), int(s), padding, int(d))

try:
    n_out = setup.out
except ValueError as e:
    st.error(str(e))
    st.stop()

st.latex(C.formula_latex(setup))
before, after = setup.pads
if mode == "same" and before != after:
    st.info(f"`same` pads {before + after} in total: {before} before and {after} after (TensorFlow puts the extra "
            "zero on the bottom/right).")  # fmt: skip

dims = 2 if setup.padded <= C.MAX_GRID else 1
if dims == 1:
    st.caption(f"The padded input is {setup.padded} wide: drawn along one axis (the other is the same).")
frames = len(C.frame_positions(setup, dims))
FRAME, PLAY, STOP = "explore.conv.frame", "explore.conv.play", "explore.conv.stop"
state[FRAME] = min(int(state.get(FRAME, 0)), frames - 1)
if state.pop(STOP, False):  # the last frame was reached while playing
    state[PLAY] = False


def _on_play() -> None:
    if state.get(PLAY) and state[FRAME] >= frames - 1:  # play again from the start
        state[FRAME] = 0


playing = frames > 1 and st.toggle(
    "▶ Play", key=PLAY, on_change=_on_play, help="Steps one frame every 0.4 s; switch it off to pause."
)


@st.fragment(run_every=C.PLAY_SECONDS if playing else None)
def _frames() -> None:
    """The frame slider and the kernel on the input; while playing, each timer run of this fragment alone (not the
    page) advances one frame, so every other widget stays usable."""
    if state.get(PLAY):
        if state[FRAME] >= frames - 1:
            state[STOP] = True
            st.rerun()  # the whole page: the timer stops and the toggle shows it
        state[FRAME] += 1
    frame = st.slider("Frame", 0, frames - 1, key=FRAME) if frames > 1 else 0
    st.altair_chart(C.frame_chart(setup, frame, dims), width="content")
    pos = C.frame_positions(setup, dims)[frame]
    st.caption(f"Output {pos} reads padded positions {[C.taps(setup, x) for x in pos]} (row, column).")


_frames()

st.subheader("Causal dilated Conv1D (WaveNet)")
q1, q2, q3 = st.columns(3)
wk = q1.number_input("Taps K", 2, 4, 2, key="explore.conv.wk")
layers = q2.slider("Layers (d = 1, 2, 4, …)", 1, 6, 4, key="explore.conv.wl")
length = q3.slider("Steps shown", 8, 48, 20, key="explore.conv.wt")
dil = [2**i for i in range(int(layers))]
st.altair_chart(C.wavenet_chart(int(wk), dil, int(length)))
rf = C.wavenet_rf(int(wk), dil)
st.markdown(f"Receptive field $1 + \\sum_l d_l (K-1) = 1 + {sum(dil)}\\cdot{int(wk) - 1} = {rf}$ steps; "
            "causal padding puts all $K_{\\text{eff}}-1$ zeros on the left, so no output sees the future.")  # fmt: skip
st.markdown(f"[Practise this ↗]({practise_url('output_size')})")
