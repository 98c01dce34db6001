"""Question banks: create, list, assign, and each student's own variants.

An item asks for `count` problems of a family and level. Each assigned
student gets their own variants, seeded by `variants.variant_seed` from the
server secret; or, when the item lists fixed `seeds`, everyone gets exactly
those problems. A student's problems are issued when they are assigned, with
the bank's attempt policy copied onto each.

A bank belongs to one course: its instructors manage it, its TAs read its
results; it is assigned to chosen students of the course or to the whole
course (every student, now and later). Students assigned later, by enrolment,
get their variants when they first open the bank (`student_problems`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizsvc.errors import NotFoundError, ParamError, QuizError, TooLargeError
from quizsvc.services import access
from quizsvc.services.errors import ConflictError, PermissionDenied
from quizsvc.services.policy import Policy
from quizsvc.services.practice import get_family, issue
from quizsvc.services.variants import variant_seed
from quizsvc.store.audit import log
from quizsvc.store.courses import Course, Enrollment
from quizsvc.store.models import Bank, BankAssignment, BankItem, BankVersion, Problem, User
from quizsvc.store.types import utcnow

MAX_ITEMS = 200
MAX_COUNT = 50  # problems per item per student
MAX_ASSIGN = 2000
# Problems issued by one request: each costs ~1 ms, so this bounds a request to seconds.
MAX_BANK_SIZE = 200  # problems per student
MAX_ASSIGN_PROBLEMS = 10_000  # bank size x students in one assignment


@dataclass(frozen=True)
class ItemSpec:
    """One bank item as an instructor asks for it."""

    family: str
    level: str = "easy"
    count: int = 1
    seeds: tuple[int, ...] | None = None


def check_items(items: list[ItemSpec]) -> None:
    if not items:
        raise ParamError("a bank needs at least one item", errors={"items": "empty"})
    if len(items) > MAX_ITEMS:
        raise ParamError(f"a bank may have at most {MAX_ITEMS} items", errors={"items": "too many"})
    errors: dict[str, Any] = {}
    for i, item in enumerate(items):
        try:
            family = get_family(item.family)
            if item.seeds:
                if len(item.seeds) > MAX_COUNT:
                    raise ParamError(f"at most {MAX_COUNT} seeds per item")
                for seed in item.seeds:
                    family.check_seed_level(seed, item.level)
            else:
                family.check_seed_level(0, item.level)
                if not 1 <= item.count <= MAX_COUNT:
                    raise ParamError(f"count must be between 1 and {MAX_COUNT}")
        except QuizError as exc:
            errors[str(i)] = exc.message
    if errors:
        raise ParamError("some bank items are not valid: see `errors` by item index",
                         errors={"items": errors})
    size = sum(len(item.seeds) if item.seeds else item.count for item in items)
    if size > MAX_BANK_SIZE:
        raise TooLargeError(f"a bank may give each student at most {MAX_BANK_SIZE} problems; "
                            f"this one would give {size}", errors={"items": "too many problems"})


def course_for_bank(session: Session, owner: User, course_id: int | None) -> Course:
    """Return the course a new bank goes into: `course_id`, which `owner` must teach.

    Without one: the one course `owner` teaches (made for them if none).
    """
    from quizsvc.services.courses import default_course

    if course_id is None:
        return default_course(session, owner)
    course = access.get_course(session, owner, course_id, need="instructor")
    if course.archived:
        raise PermissionDenied("this course is archived: unarchive it to add banks")
    return course


def create_bank(session: Session, owner: User, title: str, items: list[ItemSpec],
                policy: Policy, description: str = "", course: Course | None = None, *,
                whole_course: bool = False) -> Bank:
    """Create a bank in `course` (default: `course_for_bank`), owned by `owner`, its instructor."""
    if course is None:
        course = course_for_bank(session, owner, None)
    elif not access.teaches(session, owner, course):
        raise PermissionDenied("only the course's instructors can create its banks")
    title = (title or "").strip()
    if not title:
        raise ParamError("a bank needs a title", errors={"title": "empty"})
    check_items(items)
    bank = Bank(owner=owner, course_id=course.id, title=title[:200],
                description=description or "", max_attempts=policy.max_attempts,
                show_key=policy.show_key, whole_course=False)
    bank.items = [BankItem(position=i, family=it.family, level=it.level,
                           count=len(it.seeds) if it.seeds else it.count,
                           seeds=list(it.seeds) if it.seeds else None)
                  for i, it in enumerate(items)]
    session.add(bank)
    session.flush()
    if whole_course:
        assign_course(session, bank)
    return bank


TWIN_WINDOW = timedelta(minutes=2)


def _spec_key(items: Iterable[ItemSpec]) -> list[tuple[str, str, int, tuple[int, ...] | None]]:
    return [(i.family, i.level, len(i.seeds) if i.seeds else i.count,
             tuple(i.seeds) if i.seeds else None) for i in items]


def recent_twin(session: Session, owner: User, course: Course, title: str,
                items: list[ItemSpec], policy: Policy, description: str = "") -> Bank | None:
    """Return the bank `owner` built in `course` in the last two minutes with exactly this
    title, description, policy and items, if there is one.

    The bank forms call it before `create_bank`: the same form sent twice (a double click, a
    reload that posts again) then makes one bank, not two. An instructor who wants a second
    bank like the first copies it.
    """
    recent = session.scalars(select(Bank).where(
        Bank.owner_id == owner.id, Bank.course_id == course.id,
        Bank.title == (title or "").strip()[:200], Bank.created_at >= utcnow() - TWIN_WINDOW,
        Bank.version == 1, Bank.archived.is_(False)).order_by(Bank.id.desc()))
    want = _spec_key(items)
    for bank in recent:
        if (bank.description == (description or "") and bank.max_attempts == policy.max_attempts
                and bank.show_key == policy.show_key
                and _spec_key(ItemSpec(i.family, i.level, i.count, tuple(i.seeds) if i.seeds
                                       else None) for i in bank.items) == want):
            return bank
    return None


def copy_bank(session: Session, actor: User, bank: Bank, course_id: int) -> Bank:
    """Copy `bank` (items and policy, no students) into another course `actor` teaches."""
    from quizsvc.services.bank_edit import specs

    if not access.teaches(session, actor, bank.course_id):
        raise PermissionDenied("only the bank's course instructors can copy it")
    course = course_for_bank(session, actor, course_id)
    copy = create_bank(session, actor, bank.title, specs(bank.items), Policy(bank.max_attempts, bank.show_key),
                       bank.description, course)
    log(session, actor, "bank.copy", "bank", copy.id, {"from_bank": bank.id,
                                                       "from_course": bank.course_id},
        course_id=course.id)
    return copy


def is_assigned(session: Session, bank: Bank, user: User) -> bool:
    return session.scalar(select(BankAssignment.id).where(
        BankAssignment.bank_id == bank.id, BankAssignment.user_id == user.id)) is not None


def can_manage(session: Session, user: User, bank: Bank) -> bool:
    """May `user` change, assign, copy and export `bank` (an instructor of its course)?"""
    return access.bank_visible(session, user, bank) == "manage"


def sees_keys(session: Session, user: User, bank: Bank) -> bool:
    """Does `user` see `bank` as staff (seeds, keys, results): its course's staff, admins?"""
    return access.bank_visible(session, user, bank) in ("manage", "staff")


