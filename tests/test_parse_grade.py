"""Parse (raw text → typed answer or a format error) and grade, including trap diagnosis."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.parse import (
    MAX_LEN,
    FormatError,
    parse_answer,
    parse_choice,
    parse_multi,
    parse_number,
    parse_parts,
    parse_shape,
)
from grader.scoring import (
    credit,
    describe_tolerance,
    grade,
    grade_parts,
    grade_parts_raw,
    grade_raw,
    multi_select_score,
)
from quizbank import diagnose
from quizbank.generators import REGISTRY, generate
from quizbank.schema import (
    AnyQuestion,
    MultipleChoiceQuestion,
    MultiSelectQuestion,
    NumericQuestion,
    ShapeQuestion,
    Tolerance,
    TrapValue,
)


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


# text that looks like the answers students type: digits, separators, exponents, shapes, option lists
_ANSWERISH = st.text(alphabet="0123456789.,eE+-−×xX*^⁰¹²³⁴⁻ /%=_'·{}\\()[];&NnoneaIif∞bcdt ", max_size=40)
_RAW = st.one_of(st.text(max_size=60), _ANSWERISH, st.text(min_size=MAX_LEN - 2, max_size=MAX_LEN + 2))


@settings(max_examples=300, deadline=None)
@given(
    gen=st.sampled_from(sorted(REGISTRY)),
    seed=st.integers(0, 10**6),
    d=st.sampled_from([1, 2, 3]),
    raw=_RAW,
)
def test_parse_then_grade_never_crashes(gen: str, seed: int, d: int, raw: str) -> None:
    q = generate(gen, seed, d)
    try:
        parsed = parse_answer(q, raw)
    except FormatError as e:
        assert str(e)  # every rejection says why
        return
    g = grade(q, parsed.value)
    assert 0.0 <= g.score <= 1.0
    assert g.correct == (g.score == 1.0)
    assert g.trap is None or (not g.correct and g.trap_title and g.feedback and g.trap in g.traps)


def test_numeric_grading_and_trap_diagnosis() -> None:
    q = generate("conv_params.count", 3, 1)
    assert grade(q, parse_number(f"{q.key:,}")).correct
    t = q.traps[0]
    g = grade(q, float(t.value))
    assert not g.correct and g.trap == t.trap and g.feedback == t.feedback and g.score == 0
    unrelated = grade(q, 1.0)
    assert unrelated.trap is None and "none of the common mistakes" in unrelated.feedback


def test_credit_alone_decides_and_diagnosis_only_explains() -> None:
    q = generate("conv_params.count", 3, 1)
    assert isinstance(q, NumericQuestion)
    assert credit(q, float(q.key)) == 1.0 and credit(q, float(q.key) + 1) == 0.0
    # an answer within tolerance of the key is right even where it would also match a trap's window
    close = float(q.key) * 1.004
    near = q.model_copy(
        update={
            "tolerance": Tolerance(mode="relative", value=0.01),
            "traps": [TrapValue(trap="forgot_bias", value=float(q.key) * 1.005, feedback="forgot the bias")],
        }
    )
    assert diagnose(near, close).trap == "forgot_bias"  # it explains, it does not judge
    g = grade(near, close)
    assert g.correct and g.score == 1.0 and g.trap is None and g.traps == () and g.feedback == "Correct."
    wrong = grade(near, float(q.key) * 1.02)
    assert not wrong.correct and wrong.trap is None and "none of the common mistakes" in wrong.feedback


def test_choice_diagnosis_names_the_option_trap() -> None:
    q = generate("conv_params.resolution", 2, 2)
    for o in q.options:
        g = grade(q, o.id)
        assert g.correct == o.correct and g.score == float(o.correct)
        assert g.trap == o.trap and g.feedback == o.feedback
        if not o.correct:
            assert diagnose(q, o.id).trap == o.trap
    with pytest.raises(ValueError, match="not an option"):
        grade(q, "z")
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
    g = grade(q, sorted(right | {sorted(wrong)[0]}))
    assert not g.correct and g.trap == next(o.trap for o in q.options if o.id == sorted(wrong)[0])
    assert g.score == multi_select_score(q, right | {sorted(wrong)[0]}) < 1
    with pytest.raises(ValueError, match="not options"):
        grade(q, [*right, "z"])


# ------------------------------------------------------------------ more accepted and rejected forms


@pytest.mark.parametrize(
    "text",
    [
        "7.3856E4",
        "7.3856e+04",
        "7.3856 * 10**4",
        "7.3856·10^4",
        "7.3856\\times 10^{4}",
        "7.3856×10⁴",
        "= 73 856",
        "73\u202f856",
        "73\u00a0856",
        "73'856",
        "73856.0",
        "73,856.0",
    ],
)
def test_more_number_forms(text: str) -> None:
    assert parse_number(text) == 73856


def test_signs_powers_and_negative_zero() -> None:
    assert parse_number("−73,856") == -73856  # Unicode minus
    assert parse_number("-7.3856e4") == -73856
    assert parse_number("10^4") == 10_000
    assert parse_number("10⁻³") == pytest.approx(0.001)
    assert parse_number("7.5×10^-3") == pytest.approx(0.0075)
    z = parse_number("-0")
    assert z == 0 and math.copysign(1.0, z) == 1.0


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("NaN", "NaN"),
        ("-nan", "NaN"),
        ("nan%", "NaN"),
        ("+inf", "infinity"),
        ("∞", "infinity"),
        ("1×10^400", "too large"),
        ("10^999", "too large"),
        ("1e-400", "too small"),
        ("3,5", "decimals with a point"),
        ("12x12", "looks like a shape"),
        ("(None, 12, 12, 3)", "looks like a shape"),
        ("banana", "not a number"),
        ("information", "not a number"),
        ("1.2.3", "not a number"),
        ("73 856 apples", "not a number"),
        ("2**3", "not a number"),
        ("=", "empty"),
        ("\t\n", "empty"),
        ("9" * (MAX_LEN + 1), "characters"),
    ],
)
def test_more_malformed_numbers_say_why(text: str, why: str) -> None:
    with pytest.raises(FormatError, match=why):
        parse_number(text)


def test_words_containing_nan_or_inf_are_not_called_nan() -> None:
    for word in ("banana", "infer", "nano"):
        with pytest.raises(FormatError) as e:
            parse_number(word)
        assert "NaN" not in str(e.value) and "infinity" not in str(e.value)


@pytest.mark.parametrize(
    "text",
    ["(None,112,112,64)", "(batch, 112, 112, 64)", "112 × 112 × 64", "(112, 112, 64,)", "112X112X64", "?x112x112x64"],
)
def test_more_shapes(text: str) -> None:
    assert parse_shape(text) == [112, 112, 64]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("112x None", "only the first"),
        ("1x2x3x4x5x6x7", "at most 6"),
        ("9" * 14 + "x3", "plausible"),
        ("()", "at least one"),
        ("", "empty"),
        ("112x-3", "whole-number"),
    ],
)
def test_malformed_shapes_say_why(text: str, why: str) -> None:
    with pytest.raises(FormatError, match=why):
        parse_shape(text)


@pytest.mark.parametrize("text", ["{a, c}", "a and c", "A;C", "a c", "c,a", "(a), (c)"])
def test_multi_select_list_forms(text: str) -> None:
    assert parse_multi(text, ["a", "b", "c", "d"]) == ["a", "c"]


def test_multi_select_and_choice_rejections() -> None:
    with pytest.raises(FormatError, match="not options here: z; choose from a, b"):
        parse_multi("a, z", ["a", "b"])
    with pytest.raises(FormatError, match="not options here: y, z;"):
        parse_multi("y, z", ["a", "b"])
    with pytest.raises(FormatError, match="at least one"):
        parse_multi("and", ["a", "b"])
    with pytest.raises(FormatError, match="empty"):
        parse_multi("  ", ["a", "b"])
    assert parse_choice("(B).", ["a", "b"]) == "b"
    with pytest.raises(FormatError, match="exactly one"):
        parse_choice("a, b", ["a", "b"])


# ------------------------------------------------------------------ tolerance modes


def test_tolerance_exact() -> None:
    t = Tolerance()
    assert t.accepts(73856, 73856.0)
    assert not t.accepts(73856, 73857)
    assert not t.accepts(0.3, 0.1 + 0.2)  # exact means exact: use a tolerance for non-integers


def test_tolerance_absolute() -> None:
    t = Tolerance(mode="absolute", value=0.1)
    assert t.accepts(1.0, 1.1)  # the boundary is inside, despite 1.1 − 1.0 = 0.10000000000000009
    assert t.accepts(1.0, 0.9)
    assert not t.accepts(1.0, 1.1001)
    assert t.accepts(-2.5, -2.45)
    assert not t.accepts(-2.5, 2.5)


def test_tolerance_relative() -> None:
    t = Tolerance(mode="relative", value=0.01)
    assert t.accepts(200, 202)  # |202 − 200| = 2 = 1 % of 200
    assert not t.accepts(200, 202.5)
    assert t.accepts(-200, -198)  # relative to |key|
    assert not t.accepts(-200, 198)
    assert t.accepts(0, 0)
    assert not t.accepts(0, 1e-6)  # 1 % of 0 is 0


@pytest.mark.parametrize(
    ("key", "answer", "n", "ok"),
    [
        # the band is ±0.51 units of the key's n-th significant digit (PrairieLearn's sigfig comparison)
        (73856, 73900, 3, True),  # rounded to 3 s.f.
        (73856, 73850, 3, True),  # more digits than asked never hurt (|diff| 6 < 51)
        (73856, 73856, 3, True),
        (73856, 73800, 3, False),  # |diff| 56 > 51
        (73856, 74000, 3, False),  # only 2 s.f. right
        # negative keys: the band is around the key, the sign must be right
        (-1234, -1230, 3, True),
        (-1234, -1235, 3, True),
        (-1234, -1240, 3, False),  # |diff| 6 > 5.1
        (-1234, 1230, 3, False),
        (-0.012345, -0.0123, 3, True),  # unit 10^(−2−3+1) = 1e-4, band 5.1e-5
        (-0.012345, -0.0124, 3, False),  # |diff| 5.5e-5
        # a key of 0 counts as magnitude 1: band 0.51 × 10^(1−n)
        (0, 0, 3, True),
        (0, 0.005, 3, True),
        (0, -0.005, 3, True),
        (0, 0.006, 3, False),
        # halves: rounding half up or half even both pass
        (0.125, 0.13, 2, True),
        (0.125, 0.12, 2, True),
        (0.125, 0.11, 2, False),
        (2.675, 2.68, 3, True),  # 2.675 is 2.67499999… in binary; a student rounds it up
        (7, 7.4, 1, True),
        (7, 7.6, 1, False),
        (7, 7.4, 0, True),  # 0 s.f. is read as 1
        (1e300, 1.0004e300, 3, True),
        (5e-324, 5e-324, 3, True),  # the smallest subnormal still equals itself
    ],
)
def test_tolerance_significant_figures(key: float, answer: float, n: int, ok: bool) -> None:
    assert Tolerance(mode="sigfigs", value=n).accepts(key, answer) is ok


def test_describe_tolerance() -> None:
    assert describe_tolerance(Tolerance()) == "exactly"
    assert describe_tolerance(Tolerance(mode="absolute", value=0.1)) == "within ±0.1"
    assert describe_tolerance(Tolerance(mode="relative", value=0.005)) == "within 0.5%"
    assert describe_tolerance(Tolerance(mode="sigfigs", value=3)) == "to 3 significant figures"
    assert describe_tolerance(Tolerance(mode="sigfigs", value=1)) == "to 1 significant figure"


def _numeric(**update: object) -> NumericQuestion:
    q = generate("conv_params.count", 3, 1)
    assert isinstance(q, NumericQuestion)
    return q.model_copy(update=update)


def test_grading_applies_the_question_tolerance_and_still_finds_traps() -> None:
    trap = TrapValue(trap="forgot_bias", value=73728, feedback="You forgot the biases.")
    q = _numeric(key=73856, tolerance=Tolerance(mode="sigfigs", value=3), traps=[trap])
    assert grade_raw(q, "7.39e4")[1].correct
    assert grade_raw(q, "73,900")[1].correct
    assert not grade_raw(q, "74,000")[1].correct
    parsed, g = grade_raw(q, "73 700")  # 73700 is within 3 s.f. of the trap value 73728
    assert parsed.value == 73700
    assert not g.correct and g.trap == "forgot_bias" and g.feedback == "You forgot the biases."
    assert g.trap_title and g.traps == ("forgot_bias",)
    rel = _numeric(key=2.5, tolerance=Tolerance(mode="relative", value=0.02))
    assert grade(rel, 2.55).correct and not grade(rel, 2.56).correct


def test_a_named_trap_comes_with_its_title_and_feedback() -> None:
    from quizbank import traps

    q = generate("conv_params.count", 3, 1)
    assert isinstance(q, NumericQuestion) and q.traps
    for tv in q.traps:
        g = grade(q, float(tv.value))  # type: ignore[arg-type]
        if g.correct:
            continue
        assert g.trap == tv.trap and g.feedback == tv.feedback
        assert g.trap_title == traps.get(tv.trap).title
        assert g.score == 0.0


# ------------------------------------------------------------------ multi-part


def _first(kind: type, pred: object = None) -> AnyQuestion:
    for gen in sorted(REGISTRY):
        for seed in range(8):
            q = generate(gen, seed, 1)
            if isinstance(q, kind) and (pred is None or pred(q)):  # type: ignore[operator]
                return q
    raise AssertionError(f"no {kind.__name__} in the bank")


def _parts() -> tuple[NumericQuestion, ShapeQuestion, MultiSelectQuestion]:
    num = generate("conv_params.count", 3, 1)
    shape = _first(ShapeQuestion, lambda q: q.traps)
    multi = _first(MultiSelectQuestion, lambda q: len(q.key) > 1)
    assert isinstance(num, NumericQuestion) and isinstance(shape, ShapeQuestion)
    assert isinstance(multi, MultiSelectQuestion)
    return num, shape, multi


def test_parse_parts_parses_each_part_for_its_question() -> None:
    num, shape, multi = _parts()
    raws = [f"{int(num.key):,}", "(None, " + ", ".join(map(str, shape.key_value)) + ")", ", ".join(multi.key)]
    parsed = parse_parts(raws, [num, shape, multi])
    assert [p.value for p in parsed] == [num.key, shape.key_value, sorted(multi.key)]
    assert [p.raw for p in parsed] == raws


def test_one_malformed_part_rejects_the_whole_answer_naming_the_part() -> None:
    num, shape, multi = _parts()
    with pytest.raises(FormatError, match=r"^part 2: ") as e:
        parse_parts(["12", "12 apples", "a"], [num, shape, multi])
    assert e.value.part == 1
    with pytest.raises(FormatError, match="3 parts but 2 answers"):
        parse_parts(["1", "2"], [num, shape, multi])
    with pytest.raises(FormatError, match="one answer per part"):
        parse_parts("12", [num])  # type: ignore[arg-type]
    with pytest.raises(FormatError, match="part 1"):
        grade_parts_raw(["nan"], [num])


def test_per_part_credit() -> None:
    num, shape, multi = _parts()
    trap = shape.traps[0]
    right = set(multi.key)
    wrong_opts = {o.id for o in multi.options} - right
    one_right = {sorted(right)[0]}
    partial = multi_select_score(multi, one_right)
    # hand-computed: one of |right| right choices, no wrong one → 1/|right|
    assert partial == pytest.approx(1 / len(right))
    pg = grade_parts([(num, num.key), (shape, trap.value), (multi, sorted(one_right))], points=[2, 1, 3])
    assert [g.correct for g in pg.parts] == [True, False, False]
    assert pg.earned == pytest.approx((2.0, 0.0, 3 / len(right)))
    assert pg.score == pytest.approx(2 + 3 / len(right))
    assert pg.max_score == 6
    assert pg.fraction == pytest.approx((2 + 3 / len(right)) / 6)
    assert not pg.correct
    assert (1, trap.trap) in pg.traps and pg.parts[1].feedback == trap.feedback
    if wrong_opts:
        zero = grade_parts([(multi, sorted(wrong_opts))])
        assert zero.score == 0 and zero.max_score == 1
    full = grade_parts([(num, num.key), (multi, sorted(right))])
    assert full.correct and full.score == 2 and full.fraction == 1


def test_grade_parts_validates_points() -> None:
    num, _, _ = _parts()
    with pytest.raises(ValueError, match="at least one part"):
        grade_parts([])
    with pytest.raises(ValueError, match="point values"):
        grade_parts([(num, 1.0)], points=[1, 2])
    with pytest.raises(ValueError, match="non-negative"):
        grade_parts([(num, 1.0)], points=[-1])
    with pytest.raises(ValueError, match="finite"):
        grade_parts([(num, 1.0)], points=[math.nan])


# ------------------------------------------------------------------ properties


@settings(max_examples=300, deadline=None)
@given(st.one_of(_ANSWERISH, st.text(max_size=60)))
def test_parse_number_is_finite_or_a_format_error(text: str) -> None:
    try:
        v = parse_number(text)
    except FormatError as e:
        assert str(e)
        return
    assert isinstance(v, float) and math.isfinite(v)


@settings(max_examples=150, deadline=None)
@given(
    gens=st.lists(st.sampled_from(sorted(REGISTRY)), min_size=1, max_size=3),
    seed=st.integers(0, 10**6),
    raws=st.lists(_RAW, min_size=1, max_size=3),
    points=st.lists(st.floats(0, 10, allow_nan=False), min_size=3, max_size=3),
)
def test_multi_part_parse_and_grade_never_crash(
    gens: list[str], seed: int, raws: list[str], points: list[float]
) -> None:
    qs = [generate(g, seed + i, 1) for i, g in enumerate(gens)]
    try:
        parsed, pg = grade_parts_raw(raws, qs, points[: len(qs)])
    except FormatError as e:
        assert str(e)
        return
    assert len(parsed) == len(qs) == len(pg.parts)
    assert 0 <= pg.score <= pg.max_score + 1e-9
    assert all(0 <= e <= p + 1e-9 for e, p in zip(pg.earned, pg.points, strict=True))


@settings(max_examples=150, deadline=None)
@given(gen=st.sampled_from(sorted(REGISTRY)), seed=st.integers(0, 10**6), d=st.sampled_from([1, 2, 3]))
def test_the_key_typed_in_any_accepted_form_is_correct(gen: str, seed: int, d: int) -> None:
    q = generate(gen, seed, d)
    if isinstance(q, NumericQuestion):
        key = q.key
        forms = [repr(float(key)), f"={key!r}"]
        if float(key).is_integer() and abs(key) < 1e15:
            k = int(key)
            forms += [f"{k:,}", f"{k:_}", f"{k:,}".replace(",", " "), f"= {k}"]
    elif isinstance(q, ShapeQuestion):
        dims = [str(v) for v in q.key_value]
        forms = ["(None, " + ", ".join(dims) + ")", "x".join(dims), "×".join(dims), "[" + ",".join(dims) + "]"]
    elif isinstance(q, MultipleChoiceQuestion):
        forms = [q.key, q.key.upper(), f"({q.key})"]
    else:
        assert isinstance(q, MultiSelectQuestion)
        forms = [", ".join(q.key), " ".join(reversed(q.key)), "{" + ",".join(q.key) + "}"]
    for raw in forms:
        parsed, g = grade_raw(q, raw)
        assert g.correct and g.score == 1.0, (raw, parsed.value)
