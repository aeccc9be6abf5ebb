"""The Code page's editor (the ``streamlit-code-editor`` component, Ace inside an iframe) in a real browser that
resolves no host name but the loopback address, as on a machine with no network.

A student types the reference LeNet-5 into the editor (Ace's own text input, key by key), sends it with the
editor's "Submit for grading" button and sees the checker's verdict; Ctrl+Enter on an emptied editor is refused
before anything is stored; Esc then Tab leaves the editor. No request of the page goes to another host.

Screenshots (desktop and 390 px) go to ``$CNNQUIZ_SHOTS`` (default: ``$CNNQUIZ_ARTIFACTS/cnnquiz-browser/editor``).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from grader import db as D
from grader import services as S
from grader.autograde.tasks import get as get_task
from tests.test_browser import ARTIFACTS, PHONE, _settle, _until_text, _wait, shot
from tools.browser import available, chromium, db_url, serve
from ui.code_view import SUBMIT_LABEL

SHOTS = Path(os.environ.get("CNNQUIZ_SHOTS") or ARTIFACTS / "editor")
DESKTOP = (1280, 1400)
LOCAL = {"127.0.0.1"}


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[str, D.SessionFactory, S.UserOut]]:
    data = tempfile.mkdtemp(prefix="cnnquiz-editor-")
    url = db_url(data)
    D.upgrade(url)
    engine = D.make_engine(url)
    sf = D.session_factory(engine)
    setup = S.first_run(sf, "prof", "prof password", display_name="Prof", demo=False)
    ada = S.register_student(sf, "ada", "ada password", setup.join_code, display_name="Ada")
    proc, base = serve(data)
    try:
        yield base, sf, ada
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not available():
        pytest.fail("Chromium/ChromeDriver missing: `make test` installs them (apt packages chromium chromium-driver)")
    driver = chromium(*DESKTOP, network_log=True, offline=True)
    try:
        yield driver
    finally:
        driver.quit()


def _requests(driver: Any, asked: dict[str, str]) -> tuple[list[str], list[str]]:
    """The URLs the browser asked for since the last call, and the failures (URL: error) among them; ``asked``
    (request id → URL) is kept from call to call, as a failure can be logged after its request."""
    start = len(asked)
    failed = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        params = msg.get("params", {})
        if msg.get("method") == "Page.frameStartedNavigating":  # a navigation's request id is its loader's
            asked[params["loaderId"]] = params["url"]
        elif msg.get("method") == "Network.requestWillBeSent":
            asked[params["requestId"]] = params["request"]["url"]
        elif msg.get("method") == "Network.webSocketCreated":
            asked[params["requestId"]] = params["url"]
        elif msg.get("method") == "Network.loadingFailed" and not params.get("canceled"):
            failed.append(f"{asked.get(params['requestId'], params['requestId'])}: {params.get('errorText')}")
    return list(asked.values())[start:], failed


def _editor_frame(b: Any) -> Any:
    """Switch into the component's iframe (the one holding the Ace editor); returns the iframe element."""
    from selenium.webdriver.common.by import By

    b.switch_to.default_content()
    frame = _wait(b, 90).until(
        lambda d: next(
            (f for f in d.find_elements(By.CSS_SELECTOR, "iframe") if "code_editor" in (f.get_attribute("src") or "")),
            False,
        )
    )
    b.execute_script("arguments[0].scrollIntoView({block: 'center'});", frame)
    b.switch_to.frame(frame)
    _wait(b, 60).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".ace_editor .ace_content"))
    return frame


def _ace_text(b: Any) -> str:
    """The editor's text, as Ace holds it (read inside the component's iframe)."""
    return str(b.execute_script("return document.querySelector('.ace_editor').env.editor.getValue();"))


