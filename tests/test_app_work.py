"""The student's Assessments and Code pages, driven through Streamlit's AppTest (the real page scripts, headless)
on a migrated SQLite database; the signed-in user is put in the session the way the sign-in page leaves it."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from streamlit.testing.v1 import AppTest

from grader import db as D
from grader import services as S
from grader.autograde.tasks import get as get_task
from quizbank.generators import generate
from quizbank.schema import NumericQuestion
from quizbank.traps import get as get_trap
from tests.support import CourseDb, app_services, one_course, run_page
from ui.mathtext import md, render_md
from ui.state import USER_KEY

ROOT = Path(__file__).resolve().parent.parent
ASSESSMENTS = str(ROOT / "ui" / "pages" / "assessments.py")
GEN = "conv_params.count"
MC_GEN = "conv_params.resolution"


Db = CourseDb


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Db]:
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    D.upgrade(url)
    with app_services(monkeypatch, url) as sf:
        prof, [ada], course = one_course(sf, "ada")
        yield Db(url, sf, prof, ada, course)


def _page(path: str, user: S.UserOut, **query: str) -> AppTest:
    return run_page(path, user, timeout=90, **query)


def _nodes(node: Any) -> Iterator[Any]:
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _nodes(child)


def delivered(at: AppTest) -> str:
    """Everything the server sends the browser for this run: every element's protobuf, as text."""
    return "\n".join(str(n.proto) for n in _nodes(at._tree) if getattr(n, "proto", None) is not None)


def _exam(db: Db, **kw: Any) -> S.AssessmentOut:
    now = D.utcnow()
    kw.setdefault("opens_at", now - dt.timedelta(hours=1))
    kw.setdefault("closes_at", now + dt.timedelta(days=1))
    kw.setdefault("key_release_at", now + dt.timedelta(days=2))
    blueprint = kw.pop(
        "blueprint",
        [{"generator": GEN, "count": 2, "difficulty": 1}, {"generator": MC_GEN, "count": 1, "difficulty": 1}],
    )
    return S.create_assessment(db.sf, db.prof.id, db.course.id, "Midterm", "exam", blueprint, seed=11, **kw)


def _keys(db: Db, a: S.AssessmentOut) -> list[S.QuestionView]:
    qs = S.list_questions(db.sf, db.prof.id, a.id)
    assert all(isinstance(q, S.QuestionView) for q in qs)
    return qs  # type: ignore[return-value]


def _responses(db: Db) -> int:
    with D.read_session(db.sf) as s:
        return s.execute(select(func.count()).select_from(D.Response)).scalar_one()


def _click(at: AppTest, key: str) -> AppTest:
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def _assert_no_identity(at: AppTest, qs: list[S.QuestionView], a: S.AssessmentOut) -> None:
    text = delivered(at)
    assert text, "nothing was delivered"
    for q in qs:
        assert q.instance.generator not in text and str(q.instance.seed) not in text
        assert f"s{q.instance.seed}" not in text
    assert "blueprint" not in text and "seed" not in text.lower()


# ------------------------------------------------------------------ assessments


def test_overview_lists_open_upcoming_and_closed(db: Db) -> None:
    now = D.utcnow()
    _exam(db)
    S.create_assessment(
        db.sf, db.prof.id, db.course.id, "Quiz next week", "homework", [{"generator": GEN}],
        opens_at=now + dt.timedelta(days=7),
    )  # fmt: skip
    S.create_assessment(
        db.sf, db.prof.id, db.course.id, "Old homework", "homework", [{"generator": GEN}],
        opens_at=now - dt.timedelta(days=7), closes_at=now - dt.timedelta(days=1), now=now - dt.timedelta(days=7),
    )  # fmt: skip
    at = _page(ASSESSMENTS, db.ada)
    assert at.title[0].value == "Assessments"
    assert [s.value for s in at.subheader] == ["Open now", "Upcoming", "Closed"]
    text = [m.value for m in at.markdown]
    order = [
        next(i for i, t in enumerate(text) if title in t) for title in ("Midterm", "Quiz next week", "Old homework")
    ]
    assert order == sorted(order)
    assert any("Opens" in c.value for c in at.caption) and any("Closed" in c.value for c in at.caption)


