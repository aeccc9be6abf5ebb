"""An instructor's term in a real browser (headless Chromium against ``streamlit_app.py``, its own router and sign-in,
on a fresh SQLite database), in order; the steps share the server and the browser:

1. the first-run page creates the instructor and a first course;
2. Courses: a second course; a roster file with a bad line is refused line by line with nothing imported, then a
   good one is imported and its invite links are downloaded;
3. Exam builder: a blueprint (two topics, difficulty, count, points, a variant of their own for each student),
   a sample student's preview with key and worked solutions, a schedule (open now, close tomorrow, key at the
   close), publishing, and the five exports downloaded and opened (the JSON parsed, the PDFs read by pypdf);
4. a roster student follows their invite link, sets a password and takes the exam in the browser;
5. the instructor signs in with the sign-in form, finds the graded attempt in the Gradebook, overrides a score
   with a reason and sees it in the attempt, the audit trail and the downloaded gradebook; Analytics draws its
   charts.

Screenshots (desktop, and 390 px wide for Courses, the preview, the Gradebook and Analytics) go to
``$CNNQUIZ_ARTIFACTS/cnnquiz-browser/instructor`` and, if ``$CNNQUIZ_SHOTS`` names a folder, there too.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from grader import db as D
from grader import services as S
from tests.support import headless_chromium, served
from tests.test_browser import ARTIFACTS, PHONE
from tools import browser as B

OUT = ARTIFACTS / "instructor"
COPY = Path(os.environ["CNNQUIZ_SHOTS"]) if os.environ.get("CNNQUIZ_SHOTS") else None
DESKTOP = (1280, 1400)
WALK: dict[str, Any] = {}
REASON = "the working is right, one slip in the last step"
BAD = (
    "username,name,email\n"
    "alan,Alan Turing,alan@example.org\n"
    "katherine johnson,Katherine Johnson,katherine@example.org\n"
    "yann,Yann LeCun,yann@example.org\n"
)
GOOD = (
    "username,name,email\n"
    "alan,Alan Turing,alan@example.org\n"
    "katherine,Katherine Johnson,katherine@example.org\n"
    "yann,Yann LeCun,yann@example.org\n"
)


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[str, D.SessionFactory]]:
    data = tempfile.mkdtemp(prefix="cnnquiz-instructor-")
    WALK["data"] = Path(data)
    WALK["downloads"] = Path(tempfile.mkdtemp(prefix="cnnquiz-downloads-"))
    try:
        with served(data) as base:
            engine = D.make_engine(B.db_url(data))  # the server's own database, to check what the pages did
            try:
                yield base, D.session_factory(engine)
            finally:
                engine.dispose()
    finally:  # once the server has stopped
        shutil.rmtree(WALK["downloads"], ignore_errors=True)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(site: tuple[str, D.SessionFactory]) -> Iterator[Any]:
    with headless_chromium(*DESKTOP, downloads=WALK["downloads"]) as driver:
        yield driver


@pytest.fixture(autouse=True)
def failure_shot(request: pytest.FixtureRequest, browser: Any) -> Iterator[None]:
    """A screenshot of the page as a step failed: ``failed-<step>.png``."""
    failed = request.session.testsfailed
    yield
    if request.session.testsfailed > failed:
        OUT.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(OUT / f"failed-{request.node.name}.png"))


def shot(b: Any, name: str, *, phone: bool = False) -> None:
    """``name-desktop.png`` (and ``name-390px.png``), whole page, in the artefacts folder and the copy folder."""
    sizes = [("desktop", None)] + ([("390px", PHONE)] if phone else [])
    for label, size in sizes:
        path = B.shot(b, OUT / f"{name}-{label}.png", size=size)
        assert path.stat().st_size > 10_000, path
        if COPY is not None:
            COPY.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, COPY / path.name)


def no_error(b: Any) -> None:
    """No exception box and no traceback on the page."""
    from selenium.webdriver.common.by import By

    assert not b.find_elements(By.CSS_SELECTOR, "[data-testid='stException']")
    assert "Traceback" not in B.main_text(b)


def _field(b: Any, kind: str, label: str, index: int = 0) -> Any:
    """The ``index``-th visible input of a ``kind`` widget (``stNumberInput``, ``stSelectbox``…) labelled ``label``."""
    from selenium.webdriver.common.by import By

    xpath = f"//div[@data-testid='{kind}'][.//*[@data-testid='stWidgetLabel'][normalize-space()='{label}']]//input"

    def found(d: Any) -> Any:
        boxes = [x for x in d.find_elements(By.XPATH, xpath) if x.is_displayed()]
        return boxes[index] if len(boxes) > index else False

    box = B.wait(b).until(found)
    b.execute_script("arguments[0].scrollIntoView({block: 'center'});", box)
    return box


def _number(b: Any, label: str, value: float, index: int = 0) -> None:
    from selenium.webdriver.common.keys import Keys

    box = _field(b, "stNumberInput", label, index)
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(f"{value:g}", Keys.ENTER)
    B.settle(b)


def _select(b: Any, label: str, option: str, index: int = 0) -> None:
    from selenium.webdriver.common.keys import Keys

    box = _field(b, "stSelectbox", label, index)
    box.click()
    box.send_keys(option, Keys.ENTER)
    b.execute_script("document.activeElement.blur();")  # no caret left in the box for the screenshots
    B.settle(b)


def _users(sf: D.SessionFactory) -> int:
    with D.read_session(sf) as s:
        return s.execute(select(func.count()).select_from(D.User)).scalar_one()


def _download(b: Any, label: str, name: str) -> Path:
    """Press the download button ``label`` and wait for ``name`` to arrive; it must not be empty."""
    folder: Path = WALK["downloads"]
    B.click(b, label)
    path = B.downloaded(folder, name)
    assert path.stat().st_size > 0, name
    return path


def _sign_out(b: Any) -> None:
    from selenium.webdriver.common.by import By

    B.click(b, "Sign out")
    B.wait(b).until(lambda d: "Not signed in" in d.find_element(By.CSS_SELECTOR, "[data-testid='stSidebar']").text)


# ------------------------------------------------------------------ 1. the first run


def test_the_first_run_creates_the_instructor_and_a_course(site: tuple[str, D.SessionFactory], browser: Any) -> None:
    base, sf = site
    b = browser
    b.get(base)
    B.until_text(b, "Set up cnnquiz")
    B.type_into(b, "Instructor username", "prof")
    B.type_into(b, "Your name", "Prof. Ng")
    B.type_into(b, "Password (at least 8 characters)", "prof password")
    B.type_into(b, "The same password again", "prof password")
    shot(b, "01-first-run")
    B.click(b, "Create")
    B.until_text(b, "this join code:")
    B.settle(b)
    assert "Your course CNN101 (CNN architectures) is ready" in B.main_text(b)
    shot(b, "02-first-run-done")
    WALK["prof"] = S.user_ids_by_username(sf, ["prof"])["prof"]


# ------------------------------------------------------------------ 2. Courses: a second course and its roster


def test_a_second_course_and_its_roster(site: tuple[str, D.SessionFactory], browser: Any) -> None:
    from selenium.webdriver.common.by import By

    base, sf = site
    b = browser
    B.nav(b, base, "courses")
    B.until_text(b, "Join code")
    B.type_into(b, "Code", "CNN102")
    B.type_into(b, "Title", "Modern CNN architectures")
    B.click(b, "Create course")
    B.until_text(b, "Created CNN102")
    B.settle(b)
    assert "0 students · 0 TAs · 1 instructor" in B.main_text(b)
    assert b.find_element(By.CSS_SELECTOR, "input[aria-label='Code']").get_attribute("value") == ""  # a fresh form
    # a file with one bad line: that line's problem, and nothing imported
    before = _users(sf)
    bad = WALK["data"] / "roster-bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    b.find_element(By.CSS_SELECTOR, "input[type='file']").send_keys(str(bad))
    B.until_text(b, "nothing will be imported")
    B.settle(b)
    text = B.main_text(b)
    assert "1 problem in this file: nothing will be imported" in text
    assert "Line 3: the username 'katherine johnson' is not valid" in text
    assert "Import\n" not in text and _users(sf) == before
    no_error(b)
    shot(b, "03-courses-roster-error", phone=True)
    # the fixed file: a preview, then the import
    good = WALK["data"] / "roster.csv"
    good.write_text(GOOD, encoding="utf-8")
    b.find_element(By.CSS_SELECTOR, "input[type='file']").send_keys(str(good))
    B.until_text(b, "Importing will create 3 new accounts")
    B.click(b, "Import")
    B.until_text(b, "Imported: created 3 accounts")
    B.until_text(b, "3 students · 0 TAs · 1 instructor · 3 not signed up yet")
    B.settle(b)
    assert _users(sf) == before + 3
    no_error(b)
    shot(b, "04-courses-roster-imported", phone=True)
    links = _download(b, "Download invite links (CSV)", "CNN102-invites.csv")
    rows = {r["username"]: r for r in csv.DictReader(io.StringIO(links.read_text(encoding="utf-8")))}
    assert sorted(rows) == ["alan", "katherine", "yann"]
    assert rows["alan"]["invite_link"].startswith(f"{base}/account?invite=")
    WALK["invite"] = rows["alan"]["invite_link"]


# ------------------------------------------------------------------ 3. Exam builder


def test_build_preview_schedule_and_publish_an_exam(site: tuple[str, D.SessionFactory], browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    base, sf = site
    b = browser
    B.nav(b, base, "exam_builder")
    B.until_text(b, "1 question, 1 point")
    _select(b, "Course", "CNN102")
    B.type_into(b, "Title", "Midterm: convolutions").send_keys(Keys.ENTER)
    B.settle(b)
    own = "A variant of their own for each student"
    b.find_element(By.XPATH, f"//label[.//p[normalize-space()='{own}']]").click()
    # item 1: conv parameters, difficulty 2, two questions of 2 points
    _select(b, "Difficulty", "2")
    _number(b, "Count", 2)
    _number(b, "Points each", 2)
    B.until_text(b, "2 questions, 4 points")
    # item 2 (a copy of item 1 with one question): receptive field, difficulty 1, two questions of 1 point
    B.click(b, "Add an item")
    B.until_text(b, "Item 2")
    _select(b, "Topic", "Receptive field", 1)
    _select(b, "Difficulty", "1", 1)
    _number(b, "Count", 2, 1)
    _number(b, "Points each", 1, 1)
    B.until_text(b, "4 questions, 6 points")
    checked = b.find_element(By.XPATH, f"//label[.//p[normalize-space()='{own}']]//input")
    assert checked.is_selected()
    no_error(b)
    shot(b, "05-exam-builder-blueprint")
    # a sample student's exam, with its key and worked solutions typeset
    B.tab(b, "Preview")
    B.until_text(b, "Sample student")
    B.wait(b).until(lambda d: d.find_elements(By.CSS_SELECTOR, f"{B.MAIN} .katex"))
    B.settle(b)
    text = B.main_text(b)
    assert "4 questions, 6 points, with the key and the worked solutions" in text
    assert any(f"Sample student {who}" in text for who in ("alan", "katherine", "yann")), text[:300]
    assert text.count("Worked solution") == 4 and text.count("\nKey\n") == 4
    assert "Conv parameters" in text and "Receptive field" in text
    assert not b.find_elements(By.CSS_SELECTOR, f"{B.MAIN} .katex-error")
    shot(b, "06-exam-builder-preview", phone=True)
    # the schedule: open at once, close tomorrow, the key released at the close
    B.tab(b, "Schedule and publish")
    B.until_text(b, "Key release")
    b.find_element(By.XPATH, "//label[.//p[normalize-space()='Closes at a set time']]").click()
    B.until_text(b, "Date (UTC)")
    B.settle(b)
    release = b.find_element(By.XPATH, "//label[.//p[starts-with(normalize-space(), 'At the close time')]]//input")
    assert release.is_selected()
    B.click(b, "Publish")
    B.until_text(b, "Published")
    B.until_text(b, "3 students have a variant of their own")
    B.settle(b)
    no_error(b)
    shot(b, "07-exam-builder-published")
    prof = WALK["prof"]
    cnn102 = next(m.course for m in S.list_my_courses(sf, prof) if m.course.code == "CNN102")
    (exam,) = [a for a in S.list_assessments(sf, prof, cnn102.id) if a.questions]
    assert (exam.title, exam.kind, exam.questions, exam.max_score) == ("Midterm: convolutions", "exam", 4, 6)
    assert exam.opens_at is not None and exam.opens_at <= D.utcnow() < exam.closes_at  # type: ignore[operator]
    assert exam.key_release_at == exam.closes_at
    WALK["exam"] = exam.id


def test_download_the_five_exports(site: tuple[str, D.SessionFactory], browser: Any) -> None:
    from pypdf import PdfReader
    from selenium.webdriver.common.by import By

    b = browser
    B.tab(b, "Exports")
    B.click(b, "Prepare the downloads")
    B.until_text(b, "PDF (exams and key)")
    B.settle(b)
    buttons = b.find_elements(By.CSS_SELECTOR, f"{B.MAIN} [data-testid='stDownloadButton'] button p")
    labels = [x.text.strip() for x in buttons if ": " in x.text]
    assert [x.split(":")[0] for x in labels] == [
        "JSON (the bank's schema)", "Moodle XML", "Moodle GIFT", "Canvas QTI 1.2", "PDF (exams and key)",
    ]  # fmt: skip
    shot(b, "08-exam-builder-exports")
    files = {}
    for label in labels:
        files[label.split(":")[0]] = _download(b, label, label.split(": ", 1)[1])
    with zipfile.ZipFile(files["JSON (the bank's schema)"]) as z:  # the exam, and each student's own variant
        docs = {n: json.loads(z.read(n)) for n in z.namelist()}
    assert sorted(docs) == ["exam.json", "students/alan.json", "students/katherine.json", "students/yann.json"]
    moodle = ET.parse(files["Moodle XML"]).getroot()
    assert moodle.tag == "quiz" and len(moodle.findall("question")) >= 4
    assert "::" in files["Moodle GIFT"].read_text(encoding="utf-8")
    with zipfile.ZipFile(files["Canvas QTI 1.2"]) as z:
        assert z.testzip() is None and any(n.endswith(".xml") for n in z.namelist())
    pdfs = files["PDF (exams and key)"]
    if pdfs.suffix == ".zip":
        with zipfile.ZipFile(pdfs) as z:
            names = [n for n in z.namelist() if n.endswith(".pdf")]
            readers = [PdfReader(io.BytesIO(z.read(n))) for n in names]
    else:
        names, readers = [pdfs.name], [PdfReader(pdfs)]
    assert names and all(len(r.pages) >= 1 for r in readers), names
    WALK["pdfs"] = names
    no_error(b)


# ------------------------------------------------------------------ 4. a roster student takes the exam


def test_a_roster_student_takes_the_exam(site: tuple[str, D.SessionFactory], browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    base, sf = site
    b = browser
    _sign_out(b)
    b.get(WALK["invite"])
    B.until_text(b, "Set your password")
    B.type_into(b, "Password (at least 8 characters)", "alan password")
    B.type_into(b, "The same password again", "alan password")
    B.click(b, "Set password and sign in")
    B.until_text(b, "Welcome back, Alan Turing")
    B.nav(b, base, "assessments")
    B.until_text(b, "Midterm: convolutions")
    B.click(b, "Open")
    B.click(b, "Start attempt 1")
    B.until_text(b, "Question 1 of 4")
    alan = S.user_ids_by_username(sf, ["alan"])["alan"]
    prof, exam = WALK["prof"], WALK["exam"]
    (att,) = S.list_attempts(sf, prof, exam, user_id=alan)
    items = S.attempt_results(sf, prof, att.id).items  # the keys, as the instructor sees them
    right = []
    for i, item in enumerate(items):
        q = item.question
        good = i % 2 == 0  # questions 1 and 3 right, 2 and 4 wrong
        right.append(good)
        B.until_text(b, f"Question {i + 1} of 4")
        B.settle(b)
        if q.options:
            pick = q.key if good else next(o.id for o in q.options if o.id != q.key)
            label = b.find_element(By.XPATH, f"//div[@data-testid='stRadio']//label[.//p[starts-with(., '({pick})')]]")
            label.click()
        else:
            answer = q.key if good else q.key + 1
            B.type_into(b, "Your answer", f"{answer:g}" if isinstance(answer, float) else str(answer)).send_keys(
                Keys.ENTER
            )
        B.until_text(b, "Saved at")
        B.until_text(b, "Saved answer:")
        if i == 1:
            shot(b, "09-student-answering")
        if i < len(items) - 1:
            B.click(b, "Next →")
    B.click(b, "Finish attempt…")
    B.until_text(b, "You answered 4 of 4 questions")
    B.click(b, "Yes, finish")
    B.until_text(b, "is finished and handed in")
    B.settle(b)
    no_error(b)
    shot(b, "10-student-handed-in")
    done = S.attempt_results(sf, prof, att.id)
    assert done.attempt.finished_at is not None
    assert [r.answer is not None and r.answer.correct for r in done.items] == right
    WALK["wrong"] = next(i for i, r in enumerate(done.items) if not right[i])
    _sign_out(b)


# ------------------------------------------------------------------ 5. the Gradebook and Analytics


def _gradebook_row(b: Any, name: str) -> dict[str, str]:
    """alan's row of the gradebook CSV the page downloads."""
    folder: Path = WALK["downloads"]
    (folder / name).unlink(missing_ok=True)
    path = _download(b, "Download the gradebook (CSV)", name)
    return next(r for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))) if r["username"] == "alan")


