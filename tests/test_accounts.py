"""Accounts beyond passwords, on SQLite and PostgreSQL: signed session tokens and sign-out, sealed link tokens,
join codes and self-registration, the first run, each user's self-study record, and a student's progress.

The services refuse what a role may not do whatever a page shows: these tests call them as the wrong user."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from grader import db as D
from grader import services as S
from grader import srs
from grader.services.sessions import SECRET_SETTING
from quizbank.generators import generate

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
GEN = "conv_params.count"


@dataclass
class World:
    sf: D.SessionFactory
    prof: S.UserOut
    ada: S.UserOut
    bob: S.UserOut
    loner: S.UserOut  # a student in no course
    course: S.CourseOut
    join_code: str


@pytest.fixture
def w(sf: D.SessionFactory) -> World:
    prof = S.create_user(sf, "prof", "instructor", password="correct horse")
    course = S.create_course(sf, prof.id, "CNN101", "CNNs")
    [mine] = S.list_my_courses(sf, prof.id)
    assert mine.join_code is not None
    ada = S.register_student(sf, "ada", "ada's password", mine.join_code)
    bob = S.register_student(sf, "bob", "bob's password", mine.join_code.lower())
    loner = S.create_user(sf, "loner", "student", password="lonely password")
    return World(sf, prof, ada, bob, loner, course, mine.join_code)


def _count(sf: D.SessionFactory, model: type[D.Base]) -> int:
    with D.read_session(sf) as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


# ------------------------------------------------------------------ session tokens


def test_a_session_token_signs_its_user_in_until_it_expires(w: World) -> None:
    tok = S.issue_session_token(w.sf, w.ada.id, ttl=dt.timedelta(hours=2), now=T0)
    assert tok.expires_at == T0 + dt.timedelta(hours=2)
    assert S.verify_session_token(w.sf, tok.token, now=T0 + dt.timedelta(minutes=119)).id == w.ada.id
    with pytest.raises(S.InvalidSession) as e:
        S.verify_session_token(w.sf, tok.token, now=T0 + dt.timedelta(hours=2))
    assert e.value.reason == "expired" and "expired" in str(e.value)


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda t: t.replace(".", ".9", 1), "tampered"),  # another user id, the old signature
        (
            lambda t: ".".join([*t.split(".")[:2], str(int(t.split(".")[2]) + 86400 * 365), *t.split(".")[3:]]),
            "tampered",
        ),
        (lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), "tampered"),
        (lambda t: t.split(".", 1)[1], "malformed"),
        (lambda t: "", "malformed"),
        (lambda t: t + "." + "x" * 600, "malformed"),
        (lambda t: "s1.a.b.c.d", "malformed"),
    ],
)
def test_a_tampered_or_malformed_token_is_refused(w: World, mangle, reason: str) -> None:  # type: ignore[no-untyped-def]
    tok = S.issue_session_token(w.sf, w.ada.id, now=T0).token
    with pytest.raises(S.InvalidSession) as e:
        S.verify_session_token(w.sf, mangle(tok), now=T0)
    assert e.value.reason == reason
    assert str(e.value) == S.InvalidSession.MESSAGES[reason]


def test_sign_out_revokes_every_earlier_token_of_that_user_only(w: World) -> None:
    a1 = S.issue_session_token(w.sf, w.ada.id, now=T0).token
    a2 = S.issue_session_token(w.sf, w.ada.id, now=T0).token
    b = S.issue_session_token(w.sf, w.bob.id, now=T0).token
    S.revoke_sessions(w.sf, w.ada.id)
    for t in (a1, a2):
        with pytest.raises(S.InvalidSession) as e:
            S.verify_session_token(w.sf, t, now=T0)
        assert e.value.reason == "revoked"
    assert S.verify_session_token(w.sf, b, now=T0).id == w.bob.id
    fresh = S.issue_session_token(w.sf, w.ada.id, now=T0).token  # signing in again works
    assert S.verify_session_token(w.sf, fresh, now=T0).id == w.ada.id
    with pytest.raises(S.NotFound):
        S.revoke_sessions(w.sf, 10_000)


def test_a_deleted_user_is_refused(w: World) -> None:
    tok = S.issue_session_token(w.sf, w.loner.id, now=T0).token
    with D.write_session(w.sf) as s:
        s.delete(s.get(D.User, w.loner.id))
    with pytest.raises(S.InvalidSession) as e:
        S.verify_session_token(w.sf, tok, now=T0)
    assert e.value.reason == "unknown_user"


def test_the_secret_is_created_once_and_kept_in_the_database(w: World, db_url: str) -> None:
    first = S.signing_secret(w.sf)
    assert len(first) == 32
    tok = S.issue_session_token(w.sf, w.ada.id, now=T0).token
    other = D.make_engine(db_url)  # another process: its own engine, the same database
    try:
        sf2 = D.session_factory(other)
        assert S.signing_secret(sf2) == first
        assert S.verify_session_token(sf2, tok, now=T0).id == w.ada.id
    finally:
        other.dispose()
    with D.read_session(w.sf) as s:
        assert s.get(D.ServerSecret, SECRET_SETTING) is not None


def test_sealed_tokens_hide_and_protect_their_data(w: World) -> None:
    data = b"conv_params.count|123456|2"
    tok = S.seal(w.sf, "practice", data)
    assert S.unseal(w.sf, "practice", tok) == data
    assert S.seal(w.sf, "practice", data) == tok  # deterministic: one variant, one link
    assert b"conv_params" not in tok.encode() and "123456" not in tok
    with pytest.raises(S.InvalidToken):
        S.unseal(w.sf, "other-purpose", tok)
    flipped = tok[:20] + ("A" if tok[20] != "A" else "B") + tok[21:]
    with pytest.raises(S.InvalidToken, match="altered"):
        S.unseal(w.sf, "practice", flipped)
    with pytest.raises(S.InvalidToken, match="too short"):
        S.unseal(w.sf, "practice", tok[:10])
    with pytest.raises(S.InvalidToken):
        S.unseal(w.sf, "practice", "not base64 at all!")


# ------------------------------------------------------------------ join codes, registration, first run


def test_join_codes_enrol_students_and_only_students(w: World) -> None:
    [ada_course] = S.list_my_courses(w.sf, w.ada.id)
    assert ada_course.role == "student" and ada_course.join_code is None and ada_course.students is None
    [prof_course] = S.list_my_courses(w.sf, w.prof.id)
    assert prof_course.students == 2 and len(w.join_code) == 8
    assert S.join_course(w.sf, w.loner.id, f" {w.join_code[:4]}-{w.join_code[4:]} ").id == w.course.id
    assert S.join_course(w.sf, w.loner.id, w.join_code).id == w.course.id  # twice: no change
    assert _count(w.sf, D.Enrolment) == 4
    with pytest.raises(S.NotFound, match="join code"):
        S.join_course(w.sf, w.loner.id, "ZZZZZZZZ")
    other = S.create_user(w.sf, "other-prof", "instructor")
    with pytest.raises(S.AccessDenied):
        S.join_course(w.sf, other.id, w.join_code)  # an instructor cannot make themselves a member


def test_only_the_courses_instructor_sees_or_replaces_its_join_code(w: World) -> None:
    with pytest.raises(S.AccessDenied):
        S.new_course_join_code(w.sf, w.ada.id, w.course.id)
    code = S.new_course_join_code(w.sf, w.prof.id, w.course.id)
    assert code != w.join_code
    with pytest.raises(S.NotFound):
        S.join_course(w.sf, w.loner.id, w.join_code)
    assert S.join_course(w.sf, w.loner.id, code).id == w.course.id
    assert [c.course.id for c in S.list_my_courses(w.sf, w.ada.id)] == [w.course.id]  # still enrolled


def test_registration_needs_a_valid_code_and_creates_nothing_without_one(w: World) -> None:
    before = _count(w.sf, D.User)
    with pytest.raises(S.NotFound):
        S.register_student(w.sf, "carol", "carol's password", "WRONG123")
    with pytest.raises(ValueError, match="at least 8"):
        S.register_student(w.sf, "carol", "short", w.join_code)
    with pytest.raises(ValueError, match="username"):
        S.register_student(w.sf, "carol\n", "carol's password", w.join_code)
    with pytest.raises(S.Conflict, match="taken"):
        S.register_student(w.sf, "ada", "another password", w.join_code)
    assert _count(w.sf, D.User) == before
    carol = S.register_student(w.sf, "carol", "carol's password", w.join_code, display_name=" Carol ")
    assert carol.role == "student" and carol.display_name == "Carol"
    assert S.authenticate(w.sf, "carol", "carol's password") == carol


def test_first_run_sets_up_once(sf: D.SessionFactory) -> None:
    assert not S.has_users(sf)
    out = S.first_run(sf, "teacher", "teacher password", course_code="DEMO1", course_title="Demo", now=T0)
    assert out.instructor.role == "instructor" and S.has_users(sf)
    assert len(out.join_code) == 8 and len(out.assessments) == len(S.DEMO_ASSESSMENTS)
    assert all(a.kind == "self_study" and a.questions > 0 for a in out.assessments)
    assert S.authenticate(sf, "teacher", "teacher password") == out.instructor
    # a student can register with the printed code and sees the demo questions with their keys (self-study)
    stu = S.register_student(sf, "stu", "student password", out.join_code)
    qs = S.list_questions(sf, stu.id, out.assessments[0].id, now=T0)
    assert qs and all(q.key_released for q in qs)
    with pytest.raises(S.Conflict, match="already set up"):
        S.first_run(sf, "intruder", "intruder password")
    assert S.authenticate(sf, "intruder", "intruder password") is None


def test_a_student_cannot_create_courses_or_assessments(w: World) -> None:
    with pytest.raises(S.AccessDenied):
        S.create_course(w.sf, w.ada.id, "HACK", "Hack")
    with pytest.raises(S.AccessDenied):
        S.create_assessment(w.sf, w.ada.id, w.course.id, "x", "self_study", [{"generator": GEN, "count": 1}])
    with pytest.raises(S.AccessDenied):
        S.enrol(w.sf, w.ada.id, w.course.id, w.loner.id)


# ------------------------------------------------------------------ the self-study record


def test_practice_answers_are_recorded_and_first_tries_review_the_concept(w: World) -> None:
    inst = S.add_practice_question(w.sf, w.ada.id, GEN, 11, 2, now=T0)
    q = generate(GEN, 11, 2)
    trap = q.traps[0]  # type: ignore[union-attr]
    bad = S.answer_practice(w.sf, w.ada.id, inst.id, "twelve", "k0", 5000, now=T0)
    assert bad.result.status == "format_error" and bad.card is None  # nothing stored, no try spent
    first = S.answer_practice(w.sf, w.ada.id, inst.id, str(trap.value), "k1", 5000, now=T0)
    assert first.result.status == "recorded" and first.result.response is not None
    assert first.result.response.try_number == 1 and first.result.response.correct is False
    assert first.result.response.trap == trap.trap
    assert first.rating == "Again" and first.card is not None and first.card.reviews == 1
    second = S.answer_practice(w.sf, w.ada.id, inst.id, str(q.key), "k2", 9000, now=T0)
    assert second.result.response is not None and second.result.response.correct
    assert second.card is None and second.rating is None  # a second try is not a review
    again = S.answer_practice(w.sf, w.ada.id, inst.id, str(trap.value), "k1", 5000, now=T0)
    assert again.result.status == "duplicate" and again.card is not None and again.card.reviews == 1
    with pytest.raises(S.TriesExhausted):
        S.answer_practice(w.sf, w.ada.id, inst.id, str(q.key), "k3", 1000, now=T0)
    assert _count(w.sf, D.ReviewLog) == 1
    # one personal record, in ada's course, that her instructor can read
    aid = S.practice_assessment_id(w.sf, w.ada.id)
    assert aid == S.practice_assessment_id(w.sf, w.ada.id, now=T0)
    assert len(S.list_responses(w.sf, w.prof.id, aid)) == 2


def test_nobody_answers_someone_elses_practice(w: World) -> None:
    inst = S.add_practice_question(w.sf, w.ada.id, GEN, 3, 1, now=T0)
    with pytest.raises(S.AccessDenied):
        S.answer_practice(w.sf, w.bob.id, inst.id, "1", "k", now=T0)
    with pytest.raises(S.AccessDenied):
        S.answer_practice(w.sf, w.prof.id, inst.id, "1", "k", now=T0)
    with pytest.raises(S.NotFound):
        S.answer_practice(w.sf, w.ada.id, 99_999, "1", "k", now=T0)
    # a question of a course assessment is not a practice question
    a = S.create_assessment(w.sf, w.prof.id, w.course.id, "hw", "homework", [{"generator": GEN, "count": 1}], now=T0)
    [shared] = S.list_questions(w.sf, w.prof.id, a.id, now=T0)
    with pytest.raises(S.AccessDenied):
        S.answer_practice(w.sf, w.ada.id, shared.instance.id, "1", "k", now=T0)


def test_a_user_in_no_course_is_told_how_to_get_a_record(w: World) -> None:
    with pytest.raises(S.NotFound, match="join"):
        S.add_practice_question(w.sf, w.loner.id, GEN, 1, 1, now=T0)


def test_reviews_serve_fresh_variants_into_the_record(w: World) -> None:
    v1 = S.next_review_question(w.sf, w.ada.id, "pooling", seed=1, now=T0)
    v2 = S.next_review_question(w.sf, w.ada.id, "pooling", seed=1, now=T0)
    assert v1.instance.topic == v2.instance.topic == "pooling"
    assert (v1.instance.generator, v1.instance.seed) != (v2.instance.generator, v2.instance.seed)
    assert v1.instance.owner_id == w.ada.id and v1.instance.difficulty == 1
    card = S.get_review_card(w.sf, w.ada.id, "pooling")
    assert card is not None and card.reviews == 0
    fresh = generate(v1.instance.generator, v1.instance.seed, v1.instance.difficulty)
    raw = str(fresh.key if not isinstance(fresh.key, list) else ",".join(fresh.key))
    out = S.answer_practice(w.sf, w.ada.id, v1.instance.id, raw, "r1", 4000, now=T0)
    assert out.result.response is not None and out.result.response.correct
    assert out.rating == "Easy" and out.card is not None and out.card.due > T0
    [log] = S.review_history(w.sf, w.ada.id)
    assert log.concept == "pooling" and log.rating == 4 and log.log["correct"] is True
    assert [c.concept for c in S.list_review_cards(w.sf, w.ada.id)] == ["pooling"]
    assert S.list_review_cards(w.sf, w.bob.id) == []


# ------------------------------------------------------------------ progress


def test_progress_counts_first_tries_traps_and_hides_unreleased_exams(w: World) -> None:
    q = generate(GEN, 11, 2)
    trap = q.traps[0]  # type: ignore[union-attr]
    for i, seed in enumerate((11, 11, 11)):
        inst = S.add_practice_question(w.sf, w.ada.id, GEN, seed, 2, now=T0)
        S.answer_practice(w.sf, w.ada.id, inst.id, str(trap.value if i < 2 else q.key), f"p{i}", 30_000, now=T0)
    exam = S.create_assessment(
        w.sf,
        w.prof.id,
        w.course.id,
        "Exam",
        "exam",
        [{"generator": GEN, "count": 1, "difficulty": 2}],
        seed=5,
        opens_at=T0,
        closes_at=T0 + dt.timedelta(hours=1),
        now=T0,
    )
    att = S.start_attempt(w.sf, w.ada.id, exam.id, now=T0)
    [eq] = S.list_questions(w.sf, w.prof.id, exam.id, now=T0)
    ek = generate(eq.instance.generator, eq.instance.seed, eq.instance.difficulty)
    S.submit_answer(w.sf, w.ada.id, att.id, eq.instance.id, str(ek.traps[0].value), "e1", now=T0)  # type: ignore[union-attr]
    S.finish_attempt(w.sf, w.ada.id, att.id, now=T0 + dt.timedelta(minutes=5))

    during = S.student_progress(w.sf, w.ada.id, now=T0 + dt.timedelta(minutes=10))
    [topic] = during.topics
    assert (topic.topic, topic.answered, topic.first_try_correct, topic.reviews) == ("conv_params", 3, 1, 3)
    assert topic.retrievability is not None and 0 < topic.retrievability <= 1
    assert [(t.trap, t.generator, t.count) for t in during.traps] == [(trap.trap, GEN, 2)]  # the exam's is hidden
    [summary] = during.attempts  # the self-study record is not an "attempt" here
    assert summary.title == "Exam" and summary.score is None and summary.max_score == 1.0

    after = S.student_progress(w.sf, w.ada.id, now=T0 + dt.timedelta(hours=2))
    assert after.attempts[0].score == 0.0
    assert sum(t.count for t in after.traps) == 3
    assert S.student_progress(w.sf, w.bob.id, now=T0).topics == []  # nobody sees anyone else's


def test_card_stability_grows_with_good_reviews(w: World) -> None:
    t = T0
    for i in range(3):
        inst = S.add_practice_question(w.sf, w.ada.id, GEN, 100 + i, 1, now=t)
        key = generate(GEN, 100 + i, 1).key
        S.answer_practice(w.sf, w.ada.id, inst.id, str(key), f"g{i}", 60_000, now=t)
        card = S.get_review_card(w.sf, w.ada.id, "conv_params")
        assert card is not None
        t = card.due
    stab = srs.load_card(json.dumps(card.card)).stability
    assert stab is not None and stab > 1.0


def test_migrating_an_existing_database_gives_its_courses_join_codes(db_url: str) -> None:
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    script = ScriptDirectory.from_config(D.alembic_config(db_url))
    [accounts] = [r for r in script.walk_revisions() if r.path.endswith("_accounts.py")]
    D.downgrade(db_url, accounts.down_revision)  # the revision before join codes existed
    engine = D.make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO courses (code, title, created_at) VALUES ('OLD1', 'Old', :t), ('OLD2', 'Old', :t)"),
                {"t": T0.replace(tzinfo=None) if engine.dialect.name == "sqlite" else T0},
            )
        D.upgrade(db_url)
        with engine.connect() as conn:
            codes = [r[0] for r in conn.execute(text("SELECT join_code FROM courses ORDER BY code"))]
        assert len(codes) == 2 and len(set(codes)) == 2
        assert all(len(c) == 8 and set(c) <= set(S.normalize_join_code(c)) for c in codes)
    finally:
        engine.dispose()


# ------------------------------------------------------------------ rate limits and the password change

MINUTE = dt.timedelta(minutes=1)


def test_sign_in_is_throttled_per_username_across_processes(w: World, db_url: str) -> None:
    for i in range(S.SIGN_IN.failures):
        assert S.sign_in(w.sf, "ada", f"guess {i}", now=T0 + i * MINUTE) is None
    late = T0 + (S.SIGN_IN.failures - 1) * MINUTE
    # another app process on the same database sees the same count: the right password is not even checked
    other = D.make_engine(db_url)
    try:
        with pytest.raises(S.TooManyAttempts) as e:
            S.sign_in(D.session_factory(other), "ada", "ada's password", now=late)
    finally:
        other.dispose()
    # the first failure leaves the 15-minute window at T0 + 15 min: 11 minutes from `late`
    assert e.value.retry_after == T0 + S.SIGN_IN.window - late
    assert str(e.value) == "Too many attempts, try again in 11 minutes."
    assert S.authenticate(w.sf, "ada", "ada's password") is not None  # the account itself is fine
    # another username is not affected; case does not open a second counter
    assert S.sign_in(w.sf, "bob", "bob's password", now=late) is not None
    with pytest.raises(S.TooManyAttempts):
        S.sign_in(w.sf, "ADA", "ada's password", now=late)
    # once the oldest failure leaves the window, one more try is allowed; the right password clears the count
    assert S.sign_in(w.sf, "ada", "ada's password", now=T0 + S.SIGN_IN.window + MINUTE).id == w.ada.id  # type: ignore[union-attr]
    assert S.throttle.failures(w.sf, S.SIGN_IN, "ada") == 0


def test_sign_in_is_throttled_per_client_over_many_usernames(w: World) -> None:
    for i in range(S.SIGN_IN_CLIENT.failures):
        assert S.sign_in(w.sf, f"user{i}", "guess", client="203.0.113.7", now=T0) is None
    with pytest.raises(S.TooManyAttempts, match="try again in 15 minutes"):
        S.sign_in(w.sf, "ada", "ada's password", client="203.0.113.7", now=T0 + dt.timedelta(seconds=10))
    assert S.sign_in(w.sf, "ada", "ada's password", client="198.51.100.2", now=T0) is not None  # another client


def test_join_codes_are_throttled_per_client_and_per_account(w: World) -> None:
    for i in range(S.JOIN.failures):
        with pytest.raises(S.NotFound):
            S.register_with_code(w.sf, f"guesser{i}", "a long password", f"WRONG{i:03d}", client="203.0.113.9", now=T0)
    with pytest.raises(S.TooManyAttempts):  # even the right code: the guesser is locked out for the window
        S.register_with_code(w.sf, "carol", "carol's password", w.join_code, client="203.0.113.9", now=T0)
    assert _count(w.sf, D.User) == 4  # no account was created by any of them
    carol = S.register_with_code(w.sf, "carol", "carol's password", w.join_code, client="198.51.100.2", now=T0)
    assert carol.username == "carol"
    # a signed-in account is counted as itself, wherever it comes from
    for i in range(S.JOIN.failures):
        with pytest.raises(S.NotFound):
            S.join_with_code(w.sf, w.loner.id, f"NOPE{i:04d}", client=f"192.0.2.{i}", now=T0)
    with pytest.raises(S.TooManyAttempts, match="Too many attempts"):
        S.join_with_code(w.sf, w.loner.id, w.join_code, client="192.0.2.200", now=T0 + MINUTE)
    assert S.list_my_courses(w.sf, w.loner.id) == []
    assert S.join_with_code(w.sf, w.loner.id, w.join_code, now=T0 + S.JOIN.window + MINUTE).id == w.course.id


def test_a_password_change_needs_the_old_password_and_ends_every_session(w: World) -> None:
    tok = S.issue_session_token(w.sf, w.ada.id).token
    with pytest.raises(S.WrongPassword):
        S.change_password(w.sf, w.ada.id, "not my password", "a brand new password")
    assert S.throttle.failures(w.sf, S.SIGN_IN, "ada") == 1  # a wrong current password is a failed sign-in
    with pytest.raises(ValueError, match="at least 8"):
        S.change_password(w.sf, w.ada.id, "ada's password", "short")
    assert S.verify_session_token(w.sf, tok).id == w.ada.id  # nothing changed so far
    S.change_password(w.sf, w.ada.id, "ada's password", "a brand new password")
    assert S.authenticate(w.sf, "ada", "ada's password") is None
    assert S.authenticate(w.sf, "ada", "a brand new password") == w.ada
    with pytest.raises(S.InvalidSession) as e:
        S.verify_session_token(w.sf, tok)
    assert e.value.reason == "revoked"
    assert S.verify_session_token(w.sf, S.issue_session_token(w.sf, w.ada.id).token).id == w.ada.id
    assert S.authenticate(w.sf, "bob", "bob's password") == w.bob  # only ada's account changed
    for i in range(S.SIGN_IN.failures):  # guessing the current password is throttled like signing in
        with pytest.raises(S.WrongPassword):
            S.change_password(w.sf, w.ada.id, f"guess {i}", "another new password")
    with pytest.raises(S.TooManyAttempts):
        S.change_password(w.sf, w.ada.id, "a brand new password", "another new password")
