"""Staff JSON API under /api/v1. `Authorization: Bearer <token>`; viewers read only.

Views parse, call one service, commit, enqueue, render. Errors are JSON:
401 (no or bad token), 403 (viewer changing something), 404 (unknown ticket),
400 {"errors": {"field": "message"}} for invalid input.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from werkzeug.exceptions import Forbidden, HTTPException, NotFound, Unauthorized

from gateway.common import tickets
from gateway.feedback import staff_ops as svc
from gateway.outbox.enqueue import enqueue_sends
from gateway.staff import auth, render
from gateway.staff.validation import (
    ValidationFailed,
    nul_errors,
    parse_list_query,
    parse_patch,
    parse_reply,
    parse_status_change,
)
from gateway.web import db_session, runtime

bp = Blueprint("staff_api", __name__, url_prefix="/api/v1")


@bp.before_request
def authenticate() -> None:
    token = auth.bearer_token(request.headers.get("Authorization"))
    user = svc.staff_by_token(db_session(), token) if token else None
    if user is None:
        raise Unauthorized("missing or invalid bearer token")
    if request.method != "GET" and not auth.can_edit(user.role):
        raise Forbidden("viewers cannot change anything")
    g.staff_id, g.staff_role = user.id, user.role
    db_session().rollback()  # end the read-only auth transaction; views open their own
    errors = nul_errors(request.args, request.get_json(silent=True))
    if errors:
        raise ValidationFailed(errors)


@bp.get("/feedback")
def list_feedback() -> Response:
    query = parse_list_query(request.args)
    page = svc.list_feedback(db_session(), query, admin=_admin())
    return jsonify(items=[_item(item) for item in page.items], next=page.next)


@bp.get("/feedback/<ticket>")
def show_feedback(ticket: str) -> Response:
    item = _find(ticket)
    history = svc.history(db_session(), item.feedback.id)
    sent = svc.sent_messages(db_session(), item.feedback.id)
    return jsonify(
        **_item(item),
        history=[render.event(e, text) for e, text in history],
        messages=[render.message(m) for m in sent],
    )


@bp.post("/feedback/<ticket>/status")
def change_status(ticket: str) -> Response:
    change = parse_status_change(request.get_json(silent=True))
    with db_session().begin():
        done = svc.change_status(db_session(), _find(ticket).feedback, change, g.staff_id)
    enqueue_sends(runtime().redis, done.outbound_ids)
    return jsonify(
        ticket=ticket,
        status=done.to_status,
        previous=done.from_status,
        sms_queued=bool(done.outbound_ids),
    )


@bp.post("/feedback/<ticket>/reply")
def reply(ticket: str) -> Response:
    with db_session().begin():
        fb = _find(ticket).feedback
        text = parse_reply(request.get_json(silent=True), svc.reply_prefix(fb))
        outbound_id = svc.send_staff_reply(db_session(), fb, text.text, staff_id=g.staff_id)
    enqueue_sends(runtime().redis, [outbound_id])
    warnings = ["text changed to fit the GSM-7 SMS alphabet"] if text.normalised else []
    return jsonify(ticket=ticket, outbound_id=outbound_id, text=text.text, warnings=warnings)


@bp.patch("/feedback/<ticket>")
def correct(ticket: str) -> Response:
    changes = parse_patch(request.get_json(silent=True))
    with db_session().begin():
        item = _find(ticket)
        svc.correct_feedback(db_session(), item.feedback, changes, staff_id=g.staff_id)
    return jsonify(_item(item))


@bp.errorhandler(ValidationFailed)
def invalid(exc: ValidationFailed) -> tuple[Response, int]:
    return jsonify(errors=exc.errors), 400


@bp.errorhandler(HTTPException)
def http_error(exc: HTTPException) -> tuple[Response, int]:
    return jsonify(error=exc.name, message=exc.description), exc.code or 500


def _find(ticket: str) -> svc.FeedbackItem:
    item = svc.find_feedback(db_session(), ticket) if tickets.is_valid(ticket) else None
    if item is None:
        raise NotFound(f"no feedback with ticket {ticket[:12]}")
    return item


def _admin() -> bool:
    return auth.sees_anonymous_phone(str(g.staff_role))


def _item(item: svc.FeedbackItem) -> dict[str, Any]:
    return render.feedback_item(item, now=datetime.now(UTC), sees_anonymous=_admin())