def get_bank(session: Session, user: User, bank_id: int, *, manage: bool = False,
             staff: bool = False) -> Bank:
    """Return a bank `user` may see: staff of its course, an admin, or an assigned student.

    With `staff`, only its course's staff (TAs too); with `manage`, its
    instructors. A bank `user` cannot see at all is a 404.
    """
    bank = session.get(Bank, bank_id)
    seen = None if bank is None else access.bank_visible(session, user, bank)
    if bank is None or seen is None:
        raise NotFoundError(f"no bank with id {bank_id}")
    if manage and seen != "manage":
        raise PermissionDenied("only the instructors of the bank's course can do this")
    if staff and seen not in ("manage", "staff"):
        raise PermissionDenied("only the staff of the bank's course can see this")
    return bank


def visible_banks(user: User, course_id: int | None = None):  # noqa: ANN201 - a Select
    """A query of the banks `user` may see, optionally of one course.

    A student's list leaves out archived banks; their staff still see them.
    """
    query = select(Bank)
    if not access.is_admin(user):
        staffed = Bank.course_id.in_(access.course_ids(user))
        assigned = Bank.id.in_(
            select(BankAssignment.bank_id).join(Bank, Bank.id == BankAssignment.bank_id)
            .join(Enrollment, (Enrollment.course_id == Bank.course_id)
                  & (Enrollment.user_id == BankAssignment.user_id))
            .where(BankAssignment.user_id == user.id, Enrollment.role == "student",
                   Bank.archived.is_(False)))
        query = query.where(staffed | assigned)
    if course_id is not None:
        query = query.where(Bank.course_id == course_id)
    return query


