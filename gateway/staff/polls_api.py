"""Staff JSON API for SMS polls, under /api/v1. Thin views: parse, one service, answer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request, stream_with_context
from werkzeug.exceptions import NotFound

from gateway.models import Poll
from gateway.outbox.enqueue import enqueue_fan_out
from gateway.outbox.quiet_hours import held_notice, parse_quiet_hours
from gateway.polls.admin import (
    Preview,
    close_poll,
    create_poll,
    preview_poll,
    schedule_poll,
)
from gateway.polls.options import options_of
from gateway.polls.results import (
    RECIPIENT_FIELDS,
    iter_recipients,
    poll_results,
    poll_summary,
    recipients_page,
)
from gateway.staff import render
from gateway.staff.guard import EDIT, current_staff, json_body, json_errors, require_role
from gateway.staff.poll_schema import parse_poll
from gateway.staff.validation import MAX_ID
from gateway.web import db_session, runtime

bp = Blueprint("staff_polls", __name__, url_prefix="/api/v1")
json_errors(bp)
MAX_RECIPIENT_PAGE = 1_000_000


@bp.post("/polls")
@require_role(*EDIT)
def create() -> tuple[Response, int]:
    spec = parse_poll(json_body())
    with db_session().begin():
        poll_id = create_poll(db_session(), spec, created_by_id=current_staff().id)
        preview = preview_poll(db_session(), poll_id, cost_per_segment=_cost())
    return jsonify(id=poll_id, **preview_json(preview)), 201


@bp.get("/polls/<int:poll_id>")
@require_role()
def show(poll_id: int) -> Response:
    poll = _poll(poll_id)
    summary = poll_summary(poll, options_of(db_session(), poll_id))
    preview = preview_poll(db_session(), poll_id, cost_per_segment=_cost())
    return jsonify(**summary, preview=preview_json(preview))


@bp.post("/polls/<int:poll_id>/send")
@require_role(*EDIT)
def send(poll_id: int) -> tuple[Response, int]:
    now = datetime.now(UTC)
    with db_session().begin():
        poll = schedule_poll(db_session(), poll_id, now=now)
        if poll is None:
            raise NotFound(f"no poll {poll_id}")
        status, send_at = poll.status, poll.send_at
    if status == "scheduled":
        enqueue_fan_out(runtime().redis, poll_id, send_at=send_at)
    held = held_notice(parse_quiet_hours(runtime().settings.quiet_hours), send_at or now)
    answer: dict[str, object] = {
        "id": poll_id,
        "status": status,
        "send_at": send_at.isoformat() if send_at else None,
    }
    if status == "scheduled" and held is not None:
        answer |= {"held_until": held[0].isoformat(), "notice": held[1]}
    return jsonify(answer), 202


@bp.post("/polls/<int:poll_id>/close")
@require_role(*EDIT)
def close(poll_id: int) -> Response:
    with db_session().begin():
        poll = close_poll(db_session(), poll_id)
        if poll is None:
            raise NotFound(f"no poll {poll_id}")
    return jsonify(id=poll_id, status="closed")


@bp.get("/polls/<int:poll_id>/results")
@require_role()
def results(poll_id: int) -> Response:
    _poll(poll_id)
    if request.args.get("format") == "csv":
        return results_csv(poll_id)
    return jsonify(poll_results(db_session(), poll_id, cost_per_segment=_cost()))


@bp.get("/polls/<int:poll_id>/results.csv")
@require_role()
def results_csv(poll_id: int) -> Response:
    """One line per SMS the poll sent, with its delivery status and the answer."""
    _poll(poll_id)
    role = current_staff().role

    def rows() -> Iterator[dict[str, Any]]:
        # db_session() inside the generator: the view's session is closed when the view
        # returns; this one is opened (and closed) within the streamed body's context.
        for item in iter_recipients(db_session(), poll_id):
            yield render.recipient(item, role)

    lines = render.csv_lines(RECIPIENT_FIELDS, rows())
    headers = {"Content-Disposition": f"attachment; filename=poll-{poll_id}.csv"}
    return Response(stream_with_context(lines), mimetype="text/csv", headers=headers)


@bp.get("/polls/<int:poll_id>/recipients")
@require_role()
def recipients(poll_id: int) -> Response:
    _poll(poll_id)
    page = min(MAX_RECIPIENT_PAGE, max(1, request.args.get("page", 1, type=int) or 1))
    per_page = min(500, max(1, request.args.get("per_page", 100, type=int) or 100))
    found = recipients_page(db_session(), poll_id, page=page, per_page=per_page)
    role = current_staff().role
    return jsonify(found | {"items": [render.recipient(item, role) for item in found["items"]]})


def preview_json(preview: Preview) -> dict[str, Any]:
    return {
        "texts": preview.texts,
        "segments": preview.segments,
        "encodings": preview.encodings,
        "recipients": preview.recipients,
        "estimated_cost": str(preview.estimated_cost),
        "warnings": preview.warnings,
    }


def _poll(poll_id: int) -> Poll:
    poll = db_session().get(Poll, poll_id) if poll_id <= MAX_ID else None
    if poll is None:
        raise NotFound(f"no poll {poll_id}")
    return poll


def _cost() -> float:
    return runtime().settings.sms_cost_per_segment
