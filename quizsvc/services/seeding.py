"""Loading `seeds/`: curated problem sets become banks; the concept bank is checked.

``seeds/problem_sets.json`` holds ``{"format": 1, "sets": [...]}``, each set a
bank definition (title, description, max_attempts, show_key, items). Loading
is idempotent: a set whose title the owner already has a bank for is skipped.
``seeds/concepts.json`` (the multiple-choice concept questions) is validated
with `quizsvc.concepts.load_concepts`; it is read from the file where it is
used, so nothing of it is copied into the database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizsvc.errors import NotFoundError, ParamError, QuizError
from quizsvc.services.banks import ItemSpec, create_bank
from quizsvc.services.policy import STAFF, Policy
from quizsvc.store.models import Bank, User

PROBLEM_SETS = "problem_sets.json"
CONCEPTS = "concepts.json"


def read_problem_sets(path: Path) -> list[dict[str, Any]]:
    """Return the sets of a problem-sets file, or raise ParamError saying what is wrong."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ParamError(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != 1 or not isinstance(data.get("sets"), list):
        raise ParamError(f"{path}: expected {{\"format\": 1, \"sets\": [...]}}")
    return data["sets"]


def load_problem_sets(session: Session, path: Path, owner: User) -> list[str]:
    """Create a bank for each set `owner` does not have yet; return one line per set."""
    if owner.role not in STAFF:
        raise ParamError(f"{owner.email} is a {owner.role}: curated banks need an instructor")
    report = []
    for n, raw in enumerate(read_problem_sets(path)):
        title = str(raw.get("title", "")).strip()
        exists = session.scalar(select(Bank.id).where(Bank.owner_id == owner.id, Bank.title == title))
        if exists is not None:
            report.append(f"problem set {title!r}: already loaded (bank #{exists})")
            continue
        try:
            items = [ItemSpec(i["family"], i.get("level", "easy"), int(i.get("count", 1)),
                              tuple(i["seeds"]) if i.get("seeds") else None)
                     for i in raw.get("items", [])]
            policy = Policy(raw.get("max_attempts"), raw.get("show_key", "after_last_attempt"))
            bank = create_bank(session, owner, title, items, policy, raw.get("description", ""))
        except (KeyError, TypeError, ValueError) as exc:
            raise ParamError(f"{path.name}, set {n} ({title!r}): malformed ({exc})") from None
        except QuizError as exc:
            raise ParamError(f"{path.name}, set {n} ({title!r}): {exc.message} {exc.errors or ''}"
                             .strip(), errors=exc.errors) from None
        report.append(f"problem set {title!r}: bank #{bank.id} with "
                      f"{sum(i.count for i in bank.items)} problems per student")
    return report


def check_concepts(path: Path) -> list[str]:
    """Validate the concept bank; return a one-line summary."""
    try:
        from quizsvc.concepts import load_concepts
    except ImportError:
        return ["concepts: quizsvc.concepts is not available; skipped"]
    questions = load_concepts(path)
    topics = sorted({q.topic for q in questions})
    return [f"concepts: {len(questions)} questions in {len(topics)} topics, valid"]


def load_seeds(session: Session, seed_dir: Path, owner_email: str) -> list[str]:
    """Load everything in `seed_dir` for the instructor `owner_email`; return a report."""
    owner = session.scalar(select(User).where(User.email == owner_email.strip().lower()))
    if owner is None:
        raise NotFoundError(f"no user with the email {owner_email}: create the instructor first "
                            "(`quizsvc demo-instructor` or `quizsvc create-user --role instructor`)")
    report: list[str] = []
    sets = seed_dir / PROBLEM_SETS
    if sets.exists():
        report += load_problem_sets(session, sets, owner)
    else:
        report.append(f"no {PROBLEM_SETS} in {seed_dir}")
    concepts = seed_dir / CONCEPTS
    if concepts.exists():
        report += check_concepts(concepts)
    return report
