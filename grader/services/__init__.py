"""Services: every write is one transaction that the service owns; every read checks who is asking.

Callers pass a session *factory* (:func:`grader.db.session_factory`) and the id of the acting
user; services open their own transaction (:func:`grader.db.write_session` /
:func:`grader.db.read_session`), retry it on a lost race (a unique-constraint or
serialization conflict), and return pydantic models, never ORM objects.

Access rules (enforced here, not only in the UI):

* an *instructor of a course* (an instructor enrolled in it as ``instructor``) may read and
  manage everything in it;
* a *student* may read only their own attempts, responses and grades, may see a question only
  once its assessment has opened, and never sees a key or an explanation before the
  assessment's ``key_release_at``; in an exam, scores, correctness and trap feedback are
  hidden too until the key is released;
* nor anything that regenerates a key: before the release a student gets the student views
  (:class:`StudentAssessmentOut`, :class:`StudentQuestionView` with a :class:`StudentQuestionOut`),
  without blueprint, seeds, generator, version, difficulty or params, and the per-position seeds
  are derived under a server secret that never leaves the database (:func:`server_secret`).

One module per aggregate: :mod:`.accounts` (users, authentication), :mod:`.courses` (courses,
enrolment), :mod:`.assessments` (blueprints, times, questions), :mod:`.attempts` (start, finish,
grades and the reads of them) with :mod:`.answers` (recording an answer, the hot path, and
:mod:`.group_commit`, its batched write), :mod:`.analytics` (the feed of graded responses),
:mod:`.review` (spaced-repetition cards), :mod:`.code` (code submissions and verdicts), :mod:`.sessions`
(the server secret, signed session tokens and sign-out, sealed link tokens), :mod:`.onboarding` (registering
with a join code, the first run), :mod:`.practice` (each user's own self-study record: practice answers and
reviews), :mod:`.progress` (a student's own mastery, traps, attempts and grades), :mod:`.grading` (manual score overrides
with their audit trail, regrades after a key fix);
:mod:`.common` holds the errors, the output models' base and the access checks. Every public
name is importable from ``grader.services``.
"""

from quizbank.exam import Blueprint, BlueprintItem, instantiate

from ..autograde.contract import MAX_SOURCE_BYTES
from .accounts import (
    MIN_PASSWORD,
    USERNAME_RULE,
    UserOut,
    authenticate,
    check_password,
    check_username,
    create_user,
    get_user,
    hasher,
    user_ids_by_username,
)
from .analytics import (
    ItemOut,
    assessment_factor_records,
    assessment_items,
    assessment_records,
    course_records,
    factor_records,
    item_keys,
    response_records,
    slot_item,
)
from .answers import SubmitResult, submit_answer
from .assessments import (
    AssessmentOut,
    OptionView,
    QuestionInstanceOut,
    QuestionView,
    StudentAssessmentOut,
    StudentQuestionOut,
    StudentQuestionView,
    add_personal_question,
    as_shown,
    assessment_exam,
    blueprint_file,
    course_students,
    create_assessment,
    ensure_variant,
    get_assessment,
    get_question,
    instance_question,
    list_assessments,
    list_questions,
    open_variant,
    preview_student_exam,
    publish_blueprint,
    regenerate,
    update_assessment_times,
)
from .attempts import (
    AttemptOut,
    AttemptResultsOut,
    GradeOut,
    QuestionResultOut,
    ResponseOut,
    attempt_results,
    finish_attempt,
    get_response,
    list_attempts,
    list_grades,
    list_responses,
    start_attempt,
)
from .code import (
    CodeSubmissionOut,
    GradingInput,
    clear_code_verdict,
    code_submission_bytes,
    code_submission_for_grading,
    code_submission_kind,
    code_submission_source,
    get_code_submission,
    list_code_submissions,
    record_code_submission,
    record_code_verdict_once,
    safe_file_name,
    set_code_verdict,
    storable,
    storable_json,
)
from .common import (
    MAX_RETRIES,
    SEED_SECRET,
    AccessDenied,
    AttemptClosed,
    AttemptLimitReached,
    Conflict,
    Kind,
    NotFound,
    NotOpen,
    Role,
    ServiceError,
    TriesExhausted,
    assessment_row,
    course_role,
    grading_visible,
    key_released,
    require_assessment_teacher,
    require_member,
    require_teacher,
    server_secret,
    teaches,
)
from .courses import (
    CourseOut,
    EnrolmentOut,
    MemberCourseOut,
    MyCourseOut,
    create_course,
    enrol,
    join_course,
    list_courses,
    list_my_courses,
    new_course_join_code,
    normalize_join_code,
)
from .grading import (
    MAX_REASON,
    REGRADE_REASON,
    RegradeChangeOut,
    RegradeOut,
    RegradeProblemOut,
    ScoreChangeOut,
    list_overridden,
    list_score_changes,
    override_score,
    regrade_assessment,
    require_grader,
)
from .onboarding import DEMO_ASSESSMENTS, FirstRunOut, first_run, register_student
from .practice import (
    PRACTICE_TRIES,
    PracticeAnswerOut,
    add_practice_question,
    answer_practice,
    next_review_question,
    practice_assessment_id,
)
from .progress import AttemptSummary, ProgressOut, TopicMastery, TrapCount, student_progress
from .review import (
    ReviewCardOut,
    ReviewLogOut,
    due_review_cards,
    get_review_card,
    list_review_cards,
    review_history,
    save_review_card,
    srs_next_question,
    srs_record_review,
)
from .sessions import (
    SESSION_TTL,
    InvalidSession,
    InvalidToken,
    SessionToken,
    has_users,
    issue_session_token,
    revoke_sessions,
    seal,
    signing_secret,
    unseal,
    verify_session_token,
)

