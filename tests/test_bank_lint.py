"""The bank lint (:mod:`quizbank.lint`) over every generator × difficulty × 60 seeds, without Keras.

One test per check, so a failure names the class of defect and lists its first findings.  The rules are general
(no generator ids); the tests below the bank run feed each rule a question with the defect put in by hand, so a
rule that stops firing fails too.
"""

from __future__ import annotations

from typing import Any

import pytest

from quizbank import lint
from quizbank.generators import REGISTRY

SEEDS = 60

# findings of this lint on the bank before its fixes (commit 11d12e8, 60 seeds): findings, generators.  Every
# check is at 0 now; the numbers stay as the record of what each check found.
BEFORE = {
    "trap_direction": (2513, 28),
    "comparisons": (180, 1),
    "distinct_keys": (55, 31),
    "difficulty": (20, 20),
    "options": (1566, 25),
    "grammar": (1098, 24),
    "named_facts": (1134, 12),
    "answer_in_stem": (173, 2),
}


@pytest.fixture(scope="module")
def findings() -> dict[str, list[lint.Finding]]:
    by_check: dict[str, list[lint.Finding]] = {c: [] for c in lint.CHECKS}
    for f in lint.lint_bank(SEEDS, sorted(REGISTRY)):
        by_check[f.check].append(f)
    print("bank lint:", {c: len(v) for c, v in by_check.items()})
    return by_check


def _report(found: list[lint.Finding], limit: int = 25) -> str:
    return f"{len(found)} findings:\n" + "\n".join(map(str, found[:limit]))


@pytest.mark.parametrize("check", lint.CHECKS)
def test_bank_lint(check: str, findings: dict[str, list[Any]]) -> None:
    assert set(BEFORE) == set(lint.CHECKS)
    assert not findings[check], _report(findings[check])


# ------------------------------------------------------------------ the rules, each on a defect put in by hand


def _q(gen_id: str = "conv_params.count", seed: int = 0, d: int = 2, **update: Any) -> Any:
    from quizbank.generators import generate

    return generate(gen_id, seed, d).model_copy(update=update)


def _checks(found: list[lint.Finding]) -> set[str]:
    return {f.check for f in found}


@pytest.mark.parametrize(
    "text",
    [
        "The map moves by $2/2 = 1$ rows.",
        "It lies in 1 window(s).",
        "A backbone ends in an 7×7×256 map.",
        "It runs on a 8×8 input.",
        "A 34-layer net beats a 18-layer one.",
        "Keep every 2th position.",
        "MACs ≈ 0.00 G.",
        "The dilations $1 + 2 + \\dots + 4 = 7$.",
        "dilations 1, 2, …, 4",
        "two  spaces",
        "the the kernel",
        "$S = 2 = 2$",
    ],
)
def test_grammar_rule_catches(text: str) -> None:
    assert "grammar" in _checks(lint.check_grammar(_q(explanation=text)))


@pytest.mark.parametrize(
    "text",
    [
        "The map moves by $4/2 = 2$ rows; 1 row at stride 4.",
        "A backbone ends in an 8×8×256 map, an 11×11 conv and an 18-layer net; a 7×7 map.",
        "Keep every 2nd position, the 3rd and the 11th.",
        "MACs ≈ 416.5 k.",
        "The dilations $1 + 2 + 4 = 7$, or $1 + 2 + \\dots + 64 = 127$; dilations 1, 2, 4, …, 512.",
        "$K_{eff} = d(K-1) + 1$ pixels and $d - 1$ gaps.",
    ],
)
def test_grammar_rule_passes_good_text(text: str) -> None:
    assert not lint.check_grammar(_q(explanation=text))


def test_word_helpers() -> None:
    from quizbank.generators import base as B

    assert [B.plural(1, "row"), B.plural(3, "row"), B.plural(2, "bias")] == ["1 row", "3 rows", "2 biases"]
    assert [B.article(s) for s in ("8×8", "11-layer", "18", "16×16", "7", "800", "1,100", "input")] == [
        "an", "an", "an", "a", "a", "an", "a", "an",
    ]  # fmt: skip
    assert B.with_article("8×8×256 map") == "an 8×8×256 map"
    assert [B.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 112)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "112th",
    ]  # fmt: skip
    assert (B.every_nth(1, "frame"), B.every_nth(2, "frame")) == ("every frame", "every 2nd frame")
    assert B.terms([1, 2, 4]) == "1 + 2 + 4"
    assert B.terms([1, 2, 4, 8, 16]) == "1 + 2 + … + 16"
    assert B.fmt_scaled(416_520) == "416.5 k"
    assert B.fmt_scaled(3_857_973_248) == "3.86 G"
    assert B.fmt_scaled(25_557_032, "params") == "25.6 Mparams"
    assert (B.compared(4.74, 7.08), B.compared(2, 1, "faster", "slower")) == ("fewer", "faster")


