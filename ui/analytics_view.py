"""The Analytics page's logic (instructors and TAs): Moodle's item statistics with the dubious items flagged, the test
statistics, and four Altair charts built as data (facility against discrimination, trap frequency per question,
correct rate by stride, dilation and padding mode, mastery of students × topics).

The statistics are :mod:`grader.analytics`'s (Moodle's definitions, documented there), one row per item, over each
student's counted answer (their last try of the last attempt). An item is a shared question, or, where each student
has a variant of their own, a slot of the blueprint: every student's question drawn at that place
(:func:`grader.services.item_keys`), so Q3 is the blueprint's third question whatever order a student saw it in.

**Dubious items.** A question is flagged when any of these hold (fractions, as Moodle's percentages / 100):

* discriminative efficiency below :data:`MIN_EFFICIENCY` (0.15): Moodle's own test (``is_dubious_question`` of its
  statistics report) for a question "possibly not pulling its weight";
* a negative discrimination index (:data:`MIN_DISCRIMINATION`, 0): the stronger students do worse on it, which
  usually means a wrong key or an ambiguous stem (older Moodle releases flagged exactly this);
* facility outside [:data:`MIN_FACILITY`, :data:`MAX_FACILITY`] = [0.05, 0.95]: almost nobody or almost everybody
  gets it, so it tells the students apart little (Moodle's guide reads these ends as "extremely difficult / easy").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from grader.analytics import (
    FACTORS,
    AssessmentStats,
    ItemStats,
    Mastery,
    ParamDifficulty,
    TrapStat,
)
from quizbank import traps as T
from quizbank.generators import REGISTRY, TOPICS

MIN_EFFICIENCY = 0.15
MIN_DISCRIMINATION = 0.0
MIN_FACILITY = 0.05
MAX_FACILITY = 0.95
THRESHOLDS = (
    f"discriminative efficiency < {MIN_EFFICIENCY:.0%} (Moodle's test), discrimination index < {MIN_DISCRIMINATION:g}, "
    f"or facility outside {MIN_FACILITY:.0%}–{MAX_FACILITY:.0%}"
)


@dataclass(frozen=True)
class ItemLabel:
    item: str
    """What the records call ``item``: a shared question's instance id as text, or a blueprint slot."""
    position: int
    generator: str
    topic: str

    @property
    def short(self) -> str:
        return f"Q{self.position}"

    @property
    def title(self) -> str:
        spec = REGISTRY.get(self.generator)
        return f"Q{self.position}: {spec.title if spec else self.generator}"


def item_labels(items: Iterable[Any]) -> dict[str, ItemLabel]:
    """Labels by item, from :func:`grader.services.assessment_items` (shared questions or blueprint slots) or from
    the instructor's question views (``.instance`` with its position and generator)."""
    out = {}
    for q in items:
        if hasattr(q, "instance"):
            i = q.instance
            out[str(i.id)] = ItemLabel(str(i.id), i.position, i.generator, i.topic)
        else:
            out[q.item] = ItemLabel(q.item, q.position, q.generator, q.topic)
    return out


def dubious_reasons(s: ItemStats) -> list[str]:
    """Why a question is flagged (empty: it is not); see the module's thresholds."""
    out = []
    if s.discriminative_efficiency is not None and s.discriminative_efficiency < MIN_EFFICIENCY:
        out.append(f"efficiency {s.discriminative_efficiency:.0%} < {MIN_EFFICIENCY:.0%}")
    if s.discrimination is not None and s.discrimination < MIN_DISCRIMINATION:
        out.append("negative discrimination")
    if s.facility is not None and s.facility < MIN_FACILITY:
        out.append("almost nobody gets it")
    if s.facility is not None and s.facility > MAX_FACILITY:
        out.append("almost everybody gets it")
    return out