def _grid(b: Any, index: int) -> list[list[str]]:
    """The ``index``-th table of the main area, row by row (Streamlit draws its cells on a canvas, and keeps an
    accessible copy of the rows in view in the page)."""
    from selenium.webdriver.common.by import By

    grids = b.find_elements(By.CSS_SELECTOR, f"{B.MAIN} [data-testid='stDataFrame']")
    return list(
        b.execute_script(
            "return [...arguments[0].querySelectorAll('table tr')].map("
            "r => [...r.querySelectorAll('th, td')].map(c => c.textContent.trim()));",
            grids[index],
        )
    )


def _grid_row(grid: list[list[str]], first: str) -> dict[str, str]:
    """The row of ``grid`` whose first cell is ``first``, by column name."""
    return dict(zip(grid[0], next(r for r in grid[1:] if r and r[0] == first), strict=False))


def test_the_gradebook_shows_the_attempt_and_an_override(site: tuple[str, D.SessionFactory], browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    base, sf = site
    b = browser
    B.nav(b, base, "account")
    B.until_text(b, "Sign in")
    B.type_into(b, "Username", "prof")
    B.type_into(b, "Password", "prof password").send_keys(Keys.ENTER)
    B.until_text(b, "Welcome back, Prof. Ng")
    B.nav(b, base, "gradebook")
    B.until_text(b, "Download the gradebook (CSV)")
    _select(b, "Course", "CNN102")
    B.until_text(b, "Graded")
    B.settle(b)
    prof, exam = WALK["prof"], WALK["exam"]
    alan = S.user_ids_by_username(sf, ["alan"])["alan"]
    (att,) = S.list_attempts(sf, prof, exam, user_id=alan)
    results = S.attempt_results(sf, prof, att.id)
    earned = sum(r.answer.score for r in results.items if r.answer is not None and r.answer.score)
    assert 0 < earned < 6
    text = B.main_text(b)
    assert "Students\n3" in text and "Graded\n1" in text, text[:400]
    assert f"Mean\n{100 * earned / 6:.1f} %" in text
    csv_name = "cnn102-midterm-convolutions-gradebook.csv"
    row = _gradebook_row(b, csv_name)
    assert (float(row["score"]), float(row["max_score"])) == (earned, 6)
    cells = _grid_row(_grid(b, 0), "Alan Turing")  # the table, as drawn
    assert (cells["Score"], cells["Max"], cells["Overridden"]) == (f"{earned:g}", "6", "")
    shot(b, "11-gradebook-table", phone=True)
    # alan's attempt: every question with his answer, the key and a form to score it by hand
    _select(b, "Student", "Alan")
    B.until_text(b, f"Grade: {earned:g} / 6")
    B.settle(b)
    wrong = results.items[WALK["wrong"]]
    assert wrong.answer is not None and wrong.answer.score == 0
    position, worth = wrong.question.instance.position, wrong.answer.max_score
    forms = [
        f
        for f in b.find_elements(By.CSS_SELECTOR, f"{B.MAIN} [data-testid='stForm']")
        if f.find_elements(By.CSS_SELECTOR, "input[aria-label^='Reason']")
    ]
    assert len(forms) == 4
    form = forms[WALK["wrong"]]
    score = form.find_element(By.CSS_SELECTOR, "[data-testid='stNumberInput'] input")
    b.execute_script("arguments[0].scrollIntoView({block: 'center'});", score)
    score.send_keys(Keys.CONTROL, "a")
    score.send_keys(f"{worth / 2:g}")
    form.find_element(By.CSS_SELECTOR, "input[aria-label^='Reason']").send_keys(REASON)
    form.find_element(By.XPATH, ".//button[.//p[normalize-space()='Override']]").click()
    B.until_text(b, f"Q{position} of alan: 0 → {worth / 2:g}.")
    B.until_text(b, "· overridden")
    B.until_text(b, REASON)
    B.settle(b)
    text = B.main_text(b)
    assert f"Grade: {earned + worth / 2:g} / 6" in text
    assert "override by prof" in text, text[-1500:]
    cells = _grid_row(_grid(b, 0), "Alan Turing")
    assert (cells["Score"], cells["Overridden"]) == (f"{earned + worth / 2:g}", f"Q{position}")
    audit = _grid(b, 1)  # the audit trail: who changed what, when and why
    assert audit[0][:3] == ["When (UTC)", "Grader", "Student"] and len(audit) == 2
    line = dict(zip(audit[0], audit[1], strict=True))
    assert (line["Grader"], line["Student"], line["Question"], line["Change"], line["Reason"]) == (
        "prof", "alan", f"Q{position}", "override", REASON,
    )  # fmt: skip
    assert (float(line["Old"]), float(line["New"])) == (0, worth / 2)
    no_error(b)
    shot(b, "12-gradebook-override", phone=True)
    row = _gradebook_row(b, csv_name)
    assert float(row["score"]) == earned + worth / 2 and row[f"q{position}"] == f"{worth / 2:g}"
    (change,) = S.list_score_changes(sf, prof, exam)
    assert (change.kind, change.reason, change.actor, change.position) == ("override", REASON, "prof", position)


def test_analytics_draws_its_charts(site: tuple[str, D.SessionFactory], browser: Any) -> None:
    from selenium.webdriver.common.by import By

    base, _sf = site
    b = browser
    B.nav(b, base, "analytics")
    B.until_text(b, "Assessment")
    _select(b, "Course", "CNN102")
    B.until_text(b, "Mastery: students × topics")
    charts = f"{B.MAIN} [data-testid='stVegaLiteChart']"

    def drawn(d: Any) -> bool:
        boxes = d.find_elements(By.CSS_SELECTOR, charts)
        return len(boxes) >= 2 and all(x.find_elements(By.CSS_SELECTOR, "canvas, svg.marks") for x in boxes)

    B.wait(b).until(drawn)
    B.settle(b)
    no_error(b)
    text = B.main_text(b)
    assert "Facility" in text and "Traps per question" in text
    shot(b, "13-analytics", phone=True)
