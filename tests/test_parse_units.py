"""Numbers as students and the bank write them: SI suffixes, unit words, ``×`` after a ratio, ``%`` read against
the question, and the refusals that say why (a FLOP count where MACs are asked)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from grader.parse import MEASURES, FormatError, answer_measure, parse_answer, parse_number, parse_numeric
from grader.scoring import grade, grade_raw
from quizbank.generators import REGISTRY, generate
from quizbank.schema import NumericQuestion, Tolerance

NUMERIC_GENS = sorted(g for g, spec in REGISTRY.items() if spec.kind == "numeric")
COUNTS = ("params", "macs", "pixels", "tokens", "channels", "samples", "rows")


def _numeric(gen: str, seed: int, d: int) -> NumericQuestion:
    q = generate(gen, seed, d)
    assume(isinstance(q, NumericQuestion))
    assert isinstance(q, NumericQuestion)
    return q


def _plain(x: Decimal) -> str:
    """A decimal without exponent or trailing zeros: Decimal('73.900') → '73.9'."""
    text = format(x.normalize(), "f")
    return text


# ------------------------------------------------------------------ forms, without a question


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("73.9k", 73_900),
        ("73.9 k", 73_900),
        ("73.9K", 73_900),
        ("≈73.9k", 73_900),
        ("≈ 3.86 G", 3_860_000_000),
        ("~4.09G", 4_090_000_000),
        ("25.6M", 25_600_000),
        ("25.6 million", 25_600_000),
        ("2 thousand", 2_000),
        ("1.5 billion", 1_500_000_000),
        ("73.856k", 73_856),  # exactly: scaled through the decimal exponent, not by a float product
        ("7.3856e1k", 73_856),
        ("=73,856", 73_856),
    ],
)
def test_si_suffixes_and_approximately(text: str, value: int) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("25.6m", "milli"),
        ("25.6 m params", "milli"),
        ("3.86 B", "not B"),
        ("2bn", "not bn"),
        ("3.86g", "write G"),
        ("12 apples", "not a number"),
        ("73 856 apples", "not a number"),
        ("73,856 params", "read against a question"),
        ("1.78×", "read against a question"),
    ],
)
def test_ambiguous_or_unchecked_suffixes_say_why(text: str, why: str) -> None:
    with pytest.raises(FormatError, match=why):
        parse_number(text)


@settings(max_examples=300, deadline=None)
@given(n=st.integers(1, 10**13), prefix=st.sampled_from(["k", "K", "M", "G"]), space=st.sampled_from(["", " "]))
def test_a_suffixed_value_is_the_number_times_its_power_of_ten(n: int, prefix: str, space: str) -> None:
    exponent = {"k": 3, "K": 3, "M": 6, "G": 9}[prefix]
    text = _plain(Decimal(n).scaleb(-exponent)) + space + prefix
    assert parse_number(text) == n  # exact, even where n/10^e has no exact binary fraction


@settings(max_examples=200, deadline=None)
@given(n=st.integers(-(10**9), 10**9), mark=st.sampled_from(["≈", "≈ ", "~", "= "]))
def test_approximately_changes_nothing(n: int, mark: str) -> None:
    assert parse_number(f"{mark}{n:,}") == parse_number(f"{n:,}") == n


# ------------------------------------------------------------------ units, read against a question


def _measure_gens(measure: str) -> list[tuple[str, int, int]]:
    out = []
    for g in NUMERIC_GENS:
        for d in (1, 2, 3):
            for s in range(6):
                q = generate(g, s, d)
                if isinstance(q, NumericQuestion) and answer_measure(q) == measure:
                    out.append((g, s, d))
    return out


def test_every_measure_the_bank_uses_is_known() -> None:
    seen = {answer_measure(generate(g, s, d)) for g in NUMERIC_GENS for d in (1, 2, 3) for s in range(4)}  # type: ignore[arg-type]
    assert seen - {None} <= MEASURES.keys(), seen
    assert {"params", "macs", "pixels", "ratio", "percent", "tokens"} <= seen


@settings(max_examples=200, deadline=None)
@given(gen=st.sampled_from(NUMERIC_GENS), seed=st.integers(0, 10**6), d=st.sampled_from([1, 2, 3]), data=st.data())
def test_the_key_with_the_questions_own_unit_is_correct(gen: str, seed: int, d: int, data: st.DataObject) -> None:
    q = _numeric(gen, seed, d)
    measure = answer_measure(q)
    assume(measure is not None)
    assert measure is not None
    word = data.draw(st.sampled_from(MEASURES[measure]))
    key = Decimal(repr(float(q.key)))
    if measure == "percent":
        word = data.draw(st.sampled_from(["%", " %", " percent"]))
        raw = _plain(key) + word
    elif measure == "ratio":
        raw = _plain(key) + data.draw(st.sampled_from(["", " "])) + word
    else:
        raw = f"{_plain(key)} {word}"
    parsed, g = grade_raw(q, raw)
    assert parsed.value == pytest.approx(float(q.key), rel=1e-12)
    assert g.correct, (raw, q.key, q.unit)


@settings(max_examples=200, deadline=None)
@given(gen=st.sampled_from(NUMERIC_GENS), seed=st.integers(0, 10**6), d=st.sampled_from([1, 2, 3]), data=st.data())
def test_a_unit_that_contradicts_the_question_is_a_format_error(
    gen: str, seed: int, d: int, data: st.DataObject
) -> None:
    q = _numeric(gen, seed, d)
    measure = answer_measure(q)
    other = data.draw(st.sampled_from([m for m in (*COUNTS, "flops", "ratio") if m != measure]))
    word = data.draw(st.sampled_from(MEASURES[other]))
    with pytest.raises(FormatError) as e:
        parse_answer(q, f"{q.key} {word}")
    text = str(e.value)
    assert ("plain number" in text) if measure is None else ("this question" in text), text


def test_flops_where_macs_are_asked_is_refused_with_the_factor_of_two() -> None:
    q = next(q for s in range(40) if (q := generate("architectures.macs", s, 1)).key > 1e9)  # type: ignore[attr-defined]
    assert isinstance(q, NumericQuestion) and answer_measure(q) == "macs"
    g = q.key / 1e9
    for raw in (f"{2 * g:.3f} GFLOPs", f"{g:.3f} G FLOPs", f"{q.key} flops"):
        with pytest.raises(FormatError, match=r"FLOPs ≈ 2·MACs"):
            parse_answer(q, raw)
    assert grade_raw(q, f"{g:.3f} GMACs")[1].correct
    assert grade_raw(q, f"{g:.3f} G MACs")[1].correct
    assert grade_raw(q, f"{g:.3f}G")[1].correct
    assert grade_raw(q, f"{1000 * g:.1f} M")[1].correct


def test_the_banks_own_approximations_are_accepted() -> None:
    """The MACs explanation writes '≈ 3.86 G'; typed back, it is the key within the question's 2 %."""
    for seed in range(12):
        q = generate("architectures.macs", seed, 2)
        assert isinstance(q, NumericQuestion)
        if q.key < 1e9:  # two decimals of G are no approximation of LeNet's 0.0004 G
            continue
        shown = re.search(r"≈ (\d+\.\d+ G)", q.explanation)
        assert shown, q.explanation
        assert grade_raw(q, "≈ " + shown.group(1))[1].correct
        assert grade_raw(q, shown.group(1) + " MACs")[1].correct


