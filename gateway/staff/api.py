"""Staff JSON API for feedback and the UU PDP data requests under /api/v1
(`gateway.staff.guard`: bearer token, roles, JSON errors); viewers read only. Views parse,
call one service, commit, enqueue, render: 404 for an unknown ticket, 400
{"errors": {"field": "message"}} for invalid input.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import NotFound

from gateway.citizens.rights import list_requests
from gateway.common import tickets
from gateway.feedback import staff_ops as svc
from gateway.feedback.thread import thread
from gateway.outbox.enqueue import enqueue_sends
from gateway.staff import audit, auth, casework, render
from gateway.staff.guard import EDIT, current_staff, json_body, json_errors, require_role
from gateway.staff.validation import (
    parse_data_request_status,
    parse_list_query,
    parse_patch,
    parse_reply,
    parse_status_change,
)
from gateway.web import db_session, runtime

bp = Blueprint("staff_api", __name__, url_prefix="/api/v1")
json_errors(bp)


@bp.get("/feedback")
@require_role()
def list_feedback() -> Response:
    query = parse_list_query(request.args, staff_id=current_staff().id)
    page = svc.list_feedback(db_session(), query, admin=_admin())
    return jsonify(items=[_item(item) for item in page.items], next=page.next, newer=page.newer)


@bp.get("/feedback/<ticket>")
@require_role()
def show_feedback(ticket: str) -> Response:
    with db_session().begin():  # an admin's look at an anonymous number is audited
        item = _find(ticket)
        casework.record_view(db_session(), _actor(), current_staff().role, item.feedback)
        history = svc.history(db_session(), item.feedback.id)
        sent = svc.sent_messages(db_session(), item.feedback.id)
        entries = thread(db_session(), item.feedback.id)
    return jsonify(
        **_item(item),
        history=[render.event(e, text) for e, text in history],
        messages=[render.message(m) for m in sent],
        thread=[render.thread_entry(e) for e in entries],
    )


@bp.post("/feedback/<ticket>/status")
@require_role(*EDIT)
def change_status(ticket: str) -> Response:
    change = parse_status_change(json_body())
    with db_session().begin():
        done = casework.change_status(db_session(), _actor(), _find(ticket).feedback, change)
    enqueue_sends(runtime().redis, done.outbound_ids)
    return jsonify(
        ticket=ticket,
        status=done.to_status,
        previous=done.from_status,
        sms_queued=bool(done.outbound_ids),
    )


@bp.post("/feedback/<ticket>/reply")
@require_role(*EDIT)
def reply(ticket: str) -> Response:
    with db_session().begin():
        fb = _find(ticket).feedback
        text = parse_reply(json_body(), svc.reply_prefix(fb))
        outbound_id = casework.reply(db_session(), _actor(), fb, text)
    enqueue_sends(runtime().redis, [outbound_id])
    warnings = ["text changed to fit the GSM-7 SMS alphabet"] if text.normalised else []
    return jsonify(ticket=ticket, outbound_id=outbound_id, text=text.text, warnings=warnings)


@bp.patch("/feedback/<ticket>")
@require_role(*EDIT)
def correct(ticket: str) -> Response:
    changes = parse_patch(json_body())
    with db_session().begin():
        item = _find(ticket)
        casework.correct(db_session(), _actor(), item.feedback, changes)
    return jsonify(_item(item))


@bp.get("/data-requests")
@require_role("admin")
def list_data_requests() -> Response:
    """UU PDP requests (DATA, HAPUS) and their state, newest first; admins only."""
    rows = list_requests(db_session(), status=parse_data_request_status(request.args))
    now = datetime.now(UTC)
    return jsonify(items=[render.data_request(row, now=now) for row in rows])


def _find(ticket: str) -> svc.FeedbackItem:
    item = svc.find_feedback(db_session(), ticket) if tickets.is_valid(ticket) else None
    if item is None:
        raise NotFound(f"no feedback with ticket {ticket[:12]}")
    return item


def _actor() -> audit.Actor:
    staff = current_staff()
    return audit.Actor(staff.id, staff.name, request.remote_addr)


def _admin() -> bool:
    return auth.sees_anonymous_phone(current_staff().role)


def _item(item: svc.FeedbackItem) -> dict[str, Any]:
    return render.feedback_item(item, now=datetime.now(UTC), role=current_staff().role)
