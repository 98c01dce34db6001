"""The course's grade passbacks, for its staff: their state, and retrying failed ones.

The same list as inside the LMS (quizsvc/lti/instructor.py), on the site with
its session and CSRF. A course the viewer is not in is a 404, a student's a 403
(quizsvc/services/access.py).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required

from quizsvc.extensions import db
from quizsvc.services import access
from quizsvc.web import auth
from quizsvc.web.pages import bp


@bp.route("/courses/<int:course_id>/passbacks", methods=["GET", "POST"])
@login_required
def course_passbacks(course_id: int) -> Any:  # noqa: ANN401
    """The course's passbacks (newest first); POST `retry` (an id or "all") retries failed ones."""
    from quizsvc.lti.instructor import passback_context, retry_and_send

    user = auth.viewer()
    assert user is not None  # login_required
    course = access.get_course(db.session, user, course_id, need="staff")
    if request.method == "POST":
        flash(retry_and_send(course.id, request.form.get("retry", "")), "info")
        return redirect(url_for("pages.course_passbacks", course_id=course.id), 303)
    return render_template("pages/course_passbacks.html", **passback_context(course))
