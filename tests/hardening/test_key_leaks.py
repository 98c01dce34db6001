"""No route shows a student (or nobody) a key or a worked solution before the policy allows.

The test walks EVERY rule of the app's url_map, with every method, as a student
and with no token, filling ids from pools of real resources (the student's
problems and banks, another student's, the instructor's) and sending bodies a
student might send (wrong answers, empty objects). Every problem involved has a
policy that does not show the key yet: "never", "after_correct" unsolved,
"after_last_attempt" with attempts to spare, ad hoc problems with 1000
attempts. In every answer it looks for:

- fields named answer, solution, expected, key, params, seed or seeds (outside
  the `errors` of an error answer, which name the request's own fields);
- the text of any of those problems' keys (as compact JSON) or worked solutions.

A positive control runs the same detector on the instructor's view, where the
keys are shown, so a detector that finds nothing cannot pass silently.
"""

from __future__ import annotations

import itertools
import json
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from quizsvc.services.practice import regenerate
from quizsvc.store.models import Problem
from tests.hardening.conftest import bearer, make_app, new_account, record_figures

FORBIDDEN = {"answer", "solution", "solution_html", "expected", "key", "params", "seed", "seeds"}
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def build_world(database_url: str) -> dict[str, Any]:
    app = make_app(database_url, PRACTICE_MAX_ATTEMPTS=1000,
                   PRACTICE_SHOW_KEY="after_correct_or_last_attempt")
    student_id, student = new_account(app, "student", "walker@example.edu")
    other_id, other = new_account(app, "student", "other@example.edu")
    teacher_id, teacher = new_account(app, "instructor", "teacher@example.edu")
    _, rival = new_account(app, "instructor", "rival@example.edu")
    client = app.test_client()
    # The teacher's course holds both students; a rival instructor's course holds nobody.
    course_id = client.post("/api/v1/courses", headers=bearer(teacher),
                            json={"title": "Walked", "term": "T"}).json["id"]
    rival_course = client.post("/api/v1/courses", headers=bearer(rival),
                               json={"title": "Elsewhere"}).json["id"]
    for email in ("walker@example.edu", "other@example.edu"):
        r = client.post(f"/api/v1/courses/{course_id}/enrollments", headers=bearer(teacher),
                        json={"email": email})
        assert r.status_code == 201, r.json
    banks = []
    for title, policy, items in (
            ("never", {"show_key": "never", "max_attempts": 3},
             [{"family": "conv_output_shape", "seeds": [11, 12]}]),  # fixed seeds: key material
            ("after correct", {"show_key": "after_correct", "max_attempts": None},
             [{"family": "conv_param_count", "count": 2}]),
            ("after last", {"show_key": "after_last_attempt", "max_attempts": 1000},
             [{"family": "conv_output_shape", "count": 1}, {"family": "conv_param_count",
                                                            "seeds": [3]}])):
        r = client.post("/api/v1/banks", headers=bearer(teacher),
                        json={"title": title, "items": items, "course_id": course_id, **policy})
        assert r.status_code == 201, r.json
        banks.append(r.json["id"])
        r = client.post(f"/api/v1/banks/{r.json['id']}/assign", headers=bearer(teacher),
                        json={"user_ids": [student_id, other_id]})
        assert r.status_code == 200, r.json
    for token in (student, other, teacher):
        for family in ("conv_output_shape", "conv_param_count"):
            r = client.post("/api/v1/problems", headers=bearer(token), json={"family": family})
            assert r.status_code == 201, r.json
    # Token ids to try: a spare token of the walker (DELETE may revoke it; the walker's own
    # must survive, or the rest of the walk would only see 401s) and the other student's.
    spare = client.post(f"/api/v1/users/{student_id}/tokens", headers=bearer(student),
                        json={"name": "spare"}).json["id"]
    others = [t["id"] for t in client.get(f"/api/v1/users/{other_id}/tokens",
                                          headers=bearer(other)).json["items"]]
    from quizsvc.extensions import db

    with app.app_context():
        problems = list(db.session.scalars(select(Problem).order_by(Problem.id)))
        secrets = []
        for p in problems:
            if p.owner_id == teacher_id:
                continue
            solution = regenerate(p).solution
            prompt = regenerate(p).prompt
            lines = [ln for ln in solution.splitlines() if len(ln) >= 25 and ln not in prompt]
            secrets.append({"id": p.id, "key": json.dumps(p.key, separators=(",", ":")),
                            "solution_lines": lines})
        ids = [p.id for p in problems]
    pools = {"problem_id": ids, "bank_id": banks + [9999], "user_id": [student_id, other_id,
                                                                        teacher_id],
             "token_id": [spare] + others, "course_id": [course_id, rival_course, 9999]}
    return {"app": app, "student": student, "teacher": teacher, "pools": pools,
            "secrets": secrets, "student_id": student_id}


def fill(rule: Any, pools: dict[str, list[Any]]) -> Iterator[str]:  # noqa: ANN401 - a Rule
    """Yield URLs for `rule` with its arguments taken from the pools."""
    names = sorted(rule.arguments)
    choices = []
    for name in names:
        converter = type(rule._converters[name]).__name__  # noqa: SLF001 - werkzeug has no API
        if name in pools:
            choices.append(pools[name])
        elif "Integer" in converter or "Id" in converter:
            choices.append([1, 2])
        elif name == "name":
            choices.append(["conv_output_shape", "conv_param_count"])
        elif name == "filename":
            choices.append(["practice.js", "swagger-ui-bundle.js"])
        else:
            choices.append(["x"])
    for values in itertools.product(*choices):
        yield rule.build(dict(zip(names, values)), append_unknown=False)[1]


