"""Benchmark: the app's latency, on the server and in a browser.

* **Answer → feedback, server side** (target <= 100 ms): the Streamlit rerun a Check triggers, timed around
  ``AppTest.run()`` after the answer is typed and Check clicked: the router (session check, menu), the Practice
  page's callback (parse, grade, and for a signed-in student the writes to their record and their
  spaced-repetition card) and the page drawn again with its feedback. Measured for a visitor (nothing stored)
  and a signed-in student, on a fresh SQLite database; each sample is a new question answered with a trap
  value (the wrong-answer path: feedback, hint, a second try). The logic path alone (``check`` + ``record``,
  no Streamlit) is timed too.
* **First page load, in a browser**: headless Chromium opens the served app (Home, for a visitor) in a new
  session; the time from navigation start to the first heading drawn (a script registered before the page
  loads watches for it), with the browser's navigation timing (response, DOMContentLoaded, load). The first
  load after the server starts (``cold``: the app's modules imported on the first run) apart from the next
  ones (``warm``: new sessions, as a reload or a new student).

    python bench/bench_app.py --out bench/results/app.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _stats(ms: list[float]) -> dict[str, float]:
    s = sorted(ms)
    return {
        "n": len(s),
        "median_ms": round(statistics.median(s), 2),
        "p90_ms": round(s[min(len(s) - 1, int(0.9 * len(s)))], 2),
        "min_ms": round(s[0], 2),
        "max_ms": round(s[-1], 2),
    }


def _numeric_picks(n: int) -> list[Any]:
    from quizbank.generators import generate
    from ui.practice_view import Pick

    picks, seed = [], 0
    while len(picks) < n:
        q = generate("conv_params.count", seed, 2)
        if q.traps:  # type: ignore[union-attr]
            picks.append((Pick("conv_params.count", seed, 2), q.traps[0].value))  # type: ignore[union-attr]
        seed += 1
    return picks


def answer_to_feedback(samples: int) -> dict[str, Any]:
    """AppTest-driven reruns on a fresh SQLite database (visitor and signed-in student)."""
    from streamlit.testing.v1 import AppTest

    from grader import services as S
    from ui import auth
    from ui.practice_view import Round, Score, check, record
    from ui.state import services

    tmp = tempfile.mkdtemp(prefix="cnnquiz-bench-app-")
    os.environ["CNNQUIZ_DB_URL"] = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
    services.clear()
    sf = services()
    setup = S.first_run(sf, "prof", "prof password", demo=False)
    ada = S.register_student(sf, "ada", "ada password", setup.join_code)
    out: dict[str, Any] = {}
    for who in ("visitor", "signed_in"):
        at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=60)
        if who == "signed_in":
            at.session_state[auth.TOKEN_KEY] = S.issue_session_token(sf, ada.id).token
        at.run()
        at.switch_page("ui/pages/practice.py").run()
        times = []
        for i, (pick, trap_value) in enumerate(_numeric_picks(samples + 3)):
            rnd = Round(pick, id=f"b{i}")
            at.session_state["practice.round"] = rnd
            at.session_state["practice.for"] = ("conv_params", 2)
            at.session_state["practice.topic"], at.session_state["practice.difficulty"] = "conv_params", 2
            at.run()  # the new question on screen
            at.text_input(key=f"practice.{rnd.id}.text").input(str(trap_value))
            at.button(key=f"FormSubmitter:practice.form.{rnd.id}-Check").click()
            t0 = time.perf_counter()
            at.run()
            dt_ms = (time.perf_counter() - t0) * 1000
            assert not at.exception, at.exception
            assert at.error and "Trap" in at.error[0].value, "the rerun drew the trap feedback"
            if i >= 3:  # the first reruns import and warm caches
                times.append(dt_ms)
        out[who] = _stats(times)
    # the logic path alone: grade, and store in the record
    logic, logic_store = [], []
    from quizbank.generators import generate

    score = Score()
    for pick, trap_value in _numeric_picks(samples):
        q = generate(pick.generator, pick.seed, pick.difficulty)
        rnd = Round(pick)
        t0 = time.perf_counter()
        check(rnd, q, str(trap_value), score)
        t1 = time.perf_counter()
        saved, _ = record(sf, ada.id, rnd, str(trap_value), elapsed_ms=5000)
        t2 = time.perf_counter()
        assert saved
        logic.append((t1 - t0) * 1000)
        logic_store.append((t2 - t1) * 1000)
    out["logic_check_only"] = _stats(logic)
    out["logic_record_only"] = _stats(logic_store)
    sf.kw["bind"].dispose()
    services.clear()
    return out


_WATCH = """
window.__firstHeading = null;
new MutationObserver((_, obs) => {
  if (document.querySelector('[data-testid="stMain"] h1')) { window.__firstHeading = performance.now(); obs.disconnect(); }
}).observe(document, {subtree: true, childList: true});
"""


def first_page_load(warm_loads: int) -> dict[str, Any]:
    from selenium.webdriver.support.ui import WebDriverWait

    from tools.browser import available, chromium, serve

    if not available():
        return {"skipped": "chromium/chromedriver not installed"}
    from grader import services as S
    from grader.db import make_engine, session_factory, upgrade
    from tools.browser import db_url

    data = tempfile.mkdtemp(prefix="cnnquiz-bench-data-")
    upgrade(db_url(data))  # an installation that is set up: a visitor lands on Home
    engine = make_engine(db_url(data))
    S.first_run(session_factory(engine), "prof", "prof password")
    engine.dispose()
    proc, url = serve(data)
    driver = chromium()
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": _WATCH})
        loads = []
        for _ in range(1 + warm_loads):
            driver.get(url)
            WebDriverWait(driver, 60, poll_frequency=0.02).until(
                lambda d: d.execute_script("return window.__firstHeading")
            )
            nav = driver.execute_script(
                "const n = performance.getEntriesByType('navigation')[0];"
                "return {response: n.responseEnd, dom: n.domContentLoadedEventEnd, load: n.loadEventEnd};"
            )
            loads.append({"first_heading_ms": driver.execute_script("return window.__firstHeading"), **nav})
            driver.delete_all_cookies()
    finally:
        driver.quit()
        proc.terminate()
        proc.wait(timeout=20)
    cold, warm = loads[0], loads[1:]
    return {
        "cold": {k: round(v, 1) for k, v in cold.items()},
        "warm": {
            "first_heading": _stats([x["first_heading_ms"] for x in warm]),
            "dom_content_loaded": _stats([x["dom"] for x in warm]),
            "load_event": _stats([x["load"] for x in warm]),
        },
        "page": "Home for a visitor: the router, the session check, the 18 topics in the suggested order",
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "app.json")
    ap.add_argument("--samples", type=int, default=30)
    ap.add_argument("--loads", type=int, default=5, help="warm page loads after the cold one")
    args = ap.parse_args()
    result = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "target_ms": 100,
        "answer_to_feedback": answer_to_feedback(args.samples),
        "first_page_load": first_page_load(args.loads),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    a = result["answer_to_feedback"]
    print(
        f"answer -> feedback rerun: visitor {a['visitor']['median_ms']} ms, signed in {a['signed_in']['median_ms']} ms "
        f"(median; target <= 100 ms); logic: check {a['logic_check_only']['median_ms']} ms, "
        f"record {a['logic_record_only']['median_ms']} ms"
    )
    p = result["first_page_load"]
    if "cold" in p:
        print(
            f"first page load: cold {p['cold']['first_heading_ms']} ms to the first heading, warm "
            f"{p['warm']['first_heading']['median_ms']} ms (median)"
        )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
