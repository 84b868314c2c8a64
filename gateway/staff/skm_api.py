"""Staff JSON API for the SKM results (PermenPANRB 14/2017), under /api/v1: every role may
read. The numbers come from `gateway.citizens.skm_report.ikm_for`, as on the desk's SKM page.

``GET /skm/ikm?from=YYYY-MM-DD&to=YYYY-MM-DD[&service=code]`` answers ``{"respondents",
"unsur": [{"code", "label", "nrr", "answers"}] (nine), "ikm", "grade", "quality"}``, plus
``"reason"`` when there is no IKM (``ikm``, ``grade`` and ``quality`` are then null).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from gateway.citizens.ikm import NO_RESPONDENTS, Ikm, round_half_up
from gateway.citizens.skm_report import ikm_for, parse_query
from gateway.staff.guard import json_errors, require_role
from gateway.web import db_session

bp = Blueprint("staff_skm", __name__, url_prefix="/api/v1")
json_errors(bp)
NRR_PLACES = 4
"""An NRR is given to four decimals; the IKM itself is computed from the exact values."""


@bp.get("/skm/ikm")
@require_role()
def ikm() -> Response:
    query = parse_query(request.args)
    return jsonify(ikm_json(ikm_for(db_session(), query.period, query.service)))


def ikm_json(result: Ikm) -> dict[str, Any]:
    grade = result.grade
    answer: dict[str, Any] = {
        "respondents": result.respondents,
        "unsur": [
            {
                "code": e.unsur.code,
                "label": e.unsur.label("id"),
                "nrr": float(round_half_up(e.nrr, NRR_PLACES)) if e.nrr is not None else None,
                "answers": e.answers,
            }
            for e in result.elements
        ],
        "ikm": float(result.ikm) if result.ikm is not None else None,
        "grade": grade.letter if grade else None,
        "quality": grade.label("id") if grade else None,
    }
    if result.ikm is None:
        answer["reason"] = reason(result)
    return answer


def reason(result: Ikm) -> str:
    """Why there is no IKM, in a sentence."""
    if result.reason == NO_RESPONDENTS:
        return "no SKM responses in this period (and service): the IKM needs at least one"
    missing = ", ".join(result.unanswered)
    return f"no answers yet for {missing}: the IKM weighs all nine unsur"
