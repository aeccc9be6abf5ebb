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


def test_users_add_and_courses_add_print_a_join_code_students_can_use(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import re

    from grader import db as D
    from grader import services as S

    url = f"sqlite:///{tmp_path / 'fresh' / 'cnnquiz.sqlite'}"  # not migrated yet: the commands do it
    pw = tmp_path / "pw.txt"
    pw.write_text("a long password\nignored second line\n")
    r = runner.invoke(app, ["users", "add", "prof", "--role", "instructor", "--password-file", str(pw), "--url", url])
    assert r.exit_code == 0, r.output
    assert "created instructor prof" in r.stdout
    r = runner.invoke(app, ["courses", "add", "CNN101", "CNN architectures", "--instructor", "prof", "--url", url])
    assert r.exit_code == 0, r.output
    code = re.search(r"join code: (\S+)", r.stdout)
    assert code is not None and len(code.group(1)) == 8
    r = runner.invoke(
        app,
        ["users", "add", "ada", "--role", "student", "--password-file", str(pw), "--join", code.group(1), "--url", url],
    )
    assert r.exit_code == 0, r.output
    assert "enrolled ada in CNN101" in r.stdout
    engine = D.make_engine(url)
    try:
        sf = D.session_factory(engine)
        prof = S.authenticate(sf, "prof", "a long password")
        ada = S.authenticate(sf, "ada", "a long password")
        assert prof is not None and prof.role == "instructor" and ada is not None and ada.role == "student"
        assert [c.course.code for c in S.list_my_courses(sf, ada.id)] == ["CNN101"]
    finally:
        engine.dispose()


def test_users_and_courses_refuse_with_clear_errors(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'cnnquiz.sqlite'}"
    pw = tmp_path / "pw.txt"
    pw.write_text("a long password\n")
    short = tmp_path / "short.txt"
    short.write_text("short\n")

    def run(*args: str) -> tuple[int, str]:
        r = runner.invoke(app, [*args, "--url", url])
        return r.exit_code, r.output

    assert run("users", "add", "x", "--role", "admin", "--password-file", str(pw)) == (
        2,
        "error: --role is instructor or student, not 'admin'\n",
    )
    code, output = run("users", "add", "x", "--role", "student", "--password-file", str(short))
    assert code == 2 and "at least 8 characters" in output
    code, output = run("users", "add", "x", "--role", "student")  # no file and no terminal to ask in
    assert code == 2 and "--password-file" in output
    code, output = run("users", "add", "bad name", "--role", "student", "--password-file", str(pw))
    assert code == 2 and "username" in output
    assert run("users", "add", "ada", "--role", "student", "--password-file", str(pw))[0] == 0
    code, output = run("users", "add", "ada", "--role", "student", "--password-file", str(pw))
    assert code == 2 and "taken" in output
    code, output = run("courses", "add", "C1", "Course", "--instructor", "nobody")
    assert code == 2 and "no user 'nobody'" in output
    code, output = run("courses", "add", "C1", "Course", "--instructor", "ada")
    assert code == 2 and "only instructors" in output
    code, output = run("users", "add", "bob", "--role", "student", "--password-file", str(pw), "--join", "NOPE2345")
    assert code == 2 and "join code" in output
    code, output = run("courses", "add", "C1", "Course", "--instructor", "bob")
    assert code == 2 and "no user 'bob'" in output  # the mistyped join code created no account
