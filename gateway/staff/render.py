"""JSON shapes of the staff API. Pure: ORM values in, plain dicts out."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from gateway.feedback.lifecycle import is_overdue
from gateway.feedback.staff_ops import FeedbackItem
from gateway.models import DataRequest, FeedbackEvent, OutboundMessage


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def feedback_item(item: FeedbackItem, *, now: datetime, sees_anonymous: bool) -> dict[str, Any]:
    fb = item.feedback
    return {
        "ticket": fb.ticket,
        "kind": fb.kind,
        "category": fb.category,
        "kecamatan": fb.kecamatan,
        "school": fb.school,
        "text": fb.text,
        "status": fb.status,
        "channel": fb.channel,
        "anonymous": fb.anonymous,
        "notify": fb.notify,
        "assigned_to": fb.assigned_to_id,
        "created_at": iso(fb.created_at),
        "due_at": iso(fb.due_at),
        "overdue": is_overdue(fb.status, fb.due_at, now),
        "phone": item.phone if sees_anonymous or not fb.anonymous else None,
    }


def event(row: FeedbackEvent, sms_text: str | None) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "from_status": row.from_status,
        "to_status": row.to_status,
        "note": row.note,
        "staff_id": row.staff_id,
        "sms": sms_text,
        "at": iso(row.created_at),
    }


def message(row: OutboundMessage) -> dict[str, Any]:
    return {"text": row.text, "status": row.status, "at": iso(row.created_at)}


def data_request(row: DataRequest, *, now: datetime) -> dict[str, Any]:
    """A UU PDP request as staff see it: no number, only what and how far."""
    return {
        "id": row.id,
        "kind": row.kind,
        "status": row.status,
        "created_at": iso(row.created_at),
        "due_at": iso(row.due_at),
        "done_at": iso(row.done_at),
        "overdue": row.status != "done" and row.due_at < now,
    }
