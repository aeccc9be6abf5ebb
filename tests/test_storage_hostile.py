"""Student-controlled strings that PostgreSQL refuses (NUL, lone surrogates) are stored sanitised, the exact file
is kept, and one submission that cannot be stored never stops the rest of a batch. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from pathlib import Path

from grader import db as D
from grader import services as S
from grader.autograde import report
from grader.autograde.checker import CheckResult
from grader.autograde.grade import GradeResult

NUL_SOURCE = "def build_model():\n    return None  # \x00 a NUL\n"
SURROGATE_SOURCE = "def build_model():\n    return '\ud800'  # a lone surrogate\n"
BAD_UTF8 = b"def build_model():\n    return 1  # \xff\xfe not UTF-8, and a NUL \x00\n"


def test_hostile_sources_are_stored_and_the_exact_bytes_kept(sf: D.SessionFactory) -> None:
    eve = S.create_user(sf, "eve", "student")
    for source in (NUL_SOURCE, SURROGATE_SOURCE, BAD_UTF8, "def build_model():\n    return 1\n"):
        raw = source if isinstance(source, bytes) else source.encode("utf-8", "surrogatepass")
        sub = S.record_code_submission(sf, eve.id, "lenet5", "x.py", source)
        stored = S.code_submission_source(sf, eve.id, sub.id)
        assert "\x00" not in stored and not any("\ud800" <= ch <= "\udfff" for ch in stored)
        assert S.code_submission_bytes(sf, eve.id, sub.id) == raw
        assert sub.sha256 == hashlib.sha256(raw).hexdigest()
    with D.read_session(sf) as s:  # a clean file is stored once, as text only
        clean = s.query(D.CodeSubmission).order_by(D.CodeSubmission.id.desc()).first()
        assert clean is not None and clean.source_bytes is None


def test_hostile_strings_in_a_verdict_are_stored(sf: D.SessionFactory) -> None:
    eve = S.create_user(sf, "eve", "student")
    sub = S.record_code_submission(sf, eve.id, "lenet5", "x.py", "def build_model():\n    pass\n")
    results = {
        "message": "Traceback\x00 forged \ud83d",
        "checks": [{"name": "layer conv\x00", "message": "layer 'c\udc80' has 3 filters"}],
        "layers\x00": {"k\ud800": "v"},
    }
    got = S.set_code_verdict(sf, sub.id, "runtime_error", 0.0, 8.0, results)
    assert got.results is not None
    text = repr(got.results)
    assert "\\x00" not in text and "\ud800" not in text and "forged" in got.results["message"]
    assert got.results["checks"][0]["name"] == "layer conv\ufffd"
    assert S.record_code_verdict_once(sf, sub.id, "ok", 8.0, 8.0, results) is False  # already recorded: kept


def _result(path: Path, message: str = "") -> GradeResult:
    check = CheckResult(name="n\x00", points=0, max_points=1, passed=False, message=message, concept="c")
    return GradeResult(
        file=str(path), task="lenet5", verdict="ok", score=0, max_score=8, message=message, checks=[check]
    )


def test_one_submission_that_cannot_be_stored_never_costs_the_others(sf: D.SessionFactory, tmp_path: Path) -> None:
    ada = S.create_user(sf, "ada", "student")
    bob = S.create_user(sf, "bob", "student")
    files = {name: tmp_path / f"{name}.py" for name in ("ada", "eve", "bob")}
    files["ada"].write_bytes(b"def build_model():\n    return 1  # \x00\n")
    files["eve"].write_bytes(b"def build_model():\n    pass\n")
    files["bob"].write_bytes(SURROGATE_SOURCE.encode("utf-8", "surrogatepass"))
    owners = {str(files["ada"]): ada.id, str(files["eve"]): 10**9, str(files["bob"]): bob.id}  # eve: no such user
    url = str(sf.kw["bind"].url.render_as_string(hide_password=False))
    ids, failures = report.store(url, owners, "lenet5", [_result(f, "forged\x00 \ud800") for f in files.values()])
    assert [f.file for f in failures] == [str(files["eve"])] and "NotFound" in failures[0].error
    assert len(ids) == 2
    assert S.code_submission_bytes(sf, ada.id, ids[0]) == files["ada"].read_bytes()
    assert S.code_submission_bytes(sf, bob.id, ids[1]) == files["bob"].read_bytes()
    assert S.get_code_submission(sf, bob.id, ids[1]).results["message"] == "forged\ufffd \ufffd"
