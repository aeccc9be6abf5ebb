"""The logic behind the Assessments and Code pages, without Streamlit: answer texts and idempotency keys, statuses,
released keys as text, upload checks, escaping, and the background grading queue (with a stand-in autograder)."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest

from grader import db as D
from grader import services as S
from grader.autograde.grade import GradeResult
from ui import assessments_view as A
from ui import code_view as C
from ui.mathtext import md

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def _assessment(**kw: Any) -> S.StudentAssessmentOut:
    base: dict[str, Any] = {
        "id": 1,
        "course_id": 1,
        "title": "A",
        "kind": "exam",
        "attempt_limit": None,
        "tries_per_question": None,
        "opens_at": T0,
        "closes_at": T0 + 2 * HOUR,
        "time_limit_s": None,
        "key_release_at": None,
        "questions": 3,
        "max_score": 3.0,
    }
    return S.StudentAssessmentOut(**{**base, **kw})


def test_status_follows_the_window() -> None:
    a = _assessment()
    assert [A.status(a, t) for t in (T0 - HOUR, T0, T0 + HOUR, T0 + 2 * HOUR)] == [
        "upcoming",
        "open",
        "open",
        "closed",
    ]
    assert A.status(_assessment(closes_at=None), T0 + 1000 * HOUR) == "open"


def test_describe_states_the_rules() -> None:
    a = _assessment(time_limit_s=5400, attempt_limit=1, tries_per_question=2)
    assert A.describe(a) == "Exam · 3 questions, 3 points · 1 h 30 min time limit · 1 attempt · 2 tries per question"
    assert A.duration(754) == "12:34" and A.duration(-5) == "00:00"


def test_answer_texts_round_trip_through_their_widgets() -> None:
    assert A.answer_text("multi_select", ["a", "c"]) == "a,c"
    assert A.stored_value("multi_select", "a,c") == ["a", "c"]
    assert A.stored_value("multi_select", None) == []
    assert A.answer_text("multiple_choice", "b") == "b" and A.answer_text("numeric", None) == ""


def test_idempotency_keys_tell_a_retry_from_a_new_answer() -> None:
    k = A.idempotency_key(3, 7, 1, "73,856")
    assert k == A.idempotency_key(3, 7, 1, "73,856")  # the same entry re-sent
    assert k != A.idempotency_key(3, 7, 2, "73,856")  # entered again after another answer: a new try
    assert k != A.idempotency_key(3, 7, 1, "73856") and k != A.idempotency_key(3, 8, 1, "73,856")
    assert 1 <= len(A.idempotency_key(10**12, 10**12, 10**6, "x" * 10_000)) <= 128


def test_released_keys_read_as_text() -> None:
    opts = [S.OptionView(id="a", text="1,731"), S.OptionView(id="b", text="27,696")]
    ref = S.StudentQuestionOut(id=1, assessment_id=1, owner_id=None, position=1, topic="t", kind="k", points=1)

    def view(key: Any, options: Any = None, unit: str | None = None) -> S.StudentQuestionView:
        return S.StudentQuestionView(
            instance=ref, stem="", options=options, unit=unit, answer_format="numeric", key_released=True, key=key
        )

    assert A.key_text(view("a", opts)) == "(a) 1,731"
    assert A.key_text(view(["a", "b"], opts)) == "(a) 1,731; (b) 27,696"
    assert A.key_text(view(73856.0)) == "73,856"
    assert A.key_text(view(0.25)) == "0.25"
    assert A.key_text(view([56, 56, 64])) == "56 × 56 × 64"
    assert A.key_text(view(None)) == ""


def test_countdown_counts_to_the_servers_deadline_only() -> None:
    html = A.countdown_html(T0 + HOUR, T0)
    assert str(int((T0 + HOUR).timestamp() * 1000)) in html and str(int(T0.timestamp() * 1000)) in html
    assert "<script>" in html and "fetch(" not in html and "XMLHttpRequest" not in html


def test_markdown_escaping_neutralises_student_text() -> None:
    hostile = "![x](http://evil/p.png) **bold** $x$ :red[hi] <b>"
    out = md(hostile)
    for raw in ("![", "**", "$x$", ":red[", "<b>"):
        assert raw not in out
    assert md("a\nb\tc") == "a b c" and md("x" * 600).endswith("…") and len(md("x" * 600)) == 500


def test_uploads_are_checked_before_anything_is_stored() -> None:
    ok = C.read_upload("../../My Model.py", "\ufeffimport keras\n".encode())
    assert ok == C.Source("import keras\n", "My_Model.py")  # BOM dropped, name sanitised
    with pytest.raises(C.Refused, match="at most 256 KiB"):
        C.read_upload("big.py", b"#" * (S.MAX_SOURCE_BYTES + 1))
    assert C.read_upload("edge.py", b"#" * S.MAX_SOURCE_BYTES).text  # exactly the limit is accepted
    with pytest.raises(C.Refused, match=r"not UTF-8 text \(byte 0xff at offset 2\)"):
        C.read_upload("x.py", b"ab\xffcd")
    with pytest.raises(C.Refused, match="NUL"):
        C.read_upload("x.py", b"a\x00b")
    with pytest.raises(C.Refused, match="empty"):
        C.check_text("  \n")
    with pytest.raises(C.Refused, match="at most"):
        C.check_text("é" * (S.MAX_SOURCE_BYTES // 2 + 1))  # the limit is in UTF-8 bytes, not characters


def test_every_task_has_a_contract_from_its_starter() -> None:
    from grader.autograde.tasks import tasks

    for t in tasks().values():
        sig = C.signature(t)
        assert sig.startswith(f"def {t.function}(") and sig.endswith(":")
        assert t.function in C.contract(t)
    assert C.rf_text([5, 5]) == "5 × 5" and C.rf_text(None, True) == "the whole input"
    assert C.trap_title("forgot_bias") and C.trap_title(None) is None


class _FakeAutograder:
    """Stands in for the sandbox + checker: blocks until released, then reports a fixed result (or fails)."""

    def __init__(self, fail: bool = False) -> None:
        self.release = threading.Event()
        self.fail = fail
        self.closed = False

    def grade_source(self, task: Any, source: str, file_name: str) -> GradeResult:
        assert self.release.wait(30)
        if self.fail:
            raise RuntimeError("zygote died")
        return GradeResult(file=file_name, task=task.id, verdict="ok", score=8, max_score=8, message="")

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def sf(tmp_path: Path) -> Any:
    url = f"sqlite:///{tmp_path / 'q.sqlite'}"
    D.upgrade(url)
    engine = D.make_engine(url)
    yield D.session_factory(engine)
    engine.dispose()


@pytest.mark.parametrize("fail", [False, True])
def test_the_grading_queue_runs_off_the_callers_thread_and_records_the_verdict(sf: Any, fail: bool) -> None:
    ada = S.create_user(sf, "ada", "student")
    sub = S.record_code_submission(sf, ada.id, "lenet5", "a.py", "x = 1\n")
    fake = _FakeAutograder(fail)
    q = C.GradingQueue(autograder=lambda: fake)
    future = q.submit(sf, sub.id, "lenet5", "x = 1\n", "a.py")
    # the caller (a page) is not blocked: the job is queued or running, and the stored submission is pending
    assert q.phase(sub.id) in ("queued", "starting", "running")
    assert S.get_code_submission(sf, ada.id, sub.id).verdict is None
    fake.release.set()
    future.result(timeout=30)
    done = S.get_code_submission(sf, ada.id, sub.id)
    assert q.phase(sub.id) is None
    if fail:  # a grader failure is recorded and said to be the grader's, never left pending
        assert done.verdict == "runtime_error" and "not your code's fault" in (done.results or {})["message"]
    else:
        assert (done.verdict, done.score) == ("ok", 8) and done.results is not None
    q.close()
    assert fake.closed


def test_code_editor_events_count_once() -> None:
    """The component returns its last event on every rerun: a submission is made once, a blur only keeps the
    text, and its initial value (no event) is nothing."""
    assert C.editor_event({"id": "", "type": "", "text": ""}, None) is None
    assert C.editor_event(None, None) is None
    assert C.editor_event({"id": "a1", "type": "selection", "text": "x"}, None) is None
    sent = C.editor_event({"id": "a1", "type": "submit", "text": "def f(): ...\n"}, None)
    assert sent == C.EditorEvent("a1", "submit", "def f(): ...\n") and sent.submitted
    assert C.editor_event({"id": "a1", "type": "submit", "text": "def f(): ...\n"}, "a1") is None
    left = C.editor_event({"id": "b2", "type": "blur", "text": "x = 1\n"}, "a1")
    assert left is not None and not left.submitted and left.text == "x = 1\n"


def test_code_editor_arguments_fit_the_component_and_load_nothing_from_outside() -> None:
    import inspect
    import re

    import code_editor

    args = C.editor_args("print(1)\n")
    inspect.signature(code_editor.code_editor).bind(**args, key="k")  # every argument is one the component takes
    assert args["code"] == "print(1)\n" and args["lang"] == "python"
    assert [b["name"] for b in args["buttons"]] == [C.SUBMIT_LABEL] and args["buttons"][0]["commands"] == ["submit"]
    assert args["options"]["enableKeyboardAccessibility"] is True  # Esc, then Tab, leaves the editor
    # the theme the editor gets is bundled in the component's build, and its stylesheet imports nothing
    build = Path(code_editor.__file__).parent / "frontend" / "build" / "static" / "js"
    bundle = "".join(p.read_text(encoding="utf-8") for p in build.glob("*.chunk.js"))
    theme = args["props"]["theme"]

    def stylesheet(name: str) -> str:
        m = re.search(
            r'ace\.define\("ace/theme/' + name + r'[.-]css",.*?n\.exports=(.*?)\}\)\),ace\.define', bundle, re.S
        )
        assert m, f"the stylesheet of theme {name} is not bundled"
        return m.group(1)

    assert f'ace.define("ace/theme/{theme}",' in bundle
    css = stylesheet(theme)
    assert ".ace-tm " in css and "@import" not in css and "http" not in css.replace("http://www.w3.org/2000/svg", "")
    # what the component's own themes would have done (why the theme goes through the props)
    assert "fonts.googleapis.com" in stylesheet("streamlit_light")


def test_code_editor_colours_are_readable_on_white() -> None:
    import re

    def luminance(hex_colour: str) -> float:
        c = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        c = [x / 12.92 if x <= 0.03928 else ((x + 0.055) / 1.055) ** 2.4 for x in c]
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]

    colours = re.findall(r"[{;]color:(#[0-9a-f]{6})", C.EDITOR_CSS)
    assert len(colours) >= 6  # the gutter's numbers and every token kind
    assert all(1.05 / (luminance(c) + 0.05) >= 4.5 for c in colours), colours


def test_verdicts_are_explained_to_the_student_and_to_the_staff_in_their_own_words() -> None:
    from grader.autograde.contract import VERDICTS

    for v in (*VERDICTS, "internal_error", None):
        title, mine = C.verdict_text(v)
        staff_title, theirs = C.verdict_text(v, staff=True)
        assert title == staff_title and mine and theirs
        assert "{" not in mine + theirs
        assert "your" not in theirs.lower(), (v, theirs)
    assert C.verdict_text("ok", staff=True)[1].startswith("The student's model was rebuilt")
    assert C.verdict_text("ok")[1].startswith("Your model was rebuilt")
