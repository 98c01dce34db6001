"""Page rendering cost: the problem page against its own template fed pre-rendered HTML.

In process (Flask's test client, CPU ms per request, median of rounds), a guest
on an SQLite file, for a few families (a scalar one, an array one):

- ``GET /problem/<id>``, warm: the variant's prompt and solution come from the
  render cache (quizsvc.services.practice.rendered);
- the same, cold: every render cache emptied before each request, which is
  what a view costs when it renders the Markdown and math again;
- ``POST /problem/<id>`` (an answer, CSRF token included; the 303 it answers);
- the floor: ``render_template("pages/problem.html", ...)`` alone, in a request
  context with the same user signed in, fed the context a real view passed it
  (the HTML already rendered): what the template costs, with no database, no
  grading and no rendering of math.

The figure is page / template-only.
"""

from __future__ import annotations

import re
import secrets
import statistics
import time
from typing import Any, Callable

from bench.common import Context
from bench.engine import wrong_answer

FAMILIES = (("conv_output_shape", "medium"), ("toeplitz_matrix", "medium"),
            ("transpose_conv", "hard"))


def _cpu_ms(fn: Callable[[], Any], n: int, rounds: int = 5) -> float:
    """Return the median CPU ms of `fn()` over `rounds` rounds of `n` calls."""
    fn()
    out = []
    for _ in range(rounds):
        c0 = time.process_time()
        for _ in range(n):
            fn()
        out.append((time.process_time() - c0) / n * 1000)
    return round(statistics.median(out), 3)


def measure(app: Any, family: str, level: str, n: int) -> dict[str, Any]:
    """Return CPU ms per request of the page views of one problem, and of its template alone."""
    import flask

    from quizsvc import families
    from quizsvc.render import render_inline, render_markdown
    from quizsvc.services import practice
    from quizsvc.web import auth, pages

    client = app.test_client()
    r = client.get(f"/practice/{family}?level={level}&seed=4242")
    assert r.status_code == 303, (r.status_code, r.get_data(True)[:300])
    path = r.headers["Location"]
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(True))
    assert csrf, "no CSRF token on the problem page"
    # A catalogued mistake's answer: the attempts are unlimited, so each POST grades and writes.
    fam = families.get(family)
    form = {"csrf_token": csrf.group(1), **wrong_answer(fam, fam.generate(4242, level))}

    def get() -> None:
        got = client.get(path)
        assert got.status_code == 200, (got.status_code, got.get_data(True)[:600])

    def cold() -> None:
        for cache in (practice._rendered, render_markdown, render_inline):
            cache.cache_clear()
        get()

    def post() -> None:
        resp = client.post(path, data={**form, "attempt_token": secrets.token_urlsafe(12)})
        assert resp.status_code == 303, (resp.status_code, resp.get_data(True)[:300])

    out = {"get_warm": _cpu_ms(get, n), "get_cold": _cpu_ms(cold, max(4, n // 4)),
           "post": _cpu_ms(post, n)}

    captured: dict[str, Any] = {}
    real = pages.render_template

    def capture(name: str, **context: Any) -> str:
        captured.update(name=name, context=context)
        return real(name, **context)

    pages.render_template = capture
    try:
        get()
    finally:
        pages.render_template = real
    user_id = int(path.rstrip("/").rsplit("/", 1)[1])
    from quizsvc.extensions import db
    from quizsvc.store.models import Problem

    with app.test_request_context(path):
        owner = db.session.get(Problem, user_id).owner
        auth.start_session(owner)
        out["template_only"] = _cpu_ms(
            lambda: flask.render_template(captured["name"], **captured["context"]), n)
    for k in ("get_warm", "get_cold", "post"):
        out[f"{k}_over_template"] = round(out[k] / max(out["template_only"], 1e-6), 2)
    return out


def run(ctx: Context) -> dict[str, Any]:
    from quizsvc.app import create_app

    n = 10 if ctx.quick else 100
    app = create_app({"DATABASE_URL": f"sqlite:///{ctx.workdir / 'pages.sqlite3'}",
                      "SECRET_KEY": secrets.token_hex(32), "PRACTICE_MAX_ATTEMPTS": 0,
                      "LTI_PASSBACK_WORKER": "off",
                      # One guest sends every request: the limiter stays in the path, with
                      # limits no person reaches, so that no request is refused with 429.
                      "RATELIMIT_DEFAULT": "1000000 per minute",
                      "RATELIMIT_ATTEMPTS": "1000000 per minute"})
    from quizsvc.store import migrate

    migrate.upgrade(app.config["DATABASE_URL"])
    results = {f"{family}/{level}": measure(app, family, level, n) for family, level in FAMILIES}
    ctx.log(f"pages: {results}")
    rows = [[cell, r["get_warm"], r["get_cold"], r["post"], r["template_only"],
             r["get_warm_over_template"], r["get_cold_over_template"], r["post_over_template"]]
            for cell, r in results.items()]
    return {"families": results,
            "tables": [("Problem page, CPU ms per request in process (Flask test client, SQLite, a "
                        "guest); template only = render_template with the context a view passed, "
                        "HTML pre-rendered",
                        ["family/level", "GET warm", "GET cold", "POST answer", "template only",
                         "GET warm / tmpl", "GET cold / tmpl", "POST / tmpl"], rows)]}
