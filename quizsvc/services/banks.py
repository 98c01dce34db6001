"""Question banks: create, list, assign, and each student's own variants.

An item asks for `count` problems of a family and level. Each assigned
student gets their own variants, seeded by `variants.variant_seed` from the
server secret; or, when the item lists fixed `seeds`, everyone gets exactly
those problems. A student's problems are issued when they are assigned, with
the bank's attempt policy copied onto each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizsvc.errors import NotFoundError, ParamError, QuizError, TooLargeError
from quizsvc.services.errors import PermissionDenied
from quizsvc.services.policy import STAFF, Policy
from quizsvc.services.practice import get_family, issue
from quizsvc.services.variants import variant_seed
from quizsvc.store.models import Bank, BankAssignment, BankItem, Problem, User

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


def _check_items(items: list[ItemSpec]) -> None:
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


def create_bank(session: Session, owner: User, title: str, items: list[ItemSpec],
                policy: Policy, description: str = "") -> Bank:
    """Create a bank owned by `owner` (an instructor or admin)."""
    if owner.role not in STAFF:
        raise PermissionDenied("only instructors can create banks")
    title = (title or "").strip()
    if not title:
        raise ParamError("a bank needs a title", errors={"title": "empty"})
    _check_items(items)
    bank = Bank(owner=owner, title=title[:200], description=description or "",
                max_attempts=policy.max_attempts, show_key=policy.show_key)
    bank.items = [BankItem(position=i, family=it.family, level=it.level,
                           count=len(it.seeds) if it.seeds else it.count,
                           seeds=list(it.seeds) if it.seeds else None)
                  for i, it in enumerate(items)]
    session.add(bank)
    session.flush()
    return bank


def is_assigned(session: Session, bank: Bank, user: User) -> bool:
    return session.scalar(select(BankAssignment.id).where(
        BankAssignment.bank_id == bank.id, BankAssignment.user_id == user.id)) is not None


def can_manage(user: User, bank: Bank) -> bool:
    """May `user` change, assign and read the results of `bank`?"""
    return user.role == "admin" or (user.role == "instructor" and bank.owner_id == user.id)


def get_bank(session: Session, user: User, bank_id: int, *, manage: bool = False) -> Bank:
    """Return a bank `user` may see (its owner, an admin, or an assigned student).

    With `manage`, only its owner or an admin.
    """
    bank = session.get(Bank, bank_id)
    if bank is None:
        raise NotFoundError(f"no bank with id {bank_id}")
    if can_manage(user, bank):
        return bank
    if manage:
        raise PermissionDenied("only the bank's owner (or an admin) can do this")
    if not is_assigned(session, bank, user):
        raise PermissionDenied("this bank is not assigned to you")
    return bank


def list_banks(session: Session, user: User) -> list[Bank]:
    """Return the banks `user` owns (instructor), all banks (admin), or their assigned banks."""
    query = select(Bank).order_by(Bank.id)
    if user.role == "instructor":
        query = query.where(Bank.owner_id == user.id)
    elif user.role == "student":
        query = query.join(BankAssignment, BankAssignment.bank_id == Bank.id) \
            .where(BankAssignment.user_id == user.id)
    return list(session.scalars(query))


def item_seeds(bank: Bank, item: BankItem, user_id: int, secret: str | bytes) -> list[int]:
    """Return the seeds of `user_id`'s problems for one item, in variant order."""
    if item.seeds:
        return list(item.seeds)
    return [variant_seed(secret, bank.id, item.position, v, user_id) for v in range(item.count)]


def ensure_problems(session: Session, bank: Bank, user: User, secret: str | bytes) -> list[Problem]:
    """Issue `user`'s problems of `bank` that do not exist yet; return all, in bank order."""
    existing = {(p.item_index, p.variant): p for p in session.scalars(
        select(Problem).where(Problem.bank_id == bank.id, Problem.owner_id == user.id))}
    policy = Policy(bank.max_attempts, bank.show_key)
    out = []
    for item in bank.items:
        for variant, seed in enumerate(item_seeds(bank, item, user.id, secret)):
            problem = existing.get((item.position, variant))
            if problem is None:
                problem = issue(session, user, item.family, item.level, seed, policy,
                                bank_id=bank.id, item_index=item.position, variant=variant)
            out.append(problem)
    return out


def assign(session: Session, bank: Bank, users: Iterable[User],
           secret: str | bytes) -> tuple[list[User], list[User]]:
    """Assign `bank` to `users` and issue their problems; return (newly assigned, already)."""
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


def resolve_users(session: Session, ids: list[int], emails: list[str]) -> list[User]:
    """Return the users named by id or email; ParamError listing any unknown."""
    if len(ids) + len(emails) > MAX_ASSIGN:
        raise ParamError(f"assign at most {MAX_ASSIGN} users at a time")
    found: dict[int, User] = {}
    missing: list[str] = []
    if ids:
        rows = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
        missing += [str(i) for i in ids if i not in rows]
        found.update(rows)
    if emails:
        wanted = [e.strip().lower() for e in emails]
        rows = {u.email: u for u in session.scalars(select(User).where(User.email.in_(wanted)))}
        missing += [e for e in wanted if e not in rows]
        found.update({u.id: u for u in rows.values()})
    if missing:
        raise ParamError(f"unknown users: {', '.join(missing)}", errors={"users": missing})
    return list(found.values())


def assigned_users(session: Session, bank: Bank) -> list[User]:
    return list(session.scalars(
        select(User).join(BankAssignment, BankAssignment.user_id == User.id)
        .where(BankAssignment.bank_id == bank.id).order_by(User.id)))


def problems_of(session: Session, bank: Bank, user: User) -> list[Problem]:
    """Return `user`'s problems of `bank`, in bank order."""
    return list(session.scalars(
        select(Problem).where(Problem.bank_id == bank.id, Problem.owner_id == user.id)
        .order_by(Problem.item_index, Problem.variant)))
