"""Properties of the whole OpenAPI document: descriptions, working examples, enums, error
responses with the error schema (and the statuses routes really return documented), download
media types."""

from __future__ import annotations

import re

import pytest
from marshmallow import class_registry

from quizsvc import families
from quizsvc.families.base import LEVELS

METHODS = ("get", "post", "put", "patch", "delete")
ERROR_REF = "#/components/schemas/Error"


@pytest.fixture
def doc(client):  # noqa: ANN001, ANN201
    return client.get("/api/v1/openapi.json").json


def operations(doc: dict):  # noqa: ANN201 - yields (path, method, operation, path parameters)
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if method in METHODS:
                yield path, method, op, ops.get("parameters", [])


def test_every_operation_is_summarised_and_described(doc):
    missing = [f"{m.upper()} {p}" for p, m, op, _ in operations(doc)
               if not op.get("summary") or not op.get("description")]
    assert not missing, f"operations without a description: {missing}"


def test_every_error_response_has_the_error_schema(doc):
    assert set(doc["components"]["schemas"]["Error"]["required"]) == {
        "code", "status", "message", "errors"}
    for path, method, op, _ in operations(doc):
        for status, response in op["responses"].items():
            if status.startswith(("2", "3")):
                continue
            if "$ref" in response:
                response = doc["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": ERROR_REF}, (method, path, status)


def test_every_json_body_has_an_example_its_schema_accepts(doc):
    seen = 0
    for path, method, op, _ in operations(doc):
        media = op.get("requestBody", {}).get("content", {}).get("application/json")
        if media is None:
            continue
        assert "example" in media, f"{method.upper()} {path} has no example body"
        name = media["schema"]["$ref"].rsplit("/", 1)[1]
        schema = class_registry.get_class(name)()
        assert schema.validate(media["example"]) == {}, (method, path, media["example"])
        seen += 1
    assert seen >= 10


def test_the_examples_work(doc, client, instructor, student, admin):
    """Send the documented bodies, as written, to the routes; each succeeds."""
    def example(path: str, method: str = "post") -> dict:
        return doc["paths"][path][method]["requestBody"]["content"]["application/json"]["example"]

    r = client.post("/api/v1/problems", json=example("/api/v1/problems"), headers=student.headers)
    assert r.status_code == 201, r.json
    r = client.post(f"/api/v1/problems/{r.json['id']}/attempts",
                    json=example("/api/v1/problems/{problem_id}/attempts"),
                    headers=student.headers)
    assert r.status_code == 201 and r.json["correct"], r.json  # the example is the right answer
    r = client.post("/api/v1/check", json=example("/api/v1/check"), headers=instructor.headers)
    assert r.status_code == 200 and r.json["correct"], r.json
    r = client.post("/api/v1/users", json=example("/api/v1/users"), headers=instructor.headers)
    assert r.status_code == 201, r.json
    ada = r.json["id"]
    r = client.post(f"/api/v1/users/{ada}/tokens", json=example("/api/v1/users/{user_id}/tokens"),
                    headers=instructor.headers)
    assert r.status_code == 201, r.json
    r = client.post("/api/v1/banks", json=example("/api/v1/banks"), headers=instructor.headers)
    assert r.status_code == 201, r.json
    r = client.post(f"/api/v1/banks/{r.json['id']}/assign",
                    json=example("/api/v1/banks/{bank_id}/assign"), headers=instructor.headers)
    assert r.status_code == 200 and r.json["assigned"] == [ada], r.json
    r = client.post("/api/v1/lti/platforms", json=example("/api/v1/lti/platforms"),
                    headers=admin.headers)
    assert r.status_code == 201, r.json
    r = client.post(f"/api/v1/lti/platforms/{r.json['id']}/deployments",
                    json=example("/api/v1/lti/platforms/{platform_id}/deployments"),
                    headers=admin.headers)
    assert r.status_code == 201, r.json


def test_named_values_are_enums(doc):
    expected = {"family": families.names(), "level": list(LEVELS),
                "role": ["student", "instructor", "admin"],  # or a course role (below)
                "format": ["moodle", "qti12", "gift", "json", "pdf"],
                "show_key": ["always", "after_correct", "after_correct_or_last_attempt",
                             "after_last_attempt", "never"]}
    found = set()
    places = [s.get("properties", {}) for s in doc["components"]["schemas"].values()]
    places += [{p["name"]: p["schema"]} for _, _, op, _ in operations(doc)
               for p in op.get("parameters", []) if "schema" in p]
    for properties in places:
        for name, prop in properties.items():
            key = name.rstrip("s")
            if key in expected and prop.get("type", "array" if "items" in prop else "") in (
                    "string", "array"):
                values = prop.get("items", prop).get("enum")
                assert values is not None, (name, prop)
                given = sorted(v for v in values if v is not None)
                allowed = [sorted(expected[key])]
                if key == "role":
                    allowed.append(sorted(["student", "ta", "instructor"]))
                assert given in allowed, (name, values)
                found.add(key)
    assert found == set(expected)


