"""LTI contexts are courses: one per context, created on first launch, members by LTI role."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.lti.conftest import (INSTRUCTOR, LAUNCH_URL, LEARNER, Lms, api_headers, bank_ref_for,
                               boot, make_bank)

C = "https://purl.imsglobal.org/spec/lti/claim/"
TA = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"


def launch(app, lms: Lms, *, sub: str, roles: list[str], context: str, link_id: str,  # noqa: ANN001
           bank_id: int | None = None) -> Any:
    custom = {"quizsvc_bank": bank_ref_for(app, lms.platform.issuer, bank_id)} if bank_id else None
    claims = lms.platform.resource_link_claims(sub=sub, roles=roles, link_id=link_id,
                                               target_link_uri=LAUNCH_URL, custom=custom)
    claims[C + "context"] = {"id": context, "title": f"Course {context}", "label": context.upper()}
    return lms.launch(claims)


def courses_of(app, user_id: int) -> dict[str, str]:  # noqa: ANN001
    """Return {context id: role} of the user's enrolments."""
    from quizsvc.extensions import db
    from quizsvc.store.courses import Course, Enrollment

    with app.app_context():
        return dict(db.session.execute(
            select(Course.lti_context_id, Enrollment.role)
            .join(Enrollment, Enrollment.course_id == Course.id)
            .where(Enrollment.user_id == user_id)).all())


def headers(app, data: dict) -> dict[str, str]:  # noqa: ANN001
    return api_headers(app, data)


def test_two_contexts_of_one_platform_are_two_courses_with_the_same_user_in_both(app, lms: Lms):
    teacher = boot(launch(app, lms, sub="t", roles=[INSTRUCTOR], context="c-1", link_id="l1"))
    boot(launch(app, lms, sub="t", roles=[INSTRUCTOR], context="c-2", link_id="l2"))
    teacher_id = teacher["user"]["id"]
    assert courses_of(app, teacher_id) == {"c-1": "instructor", "c-2": "instructor"}
    banks = {c: make_bank(app, teacher_id, context=c, title=f"Bank {c}") for c in ("c-1", "c-2")}
    ids = set()
    for context, link_id in (("c-1", "l1"), ("c-2", "l2")):
        resp = launch(app, lms, sub="s", roles=[LEARNER], context=context, link_id=link_id,
                      bank_id=banks[context])
        assert resp.status_code == 200, resp.get_data(as_text=True)
        data = boot(resp)
        assert data["bank"]["id"] == banks[context]
        ids.add(data["user"]["id"])
    (student_id,) = ids  # one quizsvc account for one LMS identity
    assert courses_of(app, student_id) == {"c-1": "student", "c-2": "student"}
    listed = lms.client.get("/api/v1/courses", headers=headers(app, data)).get_json()["items"]
    assert sorted(c["title"] for c in listed) == ["Course c-1", "Course c-2"]
    assert {c["your_role"] for c in listed} == {"student"}
    # Each course's bank is the student's through that course only.
    for bank_id in banks.values():
        r = lms.client.get(f"/api/v1/banks/{bank_id}", headers=headers(app, data))
        assert r.status_code == 200 and len(r.get_json()["problems"]) == 2


def test_a_ta_launch_makes_a_ta_who_reads_results_but_cannot_add_banks(app, lms: Lms):
    teacher = boot(launch(app, lms, sub="t", roles=[INSTRUCTOR], context="c-1", link_id="l1"))
    bank_id = make_bank(app, teacher["user"]["id"], context="c-1")
    # Canvas sends a TA both the Instructor role and the TeachingAssistant sub-role.
    resp = launch(app, lms, sub="ta", roles=[INSTRUCTOR, TA],
                  context="c-1", link_id="l1", bank_id=bank_id)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    ta = boot(resp)
    assert courses_of(app, ta["user"]["id"]) == {"c-1": "ta"}
    assert lms.client.get(f"/api/v1/banks/{bank_id}/results", headers=headers(app, ta)).status_code == 200
    r = lms.client.post(f"/api/v1/banks/{bank_id}/copy", json={"course_id": 1}, headers=headers(app, ta))
    assert r.status_code in (403, 404)
    picker = lms.platform.deep_linking_claims(sub="ta", roles=[INSTRUCTOR, TA],
                                              target_link_uri=LAUNCH_URL)
    picker[C + "context"] = {"id": "c-1", "title": "Course c-1"}
    assert lms.launch(picker).status_code == 403


def test_a_later_launch_updates_the_lms_role_in_the_course(app, lms: Lms):
    first = boot(launch(app, lms, sub="u", roles=[INSTRUCTOR], context="c-1", link_id="l1"))
    launch(app, lms, sub="u", roles=[TA], context="c-1", link_id="l1")
    assert courses_of(app, first["user"]["id"]) == {"c-1": "ta"}


def test_a_bank_of_another_course_is_copied_into_the_context_course(app, lms: Lms, instructor):
    """A signed reference to a bank outside the context (an LMS course copy): its instructor's
    launch maps the link to a copy in this course; a student's launch never reaches the original."""
    from quizsvc.extensions import db
    from quizsvc.store.lti import LtiResourceLink
    from quizsvc.store.models import Bank

    teacher = boot(launch(app, lms, sub="t", roles=[INSTRUCTOR], context="old", link_id="l0"))
    original = make_bank(app, teacher["user"]["id"], context="old", title="Week 1")
    resp = launch(app, lms, sub="s", roles=[LEARNER], context="new", link_id="l9",
                  bank_id=original)
    assert resp.status_code == 409  # not connected in the new course yet
    resp = launch(app, lms, sub="t", roles=[INSTRUCTOR], context="new", link_id="l9",
                  bank_id=original)
    assert resp.status_code == 200
    copied = boot(resp)["bank"]["id"]
    assert copied != original
    with app.app_context():
        link = db.session.scalar(select(LtiResourceLink).where(
            LtiResourceLink.resource_link_id == "l9"))
        assert link.bank_id == copied and db.session.get(Bank, copied).course_id == link.course_id
        assert db.session.get(Bank, copied).title == "Week 1"
    # Launching again does not copy again; the student now lands in the copy.
    again = boot(launch(app, lms, sub="t", roles=[INSTRUCTOR], context="new", link_id="l9",
                        bank_id=original))
    assert again["bank"]["id"] == copied
    student = boot(launch(app, lms, sub="s", roles=[LEARNER], context="new", link_id="l9",
                          bank_id=original))
    assert student["bank"]["id"] == copied
    assert lms.client.get(f"/api/v1/banks/{original}",
                          headers=headers(app, student)).status_code == 404
