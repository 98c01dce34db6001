"""Our own JSON bank: the identity of every variant, which regenerates it exactly.

A bank file lists, per problem, its family, family version, seed, level and
parameters (and the key, for people reading the file). Importing regenerates
each problem from its seed and level, checks that the parameters and the key
come out the same, and refuses a bank written by another version of a family.
Export, import and export again gives the very same bytes.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from quizsvc import families
from quizsvc.errors import QuizError
from quizsvc.exporters.items import Item
from quizsvc.exporters.registry import Format, Options, Written, register
from quizsvc.families.base import Family
from quizsvc.families.problem import Problem

FORMAT = "quizsvc-bank"
FORMAT_VERSION = 1
CUSTOM = "custom"  # the level of a problem built from an instructor's own parameters


class BankFormatError(QuizError):
    """A bank file that is not ours, is damaged, or was made by another family version."""

    status = 422


def record(problem: Problem) -> dict[str, Any]:
    """Return the JSON record of one problem."""
    return {"family": problem.family, "version": problem.version, "seed": problem.seed,
            "level": problem.level, "params": problem.params, "answer": problem.answer}


def dumps(problems: Iterable[Problem], *, title: str = "quizsvc") -> bytes:
    """Return the bank file of `problems` (UTF-8 JSON, one problem a line)."""
    lines = [json.dumps(record(p), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
             for p in problems]
    head = json.dumps({"format": FORMAT, "format_version": FORMAT_VERSION, "title": title},
                      ensure_ascii=False)[:-1]
    body = ",\n".join(lines)
    return f'{head}, "problems": [\n{body}\n]}}\n'.encode("utf-8")


def _fail(where: str, message: str) -> BankFormatError:
    return BankFormatError(f"{where}: {message}", errors={"bank": message})


def _problem(rec: Any, where: str) -> Problem:
    if not isinstance(rec, dict):
        raise _fail(where, "a problem must be a JSON object")
    missing = [k for k in ("family", "version", "seed", "level", "params") if k not in rec]
    if missing:
        raise _fail(where, f"missing {', '.join(missing)}")
    family: Family = families.get(rec["family"])
    if rec["version"] != family.version:
        raise BankFormatError(
            f"{where}: this bank was written with {family.name} version {rec['version']}, but this "
            f"service has version {family.version}; its variants would not be the same problems. "
            "Export the bank again from a service running that version, or rebuild it here.",
            errors={"version": f"{family.name} v{rec['version']} != v{family.version}"}, status=409)
    seed, level, params = rec["seed"], rec["level"], rec["params"]
    if level in family.levels:
        problem = family.generate(seed, level)
        if problem.params != params:
            raise _fail(where, f"the parameters differ from those of {family.name} seed {seed} "
                               f"({level}); the file was edited or is damaged")
    elif level == CUSTOM:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise _fail(where, "seed must be an integer")
        problem = family.build(family.validate(params), seed=seed, level=CUSTOM)
        if problem.params != params:
            raise _fail(where, "the parameters are not in canonical form")
    else:
        raise _fail(where, f"level must be one of {', '.join(family.levels)} or {CUSTOM}, "
                           f"got {level!r}")
    if "answer" in rec and rec["answer"] != problem.answer:
        raise _fail(where, f"the stored key differs from what {family.name} v{family.version} "
                           "computes now")
    return problem


def loads(data: bytes | str) -> tuple[str, list[Problem]]:
    """Return the title and the problems of a bank file, regenerated and checked."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BankFormatError(f"not a JSON bank file ({exc})", errors={"bank": "invalid JSON"}) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BankFormatError(f"not a quizsvc bank file (expected \"format\": \"{FORMAT}\")",
                              errors={"bank": "unknown format"})
    if doc.get("format_version") != FORMAT_VERSION:
        raise BankFormatError(f"bank file format version {doc.get('format_version')!r} is not "
                              f"supported (this service reads version {FORMAT_VERSION})",
                              errors={"bank": "unsupported format version"})
    records = doc.get("problems")
    if not isinstance(records, list):
        raise BankFormatError("the bank has no \"problems\" list", errors={"bank": "no problems"})
    problems = []
    for i, rec in enumerate(records):
        try:
            problems.append(_problem(rec, f"problem {i + 1}"))
        except BankFormatError:
            raise
        except QuizError as exc:
            raise BankFormatError(f"problem {i + 1}: {exc.message}", errors=exc.errors,
                                  status=exc.status) from None
    return str(doc.get("title", "")), problems


def write(items: list[Item], options: Options) -> Written:
    """Return the bank file of `items` (every item is written)."""
    return Written(dumps([i.problem for i in items], title=options.title), len(items))


REGISTERED = register(Format("json", "quizsvc JSON bank", "application/json", ".json", write,
                         "Our own bank file: every variant's identity, to import again"))