def stats_frame(stats: Sequence[ItemStats], labels: Mapping[str, ItemLabel]) -> pd.DataFrame:
    """Moodle's statistics table, one row per question in order, fractions (the page shows them as percentages)."""
    rows = sorted(stats, key=lambda s: labels[s.key].position if s.key in labels else 10**9)
    return pd.DataFrame(
        {
            "Question": [labels[s.key].title if s.key in labels else s.key for s in rows],
            "Attempts": [s.n for s in rows],
            "Facility": [s.facility for s in rows],
            "SD": [s.sd for s in rows],
            "Discrimination": [s.discrimination for s in rows],
            "Efficiency": [s.discriminative_efficiency for s in rows],
            "Flag": ["; ".join(dubious_reasons(s)) for s in rows],
        }
    )


def assessment_numbers(st: AssessmentStats) -> dict[str, str]:
    """The assessment-level numbers as Moodle's report words them."""

    def pct(x: float | None) -> str:
        return "–" if x is None else f"{100 * x:.1f} %"

    def marks(x: float | None) -> str:
        return "–" if x is None else f"{x:.2f}"

    return {
        "Students": str(st.n_students),
        "Mean": marks(st.mean) + (f" / {st.max_total:g}" if st.mean is not None else ""),
        "SD": marks(st.sd),
        "Cronbach's α": pct(st.alpha),
        "Error ratio": pct(st.error_ratio),
        "Standard error": marks(st.standard_error),
    }


# ------------------------------------------------------------------ charts (Altair, tested as data)


def facility_discrimination_chart(frame: pd.DataFrame):  # type: ignore[no-untyped-def]  # an altair.LayerChart
    """Each question as a point: facility (x) against discrimination (y), dubious ones in red, with the limits."""
    import altair as alt

    data = frame.dropna(subset=["Facility", "Discrimination"]).assign(Dubious=lambda d: d["Flag"] != "")
    points = (
        alt.Chart(data)
        .mark_circle(size=110, opacity=0.85)
        .encode(
            x=alt.X("Facility:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%"), title="Facility"),
            y=alt.Y("Discrimination:Q", scale=alt.Scale(domain=[-1, 1]), title="Discrimination index"),
            color=alt.Color(
                "Dubious:N",
                scale=alt.Scale(domain=[False, True], range=["#4a7bd0", "#d0453a"]),
                legend=alt.Legend(title="Flagged", orient="bottom"),
            ),
            tooltip=[
                "Question",
                alt.Tooltip("Facility:Q", format=".0%"),
                alt.Tooltip("Discrimination:Q", format=".2f"),
            ],
        )
    )
    zero = (
        alt.Chart(pd.DataFrame({"y": [MIN_DISCRIMINATION]}))
        .mark_rule(strokeDash=[4, 4])
        .encode(y=alt.Y("y:Q", title="Discrimination index"))
    )
    ends = (
        alt.Chart(pd.DataFrame({"x": [MIN_FACILITY, MAX_FACILITY]}))
        .mark_rule(strokeDash=[2, 4])
        .encode(x=alt.X("x:Q", title="Facility"))
    )
    # Streamlit fits the whole chart, legend included, into the height: room for the plot and the legend below it
    return (points + zero + ends).properties(height=380)


def trap_frame(traps: Sequence[TrapStat], labels: Mapping[str, ItemLabel]) -> pd.DataFrame:
    """Per question, how many counted answers fell into each named trap."""
    rows = [t for t in traps if t.scope == "item"]
    return pd.DataFrame(
        {
            "Question": [labels[t.key].short if t.key in labels else t.key for t in rows],
            "Position": [labels[t.key].position if t.key in labels else 0 for t in rows],
            "Trap": [t.title or (T.TRAPS[t.trap].title if t.trap in T.TRAPS else t.trap) for t in rows],
            "Count": [t.count for t in rows],
            "Rate": [t.rate for t in rows],
        }
    )


