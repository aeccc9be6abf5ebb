"""The Exam builder in a real browser (headless Chromium against the served app): the editor, the preview with its
typeset key and solutions, publishing; screenshots of each at desktop width and at 390 px go to
``$CNNQUIZ_ARTIFACTS/cnnquiz-exam-builder`` (default: the temp dir)."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader import db as D
from grader import services as S
from tests.support import served, site_database

ARTIFACTS = Path(os.environ.get("CNNQUIZ_ARTIFACTS", tempfile.gettempdir())) / "cnnquiz-exam-builder"
DESKTOP = (1200, 1400)
PHONE = (390, 844)


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[str, D.SessionFactory]]:
    with site_database("cnnquiz-data-") as (data, sf):
        setup = S.first_run(sf, "prof", "prof password", display_name="Prof", demo=False)
        for name in ("ada", "bo", "cy"):
            S.register_student(sf, name, f"{name} password", setup.join_code)
        with served(data) as base:
            yield base, sf


def _shots(b: Any, name: str) -> None:
    """The whole page at desktop width and at 390 px."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for label, (w, h) in (("desktop", DESKTOP), ("phone", PHONE)):
        b.set_window_size(w, h)
        time.sleep(1.0)
        height = b.execute_script(
            "const m = document.querySelector('[data-testid=\"stMain\"]'); return m ? m.scrollHeight : 0;"
        )
        b.set_window_size(w, max(h, min(int(height or 0) + 160, 6000)))
        time.sleep(1.0)
        b.save_screenshot(str(ARTIFACTS / f"{name}-{label}.png"))
    b.set_window_size(*DESKTOP)
    time.sleep(0.5)


def test_edit_preview_and_publish_in_a_browser(site: tuple[str, D.SessionFactory], browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    base, sf = site
    prof = S.user_ids_by_username(sf, ["prof"])["prof"]
    wait = WebDriverWait(browser, 90)
    main = (By.CSS_SELECTOR, "[data-testid='stMain']")

    def text_present(text: str) -> None:
        wait.until(EC.text_to_be_present_in_element(main, text))

    def tab(label: str) -> None:
        browser.find_element(By.XPATH, f"//*[@role='tab'][.//p[text()='{label}']]").click()
        time.sleep(1.0)

    browser.get(base)
    browser.add_cookie({"name": "cnnquiz_session", "value": S.issue_session_token(sf, prof).token, "path": "/"})
    browser.get(f"{base}/exam_builder")
    wait.until(EC.text_to_be_present_in_element((By.TAG_NAME, "h1"), "Exam builder"))
    text_present("1 question, 1 point")
    count_box = (By.XPATH, "//div[@data-testid='stNumberInput'][.//p[normalize-space()='Count']]//input")
    wait.until(EC.element_to_be_clickable(count_box))
    # a count of 0 is named by its field, then fixed
    count = wait.until(EC.element_to_be_clickable(count_box))
    count.send_keys(Keys.CONTROL, "a")
    count.send_keys("0", Keys.ENTER)
    text_present("items[0].count")
    _shots(browser, "01-editor-error")
    count = wait.until(EC.element_to_be_clickable(count_box))
    count.send_keys(Keys.CONTROL, "a")
    count.send_keys("3", Keys.ENTER)
    text_present("3 questions, 3 points")
    _shots(browser, "02-editor")
    tab("Preview")
    text_present("Sample student ada")
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid='stMain'] .katex"))
    assert "Worked solution" in browser.find_element(*main).text
    _shots(browser, "03-preview")
    tab("Schedule and publish")
    text_present("Key release")
    _shots(browser, "04-schedule-and-publish")
    tab("Schedule and publish")
    browser.find_element(By.XPATH, "//button[.//p[normalize-space()='Publish']]").click()
    text_present("Published")
    text_present("3 students have a variant of their own")
    _shots(browser, "05-published")
    mine = S.list_assessments(sf, prof, S.list_my_courses(sf, prof)[0].course.id)
    assert [a.questions for a in mine] == [3]