def bodies(rule: Any, method: str) -> list[dict[str, Any]]:  # noqa: ANN401 - a Rule
    """The requests a curious student would try on this route and method."""
    if method in ("GET", "DELETE"):
        return [{}, {"query_string": {"page_size": 500, "include": "key", "show_key": "true"}}]
    out: list[dict[str, Any]] = [{"json": {}}, {"data": "x=1", "content_type":
                                                "application/x-www-form-urlencoded"}]
    if rule.endpoint == "problems.create_attempt":
        out += [{"json": {"answer": "1, 1, 1"}}, {"json": {"answer": {"weights": 1, "biases": 1,
                                                                         "total": 1}}},
                {"json": {"answer": {"shape": [1, 1, 1]}}}]
    if rule.endpoint == "problems.create_problem":
        out.append({"json": {"family": "conv_output_shape", "seed": 11}})  # a bank's fixed seed
    if rule.endpoint == "check.check":
        out.append({"json": {"family": "conv_output_shape", "params": {}, "answer": "1"}})
    return out


def leaks(body: str, secrets: list[dict[str, Any]], *, names: bool = True) -> list[str]:
    """Return what in `body` reveals a key or a solution."""
    found = []
    try:
        value = json.loads(body)
    except ValueError:
        value = None
    strings: list[str] = [body]

    def walk(node: Any, path: str) -> None:  # noqa: ANN401 - any JSON value
        if isinstance(node, dict):
            for k, v in node.items():
                if path == "" and k == "errors":
                    strings.extend(str(x) for x in _leaves(v))  # values still searched
                    continue
                if names and k in FORBIDDEN:
                    found.append(f"field {path}/{k}")
                walk(v, f"{path}/{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}/{i}")
        elif isinstance(node, str):
            strings.append(node)

    walk(value, "")
    for secret in secrets:
        for text in strings:
            if secret["key"] in text.replace(" ", ""):
                found.append(f"key of problem {secret['id']}")
            for line in secret["solution_lines"]:
                if line in text:
                    found.append(f"solution of problem {secret['id']}")
    return found


def _leaves(node: Any) -> Iterator[Any]:  # noqa: ANN401
    if isinstance(node, dict):
        for v in node.values():
            yield from _leaves(v)
    elif isinstance(node, list):
        for v in node:
            yield from _leaves(v)
    else:
        yield node


@pytest.mark.db
def test_no_route_shows_a_student_a_key_before_the_policy_allows(module_database_url):
    world = build_world(module_database_url)
    app, secrets = world["app"], world["secrets"]
    client = app.test_client()
    rules = [r for r in app.url_map.iter_rules()]
    sent, statuses, problems_found = 0, {"student": {}, "nobody": {}}, []
    covered: set[str] = set()
    for rule in rules:
        for method in sorted(set(rule.methods or ()) & set(METHODS)):
            for url in fill(rule, world["pools"]):
                for who, headers in (("student", bearer(world["student"])), ("nobody", {})):
                    for extra in bodies(rule, method):
                        r = client.open(url, method=method, headers=headers, **extra)
                        sent += 1
                        covered.add(rule.endpoint)
                        mine = statuses[who]
                        mine[r.status_code] = mine.get(r.status_code, 0) + 1
                        assert r.status_code < 500, (method, url, who, r.get_data(as_text=True))
                        # The API document names the fields of every schema: search its text only.
                        names = rule.endpoint != "api-docs.openapi_json"
                        for leak in leaks(r.get_data(as_text=True), secrets, names=names):
                            problems_found.append(f"{method} {url} as {who}: {leak}")
    assert not problems_found, "\n".join(sorted(set(problems_found)))
    assert covered == {r.endpoint for r in rules}  # every route was tried
    assert client.get("/api/v1/me", headers=bearer(world["student"])).status_code == 200
    assert statuses["student"].get(200, 0) > 50  # the walker stayed signed in throughout

    # The setup held: nothing was solved or used up, so no policy allowed a key.
    from quizsvc.extensions import db
    from quizsvc.services.policy import key_visible
    from quizsvc.store.models import User

    with app.app_context():
        student = db.session.get(User, world["student_id"])
        mine = db.session.scalars(select(Problem).where(Problem.owner_id == student.id))
        assert not any(key_visible(p, student) for p in mine)

    # Positive control: the instructor sees keys, and the detector finds them.
    teacher_views = [client.get(f"/api/v1/problems/{s['id']}", headers=bearer(world["teacher"]))
                     for s in secrets]
    assert all(leaks(r.get_data(as_text=True), secrets) for r in teacher_views
               if r.status_code == 200)
    record_figures("key_leak_walk", {"routes": len(rules), "requests": sent,
                                     "problems_watched": len(secrets),
                                     "statuses": {who: {str(k): v for k, v in sorted(c.items())}
                                                  for who, c in statuses.items()},
                                     "leaks": len(problems_found)})