def test_ratio_options_as_the_bank_renders_them_parse_as_ratios() -> None:
    """``bottleneck_pick`` renders its ratio options as '8.97×': typed for the numeric twin, the key's form is right."""
    found = 0
    for seed in range(80):
        q = generate("one_by_one.bottleneck", seed, 2)
        if not isinstance(q, NumericQuestion) or q.unit != "×":
            continue
        found += 1
        assert grade_raw(q, f"{q.key:.2f}×")[1].correct or not q.tolerance.accepts(q.key, round(q.key, 2))
        assert grade_raw(q, f"{q.key}x")[1].correct
        assert grade_raw(q, f"{q.key} times")[1].correct
    assert found >= 3


# ------------------------------------------------------------------ percent, read against the key's unit


def test_percent_on_a_percent_question_is_the_number() -> None:
    q = next(
        q
        for s in range(60)
        if isinstance(q := generate("stacked_kernels.compare", s, 2), NumericQuestion) and q.unit == "%"
    )
    assert parse_numeric(f"{q.key}%", q) == q.key
    assert grade_raw(q, f"{q.key} %")[1].correct
    fraction = grade_raw(q, _plain(Decimal(repr(float(q.key))).scaleb(-2)))[1]  # 0.28 for 28 %
    assert not fraction.correct and fraction.trap == "percent_as_fraction"


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 10**6), d=st.sampled_from([1, 2, 3]))
def test_percent_on_a_ratio_question_is_a_fraction(seed: int, d: int) -> None:
    q = _numeric("one_by_one.vs_kxk", seed, d)
    raw = _plain(Decimal(repr(float(q.key))).scaleb(2)) + "%"  # 8.877 → 887.7%
    assert parse_numeric(raw, q) == pytest.approx(q.key, rel=1e-12)
    assert grade_raw(q, raw)[1].correct


def test_percent_on_a_plain_fraction_is_a_fraction() -> None:
    q = next(
        q for s in range(200) if isinstance(q := generate("pooling.grad", s, 2), NumericQuestion) and 0 < abs(q.key) < 1
    )
    assert answer_measure(q) is None
    assert parse_numeric(f"{100 * q.key:g}%", q) == pytest.approx(q.key)


def test_percent_on_a_count_is_refused() -> None:
    q = generate("conv_params.count", 0, 1)
    assert isinstance(q, NumericQuestion)
    with pytest.raises(FormatError, match="not a percentage"):
        parse_answer(q, "28%")


@settings(max_examples=200, deadline=None)
@given(
    key=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2),
    unit=st.sampled_from(["%", "×", None]),
)
def test_percent_scaling_is_exact(key: Decimal, unit: str | None) -> None:
    base = generate("conv_params.count", 0, 1)
    q = base.model_copy(update={"unit": unit, "key": float(key), "tolerance": Tolerance(), "witness": None})
    assert isinstance(q, NumericQuestion)
    got = parse_numeric(_plain(key) + "%", q)
    assert got == (float(key) if unit == "%" else float(key.scaleb(-2)))
    if unit == "%":
        assert grade(q, got).correct


# ------------------------------------------------------------------ what answer_measure reads


def test_answer_measure_reads_the_unit_then_the_witness() -> None:
    cases = {
        ("conv_params.count", 0, 1): "params",
        ("architectures.macs", 0, 1): "macs",
        ("vit.tokens", 0, 1): "tokens",
        ("receptive_field.stack", 0, 1): "pixels",
        ("one_by_one.vs_kxk", 0, 1): "ratio",
        ("architectures.efficientnet_scaling", 0, 1): "ratio",  # no unit: a ratio witness
        ("architectures.densenet_growth", 0, 1): "channels",
        ("output_size.side", 0, 1): "pixels",  # a probe measuring an output side
        ("backward.conv_grad", 0, 1): None,
    }
    for (g, s, d), want in cases.items():
        q = generate(g, s, d)
        assert isinstance(q, NumericQuestion)
        assert answer_measure(q) == want, g
