"""Efficiency across the zoo: params, MACs and ImageNet top-1 from the declared facts (models/facts, each number
with its source), and EfficientNet B0–B7 against the compound-scaling rule ``α·β²·γ² ≈ 2``."""

from __future__ import annotations

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


def accuracy_chart(points: list[dict[str, Any]]) -> alt.Chart:
    """Top-1 against MACs for the models the papers table covers; point size = params."""
    pts = [p for p in points if p["top1"] is not None]
    base = alt.Chart(alt.Data(values=pts), title="ImageNet top-1 vs MACs")
    dots = base.mark_circle(opacity=0.8).encode(
        x=alt.X("macs:Q", scale=alt.Scale(type="log"), title="MACs"),
        y=alt.Y("top1:Q", scale=alt.Scale(zero=False), title="top-1 (%)"),
        size=alt.Size("params:Q", legend=None),
        color=alt.Color("family:N", legend=None),
        tooltip=["model:N", "top1:Q", "top1_source:N", "macs:Q", "macs_source:N", "params:Q", "params_source:N"],
    )
    labels = base.mark_text(dx=8, align="left", fontSize=10).encode(x="macs:Q", y="top1:Q", text="model:N")
    return (dots + labels).properties(width=620, height=300)


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
        alt.Chart(alt.Data(values=long), title="EfficientNet B0–B7: FLOPs growth vs the compound-scaling rule")
        .mark_line(point=True)
        .encode(
            x=alt.X("phi:O", title="φ (B-number)"),
            y=alt.Y("ratio:Q", scale=alt.Scale(type="log"), title="× B0"),
            color=alt.Color("series:N", legend=alt.Legend(orient="bottom", title=None)),
            tooltip=["model:N", "series:N", "ratio:Q"],
        )
        .properties(width=620, height=300)
    )


def rule_latex(alpha: float = 1.2, beta: float = 1.1, gamma: float = 1.15) -> str:
    base = F.compound_scaling(1, alpha, beta, gamma)["flops"]
    return rf"\alpha\beta^2\gamma^2 = {alpha}\cdot{beta}^2\cdot{gamma}^2 = {base:.4f} \approx 2"
