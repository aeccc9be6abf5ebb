"""Student-controlled text, made safe to show and marked as the submission's (no sandbox: pure functions)."""

from __future__ import annotations

from grader.autograde.display import clean, clean_line, from_submission, markup
from grader.autograde.grade import GradeResult
from grader.autograde.report import gradescope, prairielearn


def test_control_characters_become_visible_escapes() -> None:
    assert clean("a\x1b[2Jb\rc\x00d\x7f\x9b") == "a\\x1b[2Jb\\rc\\x00d\\x7f\\x9b"
    assert clean("tab\tand\nnewline") == "tab\tand\nnewline"
    assert clean("abc\u202edcba") == "abc\\u202edcba"  # a bidi override cannot reorder what is read
    assert clean_line("a\nb\tc") == "a\\nb\\tc"
    assert clean("plain ascii, é, 漢字") == "plain ascii, é, 漢字"


def test_rich_markup_is_escaped() -> None:
    from rich.console import Console

    console = Console(record=True, width=200, color_system=None)
    console.print(markup("eve[/]lenet5.py [bold]x[/bold] \x1b[31m"))
    assert console.export_text().strip() == "eve[/]lenet5.py [bold]x[/bold] \\x1b[31m"


def test_reports_fence_the_submissions_words_and_clean_everything() -> None:
    forged = "Traceback …\nRuntimeError: \x1b[32mverdict: ok; score 8/8"
    r = GradeResult(
        file="f.py", task="lenet5", verdict="runtime_error", score=0, max_score=8, message=forged,
        message_from_submission=True,
    )  # fmt: skip
    block = from_submission(forged, "message")
    assert block.startswith("----- message (from the submission, shown as is) -----\n")
    assert block.endswith("\n----- end of message -----") and "\x1b" not in block
    gs, pl = gradescope(r), prairielearn(r)
    assert gs.output == f"verdict: runtime_error; score 0/8\n{block}" and gs.tests[0].output == block
    assert pl.message == gs.output and pl.tests[0].message == block
    ours = GradeResult(
        file="f.py", task="lenet5", verdict="rejected", score=0, max_score=8, message="layer 'a\x1b[2J' too big"
    )
    assert gradescope(ours).output == "verdict: rejected; score 0/8\nlayer 'a\\x1b[2J' too big"  # not fenced
