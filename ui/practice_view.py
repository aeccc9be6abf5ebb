"""The Practice page's logic, kept apart from Streamlit so it can be tested plainly.

A *round* is one question being practised, in Moodle's interactive mode: try → feedback on the trap (and a
hint) → try again → the answer and the worked explanation. :data:`TRIES` graded tries; a malformed answer is a
format message that costs no try. The session's score counts *first* tries: questions right at the first try
out of questions answered (checking again, or a second try, never inflates it).

Signed in, every graded try is recorded in the user's self-study record (:func:`record`), and the first try of
each question is a spaced-repetition review of its topic. A shared link pins a variant by an opaque sealed token
(:func:`share_token`), never by a readable generator id and seed.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from grader.db import SessionFactory
from grader.parse import FormatError, parse_answer
from grader.scoring import Grade, grade
from grader.services import (
    PRACTICE_TRIES,
    InvalidToken,
    NotFound,
    ServiceError,
    add_practice_question,
    answer_practice,
    seal,
    unseal,
)
from quizbank.generators import REGISTRY, TOPICS, generate, generators
from quizbank.generators.base import fmt
from quizbank.schema import AnyQuestion

from .home_view import START_DIFFICULTY, START_TOPIC, ordered_topics
from .mathtext import render_md

TRIES = PRACTICE_TRIES
LINK_PURPOSE = "practice-link"
LINK_PARAM = "q"

HINTS: dict[str, str] = {
    "conv_params": "Each of the C_out filters has K·K·C_in weights (K_t·K·K·C_in in 3D) and one bias. "
    "The input's height and width never enter.",
    "output_size": "O = floor((W − K_eff + 2P)/S) + 1 with K_eff = d·(K − 1) + 1; Keras 'same' gives ceil(W/S).",
    "pooling": "Pooling learns nothing: 0 parameters. Its output size follows the conv formula, with the pool "
    "size as the kernel and, by default, as the stride too.",
    "receptive_field": "Each layer adds (K − 1) times the product of the strides before it: "
    "RF = 1 + Σ (K_l − 1)·d_l·j_{l−1}.",
    "one_by_one": "A 1×1 conv mixes channels at each pixel: C_in·C_out weights (+ C_out biases), and it sees one "
    "pixel.",
    "stacked_kernels": "n stacked 3×3 convs see as far as one (2n + 1)×(2n + 1) conv, with n·9·C² weights "
    "instead of (2n + 1)²·C².",
    "dilation": "Dilation d spreads the same K taps over K_eff = d·(K − 1) + 1 pixels: more reach, no more weights.",
    "fc_vs_conv": "A dense layer between maps wires every input value to every output value; a conv shares one "
    "K×K×C_in filter per output channel over all positions.",
    "depthwise_separable": "Depthwise K²·C_in, then pointwise C_in·C_out, against K²·C_in·C_out for a standard conv.",
    "residual": "y = F(x) + x: the skip adds x back (through a 1×1 projection when the shape changes).",
    "equivariance": "Conv maps move with the input: f(Tx) = T f(x). Global pooling then forgets where: "
    "f(Tx) = f(x). Neither holds for rotations.",
}


@dataclass(frozen=True)
class Pick:
    generator: str
    seed: int
    difficulty: int


class LinkError(Exception):
    """A practice link that cannot be opened (the message says why)."""


def topic_choices() -> dict[str, str]:
    """Topic id → title, in the suggested order (Home's), gentle first."""
    return {t: TOPICS[t].title for t in ordered_topics()}


def default_topic() -> tuple[str, int]:
    return START_TOPIC, START_DIFFICULTY


def generator_title(gen_id: str) -> str:
    return REGISTRY[gen_id].title


def new_pick(topic: str, difficulty: int, previous: Pick | None = None, generator: str | None = None) -> Pick:
    """A fresh variant: a random generator of the topic (or ``generator``) and a random seed, never ``previous``."""
    if generator is not None:
        if generator not in REGISTRY or REGISTRY[generator].topic != topic:
            raise ValueError(f"{generator!r} is not a generator of {topic!r}")
        gens = [generator]
    else:
        gens = [g.id for g in generators(topic) if difficulty in g.difficulties]
    while True:
        p = Pick(gens[secrets.randbelow(len(gens))], secrets.randbelow(10**9), difficulty)
        if p != previous:
            return p


def question_for(p: Pick) -> AnyQuestion:
    return generate(p.generator, p.seed, p.difficulty)


# ------------------------------------------------------------------ links


def share_token(sf: SessionFactory, p: Pick) -> str:
    """An opaque token for this variant: sealed by the server, so it neither shows nor lets anyone edit the seed."""
    return seal(sf, LINK_PURPOSE, f"{p.generator}|{p.seed}|{p.difficulty}".encode())


def pick_from_token(sf: SessionFactory, token: str) -> Pick:
    """The variant a share token pins, or :class:`LinkError` saying why the link cannot be opened."""
    try:
        data = unseal(sf, LINK_PURPOSE, token.strip()).decode("utf-8")
    except InvalidToken as e:
        raise LinkError(f"This practice link cannot be opened: {e}.") from None
    except UnicodeDecodeError:
        raise LinkError("This practice link cannot be opened: it is not one this server made.") from None
    gen, _, rest = data.partition("|")
    seed, _, d = rest.partition("|")
    if gen not in REGISTRY or not seed.isdigit() or d not in ("1", "2", "3"):
        raise LinkError("This practice link names a question this version of the app no longer has.")
    if int(d) not in REGISTRY[gen].difficulties:
        raise LinkError("This practice link names a question this version of the app no longer has.")
    return Pick(gen, int(seed), int(d))


def share_url(page_url: str | None, token: str) -> str:
    """The full link to the Practice page with ``token`` (on the origin the student is using)."""
    origin = "http://localhost:8501"
    if page_url:
        parts = urlsplit(page_url)
        if parts.scheme in ("http", "https") and parts.netloc:
            origin = f"{parts.scheme}://{parts.netloc}"
    return f"{origin}/practice?{LINK_PARAM}={token}"


# ------------------------------------------------------------------ a round of practice


@dataclass(frozen=True)
class Feedback:
    status: Literal["format", "correct", "wrong", "revealed"]
    title: str
    body: str
    """Markdown (already through :func:`render_md`)."""
    tries_left: int
    hint: str | None = None
    partial: float | None = None
    answer: str | None = None
    """The key as markdown, once the question is solved or revealed."""
    explanation: str | None = None


@dataclass
class Round:
    pick: Pick
    limit: int = TRIES
    """Graded tries allowed (a spaced-repetition review allows one: it tests recall)."""
    id: str = field(default_factory=lambda: secrets.token_hex(8))
    tries: int = 0
    solved: bool = False
    revealed: bool = False
    instance_id: int | None = None
    """The stored personal question (signed in), created at the first graded try."""
    started: float = field(default_factory=time.monotonic)
    feedback: Feedback | None = None
    checks: int = 0
    """Every Check (format errors too): the page moves focus to the feedback when it changes."""
    answers: list[str] = field(default_factory=list)
    """The raw text of each graded try."""

    @property
    def done(self) -> bool:
        return self.solved or self.revealed

    @property
    def tries_left(self) -> int:
        return max(0, self.limit - self.tries)


@dataclass
class Score:
    answered: int = 0
    first_try_correct: int = 0

    def text(self) -> str:
        if not self.answered:
            return "Score: nothing answered yet in this session."
        q = "question" if self.answered == 1 else "questions"
        return (
            f"Score: {self.first_try_correct} of {self.answered} {q} right at the first try "
            f"({self.first_try_correct / self.answered:.0%})"
        )


def hint_for(q: AnyQuestion) -> str:
    return render_md(HINTS.get(q.topic) or TOPICS[q.topic].summary)


def key_text(q: AnyQuestion) -> str:
    """The right answer as markdown."""
    options = getattr(q, "options", None)
    if options is not None:
        right = [o for o in options if o.correct]
        return "\n".join(f"- ({o.id}) {render_md(o.text)}" for o in right)
    if q.kind == "numeric":
        unit = getattr(q, "unit", None)
        return f"**{fmt(q.key)}**" + (f" {unit}" if unit else "")  # type: ignore[arg-type]
    return f"**{q.key}**"


def input_hint(q: AnyQuestion) -> str:
    if q.kind == "numeric":
        unit = getattr(q, "unit", None)
        return "A number: 73856, 73,856, 7.3856e4, 73.9k or 1/9 all work." + (f" Unit: {unit}." if unit else "")
    if q.kind == "shape":
        return "A shape without the batch axis, e.g. 112×112×64 or (None, 112, 112, 64)."
    return ""


def _wrong(q: AnyQuestion, value: Any, g: Grade) -> tuple[str, str]:
    """Title and body of the feedback on a wrong answer, which never gives the right answers away."""
    title = f"Trap: {g.trap_title}" if g.trap_title else "Not quite"
    options = getattr(q, "options", None)
    if q.kind != "multi_select" or options is None:
        return title, render_md(g.feedback)
    chosen = set(value)
    right = set(q.key)  # type: ignore[arg-type]
    picked_false = _false_picks(options, chosen)
    lines = [f"- ({o.id}) is false: {render_md(o.feedback)}" for o in picked_false]
    found = len(chosen & right)
    if found < len(right):
        lines.append(
            f"- You picked {found} of the {len(right)} true statements: "
            + ("look again at the ones you left out." if found else "none of them yet.")
        )
    return (title if picked_false else "Not all of them"), "\n".join(lines)


def _false_picks(options: Any, chosen: set[str]) -> list[Any]:
    """The false options picked, one per distinct feedback (two options of one trap say the same thing)."""
    out, seen = [], set()
    for o in options:
        if o.id in chosen and not o.correct and o.feedback not in seen:
            seen.add(o.feedback)
            out.append(o)
    return out


def _finished(q: AnyQuestion) -> dict[str, str]:
    return {"answer": key_text(q), "explanation": render_md(q.explanation)}


def check(rnd: Round, q: AnyQuestion, raw: str, score: Score) -> Feedback:
    """Grade one Check of the round (updating the round and the score) and say what to show."""
    if rnd.done:
        assert rnd.feedback is not None
        return rnd.feedback
    rnd.checks += 1
    try:
        parsed = parse_answer(q, raw)
    except FormatError as e:
        fb = Feedback("format", "Format", render_md(f"{e}. This did not count as a try."), rnd.tries_left)
        rnd.feedback = fb
        return fb
    g = grade(q, parsed.value)
    rnd.tries += 1
    rnd.answers.append(raw)
    if rnd.tries == 1:
        score.answered += 1
        score.first_try_correct += int(g.correct)
    if g.correct:
        rnd.solved = True
        plain = g.feedback.strip(". ").lower() in ("correct", "correct: every true statement and no false one")
        title = "Correct!" if rnd.tries == 1 else "Correct at the second try."
        fb = Feedback("correct", title, "" if plain else render_md(g.feedback), rnd.tries_left, **_finished(q))
    else:
        title, body = _wrong(q, parsed.value, g)
        partial = g.score if 0 < g.score < 1 else None
        if rnd.tries >= rnd.limit:
            rnd.revealed = True
            fb = Feedback("revealed", title, body, 0, partial=partial, **_finished(q))
        else:
            fb = Feedback("wrong", title, body, rnd.tries_left, hint=hint_for(q), partial=partial)
    rnd.feedback = fb
    return fb


def reveal(rnd: Round, q: AnyQuestion) -> Feedback:
    """Give up on the round: show the answer and the explanation (the score does not change)."""
    rnd.revealed = True
    rnd.checks += 1
    prev = rnd.feedback
    title, body = (prev.title, prev.body) if prev is not None and prev.status == "wrong" else ("The answer", "")
    fb = Feedback("revealed", title, body, rnd.tries_left, partial=prev.partial if prev else None, **_finished(q))
    rnd.feedback = fb
    return fb


def answers_md(rnd: Round) -> str:
    """The student's graded answers as markdown code spans (their text cannot escape the span)."""
    shown = [" ".join(a.replace("`", "'").split())[:80] or "(empty)" for a in rnd.answers]
    label = "Your answer" if len(shown) == 1 else "Your answers"
    return f"{label}: " + " → ".join(f"`{a}`" for a in shown)


def record(
    sf: SessionFactory, user_id: int, rnd: Round, raw: str, *, elapsed_ms: int | None = None
) -> tuple[bool, str]:
    """Store the round's latest graded try in the user's self-study record: ``(saved, what to tell them)``."""
    if elapsed_ms is None:
        elapsed_ms = int((time.monotonic() - rnd.started) * 1000)
    try:
        if rnd.instance_id is None:
            p = rnd.pick
            rnd.instance_id = add_practice_question(sf, user_id, p.generator, p.seed, p.difficulty).id
        out = answer_practice(sf, user_id, rnd.instance_id, raw, f"{rnd.id}:{rnd.tries}", max(0, elapsed_ms))
    except NotFound as e:
        return False, f"Not saved: {e}."
    except ServiceError as e:
        return False, f"Not saved: {e}."
    if out.rating is not None and out.card is not None:
        topic = TOPICS[REGISTRY[rnd.pick.generator].topic].title
        return True, f"Saved to your record; it counts as a review of {topic}, rated {out.rating}."
    return True, "Saved."
