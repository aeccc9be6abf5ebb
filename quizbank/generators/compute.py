"""MACs of a single conv layer: ``H_out·W_out·K²·C_in/groups·C_out``, torchvision's convention (FLOPs ≈ 2·MACs).

The count is per output position, so the output size comes first (stride, padding); a grouped or depthwise conv
divides it by the groups; biases are additions, not MACs.  The witness is the layer itself, measured by
:mod:`models.inspect` (whose MACs are proven against TensorFlow's profiler in the bench).
"""

from __future__ import annotations

import random
from typing import Any

from .. import formulas as F
from .. import traps as T
from .. import witness as W
from .base import Redraw, compared, fmt, generator, noun, numeric, pick, topic

TOPIC = topic(
    "compute",
    "Compute (MACs)",
    "Multiply-accumulates of a conv layer: per output position, over K·K·C_in/groups inputs; FLOPs ≈ 2·MACs.",
)

WIDTHS = {1: (3, 16, 32, 64), 2: (16, 32, 64, 96, 128, 256), 3: (32, 64, 128, 256, 512)}
SIDES = {1: (14, 28, 32, 56), 2: (27, 28, 32, 55, 56, 112), 3: (28, 31, 56, 57, 112, 113)}


def _draw(rng: random.Random, difficulty: int) -> dict[str, Any]:
    """One conv layer: 'same' stride 1 (d1); a stride or 'valid' padding (d2); grouped or depthwise as well (d3)."""
    k = pick(rng, (1, 3, 5) if difficulty == 1 else (1, 3, 5, 7))
    c_in, c_out = pick(rng, WIDTHS[difficulty]), pick(rng, WIDTHS[difficulty][1:])
    h = pick(rng, SIDES[difficulty])
    stride, padding, groups, depthwise = 1, "same", 1, False
    if difficulty >= 2:
        stride = pick(rng, (1, 2))
        padding = pick(rng, ("same", "valid")) if stride == 2 else "valid"
        if k == 1 and stride == 1:
            raise Redraw  # a 1×1 at stride 1 changes nothing of the output size: no second step
    if difficulty == 3:
        form = pick(rng, ("grouped", "depthwise"))
        if form == "grouped":
            groups = pick(rng, (2, 4, 8, 32))
            c_in, c_out = groups * pick(rng, (2, 4, 8, 16)), groups * pick(rng, (2, 4, 8))
        else:
            depthwise, groups = True, c_in
            c_out = c_in * pick(rng, (1, 1, 2))
    if k == 1 and groups > 1:
        raise Redraw
    out = F.output_size(h, k, stride, padding)
    return {
        "k": k,
        "c_in": c_in,
        "c_out": c_out,
        "h": h,
        "stride": stride,
        "padding": padding,
        "groups": groups,
        "depthwise": depthwise,
        "h_out": out,
    }


def _layer(p: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The layer as the stem shows it, and its serialized witness."""
    strides = f", strides={p['stride']}" if p["stride"] > 1 else ""
    if p["depthwise"]:
        m = p["c_out"] // p["c_in"]
        mult = f", depth_multiplier={m}" if m > 1 else ""
        text = f"`DepthwiseConv2D({p['k']}{strides}, padding='{p['padding']}'{mult})`"
        spec = W.depthwise2d(p["k"], strides=p["stride"], padding=p["padding"], depth_multiplier=m)
        return text, spec
    grp = f", groups={p['groups']}" if p["groups"] > 1 else ""
    text = f"`Conv2D({p['c_out']}, {p['k']}{strides}, padding='{p['padding']}'{grp})`"
    spec = W.conv2d(p["c_out"], p["k"], strides=p["stride"], padding=p["padding"], groups=p["groups"])
    return text, spec


@generator("compute.conv_macs", topic="compute", title="MACs of one conv layer", kind="numeric", version=2)
def conv_macs(rng: random.Random, difficulty: int) -> dict[str, Any]:
    p = _draw(rng, difficulty)
    k, c_in, c_out, g, h, out = p["k"], p["c_in"], p["c_out"], p["groups"], p["h"], p["h_out"]
    key = F.conv_macs(out, out, k, c_in, c_out, groups=g)
    params = F.conv_params(k, c_in, c_out, groups=g)
    traps: list[tuple[str, int]] = [
        ("macs_as_flops", T.macs_as_flops(key)),
        ("macs_counted_bias", T.macs_counted_bias(out, out, k, c_in, c_out, groups=g)),
        ("params_for_macs", T.params_for_macs(params)),
    ]
    if out != h:
        traps.insert(0, ("macs_with_input_size", T.macs_with_input_size(h, h, k, c_in, c_out, groups=g)))
    if g > 1:
        traps.insert(0, ("macs_ignored_groups", T.macs_ignored_groups(out, out, k, c_in, c_out)))
    text, spec = _layer(p)
    size = (
        f"Output side: 'same' keeps $\\lceil {h}/{p['stride']} \\rceil = {out}$"
        if p["padding"] == "same"
        else f"Output side: 'valid' gives $\\lfloor({h} - {k})/{p['stride']}\\rfloor + 1 = {out}$"
    )
    per = f"{k}\\cdot{k}\\cdot{c_in}" + (f"/{g}" if g > 1 else "")
    how = (
        f"{size}. Each of the ${out}\\cdot{out}\\cdot{c_out}$ output values is one dot product of "
        f"${per} = {fmt(k * k * c_in // g)}$ multiply-accumulates, so MACs $= {out}^2\\cdot{per}\\cdot{c_out} = "
        f"{fmt(key)}$."
    )
    if g > 1:
        full = F.conv_macs(out, out, k, c_in, c_out)
        how += (
            f" With `groups={g}`{' (depthwise: one group per channel)' if p['depthwise'] else ''} each filter reads "
            f"only $C_{{in}}/g = {c_in // g}$ {noun(c_in // g, 'channel')}: {g}× {compared(key, full)} MACs than a full conv "
            f"({fmt(key)} vs {fmt(full)})."
        )
    how += f" Biases add, they do not multiply-accumulate; FLOPs ≈ 2·MACs = {fmt(2 * key)}."
    return numeric(
        stem=(
            f"How many multiply-accumulates (MACs) does {text} take on one ${h}\\times{h}\\times{c_in}$ input "
            "(torchvision's convention: biases not counted)?"
        ),
        key=key,
        traps=traps,
        unit="MACs",
        explanation=how,
        params=p,
        witness=W.sequential([h, h, c_in], [spec], "macs"),
    )
