"""Printed papers of a bank: which problems each paper holds, its version code, and back again.

A worksheet is the bank's variants for no one in particular (the export pool's
user, id 0); an exam paper is one student's own variants, the very problems
the bank issues them. A paper's version code, ``<bank>-<user>-<check>`` (for
example ``12-0-K7QF2M``), names the bank and the user whose variants it holds;
the check is an HMAC under the server secret of that and of the paper's
problems (family, version, seed, level), so that a mistyped code, a forged
one or a paper printed before the bank or a family changed is refused rather
than answered with another paper's key. The CLI's ``quizsvc key`` and the
staff API turn a code back into the paper's problems. No Flask in here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from quizsvc import families
from quizsvc.errors import NotFoundError, ParamError
from quizsvc.families.problem import Problem
from quizsvc.services.banks import assigned_users, item_seeds
from quizsvc.services.exports import POOL_USER_ID, load_bank
from quizsvc.store.models import Bank, User

CODE = re.compile(r"^(?P<bank>[1-9][0-9]{0,11})-(?P<user>0|[1-9][0-9]{0,11})-(?P<check>[A-Z2-7]{6})$")
MAX_PAPERS = 500


class CodeError(NotFoundError):
    """A version code that names no paper of this service."""


@dataclass
class PrintedPaper:
    """One paper: its code, the student's name (empty for a worksheet) and its problems."""

    code: str
    student: str
    problems: list[Problem]

    def as_tuple(self) -> tuple[str, str, list[Problem]]:
        return self.code, self.student, self.problems


def _check(secret: str | bytes, bank_id: int, user_id: int, problems: list[Problem]) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    idents = "|".join(f"{p.family}.{p.version}.{p.seed}.{p.level}" for p in problems)
    message = f"quizsvc-paper|{bank_id}|{user_id}|{hashlib.sha256(idents.encode()).hexdigest()}"
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:6]


def paper_problems(bank: Bank, user_id: int, secret: str | bytes) -> list[Problem]:
    """Return the problems of user `user_id`'s paper of `bank` (0: the worksheet), in bank order."""
    out = []
    for item in bank.items:
        family = families.get(item.family)
        out += [family.generate(seed, item.level) for seed in item_seeds(bank, item, user_id, secret)]
    return out


def paper(bank: Bank, user_id: int, secret: str | bytes, student: str = "") -> PrintedPaper:
    """Return the paper of `user_id` (0: a worksheet) with its version code."""
    problems = paper_problems(bank, user_id, secret)
    code = f"{bank.id}-{user_id}-{_check(secret, bank.id, user_id, problems)}"
    return PrintedPaper(code, student, problems)


def worksheet(bank: Bank, secret: str | bytes) -> PrintedPaper:
    """Return the one worksheet of a bank."""
    return paper(bank, POOL_USER_ID, secret)


def _name(user: User) -> str:
    return user.name or user.email or f"user {user.id}"


def exam(session: Session, bank: Bank, secret: str | bytes) -> list[PrintedPaper]:
    """Return one paper per student the bank is assigned to, each with their own variants."""
    users = assigned_users(session, bank)
    if not users:
        raise ParamError("the bank is assigned to no student yet: assign it first (each student's "
                         "paper holds their own variants), or print a worksheet",
                         errors={"mode": "no students"})
    if len(users) > MAX_PAPERS:
        raise ParamError(f"at most {MAX_PAPERS} papers at a time; this bank has {len(users)} "
                         "students", errors={"mode": "too many papers"})
    return [paper(bank, u.id, secret, _name(u)) for u in users]


def parse_code(code: str) -> tuple[int, int]:
    """Return (bank id, user id) of a well-formed version code, or raise `CodeError`."""
    m = CODE.match(code.strip().upper())
    if not m:
        raise CodeError(f"{code!r} is not a version code of a bank's paper (they look like "
                        "12-0-K7QF2M); a code starting with X- is a paper printed with "
                        "--family: print its key with the same command and --mode key",
                        errors={"code": "malformed"})
    return int(m["bank"]), int(m["user"])


def resolve(session: Session, code: str, secret: str | bytes) -> tuple[Bank, PrintedPaper]:
    """Return the bank and the paper a version code names, regenerated; `CodeError` if none."""
    bank_id, user_id = parse_code(code)
    bank = load_bank(session, bank_id)
    student = ""
    if user_id != POOL_USER_ID:
        user = session.get(User, user_id)
        student = _name(user) if user is not None else f"user {user_id}"
    printed = paper(bank, user_id, secret, student)
    if not hmac.compare_digest(printed.code, code.strip().upper()):
        raise CodeError(f"version code {code} does not match bank {bank_id}'s paper: it is "
                        "mistyped, or the bank or a problem family changed since it was printed",
                        errors={"code": "no such paper"})
    return bank, printed


def bank_papers(session: Session, bank: Bank, secret: str | bytes, mode: str) -> list[PrintedPaper]:
    """Return the papers to print for a mode: the worksheet (and its key), or every student's."""
    if mode in ("exam", "exam-key"):
        return exam(session, bank, secret)
    return [worksheet(bank, secret)]
