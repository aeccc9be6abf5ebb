"""The Practice page, driven through Streamlit's AppTest (the real script, headless)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from quizbank.generators import generate
from ui.practice import Pick, render_md

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
PICK = Pick("conv_params.count", 11, 2)


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["practice.topic"] = "conv_params"
    at.session_state["practice.difficulty"] = 2
    at.session_state["practice.current"] = PICK
    at.session_state["practice.for"] = ("conv_params", 2)
    at.run()
    assert not at.exception, at.exception
    return at


def _submit(at: AppTest, text: str) -> AppTest:
    at.text_input(key=f"practice.text.{generate(PICK.generator, PICK.seed, PICK.difficulty).uid}").input(text)
    at.button[0].click()  # the form's "Check" button
    at.run()
    assert not at.exception, at.exception
    return at


def test_page_shows_the_generated_question() -> None:
    at = _app()
    q = generate(PICK.generator, PICK.seed, PICK.difficulty)
    assert at.title[0].value == "Practice"
    assert any(render_md(q.stem) in m.value for m in at.markdown)


def test_correct_answer_gets_success_and_explanation() -> None:
    q = generate(PICK.generator, PICK.seed, PICK.difficulty)
    at = _submit(_app(), f"{q.key:,}")  # with a thousands separator
    assert at.success and "Correct" in at.success[0].value
    assert any(render_md(q.explanation) in m.value for m in at.markdown)
    assert not at.error


def test_trap_answer_names_the_trap() -> None:
    q = generate(PICK.generator, PICK.seed, PICK.difficulty)
    trap = q.traps[0]
    at = _submit(_app(), str(trap.value))
    assert at.error, "a wrong answer shows an error"
    from quizbank.traps import get

    assert get(trap.trap).title in at.error[0].value
    assert trap.feedback in at.error[0].value
    assert not at.success


@pytest.mark.parametrize("garbage", ["twelve", "nan", "12x12"])
def test_malformed_answer_is_a_format_message_not_an_attempt(garbage: str) -> None:
    at = _submit(_app(), garbage)
    assert at.warning and "Format" in at.warning[0].value
    assert "did not count" in at.warning[0].value
    assert not at.error and not at.success
    assert "practice.attempts" not in at.session_state or at.session_state["practice.attempts"] == 0


def test_new_variant_changes_the_question() -> None:
    at = _app()
    before = at.session_state["practice.current"]
    at.button(key="practice.next").click()
    at.run()
    assert not at.exception
    assert at.session_state["practice.current"] != before


def test_choice_question_with_trap_option() -> None:
    pick = Pick("conv_params.resolution", 4, 1)
    q = generate(pick.generator, pick.seed, pick.difficulty)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["practice.topic"] = "conv_params"
    at.session_state["practice.difficulty"] = 1
    at.session_state["practice.current"] = pick
    at.session_state["practice.for"] = ("conv_params", 1)
    at.run()
    wrong = next(o for o in q.options if not o.correct)
    at.radio(key=f"practice.choice.{q.uid}").set_value(wrong.id)
    at.button[0].click()
    at.run()
    assert at.error and wrong.feedback in at.error[0].value


def test_render_md_protects_thousands_in_math_only() -> None:
    assert render_md("$ = 73,856$ and 73,856") == "$ = 73{,}856$ and 73,856"
    assert render_md("$$1,179,648$$") == "$$1{,}179{,}648$$"
    assert render_md("$f(a, b)$") == "$f(a, b)$"


def test_shared_link_pins_the_question() -> None:
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["gen"] = "conv_params.pick"
    at.query_params["seed"] = "42"
    at.query_params["d"] = "3"
    at.run()
    assert not at.exception
    assert at.session_state["practice.current"] == Pick("conv_params.pick", 42, 3)
    assert at.session_state["practice.topic"] == "conv_params"