def test_take_reload_midway_finish_and_review_after_release(db: Db) -> None:
    a = _exam(db)
    qs = _keys(db, a)
    at = _page(ASSESSMENTS, db.ada)
    _click(at, f"assess.go.{a.id}")
    assert at.title[0].value == "Midterm"
    _click(at, f"assess.start.{a.id}")
    (att,) = S.list_attempts(db.sf, db.ada.id, a.id)
    assert at.query_params["assessment"] == str(a.id)  # a reload comes back to this assessment
    # question 1: a format error is refused without costing anything, then the right answer is saved at once
    box = f"assess.ans.{att.id}.{qs[0].instance.id}"
    at.text_input(key=box).input("seventy").run()
    assert at.warning and "costs no attempt" in at.warning[0].value and _responses(db) == 0
    at.text_input(key=box).input(f"{qs[0].key:,}").run()
    assert any("Saved at" in s.value for s in at.success) and _responses(db) == 1
    assert "● 1" in str(at.pills[0].proto) and "○ 2" in str(at.pills[0].proto)
    _assert_no_identity(at, qs, a)
    # question 2: a trap value
    _click(at, f"assess.next.{att.id}")
    q2 = generate(qs[1].instance.generator, qs[1].instance.seed, qs[1].instance.difficulty)  # the instructor's copy
    assert isinstance(q2, NumericQuestion)
    trap_value = q2.traps[0].value
    at.text_input(key=f"assess.ans.{att.id}.{qs[1].instance.id}").input(str(trap_value)).run()
    assert _responses(db) == 2
    assert not at.error and not any("Trap" in i.value for i in at.info)  # an exam hides grading until release

    # the connection drops: a new session on the same database finds the attempt and the saved answers
    again = _page(ASSESSMENTS, db.ada, assessment=str(a.id))
    assert again.title[0].value == "Midterm" and "2 of 3 answered" in again.caption[0].value
    assert again.text_input(key=box).value == f"{qs[0].key:,}"
    _click(again, f"assess.next.{att.id}")
    assert again.text_input(key=f"assess.ans.{att.id}.{qs[1].instance.id}").value == str(trap_value)
    _click(again, f"assess.next.{att.id}")
    mc = qs[2]
    wrong = next(o.id for o in mc.options or [] if o.id != mc.key)
    again.radio(key=f"assess.ans.{att.id}.{mc.instance.id}").set_value(wrong).run()
    assert _responses(db) == 3
    _assert_no_identity(again, qs, a)

    # finish, with a confirmation
    _click(again, f"assess.finish.{att.id}")
    assert "3 of 3" in again.warning[0].value
    _click(again, f"assess.yes.{att.id}")
    assert any("handed in" in s.value for s in again.success)
    assert any("released" in i.value or "from" in i.value for i in again.info)  # score hidden until release
    assert not again.metric
    _assert_no_identity(again, qs, a)

    # the instructor releases the key: score, the trap fallen into, the worked explanation
    S.update_assessment_times(db.sf, db.prof.id, a.id, key_release_at=D.utcnow() - dt.timedelta(seconds=1))
    after = _page(ASSESSMENTS, db.ada, assessment=str(a.id))
    assert after.metric[0].value == "1 / 3"  # question 1 right, the trap and the wrong option score 0
    errors = " ".join(e.value for e in after.error)
    assert get_trap(q2.traps[0].trap).title in errors
    # the option's feedback, as the page typesets it (formulas through KaTeX)
    assert render_md(next(o.feedback for o in generate(MC_GEN, mc.instance.seed, 1).options if o.id == wrong)) in errors  # type: ignore[union-attr]
    body = " ".join(m.value for m in after.markdown)
    assert "Worked explanation" in body and "Answer:" in body


