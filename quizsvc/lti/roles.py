"""Map LTI role URIs to a quizsvc role.

A launch carries the user's roles *in this context* (the course). quizsvc keeps
one role per user, so a launch may promote a student to instructor but never
demotes anyone, and no LMS role ever grants quizsvc's `admin`: being an LMS
administrator says nothing about who may run this service.
"""

from __future__ import annotations

from collections.abc import Iterable

STUDENT, INSTRUCTOR, ADMIN = "student", "instructor", "admin"
TA = "ta"  # a course role only (quizsvc/store/courses.py)
_RANK = {STUDENT: 0, INSTRUCTOR: 1, ADMIN: 2}

_MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
_TEACHING = frozenset({"Instructor", "ContentDeveloper", "Administrator", "Manager",
                       "TeachingAssistant"})


def _short_name(uri: str) -> str | None:
    """Return the context role name of `uri`, or None for system/institution roles.

    Accepts full membership URIs, their sub-roles (``membership/Instructor#TeachingAssistant``)
    and the bare names LTI 1.3 still tolerates (``Instructor``).
    """
    if uri.startswith(_MEMBERSHIP):
        return uri[len(_MEMBERSHIP):]
    if uri.startswith("http://purl.imsglobal.org/vocab/lis/v2/membership/"):
        return uri.rsplit("#", 1)[-1]
    if "/" not in uri and "#" not in uri:
        return uri
    return None  # institution/person#..., system/person#...: not a course role


def map_roles(roles: Iterable[str]) -> str:
    """Return `instructor` if any course role teaches, else `student`."""
    names = {_short_name(r) for r in roles if isinstance(r, str)}
    return INSTRUCTOR if names & _TEACHING else STUDENT


def merge_role(current: str | None, launched: str) -> str:
    """Return the stored role after a launch: promote, never demote."""
    if current is None:
        return launched
    return current if _RANK.get(current, 0) >= _RANK[launched] else launched


_COURSE_TEACHING = frozenset({"Instructor", "ContentDeveloper", "Administrator", "Manager"})


def course_role(roles: Iterable[str]) -> str:
    """Return the launching user's role in the course: `instructor`, `ta` or `student`.

    A teaching assistant (``membership#TeachingAssistant`` or the sub-role
    ``membership/Instructor#TeachingAssistant``) is a TA, not an instructor:
    TAs see results and manage students but do not change the course's staff
    or banks. The TA sub-role wins, because Canvas sends TAs both
    ``membership#Instructor`` and ``membership/Instructor#TeachingAssistant``.
    Any other teaching role is an instructor; everyone else a student.
    """
    names = {_short_name(r) for r in roles if isinstance(r, str)}
    if "TeachingAssistant" in names:
        return TA
    if names & _COURSE_TEACHING:
        return INSTRUCTOR
    return STUDENT
