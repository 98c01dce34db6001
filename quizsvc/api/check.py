"""The stateless checker: grade any answer for any parameters (staff only)."""

from __future__ import annotations

from flask_smorest import Blueprint

from quizsvc.api.auth import auth_required
from quizsvc.schemas.problems import CheckIn, CheckOut
from quizsvc.services.practice import get_family

blp = Blueprint("check", __name__, url_prefix="/api/v1/check",
                description="Check an answer key of your own.")


@blp.route("", methods=["POST"])
@auth_required("instructor")
@blp.arguments(CheckIn)
@blp.response(200, CheckOut)
def check(args: dict) -> dict:
    """Grade `answer` for `params` and return the key (nothing is stored).

    Instructors only: with it a student could read the key of any problem
    whose parameters they know.
    """
    family = get_family(args["family"])
    params = family.validate(args["params"])
    key = family.module.solve(params)
    grade = family.grade(params, key, family.answer_spec(params), args["answer"])
    return {"family": family.name, "params": params, "key": key,
            **grade.to_dict(include_key=True)}
