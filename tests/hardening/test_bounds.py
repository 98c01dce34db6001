"""Every parameter and payload has a limit, and an oversized request is refused before
anything is allocated for it: 413 or 422 with a clear message, quickly, never a 500."""

from __future__ import annotations

import json
import time
import tracemalloc
from typing import Any

import pytest

from quizsvc import families
from quizsvc.web.bounds import MAX_ID, MAX_JSON_DEPTH
from quizsvc.families.rng import SEED_MAX
from tests.hardening.conftest import record_figures

SHAPE = {"code", "status", "message", "errors"}
MAX_SECONDS = 10.0  # a hang guard, not a speed test (speed is measured in `make bench`)
MAX_PEAK_BYTES = 8 * 2**20  # what refusing may allocate, beyond the body itself
RESULTS: list[dict[str, Any]] = []


def installed_families() -> list[str]:
    out = []
    for name in families.names():
        try:
            families.get(name)
        except ImportError:
            continue
        out.append(name)
    return out


def _grow(value: Any, factor: int) -> Any:  # noqa: ANN401 - a parameter value
    """Scale a parameter up: integers x factor, lists to up to 500 entries (rows: 100)."""
    if isinstance(value, bool) or not isinstance(value, (int, list)):
        return value
    if isinstance(value, int):
        return value * factor
    if not value:
        return value
    if all(isinstance(x, list) for x in value):
        return [_grow(value[0], factor)] * 100
    return [_grow(x, factor) for x in (value * 500)[:500]]


