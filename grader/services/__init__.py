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
  hidden too until the key is released.

One module per aggregate: :mod:`.accounts` (users, authentication), :mod:`.courses` (courses,
enrolment), :mod:`.assessments` (blueprints, times, questions), :mod:`.attempts` (start, finish,
grades and the reads of them) with :mod:`.answers` (recording an answer, the hot path),
:mod:`.analytics` (the feed of graded responses), :mod:`.review` (spaced-repetition cards),
:mod:`.code` (code submissions and verdicts); :mod:`.common` holds the errors, the output models' base and the access checks. Every public
name is importable from ``grader.services``.
"""

from quizbank.exam import Blueprint, BlueprintItem, instantiate

from ..autograde.contract import MAX_SOURCE_BYTES
from .accounts import UserOut, authenticate, create_user, get_user, hasher, user_ids_by_username
from .analytics import assessment_records, response_records
from .answers import SubmitResult, submit_answer
from .assessments import (
    AssessmentOut,
    OptionView,
    QuestionInstanceOut,
    QuestionView,
    add_personal_question,
    create_assessment,
    get_assessment,
    get_question,
    list_questions,
    regenerate,
    update_assessment_times,
)
from .attempts import (
    AttemptOut,
    GradeOut,
    ResponseOut,
    finish_attempt,
    get_response,
    list_attempts,
    list_grades,
    list_responses,
    start_attempt,
)
from .code import CodeSubmissionOut, code_submission_source, record_code_submission, set_code_verdict
from .common import (
    MAX_RETRIES,
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
    teaches,
)
from .courses import CourseOut, EnrolmentOut, create_course, enrol
from .review import (
    ReviewCardOut,
    due_review_cards,
    get_review_card,
    save_review_card,
    srs_next_question,
    srs_record_review,
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
    # output models and their vocabularies
    "Role",
    "Kind",
    "UserOut",
    "CourseOut",
    "EnrolmentOut",
    "Blueprint",
    "BlueprintItem",
    "AssessmentOut",
    "QuestionInstanceOut",
    "OptionView",
    "QuestionView",
    "AttemptOut",
    "ResponseOut",
    "SubmitResult",
    "GradeOut",
    "ReviewCardOut",
    "CodeSubmissionOut",
    # limits
    "MAX_RETRIES",
    "MAX_SOURCE_BYTES",
    # access checks (on an open session)
    "assessment_row",
    "course_role",
    "teaches",
    "require_teacher",
    "require_member",
    "require_assessment_teacher",
    "key_released",
    "grading_visible",
    # accounts
    "hasher",
    "create_user",
    "authenticate",
    "user_ids_by_username",
    "get_user",
    # courses
    "create_course",
    "enrol",
    # assessments and questions
    "instantiate",
    "regenerate",
    "create_assessment",
    "update_assessment_times",
    "get_assessment",
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
    # the analytics feed
    "response_records",
    "assessment_records",
    # spaced repetition
    "get_review_card",
    "save_review_card",
    "due_review_cards",
    "srs_next_question",
    "srs_record_review",
    # code submissions
    "record_code_submission",
    "set_code_verdict",
    "code_submission_source",
]