def _with_trap(q: Any, **changes: Any) -> Any:
    """``q`` with its first named wrong value changed."""
    if q.kind in ("multiple_choice", "multi_select"):
        opts = list(q.options)
        i = next(i for i, o in enumerate(opts) if not o.correct and o.trap)
        opts[i] = opts[i].model_copy(update=changes)
        return q.model_copy(update={"options": opts})
    traps = list(q.traps)
    traps[0] = traps[0].model_copy(update=changes)
    return q.model_copy(update={"traps": traps})


def test_trap_direction_rules() -> None:
    from quizbank.generators import generate

    q = next(q for s in range(40) if "use_bias=False" in (q := generate("conv_params.count", s, 2)).stem)
    bias = next(t for t in q.traps if t.trap == "forgot_bias")
    assert bias.value > q.key and "no bias" in bias.feedback, "the mirror slip reads as an added bias"
    add = "Each filter has one bias, so add C_out (the +1 in (K·K·C_in + 1)·C_out)."
    assert "trap_direction" in _checks(lint.check_trap_direction(_with_trap(q, value=q.key + 64, feedback=add)))
    assert not lint.check_trap_direction(_with_trap(q, value=q.key - 64, feedback=add))
    # "times fewer" feedback on a stem that asks "times more"
    r = _q("one_by_one.vs_kxk", 0, 2)
    assert "times more" in r.stem
    fewer = "Check which count is divided by which: the question asks how many times *fewer*, a number above 1."
    assert "trap_direction" in _checks(lint.check_trap_direction(_with_trap(r, feedback=fewer)))
    # a receptive-field formula as the feedback of a wrong parameter count
    rf = "Adjacent layers overlap: each K×K conv adds K − 1, so L stacked convs have RF = 1 + L·(K − 1)."
    assert "trap_direction" in _checks(lint.check_trap_direction(_with_trap(q, feedback=rf)))
    # one feedback text for two different wrong values
    same = q.model_copy(update={"traps": [t.model_copy(update={"feedback": "Same."}) for t in q.traps]})
    assert len(q.traps) > 1 and "trap_direction" in _checks(lint.check_trap_direction(same))
    # a layer of the stem quoted with other arguments
    pool = _q("pooling.output_shape", 0, 2)
    other = "Keras pools default to strides = pool_size: MaxPooling2D(7) divides H and W by 7."
    assert "MaxPooling2D(7)" not in pool.stem
    if "MaxPooling2D(" in pool.stem:
        assert "trap_direction" in _checks(lint.check_trap_direction(_with_trap(pool, feedback=other)))


@pytest.mark.parametrize(
    "text",
    [
        "MACs(B1)/MACs(B0) = 1.78; the rule predicts 1.92, so measured MACs grow faster than the rule.",
        "The stack is cheaper (102,400 vs 73,728).",
        "It has 4,608 weights, more than the 6,400 of the single conv.",
        "Percent fewer $= (4,608 - 6,400)/4,608 = 28.0\\%$.",
        "The measured MACs grow faster than the rule (1.78 vs 1.92).",
    ],
)
def test_comparison_rule_catches(text: str) -> None:
    assert "comparisons" in _checks(lint.check_comparisons(_q(explanation=text)))


@pytest.mark.parametrize(
    "text",
    [
        "The stack is cheaper (73,728 vs 102,400) and *more* non-linear.",
        "The measured MACs grow slower than the rule (1.78 vs 1.92).",
        "Percent fewer $= (6,400 - 4,608)/6,400 = 28.0\\%$.",
        "Cheaper, but less expressive than a standard conv of the same width.",
    ],
)
def test_comparison_rule_passes(text: str) -> None:
    assert not lint.check_comparisons(_q(explanation=text))