def test_a_timed_exam_refuses_answers_after_its_deadline(db: Db) -> None:
    a = _exam(db, time_limit_s=1800, attempt_limit=1)
    qs = _keys(db, a)
    at = _page(ASSESSMENTS, db.ada, assessment=str(a.id))
    assert any("30 min" in m.value or "30:00" in m.value for m in at.markdown)
    _click(at, f"assess.start.{a.id}")
    (att,) = S.list_attempts(db.sf, db.ada.id, a.id)
    assert att.deadline_at is not None
    assert any("Deadline" in c.value and "kept by the server" in c.value for c in at.caption)
    html = delivered(at)
    assert str(int(att.deadline_at.timestamp() * 1000)) in html  # the countdown counts to the server's deadline
    at.text_input(key=f"assess.ans.{att.id}.{qs[0].instance.id}").input(str(qs[0].key)).run()
    assert _responses(db) == 1
    # the clock runs out (the deadline moves into the past, as time would)
    with D.write_session(db.sf) as s:
        s.execute(update(D.Attempt).where(D.Attempt.id == att.id).values(deadline_at=D.utcnow() - dt.timedelta(1)))
    at.text_input(key=f"assess.ans.{att.id}.{qs[0].instance.id}").input(str(qs[0].key + 1)).run()
    assert not at.exception
    assert _responses(db) == 1  # the service refused it
    assert any("deadline has passed" in e.value for e in at.error)
    assert any("ran out" in w.value for w in at.warning)
    # attempts exhausted: the one attempt was handed in
    assert any("used all 1" in w.value for w in at.warning)
    with pytest.raises(S.AttemptLimitReached):
        S.start_attempt(db.sf, db.ada.id, a.id)


