"""Scale-out, LTI: both instances run the passback sender; each queued score is sent once.

A local LTI 1.3 platform (the test suite's `tests.lti.platform.LocalPlatform`,
served over HTTP on loopback: it counts every score it receives) is registered
in the shared database; a student launches a bank of two problems from it (in
process, as a browser would); then answers go to both instances at once,
alternating, in waves of four. Each attempt queues its bank score in its transaction and wakes
the sender of the instance that served it; the other instance's sender sweeps
every second too. Outbox rows are claimed with a lease, so a score must reach
the platform once per row marked sent, never twice.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.scale import _send

ANSWERS, WAVE = 12, 4


def check(url: str, secret: str, ports: list[int]) -> dict[str, Any]:
    """Launch a student from a counting platform, answer on both instances; return the counts."""
    import requests
    from sqlalchemy import func, select
    from werkzeug.serving import make_server

    from bench.server import free_port
    from quizsvc.app import create_app
    from quizsvc.extensions import db
    from quizsvc.lti import registry
    from quizsvc.services import users
    from quizsvc.store.lti import LtiGradeOutbox
    from tests.lti.conftest import LAUNCH_URL, Lms, bank_ref_for, boot, issue_bank_problem, make_bank
    from tests.lti.platform import LEARNER, LocalPlatform

    port = free_port()
    http = requests.Session()
    plat = LocalPlatform(tool_origin=f"http://127.0.0.1:{ports[0]}",
                         tool_jwks_url=f"http://127.0.0.1:{ports[0]}/lti/jwks",
                         issuer=f"http://127.0.0.1:{port}", redirect_uris=(LAUNCH_URL,), http=http)
    lms_server = make_server("127.0.0.1", port, plat, threaded=True)
    threading.Thread(target=lms_server.serve_forever, daemon=True).start()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secret, "LTI_PASSBACK_WORKER": "off",
                      "RATELIMIT_ENABLED": False})
    try:
        with app.app_context():
            registry.register_platform(db.session, issuer=plat.issuer, client_id=plat.client_id,
                                       auth_login_url=plat.url("/auth"),
                                       auth_token_url=plat.url("/token"),
                                       jwks_url=plat.url("/jwks"),
                                       deployment_ids=[plat.deployment_id], name="Counting LMS")
            instructor = users.create_user(db.session, None, role="instructor", name="LTI scale")
            db.session.commit()
            instructor_id = instructor.id
        bank_id = make_bank(app, instructor_id, count=2, max_attempts=None)
        lineitem = plat.add_lineitem(label="Convolution shapes", scoreMaximum=2,
                                     resourceLinkId="rl-1")
        claims = plat.resource_link_claims(
            sub="student-scale", roles=[LEARNER], link_id="rl-1", target_link_uri=LAUNCH_URL,
            lineitem=lineitem, custom={"quizsvc_bank": bank_ref_for(app, plat.issuer, bank_id)})
        resp = Lms(app.test_client(), plat, http).launch(claims)
        assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
        data = boot(resp)
        problems = [issue_bank_problem(app, bank_id, data["user"]["id"], v) for v in (0, 1)]

        def answer(i: int) -> int:
            pid, key = problems[i % 2]
            value = key if i % 3 == 0 else {"shape": [1, 1, 1]}
            return _send(ports[i % 2], "POST", f"/api/v1/problems/{pid}/attempts",
                         data["token"], {"answer": value})[0]

        codes: list[int] = []
        with ThreadPoolExecutor(WAVE) as pool:  # in waves, so that both senders have work
            for start in range(0, ANSWERS, WAVE):
                codes += pool.map(answer, range(start, start + WAVE))
                time.sleep(0.5)
        deadline = time.monotonic() + 60
        while True:
            with app.app_context():
                states = dict(db.session.execute(
                    select(LtiGradeOutbox.status, func.count()).group_by(LtiGradeOutbox.status)).all())
                db.session.close()
            if not states.get("pending") or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    finally:
        lms_server.shutdown()
        with app.app_context():
            db.engine.dispose()
    posted = plat.score_requests.count(200)
    return {"answers": ANSWERS, "accepted": codes.count(201), "queued": sum(states.values()),
            "sent": states.get("sent", 0), "superseded": states.get("superseded", 0),
            "pending": states.get("pending", 0), "failed": states.get("failed", 0),
            "scores_received": posted,
            "ok": codes.count(201) == ANSWERS and posted == states.get("sent", 0) >= 1
            and not states.get("pending") and not states.get("failed")}
