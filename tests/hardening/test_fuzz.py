"""schemathesis fuzzes every operation of our OpenAPI document, in process (WSGI).

As a student and as an instructor, with schema-valid (positive) and
schema-violating (negative) requests, each operation gets FUZZ_EXAMPLES
generated cases against random ids and, where the path has ids, as many again
against the ids of real resources of that user (so that bodies reach the
grading and bank code rather than stopping at a 404). Every response must:

- not be a 5xx;
- conform to the documented schema, status code, content type and headers;
- come back within MAX_SECONDS (no request hangs).

"Schema-valid request rejected" (a 4xx to a valid-looking request) is not
checked: a 409 for no attempts left or a 422 for an unknown family is right.
The counts go to build/hardening/fuzz_<role>_<mode>.json.
"""

from __future__ import annotations

import os
import time
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_headers_conformance, response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import update

from tests.hardening.conftest import bearer, make_app, new_account, record_figures

pytestmark = pytest.mark.db  # CI runs it again on PostgreSQL

FUZZ_EXAMPLES = int(os.environ.get("QUIZSVC_FUZZ_EXAMPLES", "8"))
MAX_SECONDS = 10.0
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance, response_headers_conformance]


@pytest.fixture(scope="module")
def world(module_database_url: str) -> dict[str, Any]:
    """An app with a student and an instructor, a bank assigned to the student, problems."""
    app = make_app(module_database_url, PRACTICE_MAX_ATTEMPTS=0)  # 0: unlimited attempts
    student_id, student = new_account(app, "student", "fuzz-student@example.edu")
    teacher_id, teacher = new_account(app, "instructor", "fuzz-teacher@example.edu")
    client = app.test_client()
    bank = client.post("/api/v1/banks", headers=bearer(teacher), json={
        "title": "Fuzzed bank", "items": [{"family": "conv_output_shape", "count": 2},
                                          {"family": "conv_param_count", "seeds": [1, 2]}]})
    assert bank.status_code == 201, bank.json
    bank_id, course_id = bank.json["id"], bank.json["course_id"]
    r = client.post(f"/api/v1/courses/{course_id}/enrollments", headers=bearer(teacher),
                    json={"email": "fuzz-student@example.edu"})
    assert r.status_code == 201, r.json
    r = client.post(f"/api/v1/banks/{bank_id}/assign", headers=bearer(teacher),
                    json={"user_ids": [student_id]})
    assert r.status_code == 200, r.json
    ids: dict[str, dict[str, Any]] = {}
    for role, uid, token in (("student", student_id, student), ("instructor", teacher_id, teacher)):
        problem = client.post("/api/v1/problems", headers=bearer(token),
                              json={"family": "conv_output_shape", "seed": 5})
        assert problem.status_code == 201, problem.json
        decoy = client.post(f"/api/v1/users/{uid}/tokens", headers=bearer(token),
                            json={"name": "decoy"})  # the fuzzer may revoke this one
        assert decoy.status_code == 201, decoy.json
        ids[role] = {"problem_id": problem.json["id"], "bank_id": bank_id, "user_id": uid,
                     "token_id": decoy.json["id"], "name": "conv_output_shape",
                     "course_id": course_id}
    return {"app": app, "tokens": {"student": student, "instructor": teacher}, "ids": ids}


def _keep_tokens(app: Any) -> None:  # noqa: ANN401
    """Undo a revocation of the fuzzing users' tokens, so the run stays authenticated."""
    from quizsvc.extensions import db
    from quizsvc.store.models import ApiToken

    with app.app_context():
        db.session.execute(update(ApiToken).where(ApiToken.name == "hardening")
                           .values(revoked_at=None))
        db.session.commit()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
                         ids=["positive", "negative"])
@pytest.mark.parametrize("role", ["student", "instructor"])
def test_fuzz_openapi(world: dict[str, Any], role: str, mode: GenerationMode) -> None:
    app = world["app"]
    headers = bearer(world["tokens"][role])
    known = world["ids"][role]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    calls: dict[str, int] = {}
    statuses: dict[int, int] = {}
    failures: dict[str, str] = {}
    slowest = 0.0

    def fuzz(label: str, strategy: Any) -> None:  # noqa: ANN401 - a hypothesis strategy
        @given(case=strategy)
        @settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:  # noqa: ANN401 - a schemathesis Case
            nonlocal slowest
            calls[label] = calls.get(label, 0) + 1
            started = time.perf_counter()
            try:
                response = case.call_and_validate(headers=headers, checks=CHECKS)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # noqa: BLE001 - schemathesis raises a FailureGroup
                failures.setdefault(label, str(exc)[:3000])
            elapsed = time.perf_counter() - started
            slowest = max(slowest, elapsed)
            if elapsed > MAX_SECONDS:
                failures.setdefault(label + " (slow)", f"{elapsed:.1f} s: {case!r}"[:3000])
            if case.method == "DELETE" and "tokens" in case.path:
                _keep_tokens(app)

        try:
            run()
        except Unsatisfiable:
            pass  # nothing to make invalid in this operation (negative mode)

    operations = 0
    for result in schema.get_all_operations():
        op = result.ok()
        operations += 1
        fuzz(op.label, op.as_strategy(generation_mode=mode))
        path_names = [p.name for p in op.path_parameters]
        if path_names and all(n in known for n in path_names):
            fixed = {n: known[n] for n in path_names}
            fuzz(op.label + " [own ids]", op.as_strategy(generation_mode=mode,
                                                         path_parameters=fixed))

    total = sum(calls.values())
    record_figures(f"fuzz_{role}_{mode.value}", {
        "role": role, "mode": mode.value, "backend": app.config["DATABASE_URL"].split(":")[0],
        "operations": operations, "examples_per_strategy": FUZZ_EXAMPLES,
        "requests": total, "server_errors": sum(n for s, n in statuses.items() if s >= 500),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "nonconforming": len(failures), "slowest_seconds": round(slowest, 3),
        "failures": {k: v[:1500] for k, v in failures.items()}})
    assert operations >= 30, "the OpenAPI document lost its operations"
    assert total >= operations * FUZZ_EXAMPLES // 2
    assert not failures, "\n\n".join(f"== {k}\n{v}" for k, v in failures.items())
