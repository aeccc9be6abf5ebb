"""A real browser (headless Chromium) on the served app's Courses page: the instructor signs in, sees the roster
(a TA, students who signed up, students whose invites are open), uploads a roster file with bad lines and is
shown each line's problem while nothing is imported. Screenshots, desktop and 390 px wide, go to
``$CNNQUIZ_ARTIFACTS/cnnquiz-browser`` (``roster-*.png``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from grader import db as D
from grader import services as S
from tests.support import count_rows, headless_chromium, served, site_database
from tests.test_browser import ARTIFACTS, PHONE, shot
from tools.browser import main_text, settle, type_into, until_text, wait

ROSTER = (
    "username,name,email\n"
    "alan,Alan Turing,alan@example.org\n"
    "katherine,Katherine Johnson,katherine@example.org\n"
    "yann,Yann LeCun,yann@example.org\n"
)
BAD = (
    "username,name,email\n"
    "geoff,Geoffrey Hinton,geoff@example.org\n"
    "fei fei,Fei-Fei Li,feifei@example.org\n"
    "kaiming,Kaiming He,kaiming(at)example.org\n"
    "Geoff,G. Hinton,\n"
)


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[str, D.SessionFactory]]:
    with site_database("cnnquiz-roster-") as (data, sf):
        setup = S.first_run(sf, "prof", "prof password", display_name="Prof. Ng", demo=False)
        S.register_student(sf, "ada", "ada password", setup.join_code, display_name="Ada Lovelace")
        S.register_student(sf, "grace", "grace password", setup.join_code, display_name="Grace Hopper")
        S.add_ta(sf, setup.instructor.id, setup.course.id, "grace")
        S.import_roster(sf, setup.instructor.id, setup.course.id, ROSTER.encode())
        with served(data) as base:
            yield base, sf


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with headless_chromium(1280, 1400) as driver:
        yield driver


def test_the_courses_page_shows_the_roster_and_a_bad_files_lines(
    site: tuple[str, D.SessionFactory], browser: Any
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC

    base, sf = site
    b = browser
    b.get(f"{base}/account")
    until_text(b, "Sign in")
    type_into(b, "Username", "prof")
    type_into(b, "Password", "prof password").send_keys(Keys.ENTER)  # the keyboard submits the form
    until_text(b, "Welcome back")  # Home, signed in
    settle(b)
    assert b.get_cookie("cnnquiz_session") is not None
    b.get(f"{base}/courses")  # a new page load: the session cookie signs it in
    until_text(b, "Join code")
    until_text(b, "4 students · 1 TA · 1 instructor · 3 not signed up yet")  # the table itself is a canvas
    before = count_rows(sf, D.User)
    bad = ARTIFACTS / "roster-bad.csv"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    bad.write_text(BAD, encoding="utf-8")
    settle(b)
    upload = wait(b).until(EC.presence_of_element_located((By.CSS_SELECTOR, "input[type='file']")))
    upload.send_keys(str(bad))
    until_text(b, "nothing will be imported")
    settle(b)
    text = main_text(b)
    assert "Line 3: the username 'fei fei' is not valid" in text
    assert "Line 4: the email 'kaiming(at)example.org' is not an address" in text
    assert "Line 2: the username 'geoff' is also on line 5" in text
    assert "Import\n" not in text and count_rows(sf, D.User) == before
    assert "Traceback" not in text
    desktop = shot(b, "roster-import-error-desktop")
    phone = shot(b, "roster-import-error-390px", size=PHONE)
    assert desktop.stat().st_size > 10_000 and phone.stat().st_size > 10_000
