"""Efficiency across the zoo: params, MACs and ImageNet top-1 from the declared facts (models/facts, each number
with its source), and EfficientNet B0–B7 against the compound-scaling rule ``α·β²·γ² ≈ 2``."""

from __future__ import annotations

import math
from typing import Any

import altair as alt

from quizbank import formulas as F


def zoo_points() -> list[dict[str, Any]]:
    """Every registered 2D model with declared params and MACs; top-1 where the papers table has it."""
    from models.facts import VARIANTS
    from models.facts.papers import SEED_TABLE

    top1 = {s.model: s.top1 for s in SEED_TABLE.values()}
    out = []
    for v in VARIANTS.values():
        if not (v.params and v.macs) or len(v.input_shape) != 3:
            continue
        t = top1.get(v.name)
        out.append(
            {
                "model": v.name,
                "family": v.family,
                "params": int(v.params.value),
                "macs": int(v.macs.value),
                "top1": t.value if t else None,
                "params_source": v.params.source,
                "macs_source": v.macs.source,
                "top1_source": t.source if t else "",
            }
        )
    return out


def zoo_chart(points: list[dict[str, Any]]) -> alt.Chart:
    """MACs against params (log–log), one point per model, its sources in the tooltip."""
    return (
        alt.Chart(alt.Data(values=points), title="Params vs MACs across the zoo (declared facts)")
        .mark_circle(size=90, opacity=0.8)
        .encode(
            x=alt.X("params:Q", scale=alt.Scale(type="log"), title="parameters (Keras count_params)"),
            y=alt.Y("macs:Q", scale=alt.Scale(type="log"), title="MACs"),
            color=alt.Color("family:N"),
            tooltip=["model:N", "params:Q", "params_source:N", "macs:Q", "macs_source:N"],
        )
        .properties(width=620, height=340)
    )


# The label layout assumes the narrowest plot the page gets (a 390-px phone leaves about 280 px beside the y axis):
# a wider plot only spreads the points further apart, so labels that clear each other there clear everywhere.
PLOT_WIDTH_MIN = 280
PLOT_HEIGHT = 300
LABEL_DX = 12  # px from a dot's centre to its label: clear of the largest dot (radius ≈ 10 px)
LABEL_CHAR = 6.0  # px per character at font size 10, generous
LABEL_LINE = 13  # px between label rows
DOT_R = 6  # px kept clear around every dot


def accuracy_domains(pts: list[dict[str, Any]]) -> tuple[list[float], list[float]]:
    """Fixed x (MACs, log) and y (top-1) domains, so a label's offset in pixels is an offset in data units."""
    macs = [p["macs"] for p in pts]
    top1 = [p["top1"] for p in pts]
    return [min(macs) / 2, max(macs) * 2], [float(int(min(top1)) - 3), float(int(max(top1)) + 4)]