def trap_chart(df: pd.DataFrame):  # type: ignore[no-untyped-def]  # an altair.Chart
    """Stacked bars: answers that fell into a named trap, per question, coloured by trap."""
    import altair as alt

    order = sorted(set(df["Question"]), key=lambda q: int(q[1:]) if q[1:].isdigit() else 0)
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("Question:N", sort=order, title=None),
            y=alt.Y("Count:Q", title="Answers in the trap", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "Trap:N",
                scale=alt.Scale(scheme="tableau20"),  # a colour of its own for up to 20 traps
                legend=alt.Legend(orient="bottom", columns=1, labelLimit=320),
            ),
            tooltip=["Question", "Trap", "Count", alt.Tooltip("Rate:Q", format=".0%")],
        )
        .properties(height=240 + 20 * df["Trap"].nunique())  # the legend below takes a row per trap
    )


def parameter_frame(diffs: Sequence[ParamDifficulty]) -> pd.DataFrame:
    """Correct rate by stride, dilation and padding mode (with its Wilson 95 % interval)."""
    rows = [d for d in diffs if d.param in FACTORS]
    return pd.DataFrame(
        {
            "Parameter": [d.param for d in rows],
            "Value": [str(d.value) for d in rows],
            "Answers": [d.n for d in rows],
            "Correct rate": [d.correct_rate for d in rows],
            "Low": [d.low for d in rows],
            "High": [d.high for d in rows],
        }
    )


def parameter_chart(df: pd.DataFrame):  # type: ignore[no-untyped-def]  # an altair.LayerChart
    """One horizontal bar per parameter value (``stride = 2``), grouped by parameter in :data:`FACTORS` order: the
    correct rate as the bar, its 95 % interval as a rule. A single view, not a facet, so it takes the container's
    width: three side-by-side panels do not fit a phone."""
    import altair as alt

    data = df.assign(Label=df["Parameter"] + " = " + df["Value"])
    data = data.sort_values("Parameter", key=lambda p: p.map(FACTORS.index), kind="stable")  # values keep their order
    base = alt.Chart(data).encode(y=alt.Y("Label:N", title=None, sort=list(data["Label"])))
    bars = base.mark_bar(opacity=0.8).encode(
        x=alt.X("Correct rate:Q", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.Color("Parameter:N", sort=list(FACTORS), legend=None),
        tooltip=["Parameter", "Value", "Answers", alt.Tooltip("Correct rate:Q", format=".0%")],
    )
    ci = base.mark_rule(color="#333").encode(x=alt.X("Low:Q", title="Correct rate"), x2="High:Q")
    return alt.layer(bars, ci).properties(height=alt.Step(28))


def mastery_frame(ms: Sequence[Mastery], names: Mapping[int, str]) -> pd.DataFrame:
    """Mastery per student and topic (the course's answers), with the topics' titles."""
    return pd.DataFrame(
        {
            "Student": [names.get(m.student, str(m.student)) for m in ms],
            "Topic": [TOPICS[m.topic].title if m.topic in TOPICS else m.topic for m in ms],
            "Mastery": [m.mastery for m in ms],
            "Answers": [m.n for m in ms],
            "Mastered": [m.mastered for m in ms],
        }
    )


def mastery_chart(df: pd.DataFrame):  # type: ignore[no-untyped-def]  # an altair.LayerChart
    """Heat map: students (rows) × topics (columns), colour = mastery, the value printed in each cell."""
    import altair as alt

    base = alt.Chart(df).encode(
        x=alt.X("Topic:N", title=None, axis=alt.Axis(labelAngle=-35, labelLimit=160)),
        y=alt.Y("Student:N", title=None),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "Mastery:Q", scale=alt.Scale(domain=[0, 1], scheme="blues"), legend=alt.Legend(format="%", orient="bottom")
        ),
        tooltip=["Student", "Topic", alt.Tooltip("Mastery:Q", format=".0%"), "Answers"],
    )
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("Mastery:Q", format=".0%"),
        color=alt.condition(alt.datum.Mastery > 0.6, alt.value("white"), alt.value("black")),
    )
    return (cells + text).properties(height=alt.Step(26))
