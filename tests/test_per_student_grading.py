"""Grading an exam with a variant per student: the gradebook's positional columns, the statistics per blueprint slot,
options relabelled (a), (b), (c)… in the order shown (and answers in those labels credited to the option shown
there), and the attempt card that reads keys and answers as the options' texts.

Expected values are worked out here from the stored rows and the public engine (the generator, the option order as
stored, the seed derivation under the server secret), never read off the code under test.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from grader import db as D
from grader import services as S
from grader.analytics import item_statistics
from grader.export import export_gradebook, gradebook_table, to_csv
from quizbank.exam import derive_seed, parse_blueprint, student_seed
from quizbank.generators import generate
from quizbank.schema import MultipleChoiceQuestion, MultiSelectQuestion, NumericQuestion
from ui import analytics_view as AV
from ui import exam_builder_view as EB
from ui import gradebook_view as GV
from ui.mathtext import render_md

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
RELEASE = T0 + 48 * HOUR
BP = {
    "title": "Midterm",
    "seed": 5,
    "same_for_everyone": False,
    "shuffle_questions": True,
    "shuffle_options": True,
    "items": [
        {"generator": "conv_params.pick", "count": 3, "difficulty": 1, "points": 2},
        {"generator": "equivariance.statements", "count": 2, "difficulty": 1},
        {"generator": "conv_params.count", "count": 1, "difficulty": 1, "points": 3},
    ],
    "schedule": {
        "opens": "2026-03-02T09:00:00Z",
        "closes": "2026-03-03T09:00:00Z",
        "attempts": 1,
        "key_release": "2026-03-04T09:00:00Z",
    },
}
N, POINTS = 6, 3 * 2 + 2 * 1 + 3
NAMES = ("ada", "bo", "cy", "dee", "eve")
PAGE = str(Path(__file__).resolve().parent.parent / "ui" / "pages" / "assessments.py")


# ------------------------------------------------------------------ the truth, from the stored rows and the engine


def _instances(sf: D.SessionFactory, aid: int, user_id: int) -> list[D.QuestionInstance]:
    with D.read_session(sf) as s:
        rows = s.execute(
            select(D.QuestionInstance)
            .where(D.QuestionInstance.assessment_id == aid, D.QuestionInstance.owner_id == user_id)
            .order_by(D.QuestionInstance.position)
        ).scalars()
        return list(rows)


def _generated(inst: D.QuestionInstance) -> Any:
    return generate(inst.generator, inst.seed, inst.difficulty)


def _shown(inst: D.QuestionInstance) -> list[tuple[str, Any]]:
    """``(label shown, option)`` in the order shown: the stored order, labelled a, b, c… down the page."""
    q = _generated(inst)
    by_id = {o.id: o for o in q.options}
    order = inst.option_order or [o.id for o in q.options]
    return [("abcdefgh"[k], by_id[oid]) for k, oid in enumerate(order)]


def _right_labels(inst: D.QuestionInstance) -> list[str]:
    return [label for label, o in _shown(inst) if o.correct]


def _answer(inst: D.QuestionInstance, right: bool) -> str:
    """The right answer to the question as shown, or a wrong one."""
    q = _generated(inst)
    if isinstance(q, NumericQuestion):
        return str(q.key) if right else str(q.key * 2 + 7)
    good = _right_labels(inst)
    if right:
        return ", ".join(good)
    return next(label for label, o in _shown(inst) if not o.correct)


@pytest.fixture
def w(sf: D.SessionFactory) -> dict[str, Any]:
    """Five students, each answering their own variant: right or wrong by a pattern that differs per student."""
    prof = S.create_user(sf, "prof", "instructor")
    course = S.create_course(sf, prof.id, "CNN101", "CNNs")
    students = []
    for name in NAMES:
        u = S.create_user(sf, name, "student")
        S.enrol(sf, prof.id, course.id, u.id)
        students.append(u)
    exam = S.publish_blueprint(sf, prof.id, course.id, parse_blueprint(BP), now=T0)
    attempts = {}
    for i, u in enumerate(students):
        att = S.start_attempt(sf, u.id, exam.id, now=T0 + HOUR)
        for inst in _instances(sf, exam.id, u.id):
            if (i + inst.position) % 5 == 4:
                continue  # left unanswered
            raw = _answer(inst, right=(i * 7 + inst.position * 3) % 4 != 0)
            r = S.submit_answer(sf, u.id, att.id, inst.id, raw, f"k{inst.id}", now=T0 + HOUR)
            assert r.status == "recorded", r
        S.finish_attempt(sf, u.id, att.id, now=T0 + 2 * HOUR)
        attempts[u.id] = att
    return {"sf": sf, "prof": prof, "course": course, "students": students, "exam": exam, "attempts": attempts}


def _scores_by_position(sf: D.SessionFactory, attempt_id: int) -> dict[int, float]:
    """The score of the last try of each question of an attempt, by the question's position."""
    with D.read_session(sf) as s:
        rows = s.execute(
            select(D.QuestionInstance.position, D.Response.try_number, D.Response.score)
            .join(D.QuestionInstance, D.QuestionInstance.id == D.Response.question_instance_id)
            .where(D.Response.attempt_id == attempt_id)
            .order_by(D.Response.try_number)
        ).all()
    return {pos: score for pos, _, score in rows}