def test_downloads_declare_their_media_types(doc, client, instructor):
    bank = client.post("/api/v1/banks", json={"title": "t", "items": [{"family": "dropout"}]},
                       headers=instructor.headers).json["id"]
    export = doc["paths"]["/api/v1/banks/{bank_id}/export"]["get"]["responses"]["200"]["content"]
    assert set(export) == {"application/xml", "application/zip", "text/plain",
                           "application/json", "application/pdf"}
    for fmt in ("moodle", "qti12", "gift", "json", "pdf"):
        r = client.get(f"/api/v1/banks/{bank}/export?format={fmt}", headers=instructor.headers)
        assert r.status_code == 200 and r.mimetype in export, (fmt, r.mimetype)
    for name in ("grades.csv", "attempts.csv"):
        content = doc["paths"][f"/api/v1/banks/{{bank_id}}/{name}"]["get"]["responses"]["200"][
            "content"]
        r = client.get(f"/api/v1/banks/{bank}/{name}", headers=instructor.headers)
        assert list(content) == ["text/csv"] and r.mimetype == "text/csv"


def test_the_statuses_routes_return_are_documented(doc, client, student):
    """Call every operation as a stranger, as a student, with ids that do not exist and with
    bodies that are not JSON: whatever error comes back is among its documented responses."""
    undocumented = []
    for path, method, op, path_params in operations(doc):
        url = re.sub(r"\{[^}]+\}", "999999", path)
        calls = [("no token", {}, None, None), ("student", student.headers, None, None)]
        if "application/json" in op.get("requestBody", {}).get("content", {}):
            calls += [("text body", student.headers, "x", "text/plain"),
                      ("broken JSON", student.headers, "{", "application/json")]
        for what, headers, data, media in calls:
            hdrs = {**headers, **({"Content-Type": media} if media else {})}
            r = client.open(url, method=method.upper(), headers=hdrs, data=data)
            if r.status_code >= 400 and str(r.status_code) not in op["responses"]:
                undocumented.append((method.upper(), path, what, r.status_code))
    assert not undocumented


ENVELOPE = {"items", "page", "page_size", "total", "pages"}


def test_every_list_answers_one_pagination_envelope(doc):
    """No operation answers a bare JSON array; every paginated answer is the same envelope and its
    operation takes `page` and `page_size`."""
    schemas = doc["components"]["schemas"]
    envelopes = []
    for path, method, op, _ in operations(doc):
        for status, response in op["responses"].items():
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            if not status.startswith("2") or schema is None:
                continue
            assert schema.get("type") != "array", f"{method.upper()} {path} answers a bare list"
            resolved = schemas[schema["$ref"].rsplit("/", 1)[1]] if "$ref" in schema else schema
            if "page" in resolved.get("properties", {}):
                assert set(resolved["properties"]) == ENVELOPE, (path, resolved["properties"])
                params = {p["name"] for p in op.get("parameters", []) if p["in"] == "query"}
                assert {"page", "page_size"} <= params, (method, path, params)
                envelopes.append(path)
    # the lists that answered bare arrays before, among the rest
    for path in ("/api/v1/families", "/api/v1/users/{user_id}/tokens", "/api/v1/lti/links",
                 "/api/v1/banks/{bank_id}/results", "/api/v1/banks/{bank_id}/analytics",
                 "/api/v1/banks/export-formats", "/api/v1/lti/platforms",
                 "/api/v1/lti/registrations", "/api/v1/lti/overview", "/api/v1/users",
                 "/api/v1/banks", "/api/v1/courses"):
        assert path in envelopes, path


def test_a_short_list_pages_like_a_long_one(client, student):
    whole = client.get("/api/v1/families?page_size=500", headers=student.headers).json
    assert whole["total"] == len(whole["items"]) > 3 and whole["pages"] == 1
    second = client.get("/api/v1/families?page=2&page_size=2", headers=student.headers).json
    assert second["items"] == whole["items"][2:4]
    assert second["pages"] == (whole["total"] + 1) // 2 and second["total"] == whole["total"]
    beyond = client.get(f"/api/v1/families?page={whole['total'] + 1}&page_size=1",
                        headers=student.headers).json
    assert beyond["items"] == [] and beyond["total"] == whole["total"]
    r = client.get("/api/v1/families?page_size=0", headers=student.headers)
    assert r.status_code == 422 and "page_size" in r.json["errors"]["query"]
