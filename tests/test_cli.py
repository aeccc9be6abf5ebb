"""The `cnnquiz` command line is a contract: its JSON and exit codes are checked here."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from quizbank.generators import REGISTRY, TOPICS
from quizbank.generators.base import GeneratorSpec
from quizbank.schema import QuestionListAdapter
from ui.cli import app

runner = CliRunner()


def test_topics_json() -> None:
    r = runner.invoke(app, ["topics", "--json"])
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert {t["id"] for t in data} == set(TOPICS)
    for t in data:
        for g in t["generators"]:
            assert g["id"] in REGISTRY and g["difficulties"] == [1, 2, 3]


def test_questions_json_is_the_schema() -> None:
    r = runner.invoke(
        app, ["questions", "--topic", "conv_params", "--difficulty", "2", "--seed", "5", "--n", "4", "--json"]
    )
    assert r.exit_code == 0, r.output
    qs = QuestionListAdapter.validate_json(r.stdout)
    assert len(qs) == 4 and all(q.witness is not None and q.difficulty == 2 for q in qs)
    assert [q.seed for q in qs] == [5, 6, 7, 8]


def test_unknown_topic_exits_2() -> None:
    r = runner.invoke(app, ["questions", "--topic", "nope", "--json"])
    assert r.exit_code == 2


@pytest.mark.live
def test_validate_passes_and_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    ok = runner.invoke(app, ["validate", "--topic", "conv_params", "--seeds", "3", "--jobs", "1"])
    assert ok.exit_code == 0, ok.output
    assert "conv_params.count" in ok.stdout and "all 27 questions match" in ok.stdout

    real = REGISTRY["conv_params.count"]

    def off_by_one(rng, difficulty):  # type: ignore[no-untyped-def]
        draft = real.fn(rng, difficulty)
        return {**draft, "key": draft["key"] + 1}

    monkeypatch.setitem(
        REGISTRY,
        "conv_params.count",
        GeneratorSpec(real.id, real.topic, real.title, real.version, real.kind, off_by_one),
    )
    bad = runner.invoke(app, ["validate", "--topic", "conv_params", "--seeds", "2", "--jobs", "1"])
    assert bad.exit_code == 1
    assert "6 mismatches" in bad.stdout
    assert "(conv_params.count, seed=0, d=1, expected=" in bad.stdout
