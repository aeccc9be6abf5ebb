"""The app's logic modules, without Streamlit: typesetting, routes per role, the suggested order, a round of
practice (tries, hints, the first-try score, multi-select feedback), share links, the sign-in flow on a plain
mapping, the review queue and the mastery chart as data, and the progress tables."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader import db as D
from grader import services as S
from grader import srs
from quizbank import traps as T
from quizbank.generators import TOPICS, generate, generators
from ui import auth, routes
from ui.home_view import START_TOPIC, SUGGESTED_ORDER, ordered_topics, topic_cards
from ui.mathtext import render_md, texify
from ui.practice_view import (
    LinkError,
    Pick,
    Round,
    Score,
    answers_md,
    check,
    key_text,
    new_pick,
    pick_from_token,
    reveal,
    share_token,
    share_url,
    topic_choices,
)
from ui.progress_view import attempts_table, mastery_table, trap_items
from ui.review_view import end_of_day, mastery_chart, mastery_frame, queue, queue_table, replay
from ui.state import USER_KEY

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
PICK = Pick("conv_params.count", 11, 2)


@pytest.fixture
def sf(tmp_path: Path) -> Iterator[D.SessionFactory]:
    url = f"sqlite:///{tmp_path / 'ui.sqlite'}"
    D.upgrade(url)
    engine = D.make_engine(url)
    try:
        yield D.session_factory(engine)
    finally:
        engine.dispose()


@pytest.fixture
def ada(sf: D.SessionFactory) -> S.UserOut:
    setup = S.first_run(sf, "prof", "prof password", demo=False)
    return S.register_student(sf, "ada", "ada password", setup.join_code)


# ------------------------------------------------------------------ typesetting


@pytest.mark.parametrize(
    ("plain", "tex"),
    [
        ("the +1 in (K·K·C_in + 1)·C_out.", r"the +1 in $\left(K \cdot K \cdot C_{in} + 1\right) \cdot C_{out}$."),
        ("K_eff = d·(K − 1) + 1 pixels", r"$K_{eff} = d \cdot \left(K - 1\right) + 1$ pixels"),
        ("a 3×3 conv", r"a $3 \times 3$ conv"),
        ("O = floor((W − K + 2P)/S) + 1", r"$O = \left\lfloor \left(W - K + 2P\right) / S\right\rfloor + 1$"),
        ("y = F(x) + x", r"$y = F\left(x\right) + x$"),
        ("f(Tx) = T f(x)", r"$f\left(Tx\right) = T\,f\left(x\right)$"),
        ("RF = 1 + L(K−1)", r"$\mathrm{RF} = 1 + L\left(K - 1\right)$"),
        ("use_bias=False stays prose", r"use\_bias=False stays prose"),
        ("Conv1D/2D/3D layers", "Conv1D/2D/3D layers"),
        ("a depth of 3 and 73,856 weights", "a depth of 3 and 73,856 weights"),
        ("total 112,896 = 112,000 + 896", r"total $112{,}896 = 112{,}000 + 896$"),
    ],
)
def test_texify_typesets_formulas_and_leaves_prose(plain: str, tex: str) -> None:
    assert texify(plain) == tex


def test_render_md_keeps_math_and_code_and_protects_thousands() -> None:
    assert render_md("$ = 73,856$ and 73,856") == "$ = 73{,}856$ and 73,856"
    assert render_md("$$1,179,648$$") == "$$1{,}179{,}648$$"
    assert render_md("$f(a, b)$") == "$f(a, b)$"
    assert render_md("`Conv2D(8, 3, use_bias=False)` has C_out") == "`Conv2D(8, 3, use_bias=False)` has $C_{out}$"


def _bank_texts() -> set[str]:
    texts: set[str] = set()
    for g in generators():
        for d in g.difficulties:
            for seed in range(2):
                q = generate(g.id, seed, d)
                texts.update([q.stem, q.explanation])
                for o in getattr(q, "options", None) or []:
                    texts.update([o.text, o.feedback])
                for tv in getattr(q, "traps", None) or []:
                    texts.add(tv.feedback)
    for t in T.TRAPS.values():
        texts.update([t.title, t.feedback, t.claim])
    return texts - {""}


def test_every_text_of_the_bank_renders_to_well_formed_markdown() -> None:
    for text in _bank_texts():
        out = render_md(text)
        assert out.count("$") % 2 == 0, out
        assert ("$$" in out) == ("$$" in text), out  # no two spans glued into display math
        for span in re.findall(r"\$\$.+?\$\$|\$[^$]+\$", out):
            assert span.count("{") == span.count("}") and span.count(r"\left") == span.count(r"\right"), span
            assert not re.search(r"[a-z]{3,}", re.sub(r"\\[a-zA-Z]+|_\{[^}]*\}|\{,\}", "", span)) or span in text, span
        prose = re.sub(r"\$\$.+?\$\$|\$[^$]+\$|`[^`]*`", "", out)
        assert not re.search(r"(?<!\\)_", prose), out  # no underscore left to start italics


# ------------------------------------------------------------------ routes and the suggested order


def test_each_role_sees_its_pages() -> None:
    explore = [
        "Convolution arithmetic",
        "Receptive field",
        "Architectures",
        "Efficiency",
        "Inside LeNet-5",
        "Video and norms",
        "Your own model",
    ]
    assert routes.menu("visitor") == ["Home", "Practice", *explore, "Sign in"]
    assert routes.menu("student") == [
        "Home",
        "Practice",
        "Review",
        "Assessments",
        "Code",
        "Progress",
        *explore,
        "Account",
    ]
    assert routes.menu("instructor") == [
        "Home", "Practice", "Review", "Progress", "Courses", "Exam builder", "Gradebook", "Analytics", "Code submissions",
        *explore,
        "Account",
    ]  # fmt: skip
    # a TA is a student account that assists in a course: the student's pages, and the Teaching section without the
    # Exam builder (a TA grades, but never writes or publishes an exam)
    assert routes.menu("ta") == [
        *routes.menu("student")[:6], "Courses", "Gradebook", "Analytics", "Code submissions", *explore, "Account"
    ]  # fmt: skip
    ta_plan = {p.title: p for p in routes.plan("ta")}
    assert not ta_plan["Exam builder"].visible and ta_plan["Gradebook"].route.section == routes.TEACHING_SECTION
    assert {r.section for r in routes.ROUTES if r.roles == routes.TEACHING} == {routes.TEACHING_SECTION}
    assert routes.menu("visitor", first_run=True) == ["Home", "Practice", "Set up"]
    assert {r.section for r in routes.ROUTES if r.path.startswith("ui/pages/explore_")} == {"Explore"}
    with pytest.raises(ValueError):
        routes.menu("admin")


def test_the_router_role_of_an_account() -> None:
    assert routes.router_role(None, False) == routes.VISITOR
    assert routes.router_role("student", False) == "student"
    assert routes.router_role("student", True) == routes.TA
    assert routes.router_role("instructor", True) == "instructor"  # an instructor sees the Teaching pages anyway
    with pytest.raises(ValueError):
        routes.router_role("admin", False)


def test_pages_a_role_may_not_open_are_registered_hidden_and_refuse_themselves() -> None:
    plan = {p.route.path: p for p in routes.plan("student")}
    assert not plan["ui/pages/courses.py"].visible and not plan["ui/pages/setup.py"].visible
    assert [p.route.path for p in plan.values() if p.default] == ["ui/pages/home.py"]
    first = routes.plan("visitor", first_run=True)
    assert [p.route.path for p in first if p.default] == ["ui/pages/setup.py"]
    for r in routes.ROUTES:
        path = routes.ROOT / r.path
        if r.optional and not path.exists():
            continue
        text = path.read_text()
        if VISITOR_FREE := routes.VISITOR in r.roles:
            assert "require_user(" not in text, r.path
        elif r is not routes.SETUP:
            roles = re.search(r"require_user\(([^)]*)\)", text)
            assert roles is not None, f"{r.path} must start with require_user"
            named = set(re.findall(r'"(\w+)"', roles.group(1)))
            named |= {routes.TA} if "student" in named else set()  # a TA's account is a student account
            assert named == set(r.roles) or (r.optional and named <= set(r.roles)), r.path
        assert not VISITOR_FREE or r.roles == routes.EVERYONE


def test_the_suggested_order_covers_every_topic_once_and_starts_gently() -> None:
    order = ordered_topics()
    assert sorted(order) == sorted(t for t in TOPICS if generators(t))
    assert len(set(SUGGESTED_ORDER)) == len(SUGGESTED_ORDER)
    assert order[:6] == ["conv_params", "output_size", "pooling", "compute", "receptive_field", "one_by_one"]
    assert set(SUGGESTED_ORDER) == {t for t in TOPICS if generators(t)}  # every topic has its place
    known = [t for t in order if t in SUGGESTED_ORDER]
    assert known[-1] == "architectures" and order[: len(known)] == known  # a topic the order lacks comes last
    assert START_TOPIC == "conv_params"
    cards = [c for _, cs in topic_cards() for c in cs]
    assert [c.id for c in cards] == order and [c.number for c in cards] == list(range(1, len(order) + 1))
    assert next(iter(topic_choices())) == "conv_params"


# ------------------------------------------------------------------ a round of practice


def test_trap_then_try_again_then_the_answer() -> None:
    q = generate(*PICK.__dict__.values())
    trap = q.traps[0]  # type: ignore[union-attr]
    rnd, score = Round(PICK), Score()
    fb = check(rnd, q, "eleventy", score)
    assert fb.status == "format" and "did not count as a try" in fb.body and rnd.tries == 0 and score.answered == 0
    fb = check(rnd, q, str(trap.value), score)
    assert fb.status == "wrong" and fb.title == f"Trap: {T.get(trap.trap).title}"
    assert fb.body == render_md(trap.feedback) and fb.hint and fb.tries_left == 1
    assert fb.answer is None and fb.explanation is None  # nothing given away yet
    fb = check(rnd, q, str(trap.value), score)
    assert fb.status == "revealed" and fb.answer == key_text(q) and fb.explanation == render_md(q.explanation)
    assert rnd.done and check(rnd, q, str(q.key), score) is fb  # a finished round takes no more answers
    assert (score.answered, score.first_try_correct) == (1, 0)
    assert answers_md(rnd) == f"Your answers: `{trap.value}` → `{trap.value}`"


def test_the_score_counts_first_tries_only() -> None:
    score = Score()
    for seed, first_right in ((1, True), (2, False), (3, True)):
        q = generate("conv_params.count", seed, 1)
        rnd = Round(Pick("conv_params.count", seed, 1))
        check(rnd, q, str(q.key) if first_right else "1", score)
        if not first_right:
            assert check(rnd, q, str(q.key), score).status == "correct"
    assert (score.answered, score.first_try_correct) == (3, 2)
    assert score.text() == "Score: 2 of 3 questions right at the first try (67%)"


def test_reveal_gives_up_without_changing_the_score() -> None:
    q = generate(*PICK.__dict__.values())
    rnd, score = Round(PICK), Score()
    fb = reveal(rnd, q)
    assert fb.status == "revealed" and fb.answer == key_text(q) and score.answered == 0


def test_multi_select_feedback_never_lists_the_missed_true_statements() -> None:
    for seed in range(40):
        q = generate("equivariance.statements", seed, 2)
        if q.kind != "multi_select":
            continue
        right = [o for o in q.options if o.correct]  # type: ignore[union-attr]
        false = [o for o in q.options if not o.correct]  # type: ignore[union-attr]
        if len(right) < 2 or not false:
            continue
        rnd = Round(Pick(q.generator, seed, 2))
        fb = check(rnd, q, f"{right[0].id},{false[0].id}", Score())
        assert fb.status == "wrong" and ".;" not in fb.body
        assert f"({false[0].id}) is false" in fb.body
        assert f"You picked 1 of the {len(right)} true statements" in fb.body
        assert all(render_md(o.text) not in fb.body for o in right)
        assert fb.partial is None or 0 < fb.partial < 1
        fb = check(rnd, q, right[0].id, Score())
        assert fb.status == "revealed" and fb.title == "Not all of them"
        assert all(render_md(o.text) in fb.answer for o in right)  # type: ignore[operator]
        return
    raise AssertionError("no multi-select variant with two true statements")


def test_answers_are_shown_as_inert_code() -> None:
    rnd = Round(PICK)
    rnd.answers = ["`rm -rf` [x](javascript:alert(1))", ""]
    shown = answers_md(rnd)
    assert shown.count("`") == 4 and "javascript" in shown  # inside code spans: shown, never a link


def test_new_pick_draws_within_the_topic_and_never_repeats() -> None:
    prev = Pick("pooling.grad", 1, 2)
    for _ in range(30):
        p = new_pick("pooling", 2, prev)
        assert p != prev and p.generator.startswith("pooling.") and p.difficulty == 2
    assert {new_pick("pooling", 1, generator="pooling.grad").generator for _ in range(5)} == {"pooling.grad"}
    with pytest.raises(ValueError):
        new_pick("pooling", 1, generator="conv_params.count")


def test_share_links_round_trip_and_refuse_what_they_cannot_open(sf: D.SessionFactory) -> None:
    token = share_token(sf, PICK)
    assert pick_from_token(sf, token) == PICK
    # sealed: neither the token nor the bytes it encodes hold the generator id or the seed field (a bare "11" may
    # well occur in random base64 text, so the seed is looked for as the plan's field, in the decoded bytes)
    raw = b"".join(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)) for part in token.split("."))
    assert PICK.generator not in token and PICK.generator.encode() not in raw
    assert f"|{PICK.seed}|".encode() not in raw and f"|{PICK.seed}|" not in token
    for bad in ("", "x", token[:-3], token[:-1] + ("A" if token[-1] != "A" else "B")):
        with pytest.raises(LinkError, match="cannot be opened"):
            pick_from_token(sf, bad)
    gone = S.seal(sf, "practice-link", b"conv_params.vanished|1|1")
    with pytest.raises(LinkError, match="no longer has"):
        pick_from_token(sf, gone)
    assert share_url("https://quiz.example.edu/practice?q=old", token) == f"https://quiz.example.edu/practice?q={token}"
    assert share_url(None, token).startswith("http://localhost:8501/practice?q=")


# ------------------------------------------------------------------ signing in, on a plain mapping


def test_sign_in_restore_and_sign_out(sf: D.SessionFactory, ada: S.UserOut) -> None:
    state: dict[str, object] = {}
    assert auth.sign_in(sf, state, "ada", "wrong password") == "Wrong username or password."
    assert auth.sign_in(sf, state, "", "") == "Enter your username and your password."
    assert USER_KEY not in state
    assert auth.sign_in(sf, state, "ada", "ada password") is None
    token = state[auth.TOKEN_KEY]
    assert state[USER_KEY] == ada and state[auth.COOKIE_OP_KEY][:2] == ("set", token)  # type: ignore[index]
    # a reload: a fresh state and the cookie
    fresh: dict[str, object] = {}
    assert auth.restore(sf, fresh, token) is None and fresh[USER_KEY] == ada  # type: ignore[arg-type]
    # sign out in the first session: the second one ends at its next run, with the reason
    auth.sign_out(sf, state)
    assert USER_KEY not in state and auth.restore(sf, state, None) == auth.Notice("info", "You are signed out.")
    notice = auth.restore(sf, fresh, token)  # type: ignore[arg-type]
    assert notice == auth.Notice("warning", S.InvalidSession.MESSAGES["revoked"]) and USER_KEY not in fresh
    # the same stale cookie is tried once per session, not reported on every run
    later: dict[str, object] = {}
    assert auth.restore(sf, later, token) is not None  # type: ignore[arg-type]
    assert auth.restore(sf, later, token) is None  # type: ignore[arg-type]


def test_an_expired_session_ends_with_its_reason(sf: D.SessionFactory, ada: S.UserOut) -> None:
    state: dict[str, object] = {}
    auth.sign_in(sf, state, "ada", "ada password")
    later = dt.datetime.now(dt.UTC) + S.SESSION_TTL + dt.timedelta(minutes=1)
    notice = auth.restore(sf, state, None, now=later)
    assert notice == auth.Notice("warning", "Your session expired. Please sign in again.")
    assert state[auth.COOKIE_OP_KEY] == ("delete", "", 0)


def test_register_refuses_with_messages_a_person_can_act_on(sf: D.SessionFactory, ada: S.UserOut) -> None:
    state: dict[str, object] = {}
    assert auth.register(sf, state, "carol", "password1", "password2", "X") == "The two passwords differ."
    assert auth.register(sf, state, "carol", "carol password", "carol password", " ") == (
        "Enter the join code your instructor gave you."
    )
    msg = auth.register(sf, state, "carol", "carol password", "carol password", "NOPE2345")
    assert msg == "No course has this join code: check it with your instructor."
    assert auth.register(sf, state, "ada", "carol password", "carol password", "NOPE2345") is not None
    assert USER_KEY not in state


def test_cookie_scripts() -> None:
    set_js = auth.cookie_script(("set", "s1.1.2.0.abc-_", 3600), secure=True)
    assert "cnnquiz_session=s1.1.2.0.abc-_; Max-Age=3600; Path=/; SameSite=Strict; Secure" in set_js
    assert set_js.startswith("<script>document.cookie = ") and set_js.endswith(";</script>")
    gone = auth.cookie_script(("delete", "", 0), secure=False)
    assert "cnnquiz_session=; Max-Age=0; Path=/; SameSite=Strict" in gone and "Secure" not in gone
    with pytest.raises(ValueError):
        auth.cookie_script(("set", 'x"; alert(1); "', 10), secure=False)


# ------------------------------------------------------------------ review and progress as data


def _reviewed(sf: D.SessionFactory, ada: S.UserOut, answers: list[tuple[str, bool, int]]) -> dt.datetime:
    """Answer practice questions at T0, T0+1d, ... (concept, right?, ms); returns the last time."""
    t = T0
    for i, (gen, right, ms) in enumerate(answers):
        inst = S.add_practice_question(sf, ada.id, gen, 100 + i, 1, now=t)
        q = generate(gen, 100 + i, 1)
        raw = str(q.key) if right else str(q.key + 7)  # numeric generators only
        S.answer_practice(sf, ada.id, inst.id, raw, f"k{i}", ms, now=t)
        t += dt.timedelta(days=1)
    return t


def test_the_replayed_card_is_the_stored_card(sf: D.SessionFactory, ada: S.UserOut) -> None:
    _reviewed(
        sf,
        ada,
        [
            ("conv_params.count", True, 30_000),
            ("conv_params.count", False, 5_000),
            ("conv_params.count", True, 200_000),
        ],
    )
    steps = replay(ada.id, S.review_history(sf, ada.id))
    stored = S.get_review_card(sf, ada.id, "conv_params")
    assert stored is not None and len(steps["conv_params"]) == 3
    assert json.loads(steps["conv_params"][-1][1]) == stored.card


def test_mastery_frame_and_chart(sf: D.SessionFactory, ada: S.UserOut) -> None:
    now = _reviewed(
        sf,
        ada,
        [
            ("conv_params.count", True, 30_000),
            ("pooling.net_params", True, 30_000),
            ("conv_params.count", True, 30_000),
        ],
    )
    df = mastery_frame(ada.id, S.review_history(sf, ada.id), now)
    assert list(df.columns) == ["concept", "time", "retrievability", "stability", "part"]
    assert set(df["concept"]) == {"Conv parameters", "Pooling"} and set(df["part"]) == {"past", "forecast"}
    assert df["retrievability"].between(0, 1).all()
    for concept, g in df.groupby("concept"):
        at_now = g[g["time"] == now]
        assert set(at_now["part"]) == {"past", "forecast"}, concept  # the two lines meet at now
        ahead = g[g["part"] == "forecast"].sort_values("time")["retrievability"].tolist()
        assert ahead == sorted(ahead, reverse=True)  # forgetting, with no review to come
    conv = df[df["concept"] == "Conv parameters"]
    assert conv["stability"].max() > conv["stability"].min()  # the second review made the memory steadier
    spec = mastery_chart(df, now).to_dict()
    lines, rule = spec["layer"]
    assert lines["mark"]["type"] == "line" and rule["mark"]["type"] == "rule"
    enc = lines["encoding"]
    assert enc["x"]["field"] == "time" and enc["y"]["field"] == "retrievability" and enc["color"]["field"] == "concept"
    assert enc["y"]["scale"]["domain"] == [0, 1] and enc["strokeDash"]["field"] == "part"


def test_the_queue_counts_what_is_due_today_in_the_students_time_zone(sf: D.SessionFactory, ada: S.UserOut) -> None:
    _reviewed(sf, ada, [("conv_params.count", False, 5_000)])  # Again: due again within minutes
    cards = S.list_review_cards(sf, ada.id)
    q = queue(cards, T0 + dt.timedelta(hours=1), timezone="Europe/Paris")
    assert q.due_now == ["conv_params"] and q.due_today == 1 and q.next_new == "output_size"
    assert queue_table(q, T0 + dt.timedelta(hours=1))["Next due"].tolist() == ["due now"]
    assert queue(cards, T0 - dt.timedelta(days=2)).due_today == 0
    assert end_of_day(dt.datetime(2026, 3, 2, 22, 30, tzinfo=dt.UTC), "Europe/Paris") == dt.datetime(
        2026, 3, 2, 22, 59, 59, 999999, tzinfo=dt.UTC
    )
    assert end_of_day(T0, "Not/AZone") == dt.datetime(2026, 3, 2, 23, 59, 59, 999999, tzinfo=dt.UTC)


def test_progress_tables(sf: D.SessionFactory, ada: S.UserOut) -> None:
    _reviewed(sf, ada, [("pooling.net_params", False, 5_000), ("conv_params.count", True, 9_000)])
    p = S.student_progress(sf, ada.id, now=T0 + dt.timedelta(days=3))
    table = mastery_table(p)
    assert table["Topic"].tolist() == ["Conv parameters", "Pooling"]  # the suggested order, not alphabetical
    assert table["Right at the first try"].tolist() == [1.0, 0.0]
    items = trap_items(p)
    for it in items:
        assert it.query_params == {"topic": it.topic, "generator": it.generator}
        assert it.title == T.get(it.trap).title
    assert attempts_table(p).empty
    assert srs.rating_for(True, 9_000).name == "Easy"


def test_recall_probability_is_fsrs_curve_between_whole_days() -> None:
    card = srs.new_card(1, "pooling", T0)
    card, _ = srs.review(card, True, 30_000, T0)
    for days in (0, 1, 3, 10):
        t = T0 + dt.timedelta(days=days)
        assert srs.recall_probability(card, t) == pytest.approx(srs.retrievability(card, t), abs=1e-12)
    hours = [srs.recall_probability(card, T0 + dt.timedelta(hours=h)) for h in range(0, 49, 6)]
    assert hours == sorted(hours, reverse=True) and len(set(hours)) == len(hours)  # no day-long steps
    assert srs.recall_probability(srs.new_card(1, "pooling", T0), T0) == 0.0