def list_banks(session: Session, user: User, *, course_id: int | None = None, page: int = 1,
               page_size: int = 50) -> tuple[list[Bank], int]:
    """Return one page of the banks `user` may see (by id) and their count."""
    query = visible_banks(user, course_id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Bank.id).limit(page_size).offset((page - 1) * page_size))
    return list(rows), total


def item_seeds(bank: Bank, item: BankItem, user_id: int, secret: str | bytes) -> list[int]:
    """Return the seeds of `user_id`'s problems for one item, in variant order."""
    if item.seeds:
        return list(item.seeds)
    return [variant_seed(secret, bank.id, item.position, v, user_id, bank.version)
            for v in range(item.count)]


def ensure_problems(session: Session, bank: Bank, user: User, secret: str | bytes) -> list[Problem]:
    """Issue `user`'s problems of `bank` (its current version) not issued yet; return all."""
    existing = {(p.item_index, p.variant): p for p in session.scalars(
        select(Problem).where(Problem.bank_id == bank.id, Problem.owner_id == user.id,
                              Problem.bank_version == bank.version))}
    policy = Policy(bank.max_attempts, bank.show_key)
    out = []
    for item in bank.items:
        for variant, seed in enumerate(item_seeds(bank, item, user.id, secret)):
            problem = existing.get((item.position, variant))
            if problem is None:
                problem = issue(session, user, item.family, item.level, seed, policy,
                                bank_id=bank.id, item_index=item.position, variant=variant,
                                bank_version=bank.version)
            out.append(problem)
    return out


def check_open(bank: Bank) -> None:
    """Refuse to assign an archived bank."""
    if bank.archived:
        raise ConflictError("this bank is archived: unarchive it before assigning it")


def assign(session: Session, bank: Bank, users: Iterable[User],
           secret: str | bytes) -> tuple[list[User], list[User]]:
    """Assign `bank` to `users` and issue their problems; return (newly assigned, already)."""
    check_open(bank)
    users = list(users)
    size = sum(len(item.seeds) if item.seeds else item.count for item in bank.items)
    if size * len(users) > MAX_ASSIGN_PROBLEMS:
        raise TooLargeError(f"assigning {len(users)} students a bank of {size} problems would "
                            f"issue {size * len(users)} problems at once (at most "
                            f"{MAX_ASSIGN_PROBLEMS}): assign at most "
                            f"{max(1, MAX_ASSIGN_PROBLEMS // max(size, 1))} students per request",
                            errors={"users": "too many for one request"})
    new, already = [], []
    for user in users:
        if is_assigned(session, bank, user):
            already.append(user)
        else:
            session.add(BankAssignment(bank_id=bank.id, user_id=user.id))
            new.append(user)
        ensure_problems(session, bank, user, secret)
    session.flush()
    return new, already


