"""The Review page's logic: the spaced-repetition queue, and mastery over time as data and as an Altair chart.

A concept (a quizbank topic) has one FSRS card per student (:mod:`grader.srs`). The queue lists every card with
its next due date; a review serves a freshly generated variant of the most overdue concept, one graded try,
rated from correctness and time (Again / Hard / Good / Easy). Mastery over time is *replayed* from the review
log with the same scheduler (fuzzing is off, so the replay gives the stored card back): after each review the
card's stability ``S`` sets the forgetting curve ``R(t)``, which the chart samples up to a fortnight ahead.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
from fsrs import State

from grader import srs
from grader.services import ReviewCardOut, ReviewLogOut
from quizbank.generators import TOPICS

from .home_view import ordered_topics

RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
HORIZON = dt.timedelta(days=14)


@dataclass(frozen=True)
class ConceptRow:
    concept: str
    title: str
    due: dt.datetime
    due_now: bool
    state: str
    """``New`` (never reviewed), ``Learning``, ``Review`` or ``Relearning``."""
    reviews: int
    retrievability: float
    stability: float | None


@dataclass(frozen=True)
class Queue:
    rows: list[ConceptRow]
    """Every card, soonest due first."""
    due_now: list[str]
    """Concepts due at this moment, most overdue first."""
    due_today: int
    """Concepts due before the end of the student's day."""
    next_new: str | None
    """The first topic of the suggested order the student has no card for yet."""

    @property
    def next_due(self) -> ConceptRow | None:
        later = [r for r in self.rows if not r.due_now]
        return later[0] if later else None


def end_of_day(now: dt.datetime, timezone: str | None) -> dt.datetime:
    """The last instant of ``now``'s day in the student's time zone (UTC when unknown), as UTC."""
    try:
        tz: dt.tzinfo = ZoneInfo(timezone) if timezone else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        tz = dt.UTC
    local = now.astimezone(tz)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    return midnight.astimezone(dt.UTC) - dt.timedelta(microseconds=1)


def queue(cards: list[ReviewCardOut], now: dt.datetime, *, timezone: str | None = None) -> Queue:
    rows = []
    for c in cards:
        js = json.dumps(c.card)
        card = srs.load_card(js)
        state = "New" if c.reviews == 0 else State(card.state).name
        rows.append(
            ConceptRow(
                concept=c.concept,
                title=TOPICS[c.concept].title if c.concept in TOPICS else c.concept,
                due=c.due,
                due_now=c.due <= now,
                state=state,
                reviews=c.reviews,
                retrievability=srs.recall_probability(js, now),
                stability=card.stability,
            )
        )
    rows.sort(key=lambda r: (r.due, r.concept))
    eod = end_of_day(now, timezone)
    have = {c.concept for c in cards}
    return Queue(
        rows=rows,
        due_now=[r.concept for r in rows if r.due_now],
        due_today=sum(r.due <= eod for r in rows),
        next_new=next((t for t in ordered_topics() if t not in have), None),
    )


def queue_table(q: Queue, now: dt.datetime) -> pd.DataFrame:
    """The queue as the page shows it (one row per concept)."""
    return pd.DataFrame(
        {
            "Concept": [r.title for r in q.rows],
            "Next due": [_when(r.due, now) for r in q.rows],
            "State": [r.state for r in q.rows],
            "Reviews": [r.reviews for r in q.rows],
            "Recall now": [r.retrievability for r in q.rows],
        }
    )


def _when(due: dt.datetime, now: dt.datetime) -> str:
    if due <= now:
        return "due now"
    delta = due - now
    if delta < dt.timedelta(hours=1):
        return f"in {max(1, int(delta.total_seconds() // 60))} min"
    if delta < dt.timedelta(days=1):
        return f"in {int(delta.total_seconds() // 3600)} h"
    return due.strftime("%a %d %b")


