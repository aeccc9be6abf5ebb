"""Which pages exist and who sees them: the router (``streamlit_app.py``) builds its ``st.navigation`` from here.

**Registering a page**: add a :class:`Route` to :data:`ROUTES` (its file under ``ui/pages/``, a title, a
Material icon and the roles whose menu shows it), and start the page file with
``require_user(*roles)`` (:mod:`ui.state`) for anything but visitors. Roles are ``visitor`` (not signed in),
``student``, ``ta`` and ``instructor``. A route with ``optional=True`` is registered only when its file exists
(pages that arrive from other branches).

**Teaching assistants.** ``ta`` is not an account role: being a TA is a role in one course
(``enrolments.role``, see :data:`grader.services.Role`), and a TA's account stays a student account, so one person
can assist in one course and take another. The router's ``ta`` is *derived* (:func:`router_role`): a student
account that assists in at least one course sees the student's pages plus the **Teaching** section
(:data:`TEACHING`, pages with ``section=TEACHING_SECTION``: the courses they assist in, the Gradebook and
Analytics), which instructors see too; the Exam builder in that section stays the instructors'. What a TA may do in a given course is decided by the services
(:func:`grader.services.require_course_role`): they grade, but never change an exam or the roster.

Pages a role may not open are still registered, *hidden* from its menu, so that following a link to one shows
that page's own refusal ("This page is for instructors") instead of silently landing elsewhere; the services
refuse the same things again whatever a page shows. Until the database has an account, the first-run page is
the default and only Home and Practice are offered besides it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

VISITOR = "visitor"
TA = "ta"
ROLES = (VISITOR, "student", TA, "instructor")
EVERYONE = frozenset(ROLES)
SIGNED_IN = frozenset({"student", TA, "instructor"})
INSTRUCTORS = frozenset({"instructor"})
STUDENTS = frozenset({"student", TA})
"""The pages of a student account: a TA's account is one (they may take other courses)."""
TEACHING = frozenset({"instructor", TA})
"""Who sees the Teaching section: instructors, and student accounts that assist in a course."""
TEACHING_SECTION = "Teaching"
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Route:
    path: str
    """The page file, relative to the repository root (where ``streamlit_app.py`` is)."""
    title: str
    icon: str
    roles: frozenset[str]
    """The roles whose menu shows this page."""
    visitor_title: str | None = None
    """The title a visitor sees, if it differs (the account page is "Sign in" to them)."""
    optional: bool = False
    section: str = ""
    """The menu section the page sits in ("" for the main list)."""

    def title_for(self, role: str) -> str:
        return self.visitor_title if role == VISITOR and self.visitor_title else self.title


SETUP = Route("ui/pages/setup.py", "Set up", ":material/rocket_launch:", frozenset())
HOME = Route("ui/pages/home.py", "Home", ":material/home:", EVERYONE)
ROUTES: tuple[Route, ...] = (
    HOME,
    Route("ui/pages/practice.py", "Practice", ":material/edit_note:", EVERYONE),
    Route("ui/pages/review.py", "Review", ":material/event_repeat:", SIGNED_IN),
    Route("ui/pages/assessments.py", "Assessments", ":material/assignment:", STUDENTS),
    Route("ui/pages/code.py", "Code", ":material/code:", STUDENTS),
    Route("ui/pages/progress.py", "Progress", ":material/insights:", SIGNED_IN),
    # the Teaching section comes before Explore, so that its pages are not folded under the menu's "View more"
    Route("ui/pages/courses.py", "Courses", ":material/school:", TEACHING, section=TEACHING_SECTION),
    Route("ui/pages/exam_builder.py", "Exam builder", ":material/construction:", INSTRUCTORS, section=TEACHING_SECTION),
    Route("ui/pages/gradebook.py", "Gradebook", ":material/table_view:", TEACHING, section=TEACHING_SECTION),
    Route("ui/pages/analytics.py", "Analytics", ":material/analytics:", TEACHING, section=TEACHING_SECTION),
    Route(
        "ui/pages/code_submissions.py",
        "Code submissions",
        ":material/fact_check:",
        TEACHING,
        section=TEACHING_SECTION,
    ),
    Route("ui/pages/explore_conv.py", "Convolution arithmetic", ":material/grid_on:", EVERYONE, section="Explore"),
    Route("ui/pages/explore_rf.py", "Receptive field", ":material/center_focus_strong:", EVERYONE, section="Explore"),
    Route("ui/pages/explore_arch.py", "Architectures", ":material/account_tree:", EVERYONE, section="Explore"),
    Route("ui/pages/explore_efficiency.py", "Efficiency", ":material/scatter_plot:", EVERYONE, section="Explore"),
    Route("ui/pages/explore_lenet.py", "Inside LeNet-5", ":material/visibility:", EVERYONE, section="Explore"),
    Route("ui/pages/explore_video_norm.py", "Video and norms", ":material/movie:", EVERYONE, section="Explore"),
    Route("ui/pages/explore_own.py", "Your own model", ":material/build:", EVERYONE, section="Explore"),
    Route("ui/pages/account.py", "Account", ":material/account_circle:", EVERYONE, visitor_title="Sign in"),
    SETUP,
)
FIRST_RUN_PAGES = frozenset({HOME.path, "ui/pages/practice.py"})


def router_role(account_role: str | None, assists: bool) -> str:
    """The router's role for an account (``None``: a visitor): a student account that is a TA somewhere is ``ta``."""
    if account_role is None:
        return VISITOR
    if account_role == "student" and assists:
        return TA
    if account_role not in ROLES:
        raise ValueError(f"unknown account role {account_role!r}")
    return account_role


@dataclass(frozen=True)
class Planned:
    route: Route
    title: str
    visible: bool
    default: bool


def plan(role: str, *, first_run: bool = False, exists: Callable[[Path], bool] = Path.exists) -> list[Planned]:
    """The pages to register for ``role``, in menu order: which are shown, and which is the default."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    out = []
    for r in ROUTES:
        if r.optional and not exists(ROOT / r.path):
            continue
        if first_run:
            visible = r is SETUP or r.path in FIRST_RUN_PAGES
            default = r is SETUP
        else:
            visible = role in r.roles
            default = r is HOME
        out.append(Planned(r, r.title_for(role), visible, default))
    return out


def menu(role: str, *, first_run: bool = False, exists: Callable[[Path], bool] = Path.exists) -> list[str]:
    """The titles ``role``'s menu shows, in order."""
    return [p.title for p in plan(role, first_run=first_run, exists=exists) if p.visible]