def assign_course(session: Session, bank: Bank) -> list[int]:
    """Give `bank` to its whole course: every student now, and each one enrolled later.

    Only the assignments are written; each student's variants are issued when
    they open the bank, so a large course costs one row per student here.
    Return the ids of the students newly assigned.
    """
    check_open(bank)
    bank.whole_course = True
    have = set(session.scalars(select(BankAssignment.user_id)
                               .where(BankAssignment.bank_id == bank.id)))
    new = [uid for uid in session.scalars(select(Enrollment.user_id).where(
        Enrollment.course_id == bank.course_id, Enrollment.role == "student")
        .order_by(Enrollment.user_id)) if uid not in have]
    session.add_all(BankAssignment(bank_id=bank.id, user_id=uid) for uid in new)
    session.flush()
    return new


def resolve_users(session: Session, ids: list[int], emails: list[str],
                  course_id: int | None = None) -> list[User]:
    """Return the users named by id or email (students of `course_id` only, when given).

    ParamError lists any name that is not one: an account outside the course is
    reported exactly like one that does not exist.
    """
    if len(ids) + len(emails) > MAX_ASSIGN:
        raise ParamError(f"assign at most {MAX_ASSIGN} users at a time")
    found: dict[int, User] = {}
    missing: list[str] = []
    base = select(User)
    if course_id is not None:
        base = base.where(User.id.in_(select(Enrollment.user_id).where(
            Enrollment.course_id == course_id, Enrollment.role == "student")))
    if ids:
        rows = {u.id: u for u in session.scalars(base.where(User.id.in_(ids)))}
        missing += [str(i) for i in ids if i not in rows]
        found.update(rows)
    if emails:
        wanted = [e.strip().lower() for e in emails]
        rows = {u.email: u for u in session.scalars(base.where(User.email.in_(wanted)))}
        missing += [e for e in wanted if e not in rows]
        found.update({u.id: u for u in rows.values()})
    if missing:
        where = " (not students of this course)" if course_id is not None else ""
        raise ParamError(f"unknown users{where}: {', '.join(missing)}",
                         errors={"users": missing})
    return list(found.values())


def assigned_users(session: Session, bank: Bank) -> list[User]:
    return list(session.scalars(
        select(User).join(BankAssignment, BankAssignment.user_id == User.id)
        .where(BankAssignment.bank_id == bank.id).order_by(User.id)))


def version_items(session: Session, bank: Bank, version: int | None = None) -> list[BankItem]:
    """Return the items of `bank` as they were in `version` (default: the current one).

    Earlier versions' items are rebuilt from `bank_versions`, detached: read them only.
    """
    if version is None or version == bank.version:
        return list(bank.items)
    row = session.scalar(select(BankVersion).where(BankVersion.bank_id == bank.id,
                                                   BankVersion.version == version))
    if row is None:
        raise NotFoundError(f"bank {bank.id} has no version {version}")
    return [BankItem(position=i["position"], family=i["family"], level=i["level"],
                     count=i["count"], seeds=i["seeds"]) for i in row.items]


def problems_of(session: Session, bank: Bank, user: User) -> list[Problem]:
    """Return `user`'s problems of `bank`'s current version, in bank order."""
    return list(session.scalars(
        select(Problem).where(Problem.bank_id == bank.id, Problem.owner_id == user.id,
                              Problem.bank_version == bank.version)
        .order_by(Problem.item_index, Problem.variant)))


def student_problems(session: Session, bank: Bank, user: User,
                     secret: str | bytes) -> list[Problem]:
    """Return an assigned student's problems of `bank`, issuing any not issued yet."""
    have = problems_of(session, bank, user)
    size = sum(item.count for item in bank.items)
    if len(have) >= size:
        return have
    ensure_problems(session, bank, user, secret)
    session.flush()
    return problems_of(session, bank, user)
