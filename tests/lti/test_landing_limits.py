"""The landing's answer forms count against the launch token's attempt limit, answered as a page."""

from __future__ import annotations

import pytest

from tests.conftest import SECRET
from tests.lti.conftest import Lms, make_bank
from tests.lti.test_landing import Page, attempts, launch, post


@pytest.fixture
def app(database_url: str):  # noqa: ANN201 - this module's app is rate-limited
    from quizsvc.app import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": SECRET,
                      "RATELIMIT_TESTING": True, "RATELIMIT_ATTEMPTS": "2 per minute"})
    yield app
    app.extensions["quizsvc.db"]["engine"].dispose()


def test_form_answers_share_the_tokens_attempt_limit(app, lms: Lms, instructor):  # noqa: ANN001
    bank_id = make_bank(app, instructor.id, count=2, max_attempts=None)
    forms = Page(launch(app, lms, bank_id).get_data(as_text=True)).forms()
    assert post(lms, forms[0], shape="1, 1, 1").status_code == 200
    assert post(lms, forms[1], shape="1, 1, 1").status_code == 200
    r = post(lms, forms[0], shape="2, 2, 2")  # a third answer within the minute, same token
    assert r.status_code == 429 and r.mimetype == "text/html"
    assert "Wait a minute" in r.get_data(as_text=True) and r.headers["Retry-After"]
    assert attempts(app) == 2
    # Another student's launch has its own count.
    other = Page(launch(app, lms, bank_id, sub="s-2").get_data(as_text=True)).forms()
    assert post(lms, other[0], shape="1, 1, 1").status_code == 200