def timed(client, method: str, url: str, **kwargs: Any):  # noqa: ANN001, ANN201
    """Send a request twice; return the answer, its time, and the peak memory allocated
    while answering (measured on the second send, since tracing slows Python down)."""
    started = time.perf_counter()
    r = client.open(url, method=method, **kwargs)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        again = client.open(url, method=method, **kwargs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert again.status_code == r.status_code or method != "GET"
    return r, seconds, peak


def refused(r, seconds: float, peak: int, codes=(413, 422)) -> None:  # noqa: ANN001
    assert r.status_code in codes, (r.status_code, r.get_data(as_text=True)[:300])
    assert r.is_json and set(r.json) == SHAPE and r.json["message"]
    assert seconds < MAX_SECONDS, f"refusing took {seconds:.2f} s"
    assert peak < MAX_PEAK_BYTES, f"refusing allocated {peak / 2**20:.1f} MiB"


@pytest.mark.parametrize("family", installed_families())
@pytest.mark.parametrize("factor", [1000, 10**9])
def test_oversized_problem_parameters_are_refused_before_allocation(client, instructor, family,
                                                                    factor):
    fam = families.get(family)
    params = fam.generate(0, fam.levels[-1]).params
    big = {k: _grow(v, factor) for k, v in params.items()}
    body = json.dumps({"family": family, "params": big, "answer": "1"})
    r, seconds, peak = timed(client, "POST", "/api/v1/check", data=body,
                             content_type="application/json", headers=instructor.headers)
    if len(body) > 256 * 1024:
        assert r.status_code == 413  # the body limit, before even reading it
    if r.status_code == 200:  # nothing in this family grows (only floats and flags)
        assert big == params, (family, r.json)
        return
    refused(r, seconds, peak - len(body))
    RESULTS.append({"family": family, "factor": factor, "status": r.status_code,
                    "ms": round(seconds * 1000, 1), "peak_kib": peak // 1024})


@pytest.mark.parametrize("name, method, url, kwargs, codes", [
    ("body over 256 KiB", "POST", "/api/v1/problems",
     {"json": {"family": "conv_output_shape", "level": "x" * 300_000}}, (413,)),
    ("answer text over 20k characters", "POST", "{attempts}", {"json": {"answer": "1," * 15_000}},
     (422,)),
    ("answer object with 5000 fields", "POST", "{attempts}",
     {"json": {"answer": {f"f{i}": i for i in range(5000)}}}, (413, 422)),
    ("JSON nested 33 deep", "POST", "{attempts}",
     {"data": '{"answer": ' + "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1) + "}",
      "content_type": "application/json"}, (400,)),
    ("seed above the range", "POST", "/api/v1/problems",
     {"json": {"family": "conv_output_shape", "seed": SEED_MAX + 1}}, (422,)),
    ("negative seed", "POST", "/api/v1/problems",
     {"json": {"family": "conv_output_shape", "seed": -1}}, (422,)),
    ("family name of 10k characters", "POST", "/api/v1/problems",
     {"json": {"family": "f" * 10_000}}, (422,)),
    ("page size 501", "GET", "/api/v1/me/attempts?page_size=501", {}, (422,)),
    ("page 10**7", "GET", "/api/v1/me/attempts?page=10000000", {}, (422,)),
    ("page 10**30", "GET", "/api/v1/me/attempts?page=" + "9" * 30, {}, (422,)),
    ("id beyond 32 bits", "GET", f"/api/v1/problems/{MAX_ID + 1}", {}, (404,)),
    ("id of 40 digits", "GET", "/api/v1/problems/" + "9" * 40, {}, (404,)),
    ("path segment of 300 characters", "GET", "/api/v1/families/" + "a" * 300, {}, (404,)),
    ("Idempotency-Key of 256 characters", "POST", "{attempts}",
     {"json": {"answer": "1, 1, 1"}, "headers": {"Idempotency-Key": "k" * 256}}, (400,)),
    ("token of 10k characters", "GET", "/api/v1/me",
     {"headers": {"Authorization": "Bearer " + "t" * 10_000}}, (401,)),
])
def test_each_bound(client, student, name, method, url, kwargs, codes):
    r = client.post("/api/v1/problems", headers=student.headers,
                    json={"family": "conv_output_shape", "seed": 1})
    url = url.format(attempts=f"/api/v1/problems/{r.json['id']}/attempts")
    headers = {**student.headers, **kwargs.pop("headers", {})}
    r, seconds, peak = timed(client, method, url, headers=headers, **kwargs)
    assert r.status_code in codes, (name, r.status_code, r.get_data(as_text=True)[:300])
    assert r.is_json and set(r.json) == SHAPE
    assert seconds < MAX_SECONDS and peak < MAX_PEAK_BYTES + 2 * 300_000, name
    RESULTS.append({"family": None, "factor": None, "status": r.status_code,
                    "ms": round(seconds * 1000, 1), "peak_kib": peak // 1024})


@pytest.mark.parametrize("name, body, code", [
    ("201 items", {"items": [{"family": "conv_output_shape"}] * 201}, 422),
    ("count 51", {"items": [{"family": "conv_output_shape", "count": 51}]}, 422),
    ("51 fixed seeds", {"items": [{"family": "conv_output_shape", "seeds": list(range(51))}]}, 422),
    ("201 problems per student", {"items": [{"family": "conv_output_shape", "count": 50}] * 4
                                  + [{"family": "conv_param_count"}]}, 413),
    ("a 10k-problem bank", {"items": [{"family": "conv_output_shape", "count": 50}] * 200}, 413),
    ("title of 201 characters", {"title": "t" * 201,
                                 "items": [{"family": "conv_output_shape"}]}, 422),
    ("description of 10001 characters", {"description": "d" * 10_001,
                                         "items": [{"family": "conv_output_shape"}]}, 422),
])
def test_bank_bounds(client, instructor, name, body, code):
    body = {"title": "bounded", **body}
    r, seconds, peak = timed(client, "POST", "/api/v1/banks", json=body,
                             headers=instructor.headers)
    refused(r, seconds, peak, codes=(code,))


def test_assignment_work_is_bounded_before_issuing_problems(client, instructor, make_account):
    r = client.post("/api/v1/banks", headers=instructor.headers, json={
        "title": "200 a student", "items": [{"family": "conv_output_shape", "count": 50}] * 4})
    assert r.status_code == 201 and r.json["size"] == 200
    bank_id, course_id = r.json["id"], r.json["course_id"]
    roster = "email\n" + "".join(f"s{i}@example.edu\n" for i in range(51))
    r = client.post(f"/api/v1/courses/{course_id}/enrollments/roster", data=roster,
                    headers={**instructor.headers, "Content-Type": "text/csv"})
    ids = [row["user"]["id"] for row in r.json["rows"]]  # 51 x 200 > 10,000 problems
    r, seconds, peak = timed(client, "POST", f"/api/v1/banks/{bank_id}/assign",
                             json={"user_ids": ids}, headers=instructor.headers)
    refused(r, seconds, peak, codes=(413,))
    assert "at most 50 students per request" in r.json["message"]
    too_many = {"user_ids": list(range(1, 2002))}
    r = client.post(f"/api/v1/banks/{bank_id}/assign", json=too_many, headers=instructor.headers)
    assert r.status_code == 422
    r = client.get(f"/api/v1/banks/{bank_id}", headers=instructor.headers)
    assert r.json["assigned"] == 0  # nothing was issued


def test_roster_bounds(client, instructor):
    rows = "email\n" + "".join(f"s{i}@example.edu\n" for i in range(2001))
    r, seconds, peak = timed(client, "POST", "/api/v1/users/roster", data=rows,
                             headers={**instructor.headers, "Content-Type": "text/csv"})
    refused(r, seconds, peak, codes=(413, 422))


@pytest.mark.parametrize("body", [
    "\U000897dcg\r\xc5<Q",  # found by the fuzzer: a bare carriage return was a csv.Error (500)
    "email\r\nada@example.edu\r",
    "email\n\"unterminated@example.edu",
    "email\n" + "a" * 200_000,  # one field beyond the csv module's field size limit
])
def test_malformed_rosters_are_422(client, instructor, body):
    r = client.post("/api/v1/users/roster", data=body.encode(),
                    headers={**instructor.headers, "Content-Type": "text/csv"})
    assert r.status_code == 422 or (r.status_code == 201 and r.json["created"] == 1), r.json
    assert set(r.json) >= ({"code", "message"} if r.status_code == 422 else {"rows"})


def teardown_module() -> None:
    if RESULTS:
        record_figures("bounds", {
            "oversized_requests": len(RESULTS),
            "families": sorted({r["family"] for r in RESULTS if r["family"]}),
            "slowest_ms": max(r["ms"] for r in RESULTS),
            "largest_peak_kib": max(r["peak_kib"] for r in RESULTS)}, per_worker=True)
