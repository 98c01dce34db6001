"""The course-staff rules, called as the services call them (no Flask request)."""

from __future__ import annotations

import ast
import inspect

import pytest

from quizsvc.errors import NotFoundError
from quizsvc.services import access, claims, courses, users
from quizsvc.services.errors import PermissionDenied
from quizsvc.store.models import User


@pytest.fixture
def people(db):  # noqa: ANN001, ANN201
    def make(role: str, email: str) -> User:
        return users.create_user(db, None, role=role, email=email, name=email)

    ann, bob, root = make("instructor", "ann@x.edu"), make("instructor", "bob@x.edu"), \
        make("admin", "root@x.edu")
    ta = make("student", "ta@x.edu")
    a, b = courses.create_course(db, ann, "A"), courses.create_course(db, bob, "B")
    courses.enroll(db, ann, a, ta, "ta")
    s1 = users.create_user(db, ann, email="s1@x.edu", course=a)  # provisioned: unclaimed
    s2 = users.create_user(db, ann, email="s2@x.edu", course=a)
    courses.enroll(db, bob, b, s2)
    db.flush()
    return {"ann": ann, "bob": bob, "root": root, "ta": ta, "a": a, "b": b, "s1": s1, "s2": s2}


def test_staff_of_a_course_and_only_of_it(db, people):
    p = people
    assert access.staffs(db, p["ann"], p["a"]) and access.teaches(db, p["ann"], p["a"])
    assert access.staffs(db, p["ta"], p["a"]) and not access.teaches(db, p["ta"], p["a"])
    assert not access.staffs(db, p["bob"], p["a"]) and not access.staffs(db, p["s1"], p["a"])
    assert access.teaches(db, p["root"], p["a"])  # admins may do everything
    assert access.can_see_user(db, p["ta"], p["s1"]) and not access.can_see_user(db, p["bob"], p["s1"])
    assert access.can_see_user(db, p["bob"], p["s2"])  # in B too
    with pytest.raises(NotFoundError):
        access.get_course(db, p["bob"], p["a"].id)
    with pytest.raises(PermissionDenied):
        access.get_course(db, p["ta"], p["a"].id, need="instructor")
    with pytest.raises(NotFoundError):
        access.get_visible_user(db, p["bob"], p["s1"].id)


def test_who_may_act_for_a_student(db, people):
    p = people
    assert access.can_act_for(db, p["ann"], p["s1"]) and access.can_act_for(db, p["ta"], p["s1"])
    assert not access.can_act_for(db, p["bob"], p["s1"])
    # s2 is in A and B: neither course's staff may; the student and admins may.
    assert not access.can_act_for(db, p["ann"], p["s2"])
    assert not access.can_act_for(db, p["bob"], p["s2"])
    assert access.can_act_for(db, p["s2"], p["s2"]) and access.can_act_for(db, p["root"], p["s2"])
    claims.redeem(db, claims.issue_claim_code(db, p["ann"], p["s1"]))
    assert not access.can_act_for(db, p["ann"], p["s1"])  # claimed: the owner's alone


def test_the_rules_need_no_flask():
    tree = ast.parse(inspect.getsource(access))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any(m and m.split(".")[0] == "flask" for m in imported)
