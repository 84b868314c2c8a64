"""JSON and CSV shapes of the staff API. Pure: ORM values in, plain dicts (or CSV lines) out.

Every CSV the staff get goes through `csv_lines`: a cell that a spreadsheet would read as a
formula (it starts with ``= + - @``, a tab or a CR) gets a leading ``'`` (the OWASP rule), so
``+6281234567890`` is written ``'+6281234567890``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from gateway.citizens.rights import request_overdue
from gateway.feedback.lifecycle import is_overdue
from gateway.feedback.staff_ops import FeedbackItem
from gateway.feedback.thread import Entry
from gateway.models import DataRequest, FeedbackEvent, OutboundMessage, StaffUser
from gateway.staff.auth import shown_phone, token_refusal


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def feedback_item(item: FeedbackItem, *, now: datetime, role: str) -> dict[str, Any]:
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
        "citizen_answered": fb.citizen_answered_at is not None,
        "citizen_answered_at": iso(fb.citizen_answered_at),
        "phone": shown_phone(role, item.phone, anonymous=fb.anonymous),
    }


def event(row: FeedbackEvent, sms_text: str | None) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "from_status": row.from_status,
        "to_status": row.to_status,
        "note": row.note,
        "staff_id": row.staff_id,
        "inbound_message_id": row.inbound_message_id,
        "sms": sms_text,
        "at": iso(row.created_at),
    }


def thread_entry(entry: Entry) -> dict[str, Any]:
    """One entry of `gateway.feedback.thread`: what happened, when, who, and the SMS it sent
    with its delivery state."""
    sms = entry.sms
    return {
        "kind": entry.kind,
        "at": iso(entry.at),
        "text": entry.text,
        "channel": entry.channel,
        "staff_id": entry.staff_id,
        "staff": entry.staff_name,
        "from_status": entry.from_status,
        "to_status": entry.to_status,
        "ended_at": iso(entry.ended_at),
        "sms": None
        if sms is None
        else {
            "id": sms.id,
            "text": sms.text,
            "status": sms.status,
            "segments": sms.segments,
            "failure_reason": sms.failure_reason,
            "queued_at": iso(sms.queued_at),
            "status_at": iso(sms.state_at),
        },
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
        "overdue": request_overdue(row, now=now),
    }


def staff_account(user: StaffUser, *, now: datetime) -> dict[str, Any]:
    """An account and its token's state: active, revoked, expired or none (never the token)."""
    refused = token_refusal(
        active=True, revoked_at=user.token_revoked_at, expires_at=user.token_expires_at, now=now
    )
    return {
        "id": user.id,
        "name": user.name,
        "role": user.role,
        "active": user.active,
        "token": "none" if user.token_hash is None else refused or "active",
        "token_expires_at": iso(user.token_expires_at),
        "token_revoked_at": iso(user.token_revoked_at),
        "created_at": iso(user.created_at),
    }


def recipient(item: Mapping[str, Any], role: str) -> dict[str, Any]:
    """A poll recipient's row (`gateway.polls.results`) with the number as ``role`` sees it."""
    return {**item, "phone": shown_phone(role, item["phone"])}


CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str:
    """A CSV cell no spreadsheet runs as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(CSV_FORMULA_STARTS) else text


def csv_lines(fields: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> Iterator[str]:
    """The header, then one CSV line per row (streamed: memory stays flat), every cell
    neutralised by `csv_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(name) for name in fields])
    yield buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([csv_cell(row.get(name)) for name in fields])
        yield buffer.getvalue()