__all__ = [
    # errors
    "ServiceError",
    "NotFound",
    "AccessDenied",
    "Conflict",
    "NotOpen",
    "AttemptLimitReached",
    "AttemptClosed",
    "TriesExhausted",
    "InvalidSession",
    "InvalidToken",
    # output models and their vocabularies
    "Role",
    "Kind",
    "UserOut",
    "CourseOut",
    "MemberCourseOut",
    "EnrolmentOut",
    "Blueprint",
    "BlueprintItem",
    "StudentAssessmentOut",
    "AssessmentOut",
    "StudentQuestionOut",
    "QuestionInstanceOut",
    "OptionView",
    "StudentQuestionView",
    "QuestionView",
    "AttemptOut",
    "ResponseOut",
    "SubmitResult",
    "GradeOut",
    "QuestionResultOut",
    "AttemptResultsOut",
    "ReviewCardOut",
    "ReviewLogOut",
    "CodeSubmissionOut",
    "MyCourseOut",
    "SessionToken",
    "FirstRunOut",
    "PracticeAnswerOut",
    "ProgressOut",
    "TopicMastery",
    "TrapCount",
    "AttemptSummary",
    # limits and rules
    "MAX_RETRIES",
    "MAX_SOURCE_BYTES",
    "MIN_PASSWORD",
    "USERNAME_RULE",
    "SESSION_TTL",
    "PRACTICE_TRIES",
    "DEMO_ASSESSMENTS",
    # access checks (on an open session)
    "assessment_row",
    "course_role",
    "teaches",
    "require_teacher",
    "require_member",
    "require_assessment_teacher",
    "key_released",
    "grading_visible",
    "server_secret",
    "SEED_SECRET",
    # accounts
    "hasher",
    "create_user",
    "authenticate",
    "user_ids_by_username",
    "get_user",
    "check_username",
    "check_password",
    # sessions and the secret that signs them
    "signing_secret",
    "issue_session_token",
    "verify_session_token",
    "revoke_sessions",
    "has_users",
    "seal",
    "unseal",
    # onboarding
    "register_student",
    "first_run",
    # courses
    "create_course",
    "enrol",
    "list_courses",
    "join_course",
    "list_my_courses",
    "new_course_join_code",
    "normalize_join_code",
    # assessments and questions
    "instantiate",
    "regenerate",
    "create_assessment",
    "publish_blueprint",
    "preview_student_exam",
    "course_students",
    "blueprint_file",
    "assessment_exam",
    "ensure_variant",
    "open_variant",
    "instance_question",
    "as_shown",
    "update_assessment_times",
    "get_assessment",
    "list_assessments",
    "add_personal_question",
    "get_question",
    "list_questions",
    # attempts, answers, grades
    "start_attempt",
    "finish_attempt",
    "submit_answer",
    "list_responses",
    "get_response",
    "list_attempts",
    "list_grades",
    "attempt_results",
    # the analytics feed
    "response_records",
    "assessment_records",
    "factor_records",
    "assessment_factor_records",
    "course_records",
    "ItemOut",
    "item_keys",
    "slot_item",
    "assessment_items",
    # spaced repetition
    "get_review_card",
    "save_review_card",
    "due_review_cards",
    "srs_next_question",
    "srs_record_review",
    "list_review_cards",
    "review_history",
    # each user's self-study record, and their progress
    "practice_assessment_id",
    "add_practice_question",
    "answer_practice",
    "next_review_question",
    "student_progress",
    # grading by hand and again: overrides, their audit trail, regrades
    "ScoreChangeOut",
    "RegradeChangeOut",
    "RegradeProblemOut",
    "RegradeOut",
    "MAX_REASON",
    "REGRADE_REASON",
    "require_grader",
    "override_score",
    "list_score_changes",
    "list_overridden",
    "regrade_assessment",
    # code submissions
    "record_code_submission",
    "set_code_verdict",
    "record_code_verdict_once",
    "GradingInput",
    "code_submission_for_grading",
    "code_submission_kind",
    "clear_code_verdict",
    "code_submission_bytes",
    "code_submission_source",
    "storable",
    "storable_json",
    "get_code_submission",
    "list_code_submissions",
    "safe_file_name",
]