def replay(user_id: int, history: list[ReviewLogOut]) -> dict[str, list[tuple[dt.datetime, str]]]:
    """Per concept, the card JSON after each review, replayed from the log (the stored card is the last one)."""
    by_concept: dict[str, list[ReviewLogOut]] = defaultdict(list)
    for log in history:
        by_concept[log.concept].append(log)
    out: dict[str, list[tuple[dt.datetime, str]]] = {}
    for concept, logs in by_concept.items():
        if concept not in TOPICS:
            continue
        logs.sort(key=lambda x: x.reviewed_at)
        card = srs.new_card(user_id, concept, logs[0].reviewed_at)
        steps = []
        for log in logs:
            correct = bool(log.log.get("correct", log.rating > 1))
            card, _ = srs.review(card, correct, log.log.get("time_taken_ms"), log.reviewed_at)
            steps.append((log.reviewed_at, card))
        out[concept] = steps
    return out


def mastery_frame(
    user_id: int, history: list[ReviewLogOut], now: dt.datetime, *, horizon: dt.timedelta = HORIZON, samples: int = 24
) -> pd.DataFrame:
    """Retrievability per concept over time: columns ``concept``, ``time``, ``retrievability``, ``stability``,
    ``part`` (``past`` up to ``now``, ``forecast`` after it if no review comes; the point at ``now`` is in both,
    so the two lines meet).

    Each review starts a segment that runs to the next review (or to ``now + horizon``), sampled more densely
    at its start, where a young memory fades fastest.
    """
    rows = []
    for concept, steps in replay(user_id, history).items():
        title = TOPICS[concept].title
        for k, (at, card) in enumerate(steps):
            last = k + 1 == len(steps)
            until = now + horizon if last else steps[k + 1][0]
            times = {at + (until - at) * (i / samples) ** 2 for i in range(samples + (1 if last else 0))}
            if at < now < until:
                times.add(now)
            stability = round(float(srs.load_card(card).stability or 0.0), 3)
            for t in sorted(times):
                r = round(srs.recall_probability(card, t), 4)
                parts = ["past", "forecast"] if t == now else ["past" if t < now else "forecast"]
                rows += [
                    {"concept": title, "time": t, "retrievability": r, "stability": stability, "part": part}
                    for part in parts
                ]
    df = pd.DataFrame(rows, columns=["concept", "time", "retrievability", "stability", "part"])
    if not df.empty:
        df["time"] = pd.to_datetime(df["time"], utc=True)
    return df


def local_time(t: dt.datetime, timezone: str | None) -> str:
    """``t`` in the student's time zone (UTC when unknown), e.g. ``Friday 04 December, 21:06``."""
    try:
        tz: dt.tzinfo = ZoneInfo(timezone) if timezone else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        tz = dt.UTC
    return t.astimezone(tz).strftime("%A %d %B, %H:%M") + ("" if timezone else " UTC")


def mastery_chart(df: pd.DataFrame, now: dt.datetime):  # type: ignore[no-untyped-def]  # an altair.LayerChart
    """Recall probability per concept over time (solid up to now, dashed ahead), with a rule at now."""
    import altair as alt

    base = alt.Chart(df).encode(
        x=alt.X("time:T", title=None),
        y=alt.Y(
            "retrievability:Q", title="Recall probability", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")
        ),
        color=alt.Color("concept:N", title="Concept", legend=alt.Legend(orient="bottom", columns=2)),
        strokeDash=alt.StrokeDash(
            "part:N", title=None, scale=alt.Scale(domain=["past", "forecast"], range=[[1, 0], [4, 3]]), legend=None
        ),
        tooltip=[
            alt.Tooltip("concept:N"),
            alt.Tooltip("time:T", format="%d %b %H:%M"),
            alt.Tooltip("retrievability:Q", format=".0%", title="recall"),
            alt.Tooltip("stability:Q", format=".1f", title="stability (days)"),
        ],
    )
    lines = base.mark_line(interpolate="monotone").encode(detail="part:N")
    rule = alt.Chart(pd.DataFrame({"time": [pd.Timestamp(now)]})).mark_rule(color="gray").encode(x="time:T")
    return (lines + rule).properties(height=280)
