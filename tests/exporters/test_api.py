"""REST exports: a bank in every format, its grades and attempts as CSV; instructors only."""

from __future__ import annotations

import csv
import io

import pytest

from quizsvc import families
from quizsvc.exporters import jsonbank
from quizsvc.services.variants import variant_seed
from tests.api.helpers import answer, enroll, key_of, wrong_answer
from tests.conftest import SECRET
from tests.exporters import gift_oracle, moodle_oracle, qti_oracle
from tests.exporters.helpers import qti_dtd

BANK = {"title": "Week 2: strides & <padding>", "max_attempts": 3, "show_key": "after_last_attempt",
        "items": [{"family": "conv_output_shape", "level": "medium", "count": 2},
                  {"family": "conv_param_count", "level": "easy", "seeds": [5, 6]}]}


def make_bank(client, owner, body=BANK) -> dict:
    r = client.post("/api/v1/banks", json=body, headers=owner.headers)
    assert r.status_code == 201, r.json
    return r.json


def get_export(client, who, bank_id, **query):
    return client.get(f"/api/v1/banks/{bank_id}/export", query_string=query, headers=who.headers)


def test_bank_export_pool_groups_and_identity(client, instructor):
    bank = make_bank(client, instructor)
    r = get_export(client, instructor, bank["id"], format="json")
    assert r.status_code == 200 and r.headers["X-Quizsvc-Items"] == "12"
    assert r.headers["Content-Disposition"].startswith("attachment; filename=")
    title, problems = jsonbank.loads(r.data)
    assert title == BANK["title"]
    pool = [variant_seed(SECRET, bank["id"], 0, v, 0) for v in range(10)]
    assert [(p.family, p.seed, p.level) for p in problems] == (
        [("conv_output_shape", s, "medium") for s in pool] + [("conv_param_count", 5, "easy"),
                                                               ("conv_param_count", 6, "easy")])
    qti = get_export(client, instructor, bank["id"], format="qti12")
    package = qti_oracle.read(qti.data)
    # The bank allows 3 attempts: so does the Canvas quiz, keeping the highest score.
    assert package.settings["allowed_attempts"] == "3" and package.max_attempts == "3"
    assert package.settings["scoring_policy"] == "keep_highest"
    assert package.settings["hide_results"] == "until_after_last_attempt"  # show_key after_last_attempt
    assert int(qti.headers["X-Quizsvc-Notes"]) >= 1
    assert [(t, n, len(items)) for t, n, items in package.groups] == [
        ("conv_output_shape (medium)", 2, 10), ("conv_param_count (easy)", 2, 2)]
    dtd = qti_dtd()
    assert dtd.validate(package.assessment), dtd.error_log.filter_from_errors()
    everything = qti_oracle.read(get_export(client, instructor, bank["id"], format="qti12", pick=0).data)
    assert [n for _, n, _ in everything.groups] == [10, 2]


@pytest.mark.parametrize("fmt", ["moodle", "qti12", "gift", "json"])
def test_a_50_item_bank_in_every_format(client, instructor, fmt):
    body = {**BANK, "items": [{"family": "conv_param_count", "level": "medium", "count": 10}]}
    bank = make_bank(client, instructor, body)
    r = get_export(client, instructor, bank["id"], format=fmt, pool=5)
    assert r.status_code == 200, r.json
    assert r.headers["X-Quizsvc-Items"] == "50" and r.headers["X-Quizsvc-Left-Out"] == "0"
    if fmt == "moodle":
        parsed = moodle_oracle.parse(r.data)
        assert len(parsed) == 50 and parsed[0].category.startswith("$course$/top/Week 2: strides")
    elif fmt == "qti12":
        assert sum(len(i) for _, _, i in qti_oracle.read(r.data).groups) == 50
    elif fmt == "gift":
        assert len(gift_oracle.parse(r.data)) == 50
    else:
        assert len(jsonbank.loads(r.data)[1]) == 50