def _type_source(b: Any, source: str) -> None:
    """Type ``source`` into the editor by keyboard, replacing its text. Ace indents each new line by itself, so every
    line first selects that indentation (Shift+Home) and types its own over it. Ace's auto-closing of brackets and
    quotes is switched off first: typed key by key, a bracket closed on a later line would come out twice."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    b.execute_script("document.querySelector('.ace_editor').env.editor.setBehavioursEnabled(false);")
    b.find_element(By.CSS_SELECTOR, ".ace_editor .ace_content").click()
    ActionChains(b).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).send_keys(Keys.DELETE).perform()
    for i, line in enumerate(source.rstrip("\n").split("\n")):
        keys = ActionChains(b)
        if i:
            keys.send_keys(Keys.ENTER).key_down(Keys.SHIFT).send_keys(Keys.HOME).key_up(Keys.SHIFT)
        if line:
            keys.send_keys(line)
        keys.perform()


def test_the_editor_submits_offline_and_shows_the_verdict(
    site: tuple[str, D.SessionFactory, S.UserOut], browser: Any
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    base, sf, ada = site
    b = browser
    task = get_task("lenet5")
    names: dict[str, str] = {}
    # Debian's Chromium opens its start page (start.duckduckgo.com) by itself: not the app's doing
    startup = set(_requests(b, names)[0])
    b.get(base)
    b.add_cookie({"name": "cnnquiz_session", "value": S.issue_session_token(sf, ada.id).token, "path": "/"})
    b.get(f"{base}/code")
    _until_text(b, "Contract")
    _until_text(b, SUBMIT_LABEL)  # the caption that says how to send the code and how to leave the editor
    assert "Esc, then Tab" in b.find_element(By.CSS_SELECTOR, "[data-testid='stMain']").text
    _editor_frame(b)
    # the starter is preloaded, highlighted as Python, in the bundled textmate theme
    _wait(b).until(lambda d: _ace_text(d).strip() == task.starter.strip())
    keyword = b.find_element(By.CSS_SELECTOR, ".ace_editor.ace-tm .ace_keyword")
    assert keyword.value_of_css_property("color") == "rgba(0, 0, 200, 1)"  # coloured: the page's textmate colours
    b.switch_to.default_content()
    _settle(b)
    shot(b, "01-editor-starter", folder=SHOTS)
    shot(b, "01-editor-starter-390px", size=PHONE, folder=SHOTS)

    # Esc, then Tab, leaves the editor (Tab alone indents)
    _editor_frame(b)
    b.find_element(By.CSS_SELECTOR, ".ace_editor .ace_content").click()
    ActionChains(b).send_keys(Keys.END, Keys.TAB).perform()
    assert _ace_text(b) != task.starter and "\t" not in _ace_text(b)  # soft tabs: the Tab went into the code
    ActionChains(b).send_keys(Keys.ESCAPE, Keys.TAB).perform()  # the focus moves on, to the editor's button
    assert b.execute_script("return document.activeElement.textContent;").strip() == SUBMIT_LABEL

    # Ctrl+Enter on an emptied editor: refused, nothing stored
    b.find_element(By.CSS_SELECTOR, ".ace_editor .ace_content").click()
    ActionChains(b).key_down(Keys.CONTROL).send_keys("a").key_up(Keys.CONTROL).send_keys(Keys.DELETE).perform()
    ActionChains(b).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(Keys.CONTROL).perform()
    b.switch_to.default_content()
    _until_text(b, "The editor is empty")
    assert S.list_code_submissions(sf, ada.id) == []

    # the reference LeNet-5, typed key by key, sent with the editor's own button
    source = task.reference_source()
    _editor_frame(b)
    _type_source(b, source)
    assert _ace_text(b).rstrip("\n") == source.rstrip("\n")
    button = b.find_element(By.XPATH, f"//button[.//span[normalize-space()='{SUBMIT_LABEL}']]")
    button.click()
    b.switch_to.default_content()
    _until_text(b, "Grading")
    WebDriverWait(b, 300).until(
        EC.text_to_be_present_in_element((By.CSS_SELECTOR, "[data-testid='stMain']"), "61,706 parameters")
    )
    _settle(b)
    assert "Checked" in b.find_element(By.CSS_SELECTOR, "[data-testid='stMain']").text
    (sub,) = S.list_code_submissions(sf, ada.id)
    assert sub.verdict == "ok" and sub.score == task.max_score and sub.file_name == "build_model.py"
    time.sleep(1.0)
    shot(b, "02-editor-verdict", folder=SHOTS)
    shot(b, "02-editor-verdict-390px", size=PHONE, folder=SHOTS)

    # the page reruns (the verdict arrived): the same submit event is not sent again
    b.refresh()
    _until_text(b, "61,706 parameters")
    _settle(b)
    assert len(S.list_code_submissions(sf, ada.id)) == 1

    # nothing went to another host, and nothing failed to load
    asked, failed = _requests(b, names)
    failed = [f for f in failed if f.rsplit(": ", 1)[0] not in startup]
    assert asked
    outside = [
        u for u in asked if urlsplit(u).scheme in {"http", "https", "ws", "wss"} and urlsplit(u).hostname not in LOCAL
    ]
    assert outside == [] and failed == [], (outside, failed)