@pytest.mark.parametrize(
    "stem",
    [
        "In GoogLeNet's Inception (4e) module, a branch takes a 28×28×528 map to 320 channels.",
        "A ViT-H/8 (width $D = 1280$) embeds patches.",
        "A ViT-B/16 (width $D = 1024$) embeds patches.",
        "In DenseNet-121, dense block 3 (`conv4`) has 32 layers.",
        "EfficientNet-B2 scales B0 by depth ×1.3, width ×1.1 and resolution 260.",
        "torchvision's ResNet-50 (v1.5) puts each downsampling stride in the first 1×1 conv.",
        "Keras' `ResNet50().count_params()` is 25,636,712; torchvision reports 25,557,032 for `resnet50`.",
        "VGG-16 has 139,000,000 parameters.",
    ],
)
def test_named_facts_rule_catches(stem: str) -> None:
    assert "named_facts" in _checks(lint.check_named_facts(_q(stem=stem)))


def test_named_facts_rule_passes_true_details() -> None:
    stem = (
        "In GoogLeNet's Inception (4e) module, a branch takes a 14×14×528 map. A ViT-B/16 (width $D = 768$). "
        "In DenseNet-121, dense block 3 (`conv4`) has 24 layers. EfficientNet-B2 scales B0 by depth ×1.2, width ×1.1 "
        "and resolution 260. torchvision's ResNet-50 (v1.5) puts each downsampling stride in the 3×3 conv. "
        "VGG-16 has 138,357,544 parameters."
    )
    assert not lint.check_named_facts(_q(stem=stem))


def test_answer_in_stem_rule() -> None:
    q = _q("conv_params.count", 0, 2)
    assert "answer_in_stem" in _checks(
        lint.check_answer_in_stem(q.model_copy(update={"stem": q.stem + f" It has {q.key:,} parameters."}))
    )
    macs = _q("architectures.macs", 0, 2)
    example = macs.model_copy(update={"stem": macs.stem + f" (e.g. `{macs.key * 1.01:.3e}`)"})
    assert "answer_in_stem" in _checks(lint.check_answer_in_stem(example))
    assert not lint.check_answer_in_stem(q) and not lint.check_answer_in_stem(macs)


def _mc(gen_id: str = "edge_cases.dying_relu", d: int = 1, seed: int = 0) -> Any:
    from quizbank.generators import generate

    return generate(gen_id, seed, d)


def test_options_rules() -> None:
    q = _mc()
    opts = list(q.options)
    wrong = [i for i, o in enumerate(opts) if not o.correct]
    # two options that read the same once case, spacing and punctuation are normalised
    twin = opts[:]
    twin[wrong[0]] = twin[wrong[0]].model_copy(update={"text": "  " + opts[wrong[1]].text.upper() + "!"})
    assert "options" in _checks(lint.check_options_question(q.model_copy(update={"options": twin})))
    # two wrong options with the same trap and feedback: the same misconception twice
    same = opts[:]
    same[wrong[0]] = same[wrong[0]].model_copy(
        update={"trap": opts[wrong[1]].trap, "feedback": opts[wrong[1]].feedback}
    )
    assert "options" in _checks(lint.check_options_question(q.model_copy(update={"options": same})))
    assert not lint.check_options_question(q)


def test_option_cue_rules() -> None:
    qs = [_mc(seed=s) for s in range(20)]

    def keyed(q: Any, text: str) -> Any:
        opts = [o.model_copy(update={"text": text if o.correct else o.text}) for o in q.options]
        return q.model_copy(update={"options": opts})

    long = [keyed(q, f"{q.stem[:10]} " + "a much longer correct answer than any distractor " * 3) for q in qs]
    assert any("longest" in f.message for f in lint.check_option_cues("x", 1, long))
    first = [keyed(q, f"rates 7, {s + 8}, {s + 9}") for s, q in enumerate(qs)]  # only the key starts at 7
    assert any("first number" in f.message for f in lint.check_option_cues("x", 1, first))
    assert not lint.check_option_cues("edge_cases.dying_relu", 1, qs)


def test_variety_and_difficulty_rules() -> None:
    same = [_mc(seed=0)] * 10
    assert lint.check_distinct_keys("x", 1, same)
    assert not lint.check_distinct_keys("x", 1, [_mc(seed=s) for s in range(10)])
    easy = [_mc(d=1, seed=s) for s in range(5)]
    hard = [q.model_copy(update={"difficulty": 3}) for q in easy[:2]] + [_mc(d=3, seed=s) for s in range(3)]
    assert lint.check_difficulty("x", {1: easy, 3: hard})
    assert not lint.check_difficulty("x", {1: easy, 3: [_mc(d=3, seed=s) for s in range(5)]})
