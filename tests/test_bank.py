"""Bank-wide properties of every registered generator (no Keras needed)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from grader.scoring import grade
from quizbank.generators import REGISTRY, TOPICS, generate, generators, questions
from quizbank.schema import (
    MultipleChoiceQuestion,
    MultiSelectQuestion,
    NumericQuestion,
    QuestionAdapter,
    ShapeQuestion,
)

GEN_IDS = sorted(REGISTRY)
SEEDS = range(40)

# the topics the bank must cover, each with its own module
REQUIRED_TOPICS = {
    "conv_params",
    "fc_vs_conv",
    "output_size",
    "receptive_field",
    "one_by_one",
    "pooling",
    "dilation",
    "depthwise_separable",
    "normalization",
    "stacked_kernels",
    "equivariance",
    "residual",
    "backward",
    "video",
    "audio",
    "vit",
    "edge_cases",
}


def test_every_required_topic_has_generators_for_every_difficulty() -> None:
    missing = REQUIRED_TOPICS - set(TOPICS)
    assert not missing, f"topics without a module: {sorted(missing)}"
    for t in REQUIRED_TOPICS:
        gens = generators(t)
        assert gens, t
        assert all(g.difficulties == (1, 2, 3) for g in gens)


def test_topics_have_numeric_and_choice_forms() -> None:
    both = [
        t
        for t in REQUIRED_TOPICS
        if {g.kind for g in generators(t)} & {"numeric", "shape"} and "choice" in {g.kind for g in generators(t)}
    ]
    assert len(both) >= 12, f"only {sorted(both)} have both a numeric and a choice form"


def test_import_is_light() -> None:
    code = "import sys, quizbank.generators, quizbank.diagnose; print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("gen_id", GEN_IDS)
def test_generator_is_deterministic_and_well_formed(gen_id: str) -> None:
    for d in (1, 2, 3):
        params_seen = set()
        for s in SEEDS:
            q = generate(gen_id, s, d)
            again = generate(gen_id, s, d)
            assert q.model_dump_json() == again.model_dump_json(), "regeneration must be bit-for-bit identical"
            assert QuestionAdapter.validate_json(q.model_dump_json()) == q, "JSON round trip"
            assert (q.generator, q.seed, q.difficulty) == (gen_id, s, d)
            assert q.stem.strip() and q.explanation.strip()
            params_seen.add(json.dumps(q.params, sort_keys=True))
            if isinstance(q, NumericQuestion | ShapeQuestion):
                assert q.traps, f"{q.uid}: a numeric question offers at least one named trap"
            if isinstance(q, ShapeQuestion):
                assert grade(q, q.key_value).correct
                for t in q.traps:
                    got = grade(q, t.value)
                    assert not got.correct and got.trap == t.trap, (q.uid, t)
            if isinstance(q, NumericQuestion):
                values = [t.value for t in q.traps]
                assert q.key not in values, "a trap value equals the key"
                assert len(values) == len({json.dumps(v) for v in values}), "trap values are not distinct"
                for t in q.traps:  # each trap's own value is diagnosed as that trap
                    got = grade(q, t.value)
                    assert not got.correct and got.trap == t.trap, (q.uid, t)
                assert grade(q, q.key).correct
            if isinstance(q, MultipleChoiceQuestion | MultiSelectQuestion):
                assert len(q.options) >= 3
                wrong = [o for o in q.options if not o.correct]
                assert all(o.trap for o in wrong), f"{q.uid}: every distractor is a named trap"
                if isinstance(q, MultipleChoiceQuestion):
                    assert grade(q, q.key).correct
                    for o in wrong:
                        assert grade(q, o.id).trap == o.trap
                else:
                    assert grade(q, q.key).correct
                texts = [o.text for o in q.options]
                assert len(set(texts)) == len(texts)
        assert len(params_seen) > 1 or gen_id.split(".")[0] in (
            "edge_cases",
            "equivariance",
            "architectures",
            "milestones",
        ), f"{gen_id} d{d} draws the same parameters for every seed"


def test_questions_cycles_generators_of_a_topic() -> None:
    qs = questions("conv_params", 2, 100, 6)
    assert [q.seed for q in qs] == list(range(100, 106))
    assert {q.generator for q in qs} == {g.id for g in generators("conv_params")}


def test_bad_requests_are_clear() -> None:
    with pytest.raises(KeyError, match="unknown generator"):
        generate("nope.nothing", 1, 1)
    with pytest.raises(ValueError, match="difficulty"):
        generate(GEN_IDS[0], 1, 4)
    with pytest.raises(ValueError, match="seed"):
        generate(GEN_IDS[0], -1, 1)
    with pytest.raises(KeyError, match="unknown topic"):
        generators("nope")


def test_shared_builder_helpers() -> None:
    from quizbank.generators import base as B

    # a typed ratio must name one trap: values within 1 % (+ 0.02) of the key or of a kept trap are dropped
    kept = B.spread(9.0, [("a", 9.05), ("b", 8.0), ("c", 8.05), ("d", 1 / 9)])
    assert kept == [("b", 8.0), ("d", 1 / 9)]
    assert B.latex_matrix([[1, -2], [3, 1000]]) == "\\begin{pmatrix}1 & -2 \\\\ 3 & 1,000\\end{pmatrix}"
    assert B.conv_chain_text([(3, 1), (1, 2)]) == "3×3, 1×1 (stride 2)"
    assert B.conv_chain_rf_steps([(3, 2), (3, 1)]) == "3×3/s2: $+(3-1)\\cdot1$ → 3; 3×3: $+(3-1)\\cdot2$ → 7"
    w = B.conv_chain_rf_witness([(3, 2), (3, 1)], 7, 2)
    assert w.input_shape == [22, 22, 1] and len(w.layers) == 2  # type: ignore[arg-type]