def test_only_the_owning_instructor_or_an_admin(client, instructor, other_instructor, admin, student):
    bank = make_bank(client, instructor)
    enroll(client, instructor, student, course_id=bank["course_id"])
    client.post(f"/api/v1/banks/{bank['id']}/assign", json={"user_ids": [student.id]},
                headers=instructor.headers)
    for path in ("export?format=gift", "grades.csv", "attempts.csv"):
        url = f"/api/v1/banks/{bank['id']}/{path}"
        assert client.get(url, headers=student.headers).status_code == 403  # assigned, not staff
        # Another course's instructor: the bank does not exist for them.
        assert client.get(url, headers=other_instructor.headers).status_code == 404
        assert client.get(url).status_code == 401
        assert client.get(url, headers=admin.headers).status_code == 200
        assert client.get(url, headers=instructor.headers).status_code == 200
    assert client.get("/api/v1/banks/999/grades.csv", headers=instructor.headers).status_code == 404


@pytest.mark.parametrize("query", [{}, {"format": "docx"}, {"format": "gift", "style": "fancy"},
                                   {"format": "json", "pool": 0}])
def test_bad_export_arguments_are_422(client, instructor, query):
    bank = make_bank(client, instructor)
    r = get_export(client, instructor, bank["id"], **query)
    assert r.status_code == 422 and r.json["code"] == 422 and r.json["errors"]


def test_grades_and_attempts_csv(client, instructor, make_account):
    bank = make_bank(client, instructor)
    ann = make_account("student", name="Ann, \"the\" Öst")
    bob = make_account("student", name="=Bob")
    enroll(client, instructor, ann, bob, course_id=bank["course_id"])
    client.post(f"/api/v1/banks/{bank['id']}/assign", json={"user_ids": [ann.id, bob.id]},
                headers=instructor.headers)
    problems = client.get(f"/api/v1/banks/{bank['id']}", headers=ann.headers).json["problems"]
    fixed = [p for p in problems if p["family"] == "conv_param_count"]
    assert answer(client, ann, fixed[0]["id"], key_of("conv_param_count", 5)).status_code == 201
    wrong = wrong_answer("conv_param_count", 6, "forgot_bias")
    assert answer(client, ann, fixed[1]["id"], wrong).status_code == 201

    r = client.get(f"/api/v1/banks/{bank['id']}/grades.csv", headers=instructor.headers)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                       f"{BANK['title']} ({bank['id']})"]
    assert rows[1][0].strip() == "Points Possible" and rows[1][5] == "4"
    by_id = {row[1]: row for row in rows[2:]}
    expected_ann = 1 + families.get("conv_param_count").check(
        families.get("conv_param_count").generate(6, "easy").params, wrong).score
    assert float(by_id[str(ann.id)][5]) == pytest.approx(expected_ann, abs=0.01)
    assert by_id[str(ann.id)][0] == 'Ann, "the" Öst' and by_id[str(bob.id)][0] == "'=Bob"
    assert float(by_id[str(bob.id)][5]) == 0

    r = client.get(f"/api/v1/banks/{bank['id']}/attempts.csv", headers=instructor.headers)
    lines = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    v = families.get("conv_param_count").version
    assert [(x["item_ident"], x["correct"], x["misconception"]) for x in lines] == [
        (f"conv_param_count-v{v}-s5-easy", "true", ""),
        (f"conv_param_count-v{v}-s6-easy", "false", "forgot_bias")]


def test_cli_exports_a_stored_bank(client, instructor, database_url, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from quizsvc.cli import main

    bank = make_bank(client, instructor)
    monkeypatch.setenv("QUIZSVC_DATABASE_URL", database_url)
    monkeypatch.setenv("QUIZSVC_SECRET_KEY", SECRET)
    out = tmp_path / "bank.zip"
    result = CliRunner().invoke(main, ["export", "--format", "qti12", "--bank", str(bank["id"]),
                                       "--pool", "3", "-o", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "wrote 8 items" in result.output
    package = qti_oracle.read(out.read_bytes())
    assert [(n, len(items)) for _, n, items in package.groups] == [(2, 6), (2, 2)]
    seeds = {int(i.meta["quizsvc_seed"]) for _, _, items in package.groups for i in items}
    assert seeds == {variant_seed(SECRET, bank["id"], 0, v, 0) for v in range(6)} | {5, 6}
    missing = CliRunner().invoke(main, ["export", "--format", "json", "--bank", "999", "-o",
                                        str(tmp_path / "x")])
    assert missing.exit_code == 2 and "no bank with id 999" in missing.output