def test_the_clock_hands_a_timed_exam_in_at_its_deadline_without_a_click(
    db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page taking a timed attempt runs a fragment on a timer (``st.fragment(run_every=...)``, rerun by the
    browser on its own); when it runs after the deadline it hands the attempt in and the page shows that.

    AppTest cannot tick a fragment's timer, so ``st.fragment`` is replaced by a recorder that runs the fragment in
    line, with the fragment's clock moved past the deadline: exactly what a timer rerun then sees."""
    import streamlit

    a = _exam(db, time_limit_s=1800, attempt_limit=1)
    qs = _keys(db, a)
    at = _page(ASSESSMENTS, db.ada, assessment=str(a.id))
    _click(at, f"assess.start.{a.id}")
    (att,) = S.list_attempts(db.sf, db.ada.id, a.id)
    assert att.deadline_at is not None
    at.text_input(key=f"assess.ans.{att.id}.{qs[0].instance.id}").input(str(qs[0].key)).run()
    assert _responses(db) == 1

    timers: list[float] = []
    late = att.deadline_at + dt.timedelta(seconds=1)

    def fragment(fn: Any = None, *, run_every: Any = None, **_: Any) -> Any:
        def deco(body: Any) -> Any:
            def run(*args: Any, **kwargs: Any) -> Any:
                timers.append(float(run_every))
                body.__globals__["utcnow"] = lambda: late  # the page's clock, as the timer rerun finds it
                return body(*args, **kwargs)

            return run

        return deco(fn) if fn is not None else deco

    monkeypatch.setattr(streamlit, "fragment", fragment)
    at.run()
    assert not at.exception, at.exception
    assert timers and all(0 < t <= 5 for t in timers), timers  # the page keeps looking, every few seconds
    (done,) = S.list_attempts(db.sf, db.ada.id, a.id)
    assert done.finished_at is not None  # handed in by the clock, not by a click
    assert any("ran out" in w.value and "handed in" in w.value for w in at.warning)
    assert not [b for b in at.button if (b.key or "").startswith("assess.finish")]  # no longer taking it
    assert len(S.list_responses(db.sf, db.ada.id, a.id)) == 1  # the saved answer counts


def test_a_closed_assessment_says_so(db: Db) -> None:
    now = D.utcnow()
    a = _exam(db, opens_at=now - dt.timedelta(days=3), closes_at=now - dt.timedelta(days=1))
    at = _page(ASSESSMENTS, db.ada, assessment=str(a.id))
    assert any("closed" in w.value and "no new attempts" in w.value for w in at.warning)
    assert not [b for b in at.button if (b.key or "").startswith("assess.start")]


def test_instructors_and_visitors_do_not_get_the_student_page(db: Db) -> None:
    at = _page(ASSESSMENTS, db.prof)
    assert at.error and "This page is for students" in at.error[0].value
    visitor = AppTest.from_file(ASSESSMENTS, default_timeout=60)
    visitor.run()
    assert visitor.info and "Sign in" in visitor.info[0].value


# ------------------------------------------------------------------ code

CODE = str(ROOT / "ui" / "pages" / "code.py")
SUBMISSIONS = ROOT / "tests" / "autograde_submissions"


def _plain(at: AppTest) -> AppTest:
    """The plain text box instead of the code editor (a component AppTest does not render)."""
    return at.toggle(key="code.plain").set_value(True).run()


def _graded(db: Db, at: AppTest, timeout: float = 300) -> S.CodeSubmissionOut:
    """Wait for the background grader (the page only polls), then let the page show the verdict."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        latest = S.list_code_submissions(db.sf, db.ada.id)[0]
        if latest.verdict is not None:
            at.run()
            assert not at.exception, at.exception
            return latest
        time.sleep(0.5)
    pytest.fail("no verdict within the timeout")


def test_code_reference_passes_and_a_trapped_solution_shows_its_trap(db: Db) -> None:
    task = get_task("lenet5")
    at = _page(CODE, db.ada)
    at.selectbox(key="code.task").set_value("lenet5").run()
    assert "def build_model() -> keras.Model:" in at.code[0].value
    assert at.markdown[0].value == render_md(task.statement)  # the statement comes first: no stray text above it
    # the code editor (a component, not rendered here) comes first; the plain text box is one toggle away
    assert not at.text_area and any("Submit for grading" in c.value and "Esc, then Tab" in c.value for c in at.caption)
    _plain(at).text_area(key="code.src.lenet5").input(task.reference_source()).run()
    _click(at, "code.submit.text")
    (sub,) = S.list_code_submissions(db.sf, db.ada.id)
    assert sub.file_name == "build_model.py"
    # the submitting run returned before the verdict (it showed the pending state); with the process's shared,
    # already warm sandbox the verdict may be stored moments later, so the row itself is not checked for None
    assert "Grading" in delivered(at)  # the page polls; the grading runs on the background executor
    done = _graded(db, at)
    assert done.verdict == "ok" and done.score == task.max_score
    assert at.success and "Checked" in at.success[0].value
    body = " ".join(m.value for m in at.markdown)
    assert "61,706 parameters" in body and "receptive field" in body
    table = at.dataframe[0].value
    assert list(table["layer"])[:1] and {"Conv2D", "Dense"} <= set(table["type"])
    assert table["params"].sum() == 61706  # the checker's per-layer table adds up to LeNet-5
    # a trapped wrong solution, uploaded as a file: the failed check names its concept and the trap
    wrong = SUBMISSIONS / "lenet5" / "no_bias.py"
    at.file_uploader(key="code.file.lenet5").set_value(("no bias<b>.py", wrong.read_bytes(), "text/x-python")).run()
    _click(at, "code.submit.file")
    bad = _graded(db, at)
    assert bad.file_name == "no_bias_b_.py" and bad.verdict == "ok" and bad.score < task.max_score
    assert at.warning and "Checked" in at.warning[0].value
    body = " ".join(m.value for m in at.markdown)
    # the title is shown as escaped markdown (a title may hold `_`, as in use_bias)
    assert f"Trap: {md(get_trap('forgot_bias').title)}" in body and "concept: *counting parameters*" in body
    # the history lists both, newest first; picking the first shows its verdict again
    assert list(at.dataframe[-1].value["file"]) == ["no_bias_b_.py", "build_model.py"]
    at.selectbox(key="code.pick.lenet5").set_value(done.id).run()
    assert not at.exception and at.success and "8 / 8" in at.success[0].value


def test_code_uploads_that_are_too_big_or_not_utf8_are_refused(db: Db) -> None:
    at = _page(CODE, db.ada)
    at.selectbox(key="code.task").set_value("lenet5").run()
    big = b"# padding\n" * (S.MAX_SOURCE_BYTES // 10 + 1)
    at.file_uploader(key="code.file.lenet5").set_value(("big.py", big, "text/x-python")).run()
    assert at.error and "at most 256 KiB" in at.error[0].value and "Nothing was submitted" in at.error[0].value
    at.file_uploader(key="code.file.lenet5").set_value(("latin1.py", "# café\n".encode("latin-1"), "text/x-python"))
    at.run()
    assert at.error and "not UTF-8" in at.error[0].value and "0xe9" in at.error[0].value
    assert not [b for b in at.button if b.key == "code.submit.file"]
    _plain(at).text_area(key="code.src.lenet5").input("x = 1\n" * (S.MAX_SOURCE_BYTES // 6 + 1)).run()
    _click(at, "code.submit.text")
    assert at.error and "at most 256 KiB" in at.error[0].value
    assert S.list_code_submissions(db.sf, db.ada.id) == []


def test_code_verdicts_that_are_not_checks_say_what_happened(db: Db) -> None:
    sub = S.record_code_submission(db.sf, db.ada.id, "lenet5", "loop.py", "while True:\n    pass\n")
    S.set_code_verdict(db.sf, sub.id, "time_limit", 0.0, 8.0, {"message": "CPU time limit (10 s) exceeded"})
    at = _page(CODE, db.ada)
    at.selectbox(key="code.task").set_value("lenet5").run()
    assert at.error and "Grading timeout" in at.error[0].value and "0 / 8" in at.error[0].value
    assert any("CPU time limit" in c.value for c in at.code)
    # a check message quoting the student's layer names is shown literally, never as Markdown
    hostile = "the output layer '![x](http://evil.test/p.png)' uses 'relu'"
    check = {"name": "softmax output", "points": 0, "max_points": 1, "passed": False, "message": hostile}
    check |= {"concept": "class probabilities", "trap": None}
    S.set_code_verdict(db.sf, sub.id, "ok", 7.0, 8.0, {"checks": [check]})
    at.run()
    body = " ".join(m.value for m in at.markdown)
    assert "![x](" not in body and r"\!\[x\]\(http" in body


OWN = str(ROOT / "ui" / "pages" / "explore_own.py")


def test_a_graded_model_opens_in_explore_for_its_author_only(db: Db) -> None:
    """A real LeNet-5 graded in the sandbox: its verdict links to the Explore page, which rebuilds the config the
    sandbox exported (stored with the verdict) and measures its receptive field; nobody else can open it."""
    task = get_task("lenet5")
    at = _page(CODE, db.ada)
    at.selectbox(key="code.task").set_value("lenet5").run()
    _plain(at).text_area(key="code.src.lenet5").input(task.reference_source()).run()
    _click(at, "code.submit.text")
    done = _graded(db, at)
    assert done.verdict == "ok" and done.results is not None
    report = done.results["model"]
    [link] = at.get("link_button")
    assert link.proto.label == "Explore your model" and link.proto.url == f"/explore_own?submission={done.id}"

    own = _page(OWN, db.ada, submission=str(done.id))
    assert not own.error and any(md(f"Submission #{done.id} (build_model.py") in c.value for c in own.caption)
    metrics = {m.label: m.value for m in own.metric}
    assert metrics["Params"] == f"{report['params']:,}" == "61,706"  # what the checker measured in grading
    assert metrics["RF"] == str(report["receptive_field"][0])
    assert '"flatten" -> "dense"' in own.get("graphviz_chart")[0].proto.spec  # the diagram of the graph
    # the gradient RF of the deepest pooled map equals the checker's per-layer RF (LeNet-5 has no holes)
    layer = own.select_slider(key="explore.own.layer").value
    checker_rf = {r["name"]: r["receptive_field"] for r in report["layers"]}[layer]
    assert metrics["Measured RF (gradient)"] == metrics["Theoretical RF (models.inspect)"]
    assert metrics["Theoretical RF (models.inspect)"] == f"{checker_rf[0]} × {checker_rf[1]}"
    assert not [t for t in own.text_area if t.key == "explore.own.text"]  # the submission replaces the paste box

    # another student, a visitor and a malformed link get nothing of it; the service refuses the other student too
    bob = S.create_user(db.sf, "bob", "student")
    with pytest.raises(S.AccessDenied):
        S.code_submission_model(db.sf, bob.id, done.id)
    for user, said in ((bob, "is not one of yours"), (None, "Sign in")):
        other = AppTest.from_file(OWN, default_timeout=90)
        if user is not None:
            other.session_state[USER_KEY] = user
        other.query_params["submission"] = str(done.id)
        other.run()
        assert not other.exception and other.error and said in other.error[0].value
        assert not other.metric and not other.get("graphviz_chart")
    assert "does not name" in _page(OWN, db.ada, submission="1; drop").error[0].value
    # a submission graded without a kept config (an old verdict) says so
    old = S.record_code_submission(db.sf, db.ada.id, "lenet5", "old.py", task.reference_source())
    S.set_code_verdict(db.sf, old.id, "ok", 8.0, 8.0, {"checks": [], "model": report})
    assert "no model was exported" in _page(OWN, db.ada, submission=str(old.id)).error[0].value
