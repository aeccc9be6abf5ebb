"""The app, driven through Streamlit's AppTest (the real router and pages, headless), on a fresh SQLite database
per test: every page and role, signing in and out, tokens, the first run, Practice, Review and Progress."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select, update
from streamlit.testing.v1 import AppTest

from grader import db as D
from grader import services as S
from quizbank import traps as T
from quizbank.generators import generate
from tests.support import count_rows, texts
from ui import auth
from ui.mathtext import render_md
from ui.practice_view import Pick, Round, key_text, share_token

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
PICK = Pick("conv_params.count", 11, 2)  # numeric, with named traps
PRACTICE = "ui/pages/practice.py"


@dataclass
class World:
    sf: D.SessionFactory
    prof: S.UserOut
    ada: S.UserOut
    join_code: str


@pytest.fixture
def w(fresh: D.SessionFactory) -> World:
    setup = S.first_run(fresh, "prof", "prof password", display_name="Prof", demo=False)
    ada = S.register_student(fresh, "ada", "ada password", setup.join_code, display_name="Ada")
    return World(fresh, setup.instructor, ada, setup.join_code)


def _app(
    page: str | None = None, *, token: str | None = None, params: dict[str, str] | None = None, **state
) -> AppTest:  # type: ignore[no-untyped-def]
    at = AppTest.from_file(APP, default_timeout=60)
    if token is not None:
        at.session_state[auth.TOKEN_KEY] = token
    for k, v in state.items():
        at.session_state[k.replace("__", ".")] = v
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, at.exception
    if page is not None:
        at.switch_page(page)
        at.run()
        assert not at.exception, at.exception
    return at


def _signed_in(w: World, user: S.UserOut | None = None) -> str:
    return S.issue_session_token(w.sf, (user or w.ada).id).token


def _practice(w: World | None = None, pick: Pick = PICK, *, user: S.UserOut | None = None) -> tuple[AppTest, Round]:
    rnd = Round(pick, id="r1")
    topic = pick.generator.split(".", 1)[0]
    token = _signed_in(w, user) if w is not None and user is not None else None
    at = _app(
        PRACTICE,
        token=token,
        practice__topic=topic,
        practice__difficulty=pick.difficulty,
        practice__round=rnd,
        practice__for=(topic, pick.difficulty),
    )
    return at, rnd


def _submit(at: AppTest, text: str) -> AppTest:
    at.text_input(key="practice.r1.text").input(text)
    at.button(key="FormSubmitter:practice.form.r1-Check").click()
    at.run()
    assert not at.exception, at.exception
    return at


# ------------------------------------------------------------------ Practice


def test_a_visitor_practises_and_is_told_nothing_is_saved(fresh: D.SessionFactory) -> None:
    at, _ = _practice()
    q = generate(PICK.generator, PICK.seed, PICK.difficulty)
    assert at.title[0].value == "Practice"
    assert any(render_md(q.stem) in m.value for m in at.markdown)
    assert any("nothing you answer here is saved" in i.value for i in at.info)
    _submit(at, f"{q.key:,}")
    assert at.success and "Correct" in at.success[0].value
    assert count_rows(fresh, D.Response) == 0
    assert "Not saved: you are not signed in" in texts(at)


def test_correct_answer_gets_success_the_answer_and_the_explanation(w: World) -> None:
    q = generate(PICK.generator, PICK.seed, PICK.difficulty)
    at = _submit(_practice()[0], f"{q.key:,}")  # with a thousands separator
    assert at.success and at.success[0].value.startswith("**Correct!**")
    assert any(render_md(q.explanation) in m.value for m in at.markdown)
    assert any(key_text(q) == m.value for m in at.markdown)
    assert not at.error
    assert "Score: 1 of 1 question right at the first try (100%)" in texts(at)


def test_a_trap_answer_names_the_trap_offers_a_hint_and_a_second_try(w: World) -> None:
    q = generate(PICK.generator, PICK.seed, PICK.difficulty)
    trap = q.traps[0]  # type: ignore[union-attr]
    at = _submit(_practice()[0], str(trap.value))
    [err] = at.error
    assert render_md(T.get(trap.trap).title) in err.value
    assert render_md(trap.feedback) in err.value  # rendered through the KaTeX path, like explanations
    assert "Try again**: 1 try left" in texts(at)
    assert [e.label for e in at.expander if e.label == "Hint"] == ["Hint"]
    assert render_md(q.explanation) not in texts(at) and key_text(q) not in texts(at)  # nothing given away yet
    assert not at.success
    # the second wrong try reveals the answer and the explanation
    at = _submit(at, str(trap.value + 1))
    assert any(key_text(q) == m.value for m in at.markdown)
    assert any(render_md(q.explanation) in m.value for m in at.markdown)
    assert not [b for b in at.button if b.key == "FormSubmitter:practice.form.r1-Check"]  # no form once it is over
    assert f"Your answers: `{trap.value}` → `{trap.value + 1}`" in texts(at)
    assert "Score: 0 of 1 question right at the first try (0%)" in texts(at)


def test_right_at_the_second_try_does_not_count_as_first_try(w: World) -> None:
    q = generate(PICK.generator, PICK.seed, PICK.difficulty)
    at = _submit(_practice()[0], str(q.traps[0].value))  # type: ignore[union-attr]
    at = _submit(at, str(q.key))
    assert at.success and "second try" in at.success[0].value
    assert "Score: 0 of 1 question right at the first try" in texts(at)


@pytest.mark.parametrize("garbage", ["twelve", "nan", "12x12"])
def test_a_malformed_answer_is_a_format_message_not_a_try(w: World, garbage: str) -> None:
    at = _submit(_practice()[0], garbage)
    assert at.warning and "Format" in at.warning[0].value and "did not count as a try" in at.warning[0].value
    assert not at.error and not at.success
    assert at.session_state["practice.round"].tries == 0
    assert "nothing answered yet" in texts(at)


def test_signed_in_every_graded_try_is_recorded_and_reviews_the_concept(w: World) -> None:
    q = generate(PICK.generator, PICK.seed, PICK.difficulty)
    trap = q.traps[0]  # type: ignore[union-attr]
    at, _ = _practice(w, user=w.ada)
    assert not any("nothing you answer" in i.value for i in at.info)
    at = _submit(at, "twelve")  # malformed: nothing stored
    assert count_rows(w.sf, D.Response) == 0
    at = _submit(at, str(trap.value))
    at = _submit(at, f"{q.key}")
    with D.read_session(w.sf) as s:
        rows = s.execute(select(D.Response).order_by(D.Response.try_number)).scalars().all()
        assert [(r.try_number, r.correct, r.trap) for r in rows] == [(1, False, trap.trap), (2, True, None)]
    card = S.get_review_card(w.sf, w.ada.id, "conv_params")
    assert card is not None and card.reviews == 1  # the first try only
    assert "Saved" in texts(at)


def test_a_correct_first_try_is_recorded_with_its_rating(w: World) -> None:
    q = generate(PICK.generator, PICK.seed, PICK.difficulty)
    at = _submit(_practice(w, user=w.ada)[0], str(q.key))
    assert "rated Easy" in texts(at) or "rated Good" in texts(at)
    [log] = S.review_history(w.sf, w.ada.id)
    assert log.log["correct"] is True


def test_a_choice_question_with_a_trap_option(w: World) -> None:
    pick = Pick("conv_params.resolution", 4, 1)
    q = generate(pick.generator, pick.seed, pick.difficulty)
    at, _ = _practice(pick=pick)
    wrong = next(o for o in q.options if not o.correct)  # type: ignore[union-attr]
    at.radio(key="practice.r1.choice").set_value(wrong.id)
    at.button(key="FormSubmitter:practice.form.r1-Check").click()
    at.run()
    assert at.error and render_md(wrong.feedback) in at.error[0].value


def _multi_pick() -> tuple[Pick, object]:
    for seed in range(50):
        q = generate("depthwise_separable.facts", seed, 2)
        if q.kind == "multi_select" and len(q.key) >= 2:  # type: ignore[arg-type]
            return Pick("depthwise_separable.facts", seed, 2), q
    raise AssertionError("no multi-select variant")


def test_multi_select_feedback_keeps_the_missed_statements_hidden(w: World) -> None:
    pick, q = _multi_pick()
    right = [o for o in q.options if o.correct]  # type: ignore[attr-defined]
    false = next(o for o in q.options if not o.correct and o.trap)  # type: ignore[attr-defined]
    at, _ = _practice(pick=pick)
    at.checkbox(key=f"practice.r1.multi.{right[0].id}").check()
    at.checkbox(key=f"practice.r1.multi.{false.id}").check()
    at.button(key="FormSubmitter:practice.form.r1-Check").click()
    at.run()
    text = at.error[0].value
    assert ".;" not in text
    assert f"({false.id}) is false" in text and render_md(false.feedback) in text
    assert f"You picked 1 of the {len(right)} true statements" in text
    for o in right[1:]:
        assert render_md(o.text) not in text  # the missed true statements are not named
    assert "Partial credit" not in text


def test_new_variant_changes_the_question_and_unpins_the_link(w: World) -> None:
    at = _app(params={"q": share_token(w.sf, PICK)})
    at.switch_page(PRACTICE).run()
    assert at.session_state["practice.round"].pick == PICK
    assert at.query_params.get("q")
    at.button(key="practice.next").click()
    at.run()
    assert not at.exception
    assert at.session_state["practice.round"].pick != PICK
    assert "q" not in at.query_params


def test_a_share_link_is_opaque_and_pins_the_variant(w: World) -> None:
    token = share_token(w.sf, PICK)
    assert PICK.generator not in token and str(PICK.seed) not in token
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["q"] = token
    at.run()
    at.switch_page(PRACTICE).run()
    assert not at.exception
    assert at.session_state["practice.round"].pick == PICK
    assert at.session_state["practice.topic"] == "conv_params" and at.session_state["practice.difficulty"] == 2
    [share] = [c for c in at.code if "/practice?q=" in c.value]
    assert share.value.endswith(f"/practice?q={token}") and PICK.generator not in share.value


@pytest.mark.parametrize("params", [{"q": "garbage-token"}, {"q": "A" * 40}])
def test_an_invalid_link_says_why(w: World, params: dict[str, str]) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(params)
    at.run()
    at.switch_page(PRACTICE).run()
    assert not at.exception
    [warn] = [x for x in at.warning if "link" in x.value]
    assert "cannot be opened" in warn.value and "fresh question instead" in warn.value
    assert "q" not in at.query_params


def test_raw_generator_and_seed_params_pin_nothing(w: World) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"gen": "conv_params.pick", "seed": "42", "d": "3"})
    at.run()
    at.switch_page(PRACTICE).run()
    assert at.session_state["practice.round"].pick != Pick("conv_params.pick", 42, 3)


def test_practice_opens_on_a_gentle_start(w: World) -> None:
    at = _app(PRACTICE)
    assert at.session_state["practice.topic"] == "conv_params" and at.session_state["practice.difficulty"] == 1
    assert at.selectbox(key="practice.topic").options[0] == "Conv parameters"


def test_a_topic_link_drills_one_generator_then_clears_itself(w: World) -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.query_params.update({"topic": "pooling", "generator": "pooling.grad"})
    at.switch_page(PRACTICE).run()
    assert not at.exception
    assert at.session_state["practice.round"].pick.generator == "pooling.grad"
    assert any("Drilling one kind of question" in i.value for i in at.info)
    assert not {"topic", "generator"} & set(at.query_params)


# ------------------------------------------------------------------ Home and the router


def test_home_lists_every_topic_in_the_suggested_order(w: World) -> None:
    from quizbank.generators import TOPICS
    from ui.home_view import ordered_topics

    at = _app()
    assert at.title[0].value.startswith("Learn CNN architectures")
    titles = [m.value for m in at.markdown if m.value.startswith("**") and ". " in m.value[:8]]
    assert titles == [f"**{i + 1}. {TOPICS[t].title}**" for i, t in enumerate(ordered_topics())]
    assert titles[0] == "**1. Conv parameters**"
    assert f"**{ordered_topics().index('architectures') + 1}. Architectures**" in titles
    assert any("nothing you answer is saved" in i.value for i in at.info)
    assert any(p.value.startswith("Start gently: Conv parameters, difficulty 1") for p in at.page_link)


def test_a_student_is_denied_an_instructor_page(w: World) -> None:
    at = _app("ui/pages/courses.py", token=_signed_in(w))
    assert at.error and "This page is for instructors" in at.error[0].value
    assert not at.title  # nothing of the page itself rendered
    at = _app("ui/pages/courses.py", token=_signed_in(w, w.prof))
    assert at.title[0].value == "Courses" and w.join_code in texts(at)


def test_a_visitor_is_asked_to_sign_in_for_student_pages(w: World) -> None:
    for page in ("ui/pages/review.py", "ui/pages/progress.py", "ui/pages/courses.py"):
        at = _app(page)
        assert at.info and "Sign in to use this page" in at.info[-1].value, page


# ------------------------------------------------------------------ signing in and out


def _sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="auth.username").input(username)
    at.text_input(key="auth.password").input(password)
    at.button(key="FormSubmitter:auth.signin-Sign in").click()
    at.run()
    assert not at.exception, at.exception
    return at


def test_sign_in_then_a_reload_keeps_the_session(w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _sign_in(_app("ui/pages/account.py"), "ada", "ada password")
    assert at.session_state[auth.USER_KEY].id == w.ada.id
    kind, token, max_age = at.session_state[auth.COOKIE_OP_KEY]
    assert kind == "set" and token == at.session_state[auth.TOKEN_KEY] and max_age > 6 * 86400
    assert at.title[0].value.startswith("Learn CNN")  # back on Home
    # a reload: a new session, whose browser sends the cookie
    monkeypatch.setattr(auth, "request_cookie", lambda: token)
    again = _app()
    assert again.session_state[auth.USER_KEY].username == "ada"
    assert any("Welcome back, Ada" in s.value for s in again.success)


def test_a_wrong_password_is_refused_clearly(w: World) -> None:
    at = _sign_in(_app("ui/pages/account.py"), "ada", "not the password")
    assert at.error and at.error[0].value == "Wrong username or password."
    assert auth.USER_KEY not in at.session_state
    at = _sign_in(_app("ui/pages/account.py"), "nobody", "whatever password")
    assert at.error[0].value == "Wrong username or password."


@pytest.mark.parametrize("reason", ["tampered", "expired", "malformed"])
def test_a_bad_cookie_is_refused_with_the_reason(w: World, monkeypatch: pytest.MonkeyPatch, reason: str) -> None:
    if reason == "expired":
        cookie = S.issue_session_token(w.sf, w.ada.id, now=dt.datetime.now(dt.UTC) - dt.timedelta(days=8)).token
    elif reason == "tampered":
        good = S.issue_session_token(w.sf, w.ada.id).token
        cookie = good.replace(f"s1.{w.ada.id}.", f"s1.{w.prof.id}.")  # claim to be the instructor
    else:
        cookie = "hello"
    monkeypatch.setattr(auth, "request_cookie", lambda: cookie)
    at = _app()
    assert auth.USER_KEY not in at.session_state
    assert any(x.value == S.InvalidSession.MESSAGES[reason] for x in at.warning)
    assert at.session_state[auth.COOKIE_OP_KEY][0] == "delete"
    at.run()  # the message is shown once, not on every rerun
    assert not any(x.value == S.InvalidSession.MESSAGES[reason] for x in at.warning)


def test_sign_out_invalidates_the_token_everywhere(w: World, monkeypatch: pytest.MonkeyPatch) -> None:
    token = _signed_in(w)
    other_tab = _app(token=token)
    at = _app("ui/pages/account.py", token=token)
    assert at.title[0].value == "Account"
    at.button(key="auth.sign_out_page").click()
    at.run()
    assert not at.exception and auth.USER_KEY not in at.session_state
    assert any(i.value == "You are signed out." for i in at.info)
    assert at.session_state[auth.COOKIE_OP_KEY][0] == "delete"
    other_tab.run()  # another session with the same token ends at its next rerun
    assert auth.USER_KEY not in other_tab.session_state
    assert any(x.value == S.InvalidSession.MESSAGES["revoked"] for x in other_tab.warning)
    monkeypatch.setattr(auth, "request_cookie", lambda: token)  # a reload with the old cookie
    assert auth.USER_KEY not in _app().session_state


def test_repeated_wrong_passwords_are_throttled_with_a_clear_message(w: World) -> None:
    for i in range(S.SIGN_IN.failures):
        at = _sign_in(_app("ui/pages/account.py"), "ada", f"guess number {i}")
        assert at.error[0].value == "Wrong username or password."
    at = _sign_in(_app("ui/pages/account.py"), "ada", "ada password")  # the right one, too late
    assert at.error[0].value == "Too many attempts, try again in 15 minutes."
    assert auth.USER_KEY not in at.session_state
    with D.write_session(w.sf) as s:  # the window passes (as time would)
        s.execute(update(D.AuthFailure).values(failed_at=D.utcnow() - S.SIGN_IN.window))
    at = _sign_in(_app("ui/pages/account.py"), "ada", "ada password")
    assert at.session_state[auth.USER_KEY].id == w.ada.id


def _change_password(at: AppTest, old: str, new: str, again: str | None = None, *, keep: bool = True) -> AppTest:
    at.text_input(key="auth.old_pw").input(old)
    at.text_input(key="auth.new_pw").input(new)
    at.text_input(key="auth.new_pw2").input(new if again is None else again)
    at.checkbox(key="auth.keep").set_value(keep)
    at.button(key="FormSubmitter:auth.change_password-Change password").click()
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_password_change_keeps_this_session_and_ends_the_others(w: World) -> None:
    token = _signed_in(w)
    other_device = _app(token=token)
    at = _app("ui/pages/account.py", token=token)
    at = _change_password(at, "ada password", "new ada password", "a typo")
    assert at.error[0].value == "The two new passwords differ."
    at = _change_password(at, "not my password", "new ada password")
    assert at.error[0].value == "The current password is not right."
    assert S.authenticate(w.sf, "ada", "ada password") is not None  # nothing changed yet
    at = _change_password(at, "ada password", "new ada password")
    assert not at.error
    assert S.authenticate(w.sf, "ada", "new ada password") == w.ada
    assert S.authenticate(w.sf, "ada", "ada password") is None
    # this session carries on, with a fresh token in its cookie
    assert at.session_state[auth.USER_KEY].id == w.ada.id and at.title[0].value == "Account"
    kind, fresh_token, _ = at.session_state[auth.COOKIE_OP_KEY]
    assert kind == "set" and fresh_token != token and S.verify_session_token(w.sf, fresh_token).id == w.ada.id
    assert any("other sessions are signed out" in i.value for i in at.info)
    other_device.run()  # the other device is signed out at its next rerun
    assert auth.USER_KEY not in other_device.session_state
    assert any(x.value == S.InvalidSession.MESSAGES["revoked"] for x in other_device.warning)


def test_a_password_change_can_end_this_session_too(w: World) -> None:
    at = _change_password(
        _app("ui/pages/account.py", token=_signed_in(w)), "ada password", "new ada password", keep=False
    )
    assert auth.USER_KEY not in at.session_state
    assert at.session_state[auth.COOKIE_OP_KEY][0] == "delete"
    assert at.title[0].value == "Sign in"


def test_register_with_a_join_code(w: World) -> None:
    at = _app("ui/pages/account.py")
    at.text_input(key="auth.join").input(w.join_code.lower())
    at.text_input(key="auth.new_username").input("carol")
    at.text_input(key="auth.display").input("Carol")
    at.text_input(key="auth.pw1").input("carol password")
    at.text_input(key="auth.pw2").input("carol password")
    at.button(key="FormSubmitter:auth.register-Register").click()
    at.run()
    assert not at.exception
    user = at.session_state[auth.USER_KEY]
    assert user.username == "carol" and user.role == "student"
    assert [c.course.code for c in S.list_my_courses(w.sf, user.id)] == ["CNN101"]


def test_register_with_a_wrong_code_creates_nothing(w: World) -> None:
    at = _app("ui/pages/account.py")
    at.text_input(key="auth.join").input("WRONG234")
    at.text_input(key="auth.new_username").input("dan")
    at.text_input(key="auth.pw1").input("dan password")
    at.text_input(key="auth.pw2").input("dan password")
    at.button(key="FormSubmitter:auth.register-Register").click()
    at.run()
    assert at.error and "join code" in at.error[0].value
    assert S.authenticate(w.sf, "dan", "dan password") is None


def test_first_run_creates_the_instructor_and_a_demo_course(fresh: D.SessionFactory) -> None:
    at = _app()
    assert at.title[0].value == "Set up cnnquiz"
    at.text_input(key="setup.username").input("teacher")
    at.text_input(key="setup.pw1").input("teacher password")
    at.text_input(key="setup.pw2").input("teacher password")
    at.button(key="FormSubmitter:setup.form-Create").click()
    at.run()
    assert not at.exception, at.exception
    assert at.session_state[auth.USER_KEY].role == "instructor"
    [course] = S.list_my_courses(fresh, at.session_state[auth.USER_KEY].id)
    assert course.join_code is not None and any(c.value == course.join_code for c in at.code)
    assert at.success and "signed in as **teacher**" in at.success[0].value
    with D.read_session(fresh) as s:
        kinds = s.execute(select(D.Assessment.kind)).scalars().all()
    assert kinds == ["self_study"] * len(S.DEMO_ASSESSMENTS)
    # a second visitor finds it set up
    later = _app("ui/pages/setup.py")
    assert any("already set up" in i.value for i in later.info)


def test_first_run_refuses_mismatched_passwords(fresh: D.SessionFactory) -> None:
    at = _app()
    at.text_input(key="setup.pw1").input("teacher password")
    at.text_input(key="setup.pw2").input("another password")
    at.button(key="FormSubmitter:setup.form-Create").click()
    at.run()
    assert at.error[0].value == "The two passwords differ."
    assert not S.has_users(fresh)


# ------------------------------------------------------------------ Review and Progress


def test_review_serves_a_fresh_variant_and_rates_it(w: World) -> None:
    now = dt.datetime.now(dt.UTC)
    S.next_review_question(w.sf, w.ada.id, "pooling", seed=3, now=now - dt.timedelta(days=1))  # a card, due
    at = _app("ui/pages/review.py", token=_signed_in(w))
    assert at.title[0].value == "Review"
    assert at.metric[0].value == "1" and "Concepts due today" in at.metric[0].label
    at.button(key="review.start").click()
    at.run()
    assert not at.exception
    rnd = at.session_state["review.round"]
    q = generate(rnd.pick.generator, rnd.pick.seed, rnd.pick.difficulty)
    assert rnd.pick != Pick("x", 0, 1) and q.topic == "pooling"
    answer = q.key if not isinstance(q.key, list) else ",".join(q.key)
    if q.kind == "multiple_choice":
        at.radio(key=f"review.{rnd.id}.choice").set_value(q.key)
    elif q.kind == "multi_select":
        for o in q.options:  # type: ignore[union-attr]
            if o.correct:
                at.checkbox(key=f"review.{rnd.id}.multi.{o.id}").check()
    else:
        at.text_input(key=f"review.{rnd.id}.text").input(str(answer))
    at.button(key=f"FormSubmitter:review.form.{rnd.id}-Check").click()
    at.run()
    assert not at.exception
    assert at.success and "Correct" in at.success[0].value
    assert "rated Easy" in texts(at)
    card = S.get_review_card(w.sf, w.ada.id, "pooling")
    assert card is not None and card.reviews == 1 and card.due > now
    assert len(at.dataframe) == 1 and list(at.dataframe[0].value["Concept"]) == ["Pooling"]
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")


def test_progress_shows_mastery_traps_with_practice_links_and_grades(w: World) -> None:
    q = generate(PICK.generator, PICK.seed, PICK.difficulty)
    trap = q.traps[0]  # type: ignore[union-attr]
    for i in range(2):
        inst = S.add_practice_question(w.sf, w.ada.id, PICK.generator, PICK.seed + i, PICK.difficulty)
        S.answer_practice(
            w.sf, w.ada.id, inst.id, str(generate(PICK.generator, PICK.seed + i, 2).traps[0].value), f"k{i}"
        )  # type: ignore[union-attr]
    hw = S.create_assessment(w.sf, w.prof.id, 1, "Homework 1", "homework", [{"generator": PICK.generator, "count": 1}])
    att = S.start_attempt(w.sf, w.ada.id, hw.id)
    S.finish_attempt(w.sf, w.ada.id, att.id)
    at = _app("ui/pages/progress.py", token=_signed_in(w))
    assert at.title[0].value == "Progress"
    mastery = at.dataframe[0].value
    assert list(mastery["Topic"]) == ["Conv parameters"] and list(mastery["Answered"]) == [2]
    assert any(render_md(T.get(trap.trap).title) in m.value and "2×" in m.value for m in at.markdown)
    [link] = [p for p in at.page_link if p.value.startswith("Practise this")]
    assert "topic=conv_params" in link.proto.query_string and f"generator={PICK.generator}" in link.proto.query_string
    grades = at.dataframe[1].value
    assert list(grades["Assessment"]) == ["Homework 1"] and list(grades["Grade"]) == ["0 / 1 (0%)"]
