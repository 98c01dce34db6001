"""Service-level properties, with Hypothesis (the answer parser's own are in tests/answers).

- Any JSON value sent as an answer is graded and stored whole (201), or refused as
  unreadable (422) with nothing stored and no attempt used; never a 5xx.
- Any JSON body nested past the bound is refused with 400 before parsing; the
  depth the service measures on the bytes is the real nesting depth.
- Any token, secret or password embedded in any text is gone from the log line.

Each property counts the examples it tried into build/hardening/properties.json.
"""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st
from sqlalchemy import func, select

from quizsvc.web.bounds import MAX_JSON_DEPTH, json_depth
from quizsvc.web.security import redact
from quizsvc.store.models import Attempt, Problem
from tests.hardening.conftest import bearer, make_app, new_account, record_figures

EXAMPLES = 150
COUNTS: dict[str, int] = {}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**40, 10**40)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=6)
    | st.dictionaries(st.text(max_size=10), children, max_size=6),
    max_leaves=30)

# What a student might type: the answer syntax's own characters, digits and noise.
answer_text = st.text(alphabet=string.digits + " ,;x×*()[]{}.-+eE\n\t" + "abcHWC" + "∞½",
                      max_size=80)


def _count(name: str) -> None:
    COUNTS[name] = COUNTS.get(name, 0) + 1


@pytest.fixture(scope="module")
def answering(module_database_url: str) -> dict[str, Any]:
    app = make_app(module_database_url, PRACTICE_MAX_ATTEMPTS=0)  # unlimited: every try counts
    _, token = new_account(app, "student", "prop@example.edu")
    client = app.test_client()
    problems = {}
    for family in ("conv_output_shape", "conv_param_count"):
        r = client.post("/api/v1/problems", headers=bearer(token), json={"family": family,
                                                                          "seed": 4})
        assert r.status_code == 201
        problems[family] = r.json["id"]
    return {"app": app, "client": client, "headers": bearer(token), "problems": problems}


def _stored(app: Any, problem_id: int) -> tuple[int, int]:  # noqa: ANN401
    from quizsvc.extensions import db

    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(Attempt)
                                 .where(Attempt.problem_id == problem_id))
        return rows, db.session.get(Problem, problem_id).attempt_count


@pytest.mark.db
@pytest.mark.parametrize("family", ["conv_output_shape", "conv_param_count"])
@settings(max_examples=EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(answer=json_values | answer_text)
def test_any_answer_is_graded_and_stored_whole_or_refused_with_nothing_stored(
        answering, family, answer):
    _count(f"answers_{family}")
    app, pid = answering["app"], answering["problems"][family]
    before = _stored(app, pid)
    r = answering["client"].post(f"/api/v1/problems/{pid}/attempts",
                                 headers=answering["headers"], json={"answer": answer})
    after = _stored(app, pid)
    assert r.status_code in (201, 422), (r.status_code, r.get_data(as_text=True)[:500])
    assert set(r.json) >= ({"id", "score", "fields"} if r.status_code == 201
                           else {"code", "status", "message", "errors"})
    if r.status_code == 201:
        assert after == (before[0] + 1, before[1] + 1)
        assert 0.0 <= r.json["score"] <= 1.0 and r.json["fields"]
    else:
        assert after == before and r.json["message"]  # unreadable: nothing stored or used


def _nest(value: Any, depth: int) -> Any:  # noqa: ANN401
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


@settings(max_examples=EXAMPLES * 2, deadline=None, database=None)
@given(value=json_values, extra=st.integers(0, 3 * MAX_JSON_DEPTH))
def test_measured_depth_is_the_real_depth(value, extra):
    _count("json_depth")
    nested = _nest(value, extra)

    def real(v: Any) -> int:  # noqa: ANN401
        if isinstance(v, dict):
            return 1 + max((real(x) for x in v.values()), default=0)
        if isinstance(v, list):
            return 1 + max((real(x) for x in v), default=0)
        return 0

    body = json.dumps(nested, ensure_ascii=False).encode()
    assert json_depth(body, stop=10**6) == real(nested)


@pytest.mark.db
@settings(max_examples=40, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(depth=st.integers(MAX_JSON_DEPTH + 1, 5000), inner=json_values)
def test_too_deep_bodies_are_400_before_parsing(answering, depth, inner):
    _count("deep_bodies")
    pid = answering["problems"]["conv_output_shape"]
    body = '{"answer": ' + "[" * depth + json.dumps(inner) + "]" * depth + "}"
    r = answering["client"].post(f"/api/v1/problems/{pid}/attempts", data=body,
                                 headers={**answering["headers"],
                                          "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json["errors"] == {"json": "nested too deeply"}


token_text = st.text(alphabet=string.ascii_letters + string.digits + "-_", min_size=43,
                     max_size=43).map(lambda s: "qz_" + s)
secret_value = st.text(alphabet=string.ascii_letters + string.digits + "!$%+-./", min_size=8,
                       max_size=30)


@settings(max_examples=EXAMPLES * 2, deadline=None, database=None)
@given(before=st.text(max_size=60), after=st.text(max_size=60), token=token_text,
       secret=secret_value,
       shape=st.sampled_from(["{t}", "Bearer {t}", "Authorization: Bearer {t}", "token={t}",
                              '"token": "{t}"', "password={s}", "secret={s}",
                              "postgresql://quiz:{s}@db:5432/quiz", '{{"client_secret": "{s}"}}']))
def test_redaction_removes_tokens_and_secrets_from_any_line(before, after, token, secret, shape):
    hidden = token if "{t}" in shape else secret
    assume(hidden not in before and hidden not in after)  # only the planted copy counts
    _count("redaction")
    cleaned = redact(before + " " + shape.format(t=token, s=secret) + " " + after)
    assert hidden not in cleaned


def teardown_module() -> None:
    if COUNTS:
        record_figures("properties", {"examples": COUNTS, "total": sum(COUNTS.values())},
                       per_worker=True)
