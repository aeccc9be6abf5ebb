"""Parse (raw text → typed answer or a format error) and grade, including trap diagnosis."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.parse import FormatError, parse_answer, parse_multi, parse_number, parse_shape
from grader.scoring import grade, multi_select_score
from quizbank import diagnose
from quizbank.generators import REGISTRY, generate
from quizbank.schema import MultiSelectQuestion


@pytest.mark.parametrize(
    "text",
    ["73856", "73,856", "73 856", "7.3856e4", "7.3856×10^4", "=73856", " 73856 ", "7.3856 x 10^4", "73_856", "+73856"],
)
def test_numbers_in_every_accepted_form(text: str) -> None:
    assert parse_number(text) == 73856


def test_fractions_and_percent() -> None:
    assert parse_number("1/9") == pytest.approx(1 / 9)
    assert parse_number("28%") == 28


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("nan", "NaN"),
        ("inf", "infinity"),
        ("-Infinity", "infinity"),
        ("1e999", "too large"),
        ("x" * 500, "characters"),
        ("12 apples", "not a number"),
        ("7,38,56", "not a number"),
        ("1/0", "division by zero"),
    ],
)
def test_malformed_numbers_say_why(text: str, why: str) -> None:
    with pytest.raises(FormatError, match=why):
        parse_number(text)


@pytest.mark.parametrize(
    "text", ["(None, 112, 112, 64)", "112x112x64", "112×112×64", "[112, 112, 64]", "112 x 112 x 64"]
)
def test_shapes(text: str) -> None:
    assert parse_shape(text) == [112, 112, 64]


@pytest.mark.parametrize("text", ["112x", "axb", "(None)", "112.5x3"])
def test_malformed_shapes(text: str) -> None:
    with pytest.raises(FormatError):
        parse_shape(text)


def test_multi_select_lists() -> None:
    assert parse_multi("c, a", ["a", "b", "c"]) == ["a", "c"]
    with pytest.raises(FormatError, match="not options"):
        parse_multi("a, z", ["a", "b"])
    with pytest.raises(FormatError, match="twice"):
        parse_multi("a, a", ["a", "b"])


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_parsers_never_crash_on_arbitrary_text(text: str) -> None:
    for fn in (parse_number, parse_shape, lambda t: parse_multi(t, ["a", "b", "c", "d"])):
        try:
            fn(text)
        except FormatError:
            pass


@settings(max_examples=200, deadline=None)
@given(
    gen=st.sampled_from(sorted(REGISTRY)),
    seed=st.integers(0, 10**6),
    d=st.sampled_from([1, 2, 3]),
    raw=st.text(max_size=60),
)
def test_parse_then_grade_never_crashes(gen: str, seed: int, d: int, raw: str) -> None:
    q = generate(gen, seed, d)
    try:
        parsed = parse_answer(q, raw)
    except FormatError:
        return
    g = grade(q, parsed.value)
    assert 0.0 <= g.score <= 1.0


def test_numeric_grading_and_trap_diagnosis() -> None:
    q = generate("conv_params.count", 3, 1)
    assert grade(q, parse_number(f"{q.key:,}")).correct
    t = q.traps[0]
    g = grade(q, float(t.value))
    assert not g.correct and g.trap == t.trap and g.feedback == t.feedback and g.score == 0
    unrelated = grade(q, 1.0)
    assert unrelated.trap is None and "none of the common mistakes" in unrelated.feedback


def test_choice_diagnosis_names_the_option_trap() -> None:
    q = generate("conv_params.resolution", 2, 2)
    for o in q.options:
        d = diagnose(q, o.id)
        assert d.correct == o.correct
        assert d.trap == o.trap
    with pytest.raises(ValueError, match="not an option"):
        diagnose(q, "z")


def test_multi_select_partial_credit() -> None:
    q = next(
        generate(g, s, 1)
        for g in sorted(REGISTRY)
        for s in range(5)
        if isinstance(generate(g, s, 1), MultiSelectQuestion)
    )
    assert isinstance(q, MultiSelectQuestion)
    right, wrong = set(q.key), {o.id for o in q.options} - set(q.key)
    assert multi_select_score(q, right) == 1.0
    assert multi_select_score(q, wrong) == 0.0
    if len(right) > 1:
        assert 0 < multi_select_score(q, {sorted(right)[0]}) < 1
    d = diagnose(q, sorted(right | {sorted(wrong)[0]}))
    assert not d.correct and d.trap == next(o.trap for o in q.options if o.id == sorted(wrong)[0])
