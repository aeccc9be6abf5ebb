"""milestones: LeNet-5's template and ~60 k parameters, AlexNet's innovations, SENet's cheap gain and the seed's
accuracy/compute figures; keys from declared (live-checked) facts and closed forms, paper figures from
models/facts/papers.py."""

from __future__ import annotations

import pytest

from models.facts import VARIANTS
from models.facts.papers import SEED_TABLE
from quizbank import diagnose
from quizbank import formulas as F
from quizbank.generators import generate, generators
from quizbank.schema import MultipleChoiceQuestion, MultiSelectQuestion, NumericQuestion

TOPIC = "milestones"
IDS = {g.id for g in generators(TOPIC)}


def test_generators_registered() -> None:
    assert IDS == {f"{TOPIC}.{n}" for n in ("alexnet", "lenet", "lenet_template", "figures", "senet")}


# ------------------------------------------------------------------ LeNet-5


def _hand_lenet(side: int, channels: int, f1: int, f2: int, classes: int) -> int:
    s4 = ((side - 4) // 2 - 4) // 2
    return (
        (25 * channels + 1) * f1 + (25 * f1 + 1) * f2 + (s4 * s4 * f2 + 1) * 120 + (120 + 1) * 84 + (84 + 1) * classes
    )


def test_lenet_keys_by_hand() -> None:
    assert _hand_lenet(32, 1, 6, 16, 10) == VARIANTS["lenet5"].params.value == 61_706  # type: ignore[union-attr]
    keys = set()
    for s in range(40):
        q = generate(f"{TOPIC}.lenet", s, 1)
        p = q.params
        assert (p["side"], p["f1"], p["f2"]) == (32, 6, 16)
        assert q.key == _hand_lenet(32, p["channels"], 6, 16, p["classes"])
        keys.add(q.key)
    assert len(keys) >= 3
    # a wider variant: 36 → 32 → 16 → 12 → 6, flatten 6·6·24 = 864
    assert _hand_lenet(36, 3, 8, 24, 100) == 608 + 4_824 + 103_800 + 10_164 + 8_500


def test_lenet_traps_are_the_named_slips() -> None:
    q = next(q for s in range(60) if (q := generate(f"{TOPIC}.lenet", s, 1)).params["channels"] == 1)
    assert isinstance(q, NumericQuestion)
    traps = {t.trap: t.value for t in q.traps}
    n = q.params["classes"]
    assert traps["forgot_bias"] == q.key - (6 + 16 + 120 + 84 + n)
    # F5 counted on C3's unpooled 10×10×16 map instead of S4's 5×5×16
    assert traps["pool_ignored_in_flatten"] == q.key - F.dense_params(400, 120) + F.dense_params(1600, 120)
    assert traps["pool_counted_as_conv"] == q.key + F.conv_params(2, 6, 6) + F.conv_params(2, 16, 16)


def test_lenet_difficulty_3_asks_the_dense_share() -> None:
    for s in range(20):
        q = generate(f"{TOPIC}.lenet", s, 3)
        assert isinstance(q, NumericQuestion) and q.unit == "%"
        p = q.params
        total = _hand_lenet(p["side"], p["channels"], p["f1"], p["f2"], p["classes"])
        convs = (25 * p["channels"] + 1) * p["f1"] + (25 * p["f1"] + 1) * p["f2"]
        assert q.key == round(100 * (total - convs) / total, 1)
        assert diagnose(q, q.key / 100).trap == "percent_as_fraction"
    assert len({generate(f"{TOPIC}.lenet", s, 3).key for s in range(20)}) >= 3


def test_lenet_template_facts() -> None:
    q = generate(f"{TOPIC}.lenet_template", 0, 1)
    assert q.witness is not None and q.witness.expect[:4] == ["Conv2D", "AveragePooling2D"] * 2
    q2 = generate(f"{TOPIC}.lenet_template", 0, 2)
    assert isinstance(q2, MultipleChoiceQuestion)
    assert next(o for o in q2.options if o.correct).value == 61_706
    assert {o.trap for o in q2.options if not o.correct} == {"lenet_as_alexnet", "params_for_macs", "forgot_bias"}
    q3 = generate(f"{TOPIC}.lenet_template", 0, 3)
    assert next(o for o in q3.options if o.correct).value == (400 + 1) * 120


# ------------------------------------------------------------------ AlexNet


def test_alexnet_witnesses_check_what_the_correct_option_says() -> None:
    from models.facts.alexnet import PAPER_CONVS

    groups = [g for _, _, _, g, _ in PAPER_CONVS]
    seen = set()
    for d in (1, 2):
        for s in range(30):
            q = generate(f"{TOPIC}.alexnet", s, d)
            assert isinstance(q, MultipleChoiceQuestion) and q.witness is not None
            fact = q.params["fact"]
            seen.add(fact)
            if fact == "gpus":
                assert q.witness.expect == [groups]
            if fact == "params":
                assert next(o for o in q.options if o.correct).value == VARIANTS["alexnet_2gpu"].params.value  # type: ignore[union-attr]
            if fact == "layers":
                assert q.witness.expect == [["Conv2D"] * 5 + ["Dense"] * 3]
    assert seen == {"activation", "dropout", "layers", "gpus", "params"}


def test_alexnet_difficulty_3_mixes_measured_and_paper_statements() -> None:
    for s in range(20):
        q = generate(f"{TOPIC}.alexnet", s, 3)
        assert isinstance(q, MultiSelectQuestion) and q.witness is not None
        assert len(q.key) == 3 and len(q.witness.expect) >= 2
        assert any("ILSVRC" in o.text or "crops" in o.text for o in q.options if o.correct)  # the paper's
        assert "Krizhevsky" in q.explanation


# ------------------------------------------------------------------ the seed's figures


def test_figures_keys_are_the_measured_macs() -> None:
    for s in range(20):
        q = generate(f"{TOPIC}.figures", s, 1)
        row = SEED_TABLE[q.params["model"]]
        right = next(o for o in q.options if o.correct)
        assert right.value == VARIANTS[row.model].macs.value  # type: ignore[union-attr]
        assert str(row.gflops.value) in q.stem  # type: ignore[union-attr]
        assert {o.trap for o in q.options if not o.correct} == {
            "macs_as_flops",
            "params_for_macs",
            "figures_of_another_model",
        }


def test_figures_best_top1_and_its_misconceptions() -> None:
    for s in range(30):
        q = generate(f"{TOPIC}.figures", s, 2)
        families = q.params["models"]
        best = max(families, key=lambda f: SEED_TABLE[f].top1.value)
        right = next(o for o in q.options if o.correct)
        assert right.text.startswith(SEED_TABLE[best].title)
        traps = [o.trap for o in q.options if not o.correct]
        assert "bigger_is_more_accurate" in traps and set(traps) <= {
            "bigger_is_more_accurate",
            "newer_is_more_accurate",
        }


def test_figures_difficulty_3_is_a_measured_ratio() -> None:
    for s in range(20):
        q = generate(f"{TOPIC}.figures", s, 3)
        a, b = q.params["models"]
        right = next(o for o in q.options if o.correct)
        macs = {f: VARIANTS[SEED_TABLE[f].model].macs.value for f in (a, b)}  # type: ignore[union-attr]
        assert macs[a] > macs[b]  # the costlier network first: "how many times more" is above 1
        assert "times more MACs" in q.stem
        assert right.value == pytest.approx(macs[a] / macs[b])
        inverted = next(o for o in q.options if o.trap == "ratio_inverted")
        assert inverted.value == pytest.approx(macs[b] / macs[a]) and inverted.value < 1


# ------------------------------------------------------------------ SENet


def test_senet_overheads_from_the_declared_models() -> None:
    se, r50 = VARIANTS["se_resnet50"], VARIANTS["resnet50_v1_5"]
    macs_pct = 100 * (se.macs.value - r50.macs.value) / r50.macs.value  # type: ignore[union-attr]
    params_pct = 100 * (se.trainable_params.value - r50.trainable_params.value) / r50.trainable_params.value  # type: ignore[union-attr]
    assert round(macs_pct, 2) == 0.06 and round(params_pct, 1) == 9.9
    q1, q2 = generate(f"{TOPIC}.senet", 0, 1), generate(f"{TOPIC}.senet", 0, 2)
    assert next(o for o in q1.options if o.correct).value == pytest.approx(macs_pct)
    assert next(o for o in q2.options if o.correct).value == pytest.approx(params_pct)
    q3 = generate(f"{TOPIC}.senet", 0, 3)
    assert isinstance(q3, MultiSelectQuestion) and q3.witness is not None
    assert q3.witness.expect == pytest.approx(macs_pct)
    assert "1.51" in q3.explanation and "Hu et al." in q3.explanation


# ------------------------------------------------------------------ live


@pytest.mark.live
def test_zoo_probes_measure_alexnet_and_lenet() -> None:
    from models.probes import run

    assert run("zoo_activations", model="alexnet_2gpu") == ["relu", "softmax"]
    assert run("zoo_activations", model="lenet5") == ["softmax", "tanh"]
    assert run("zoo_layer_config", model="alexnet_2gpu", class_name="Dropout", key="rate") == [0.5, 0.5]
    assert run("zoo_layer_config", model="alexnet", class_name="Conv2D", key="groups") == [1] * 5  # one tower
    assert run("zoo_layer_sequence", model="alexnet_2gpu", classes=["Dense", "Dropout"]) == [
        "Dense",
        "Dropout",
        "Dense",
        "Dropout",
        "Dense",
    ]


@pytest.mark.live
def test_questions_validate_live() -> None:
    from quizbank.validate import validate_question

    for gen, d in ((f"{TOPIC}.lenet", 2), (f"{TOPIC}.lenet", 3), (f"{TOPIC}.lenet_template", 1), (f"{TOPIC}.senet", 3)):
        r = validate_question(generate(gen, 1, d))
        assert r.ok, (gen, d, r)
