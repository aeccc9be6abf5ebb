"""Video CNNs: C3D's factor K_t, I3D's inflation with /T, SlowFast's pathways."""

from __future__ import annotations

from .. import formulas as F
from .base import conceptual, trap

conceptual(
    "i3d_from_scratch",
    title="I3D trains 3D convs from scratch",
    feedback="Training 3D convs from scratch is C3D. I3D *inflates* pretrained 2D ImageNet filters to 3D: repeat them "
    "T times along time and divide by T.",
    claim="I3D trains its 3D convolutions from scratch on video.",
)


conceptual(
    "slowfast_fast_is_wide",
    title="The fast pathway is the wide one",
    feedback="SlowFast's fast pathway runs at a high frame rate with few channels (β≈1/8) to capture motion; the slow "
    "pathway has few frames and many channels for semantics.",
    claim="The fast pathway has the most channels, since it sees the most frames.",
)


conceptual(
    "i3d_frames_independent",
    title="I3D = 2D net per frame",
    feedback="Running the 2D network on each frame and averaging is a per-frame baseline with no temporal modelling. "
    "I3D's inflated T×N×N kernels mix neighbouring frames; only their initial values come from the 2D weights.",
    claim="I3D runs the pretrained 2D network on every frame separately and averages the predictions.",
)


@trap(
    "i3d_without_t",
    title="I3D inflated without /T",
    feedback="Repeating a 2D filter T times along time sums T equal responses on a boring video; dividing by T "
    "restores the 2D activation.",
)
def i3d_without_t(t: int) -> float:
    return F.i3d_boring_factor(t, divide=False)


@trap(
    "c3d_factor_k_squared",
    title="3D cost factor as K_t²",
    feedback="A K_t×K×K kernel has K_t times the weights of a K×K one, so params and FLOPs grow by K_t, not K_t².",
)
def c3d_factor_k_squared(k_t: int) -> int:
    return k_t * k_t


@trap(
    "c3d_forgot_kt",
    title="3D kernel counted as 2D",
    feedback="A Conv3D filter spans K_t frames as well as K×K pixels: K_t·K·K·C_in weights, K_t times those of a 2D "
    "filter.",
)
def c3d_forgot_kt(k_t: int, k: int, c_in: int, c_out: int, *, bias: bool = True) -> int:
    """The 2D ``K×K`` conv's count: the ``K_t`` frames the 3D filter spans left out."""
    return F.conv_params(k, c_in, c_out, bias=bias)


@trap(
    "c3d_params_times_frames",
    title="Params multiplied by the number of frames",
    feedback="The same 3D filters slide over time as over space: the clip length T never enters the parameter count, "
    "and in a cost ratio against a frame-by-frame 2D conv it cancels. Only the kernel depth K_t matters.",
)
def c3d_params_times_frames(k_t: int, k: int, c_in: int, c_out: int, t: int, *, bias: bool = True) -> int:
    """The Conv3D's count multiplied by the clip's ``T`` frames."""
    return F.conv3d_params(k_t, k, c_in, c_out, bias=bias) * t


@trap(
    "c3d_macs_forgot_frames",
    title="MACs without the output frames",
    feedback="A 3D conv computes an output at every (t, h, w) position: MACs = T_out·H_out·W_out·K_t·K·K·C_in·C_out.",
)
def c3d_macs_forgot_frames(h_out: int, w_out: int, k: int, c_in: int, c_out: int, *, k_t: int = 1) -> int:
    """The Conv3D's MACs for one output frame: ``T_out`` left out."""
    return F.conv_macs(h_out, w_out, k, c_in, c_out, k_t=k_t)


@trap(
    "i3d_assumed_division",
    title="Assumed I3D's /T",
    feedback="Without the division, the T repeated copies of the 2D filter add up: a boring video gives T times the 2D "
    "activation. Only dividing each copy by T brings the response back to 1×.",
)
def i3d_assumed_division(t: int) -> float:
    """1, the factor of the inflated filter *with* ``/T``, for one that was only repeated."""
    return F.i3d_boring_factor(t, divide=True)


@trap(
    "i3d_ratio_inverted",
    title="Inflated response taken as 1/T",
    feedback="Repeating the 2D filter T times sums T equal responses: the response grows to T× (or stays 1× after "
    "/T); it never shrinks to 1/T.",
)
def i3d_ratio_inverted(t: int) -> float:
    """``1/T`` for the response of the repeated filter, which is ``T`` (or 1 after ``/T``)."""
    return 1 / t


@trap(
    "slowfast_fast_few_frames",
    title="Fast pathway given the slow frame rate",
    feedback="The fast pathway samples α times *more* frames than the slow one (temporal stride τ/α instead of τ); it "
    "is thin in channels (β·C), not in time.",
)
def slowfast_fast_few_frames(slow_frames: int, alpha: int) -> int:
    """The slow pathway's frame count for the fast pathway, which has ``α`` times as many."""
    return slow_frames


@trap(
    "slowfast_lateral_unstrided",
    title="Lateral connection without its time stride",
    feedback="The fast→slow lateral connection must match the slow pathway's frame count: its time-strided conv "
    "(stride α) turns T_fast = α·T_slow frames into T_slow before the fusion.",
)
def slowfast_lateral_unstrided(t_fast: int, alpha: int) -> int:
    """The fast pathway's frame count kept, instead of ``T_fast/α`` after the time-strided lateral conv."""
    return t_fast


@trap(
    "windows_forgot_plus_one",
    title="Window positions counted as gaps",
    feedback="A window of L frames fits at the starts 0, S, 2S, … up to T − L: that is floor((T − L)/S) + 1 windows. "
    "Dropping the + 1 counts the hops between windows, not the windows.",
)
def windows_forgot_plus_one(t: int, span: int, hop: int) -> int:
    """``floor((T − L)/S)``: the hops between window starts, not the windows."""
    return (t - span) // hop


@trap(
    "windows_ignored_clip",
    title="Windows counted as T / S",
    feedback="The last window must still fit inside the video: only T − L + 1 frames can start a window of L frames, "
    "so there are floor((T − L)/S) + 1 windows, not T/S.",
)
def windows_ignored_clip(t: int, hop: int) -> int:
    """``floor(T/S)``: every S-th frame taken as a window start, even where the clip runs past the end."""
    return t // hop


@trap(
    "windows_non_overlapping",
    title="Windows taken as non-overlapping",
    feedback="With a hop S shorter than the clip L, neighbouring windows overlap: there are floor((T − L)/S) + 1 of "
    "them, more than the T/L of non-overlapping clips.",
)
def windows_non_overlapping(t: int, span: int) -> int:
    """``floor(T/L)``: the video cut into back-to-back clips, ignoring the hop."""
    return t // span


@trap(
    "video_macs_one_clip",
    title="One clip's MACs for the whole video",
    feedback="A clip model scores each window separately, so the video costs the number of windows times one clip's "
    "MACs (the aggregation, an average of the clip scores, is free).",
)
def video_macs_one_clip(clip_macs: int) -> int:
    """The MACs of one clip, where the video runs the clip model on every window."""
    return clip_macs


conceptual(
    "long_video_one_clip",
    title="A long video squeezed into one clip",
    feedback="A clip model is trained on short clips (16–64 frames). A long video is covered by sliding windows of "
    "that length, each scored by the model, and the clip scores are aggregated (averaged or max-pooled) into one "
    "video-level prediction; squeezing minutes into one clip throws away the motion the model learned.",
    claim="Subsample the whole video to one clip of the model's length and score that.",
)