def label_layout(pts: list[dict[str, Any]], width: float = PLOT_WIDTH_MIN, height: float = PLOT_HEIGHT) -> list[dict]:
    """Each point with ``label_side`` (its label ``right`` or ``left`` of the dot) and ``label_top1``, the height the
    label is drawn at: the nearest place, in whole label rows up or down, where it stays inside the plot and clears
    every label placed before it and every other dot (beside the dot first, then its right side first). Placed
    greedily from the fewest MACs."""
    (x0, x1), (y0, y1) = accuracy_domains(pts)

    def px(p: dict[str, Any]) -> tuple[float, float]:
        lx = (math.log(p["macs"]) - math.log(x0)) / (math.log(x1) - math.log(x0))
        return lx * width, (y1 - p["top1"]) / (y1 - y0) * height

    def hits(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    dots = {p["model"]: px(p) for p in pts}
    placed: list[tuple[float, float, float, float]] = []
    out = []
    for p in sorted(pts, key=lambda p: p["macs"]):
        x, y = dots[p["model"]]
        w = LABEL_CHAR * len(p["model"])
        others = [(dx - DOT_R, dy - DOT_R, dx + DOT_R, dy + DOT_R) for m, (dx, dy) in dots.items() if m != p["model"]]
        free = []
        for side, left in (("right", x + LABEL_DX), ("left", x - LABEL_DX - w)):
            for shift in range(-4, 5):
                box = (left, y + (shift - 0.5) * LABEL_LINE, left + w, y + (shift + 0.5) * LABEL_LINE)
                inside = box[0] >= 0 and box[2] <= width and box[1] >= 0 and box[3] <= height
                if inside and not any(hits(box, o) for o in placed + others):
                    free.append((2 * abs(shift) + (side == "left"), side, shift, box))
        # the nearest free place (beside the dot, to its right first); a crowd past four rows keeps its own height
        _, side, shift, box = min(free, default=(0, "right", 0, (x + LABEL_DX, y, x + LABEL_DX + w, y)))
        placed.append(box)
        out.append(
            {**p, "label_side": side, "label_top1": round(y1 - (y + shift * LABEL_LINE) / height * (y1 - y0), 3)}
        )
    return out


def accuracy_chart(points: list[dict[str, Any]]) -> alt.LayerChart:
    """Top-1 against MACs for the models the papers table covers; point size = params. Every dot is labelled, the
    labels laid out by :func:`label_layout` so none overlaps another (a grey rule joins a moved label to its dot)."""
    pts = label_layout([p for p in points if p["top1"] is not None])
    xdom, ydom = accuracy_domains(pts)
    base = alt.Chart(alt.Data(values=pts), title="ImageNet top-1 vs MACs")
    x = alt.X("macs:Q", scale=alt.Scale(type="log", domain=xdom, nice=False), title="MACs")
    y = alt.Y("top1:Q", scale=alt.Scale(domain=ydom, nice=False, zero=False), title="top-1 (%)")
    dots = base.mark_circle(opacity=0.8).encode(
        x=x,
        y=y,
        size=alt.Size("params:Q", scale=alt.Scale(range=[20, 300]), legend=None),
        color=alt.Color("family:N", legend=None),
        tooltip=["model:N", "top1:Q", "top1_source:N", "macs:Q", "macs_source:N", "params:Q", "params_source:N"],
    )
    leaders = (
        base.transform_filter("datum.label_top1 != datum.top1")
        .mark_rule(color="#999", strokeWidth=1)
        .encode(x="macs:Q", y="top1:Q", y2="label_top1:Q")
    )
    labels = [
        base.transform_filter(f"datum.label_side == '{side}'")
        .mark_text(align=align, dx=dx, fontSize=10, baseline="middle")
        .encode(x="macs:Q", y="label_top1:Q", text="model:N")
        for side, align, dx in (("right", "left", LABEL_DX), ("left", "right", -LABEL_DX))
    ]
    return alt.layer(dots, leaders, *labels).properties(height=PLOT_HEIGHT)


def efficientnet_rows() -> list[dict[str, Any]]:
    """B0–B7 at φ = 0…7: the rule ``(α·β²·γ²)^φ`` (:func:`quizbank.formulas.compound_scaling`), ``d·w²·r²`` of the
    official (hand-rounded) coefficients, and the declared MACs relative to B0."""
    from models.facts import VARIANTS

    b0 = VARIANTS["efficientnet_b0"].macs.value  # type: ignore[union-attr]
    rows = []
    for phi in range(8):
        v = VARIANTS[f"efficientnet_b{phi}"]
        c = v.reference["coefficients"].value
        rows.append(
            {
                "model": f"B{phi}",
                "phi": phi,
                "rule": round(F.compound_scaling(phi)["flops"], 3),
                "coefficients": round(c["depth"] * c["width"] ** 2 * (c["resolution"] / 224) ** 2, 3),
                "macs_ratio": round(v.macs.value / b0, 3),  # type: ignore[union-attr]
                "macs": v.macs.value,  # type: ignore[union-attr]
                "params": v.params.value,  # type: ignore[union-attr]
            }
        )
    return rows


def efficientnet_chart(rows: list[dict[str, Any]]) -> alt.Chart:
    long = [
        {"model": r["model"], "phi": r["phi"], "series": name, "ratio": r[key]}
        for r in rows
        for key, name in (
            ("rule", "rule (α·β²·γ²)^φ"),
            ("coefficients", "d·w²·r² (official coefficients)"),
            ("macs_ratio", "MACs / MACs(B0) (declared)"),
        )
    ]
    return (
        # title and legend in lines: in one line each they were cut at a phone's width
        alt.Chart(alt.Data(values=long), title=["EfficientNet B0–B7: FLOPs growth", "vs the compound-scaling rule"])
        .mark_line(point=True)
        .encode(
            x=alt.X("phi:O", title="φ (B-number)"),
            y=alt.Y("ratio:Q", scale=alt.Scale(type="log"), title="× B0"),
            color=alt.Color("series:N", legend=alt.Legend(orient="bottom", title=None, columns=1, labelLimit=0)),
            tooltip=["model:N", "series:N", "ratio:Q"],
        )
        .properties(width=620, height=440)  # Streamlit fits title, axes and legend into the height too
    )


def rule_latex(alpha: float = 1.2, beta: float = 1.1, gamma: float = 1.15) -> str:
    base = F.compound_scaling(1, alpha, beta, gamma)["flops"]
    return rf"\alpha\beta^2\gamma^2 = {alpha}\cdot{beta}^2\cdot{gamma}^2 = {base:.4f} \approx 2"