# ------------------------------------------------------------------ the gradebook


def test_the_gradebook_fills_each_students_own_questions_positionally(w: dict[str, Any]) -> None:
    sf, prof, a = w["sf"], w["prof"], w["exam"]
    rows = gradebook_table(sf, prof.id, a.id)
    assert rows[0][8:] == [f"q{k}" for k in range(1, N + 1)]
    by_user = {int(r[0]): dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert set(by_user) == {u.id for u in w["students"]}
    for u in w["students"]:
        row = by_user[u.id]
        mine = _scores_by_position(sf, w["attempts"][u.id].id)
        assert mine and len(mine) < N  # some answered, some left
        for k in range(1, N + 1):
            cell = row[f"q{k}"]
            assert (cell == "") == (k not in mine), (u.username, k)
            if k in mine:
                assert float(cell) == pytest.approx(mine[k])
        assert float(row["score"]) == pytest.approx(sum(mine.values()))
        assert float(row["max_score"]) == POINTS
        assert float(row["percent"]) == pytest.approx(100 * sum(mine.values()) / POINTS, abs=0.05)
        grade = S.list_grades(sf, prof.id, a.id, user_id=u.id)[0]
        assert grade.score == pytest.approx(sum(mine.values()))
    # the same rows are the CSV
    assert export_gradebook(sf, prof.id, a.id) == to_csv(rows)


def test_an_override_shows_in_its_students_positional_column(w: dict[str, Any]) -> None:
    sf, prof, a = w["sf"], w["prof"], w["exam"]
    ada = w["students"][0]
    att = w["attempts"][ada.id]
    res = S.attempt_results(sf, prof.id, att.id)
    item = next(it for it in res.items if it.answer is not None and it.answer.score is not None)
    pos, old = item.question.instance.position, item.answer.score  # type: ignore[union-attr]
    new = 0.5 if old != 0.5 else 0.25
    S.override_score(sf, prof.id, item.answer.id, new, "partly right on paper", now=T0 + 3 * HOUR)  # type: ignore[union-attr]
    rows = gradebook_table(sf, prof.id, a.id)
    row = dict(zip(rows[0], next(r for r in rows[1:] if int(r[0]) == ada.id), strict=True))
    assert float(row[f"q{pos}"]) == new
    before = _scores_by_position(sf, att.id)
    assert float(row["score"]) == pytest.approx(sum(before.values()))
    assert before[pos] == new
    trail = S.list_score_changes(sf, prof.id, a.id)
    frame = GV.gradebook_frame(rows, GV.overridden_cells(trail, S.list_overridden(sf, prof.id, a.id)))
    marked = frame.set_index("Username")["Overridden"].to_dict()
    assert marked["ada"] == f"Q{pos}" and all(v == "" for k, v in marked.items() if k != "ada")


# ------------------------------------------------------------------ the statistics, per blueprint slot


def _slot_of(sf: D.SessionFactory, inst: D.QuestionInstance, username: str) -> int:
    """The blueprint slot (1-based) a student's instance was drawn at: the position whose keyed seed it carries."""
    with D.read_session(sf) as s:
        secret = S.server_secret(s, S.SEED_SECRET)
    base = student_seed(BP["seed"], username)  # type: ignore[arg-type]
    slots = [k for k in range(N) if derive_seed(base, k, secret) == inst.seed]
    assert len(slots) == 1
    return slots[0] + 1


def test_item_statistics_count_a_blueprint_slot_as_one_item(w: dict[str, Any]) -> None:
    sf, prof, a = w["sf"], w["prof"], w["exam"]
    # the truth: each counted answer, by the slot its question was drawn at
    marks: dict[int, dict[int, float]] = defaultdict(dict)  # student -> slot -> score
    gens: dict[int, set[str]] = defaultdict(set)
    maxes: dict[int, float] = {}
    moved = False
    for u in w["students"]:
        scores = _scores_by_position(sf, w["attempts"][u.id].id)
        for inst in _instances(sf, a.id, u.id):
            k = _slot_of(sf, inst, u.username)
            moved |= k != inst.position
            gens[k].add(inst.generator)
            maxes[k] = inst.points
            if inst.position in scores:
                marks[u.id][k] = scores[inst.position]
    assert moved, "the shuffle put some question away from its slot"
    assert all(len(g) == 1 for g in gens.values())  # a slot asks one generator of everyone

    records = S.assessment_records(sf, prof.id, a.id, final_only=True)
    assert {r.item for r in records} == {S.slot_item(k) for k in range(1, N + 1)}
    stats = {s.key: s for s in item_statistics(records)}
    students = sorted(marks)
    totals = {st: sum(marks[st].values()) for st in students}
    for k in range(1, N + 1):
        s = stats[S.slot_item(k)]
        answered = [st for st in students if k in marks[st]]
        xs = [marks[st][k] for st in answered]
        assert s.n == len(answered) > 1
        assert s.facility == pytest.approx(sum(xs) / len(xs) / maxes[k])
        rest = [totals[st] - marks[st][k] for st in answered]
        if np.std(xs) > 0 and np.std(rest) > 0:
            assert s.discrimination == pytest.approx(np.corrcoef(xs, rest)[0, 1], abs=1e-9)
        else:
            assert s.discrimination is None

    # the page's labels name every slot by its blueprint place and generator
    items = S.assessment_items(sf, prof.id, a.id)
    assert [(i.item, i.position) for i in items] == [(S.slot_item(k), k) for k in range(1, N + 1)]
    assert all({i.generator} == gens[i.position] for i in items)
    labels = AV.item_labels(items)
    frame = AV.stats_frame(list(stats.values()), labels)
    assert [q.split(":")[0] for q in frame["Question"]] == [f"Q{k}" for k in range(1, N + 1)]
    # the design factors still come from each student's own question
    factors = S.assessment_factor_records(sf, prof.id, a.id, final_only=True)
    assert [(r.item, r.score) for r in factors] == [(r.item, r.score) for r in records]
    with pytest.raises(S.AccessDenied):
        S.assessment_items(sf, w["students"][0].id, a.id)


def test_shared_questions_stay_items_of_their_own(sf: D.SessionFactory) -> None:
    prof = S.create_user(sf, "prof", "instructor")
    ada = S.create_user(sf, "ada", "student")
    course = S.create_course(sf, prof.id, "CNN101", "CNNs")
    S.enrol(sf, prof.id, course.id, ada.id)
    a = S.publish_blueprint(sf, prof.id, course.id, parse_blueprint({**BP, "same_for_everyone": True, "shuffle_questions": False, "shuffle_options": False}), now=T0)  # fmt: skip
    qs = S.list_questions(sf, prof.id, a.id, now=T0)
    items = S.assessment_items(sf, prof.id, a.id)
    assert [(i.item, i.position, i.generator) for i in items] == [
        (str(q.instance.id), q.instance.position, q.instance.generator) for q in qs
    ]


# ------------------------------------------------------------------ options relabelled as shown


def _choice_instances(sf: D.SessionFactory, a: Any, user_id: int) -> list[D.QuestionInstance]:
    return [i for i in _instances(sf, a.id, user_id) if i.option_order]


def test_a_student_answering_the_shown_a_gets_credit_iff_the_option_shown_as_a_is_right(
    sf: D.SessionFactory,
) -> None:
    prof = S.create_user(sf, "prof", "instructor")
    course = S.create_course(sf, prof.id, "CNN101", "CNNs")
    relabelled = differs = 0
    students = [S.create_user(sf, name, "student") for name in NAMES]
    for u in students:
        S.enrol(sf, prof.id, course.id, u.id)
    a = S.publish_blueprint(sf, prof.id, course.id, parse_blueprint(BP), now=T0)
    for u in students:
        uid = u.id
        att = S.start_attempt(sf, uid, a.id, now=T0 + HOUR)
        views = {v.instance.id: v for v in S.list_questions(sf, uid, a.id, now=T0 + HOUR)}
        for inst in _choice_instances(sf, a, uid):
            shown = _shown(inst)
            v = views[inst.id]
            assert v.options is not None and v.key is None
            # shown in the stored order, labelled a, b, c, d down the page
            assert [(o.id, o.text) for o in v.options] == [(label, o.text) for label, o in shown]
            first = shown[0][1]
            relabelled += inst.option_order[0] != "a"  # type: ignore[index]
            r = S.submit_answer(sf, uid, att.id, inst.id, "(a)", f"a{inst.id}", now=T0 + HOUR)
            assert r.status == "recorded" and r.response is not None
            assert r.response.parsed == ("a" if isinstance(_generated(inst), MultipleChoiceQuestion) else ["a"])
            # stored in the generator's own id: the option shown first
            with D.read_session(sf) as s:
                stored = s.get_one(D.Response, r.response.id)
                assert stored.parsed in (first.id, [first.id])
                assert stored.raw_text == "(a)"
                correct = stored.correct  # an exam: the student is told after the release
            q = _generated(inst)
            if isinstance(q, MultipleChoiceQuestion):
                assert correct is first.correct
                differs += first.correct != next(o for o in q.options if o.id == "a").correct
            else:
                assert isinstance(q, MultiSelectQuestion)
                assert correct is ([o.id for o in q.options if o.correct] == [first.id])
        S.finish_attempt(sf, uid, att.id, now=T0 + 2 * HOUR)
        # after the release the student reads the same verdicts, on the answer as they typed it
        for it in S.attempt_results(sf, uid, att.id, now=RELEASE).items:
            if it.question.options is not None:
                assert it.answer is not None and it.answer.parsed in ("a", ["a"])
                assert it.answer.correct is (it.question.key in ("a", ["a"]))
    assert relabelled, "some shuffle moved option (a) away from the top"
    assert differs, "some answer (a) is graded differently from the generator's own (a)"
    # the stored answers still name the options they were credited for: a regrade changes nothing
    out = S.regrade_assessment(sf, prof.id, a.id)
    assert out.responses > 0 and out.changes == [] and out.problems == []


def test_the_shown_key_earns_full_marks_and_is_shown_after_the_release(w: dict[str, Any]) -> None:
    sf, a, prof = w["sf"], w["exam"], w["prof"]
    u = S.create_user(sf, "fay", "student")
    S.enrol(sf, prof.id, w["course"].id, u.id)
    att = S.start_attempt(sf, u.id, a.id, now=T0 + HOUR)
    insts = _instances(sf, a.id, u.id)
    for inst in insts:
        S.submit_answer(sf, u.id, att.id, inst.id, _answer(inst, right=True), f"r{inst.id}", now=T0 + HOUR)
    g = S.finish_attempt(sf, u.id, att.id, now=T0 + 2 * HOUR)
    after = S.attempt_results(sf, u.id, att.id, now=RELEASE)
    assert after.grade is not None and after.grade.score == g.max_score == POINTS
    by_id = {inst.id: inst for inst in insts}
    for it in after.items:
        inst = by_id[it.question.instance.id]
        if inst.option_order:
            right = _right_labels(inst)
            assert it.question.key == (right if isinstance(it.question.key, list) else right[0])
            assert it.answer is not None
            assert it.answer.parsed == (right if isinstance(it.answer.parsed, list) else right[0])


def test_nothing_a_student_reads_before_the_release_names_a_generators_option_id(w: dict[str, Any]) -> None:
    """The labels say nothing of the order the options were generated in: the student's options read a, b, c, d
    and each answer comes back in the labels they typed, while the stored rows hold the generator's ids."""
    sf, a, prof = w["sf"], w["exam"], w["prof"]
    u = S.create_user(sf, "gus", "student")
    S.enrol(sf, prof.id, w["course"].id, u.id)
    now = T0 + HOUR
    att = S.start_attempt(sf, u.id, a.id, now=now)
    views = S.list_questions(sf, u.id, a.id, now=now)
    for v in views:
        assert v.options is None or [o.id for o in v.options] == sorted(o.id for o in v.options)
        assert S.get_question(sf, u.id, v.instance.id, now=now).options == v.options
    choice = _choice_instances(sf, a, u.id)
    assert any(inst.option_order != sorted(inst.option_order) for inst in choice)  # type: ignore[arg-type]
    seen = []
    for inst in choice:
        wrong = S.submit_answer(sf, u.id, att.id, inst.id, "z", f"z{inst.id}", now=now)
        assert wrong.status == "format_error" and "a, b, c, d" in (wrong.error or "")
        r = S.submit_answer(sf, u.id, att.id, inst.id, "b", f"b{inst.id}", now=now)
        dup = S.submit_answer(sf, u.id, att.id, inst.id, "b", f"b{inst.id}", now=now)
        assert dup.status == "duplicate"
        seen += [r.response, dup.response]
    seen += S.list_responses(sf, u.id, a.id, now=now)
    seen += [S.get_response(sf, u.id, r.id, now=now) for r in S.list_responses(sf, u.id, a.id, now=now)]
    seen += [it.answer for it in S.attempt_results(sf, u.id, att.id, now=now).items if it.answer is not None]
    assert seen and all(r is not None and r.parsed in ("b", ["b"]) for r in seen)
    assert all(r.correct is None for r in seen if r is not None)  # an exam: no grading before the release
    with D.read_session(sf) as s:
        stored = {
            r.question_instance_id: r.parsed
            for r in s.execute(select(D.Response).where(D.Response.attempt_id == att.id)).scalars()
        }
    for inst in choice:
        assert stored[inst.id] in (inst.option_order[1], [inst.option_order[1]])  # type: ignore[index]
    # the instructor reads the same labels the student saw
    mine = S.list_responses(sf, prof.id, a.id, user_id=u.id)
    assert all(r.parsed in ("b", ["b"]) for r in mine)


# ------------------------------------------------------------------ the attempt card and the builder's preview


def _option_line(label: str, o: Any) -> str:
    return f"({label}) {render_md(o.text)}"


def _lines(lines: list[str]) -> str:
    """One option inline, several as a Markdown list."""
    return lines[0] if len(lines) == 1 else "".join(f"\n- {line}" for line in lines)


def test_the_attempt_card_reads_keys_and_answers_as_the_options_texts(w: dict[str, Any]) -> None:
    sf, prof, a = w["sf"], w["prof"], w["exam"]
    checked = 0
    for u in w["students"][:2]:
        att = w["attempts"][u.id]
        res = S.attempt_results(sf, prof.id, att.id)
        cards = GV.attempt_items(res, [], set())
        by_id = {inst.id: inst for inst in _instances(sf, a.id, u.id)}
        for it, card in zip(res.items, cards, strict=True):
            inst = by_id[it.question.instance.id]
            q = _generated(inst)
            if isinstance(q, NumericQuestion):
                assert card.key == render_md(str(q.key))
                assert card.answer == ("" if it.answer is None else it.answer.raw_text)
                continue
            shown = _shown(inst)
            assert card.key == _lines([_option_line(label, o) for label, o in shown if o.correct])
            if it.answer is None:
                assert card.answer == ""
                continue
            with D.read_session(sf) as s:
                parsed = s.get_one(D.Response, it.answer.id).parsed
            picked = {parsed} if isinstance(parsed, str) else set(parsed)
            assert card.answer == _lines([_option_line(label, o) for label, o in shown if o.id in picked])
            checked += 1
    assert checked


def test_options_text_names_options_by_label_and_typeset_text() -> None:
    math = "$3 \\times 3$"
    options = [S.OptionView(id="a", text=math), S.OptionView(id="b", text="five")]
    assert GV.options_text(options, ["b", "a"]) == f"\n- (a) {render_md(math)}\n- (b) five"  # in the order shown
    assert GV.options_text(options, "b") == "(b) five"
    assert GV.options_text(None, "a") is None  # not a choice question
    assert GV.options_text(options, "c") is None and GV.options_text(options, 3) is None


def test_the_builders_preview_labels_shuffled_options_as_the_student_reads_them(sf: D.SessionFactory) -> None:
    prof = S.create_user(sf, "prof", "instructor")
    course = S.create_course(sf, prof.id, "CNN101", "CNNs")
    preview = EB.preview(sf, prof.id, course.id, parse_blueprint(BP), "sample-1")
    choice = [q for q in preview.questions if q.options]
    assert choice
    for q in choice:
        assert [o[: o.index(")") + 1] for o in q.options] == [f"({c})" for c in "abcd"[: len(q.options)]]  # type: ignore[union-attr]
        assert any(line in q.key for line in q.options)  # type: ignore[union-attr]  # the key names them by label
    assert math.isclose(preview.points, POINTS)


# ------------------------------------------------------------------ the student's page


def test_the_assessments_page_shows_a_b_c_d_and_reads_back_the_option_picked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    from ui.state import USER_KEY
    from ui.state import services as cached_services

    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    D.upgrade(url)
    monkeypatch.setenv("CNNQUIZ_DB_URL", url)
    cached_services.clear()
    engine = D.make_engine(url)
    try:
        sf = D.session_factory(engine)
        prof = S.create_user(sf, "prof", "instructor")
        course = S.create_course(sf, prof.id, "CNN101", "CNNs")
        now = D.utcnow()
        opens, closes = now - HOUR, now + 24 * HOUR
        bp = {
            **BP,
            "items": [{"generator": "conv_params.pick", "count": 4, "difficulty": 1}],
            "schedule": {"opens": opens, "closes": closes, "key_release": closes + HOUR},
        }
        # a student whose first shown option is not the generator's (a): the page must still read (a) for it
        students = [S.create_user(sf, f"s{n}", "student") for n in range(20)]
        for u in students:
            S.enrol(sf, prof.id, course.id, u.id)
        a = S.publish_blueprint(sf, prof.id, course.id, parse_blueprint(bp), now=now)
        student, inst = next(
            (u, i)
            for u in students
            for i in _instances(sf, a.id, u.id)[:1]
            if i.option_order and i.option_order[0] != "a"
        )
        at = AppTest.from_file(PAGE)
        at.session_state[USER_KEY] = student
        at.query_params["assessment"] = str(a.id)
        at.run()
        at.button(key=f"assess.start.{a.id}").click().run()
        assert not at.exception, at.exception
        (att,) = S.list_attempts(sf, student.id, a.id)
        radio = at.radio(key=f"assess.ans.{att.id}.{inst.id}")
        assert list(radio.options) == [f"({label}) {render_md(o.text)}" for label, o in _shown(inst)]
        radio.set_value("a").run()
        assert not at.exception, at.exception
        first = _shown(inst)[0][1]
        with D.read_session(sf) as s:
            r = s.execute(select(D.Response).where(D.Response.attempt_id == att.id)).scalar_one()
        assert (r.raw_text, r.parsed) == ("a", first.id)
        assert any(f"(a) {render_md(first.text)}" in c.value for c in at.caption)  # the saved answer, as shown
        S.finish_attempt(sf, student.id, att.id)
        S.update_assessment_times(sf, prof.id, a.id, key_release_at=D.utcnow() - dt.timedelta(seconds=1))
        after = AppTest.from_file(PAGE)
        after.session_state[USER_KEY] = student
        after.query_params["assessment"] = str(a.id)
        after.run()
        assert not after.exception, after.exception
        body = " ".join(m.value for m in after.markdown)
        assert f"Your answer: (a) {render_md(first.text)}" in body
        right = next((label, o) for label, o in _shown(inst) if o.correct)
        assert f"({right[0]}) {render_md(right[1].text)}" in body
    finally:
        cached_services.clear()
        engine.dispose()
