"""One report's whole thread, oldest first, as staff read it: the citizen's message (the SMS
that filed it, or the USSD session), their later replies, staff replies, status changes,
internal notes, edits, and every SMS sent about the report with its delivery state.

`thread` is a pure read (one query per table); the desk's report page and the JSON API's
``GET /api/v1/feedback/<ticket>`` both show it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import (
    Feedback,
    FeedbackEvent,
    InboundMessage,
    OutboundMessage,
    OutboundStatus,
    StaffUser,
    UssdSession,
)

MESSAGE, CITIZEN_REPLY, REPLY, STATUS, NOTE, EDIT, SMS = (
    "message",
    "citizen_reply",
    "reply",
    "status",
    "note",
    "edit",
    "sms",
)
"""Entry kinds: the citizen's first message; their later replies; a staff reply; a status
change; an internal note (never sent); a correction; an SMS sent with no event of its own
(the filing confirmation, a STATUS answer)."""
_EVENT_KINDS = frozenset({CITIZEN_REPLY, REPLY, STATUS, NOTE, EDIT})
FAILED = frozenset(
    {OutboundStatus.FAILED, OutboundStatus.REJECTED, OutboundStatus.EXPIRED, OutboundStatus.UNKNOWN}
)
"""Delivery states staff should notice: it did not arrive, or nobody knows."""
REASON_CHARS = 200


@dataclass(frozen=True)
class Sms:
    """An SMS sent about the report and how far it got."""

    id: int
    text: str
    status: str
    segments: int
    failure_reason: str | None
    """The provider's reason, else our own note of what went wrong (failed, unknown,
    cancelled rows)."""
    queued_at: datetime
    state_at: datetime
    """When it reached ``status`` (delivered, sent, or the last change)."""

    @property
    def failed(self) -> bool:
        return self.status in FAILED


@dataclass(frozen=True)
class Entry:
    kind: str
    at: datetime
    text: str | None = None
    channel: str | None = None
    """For the citizen's first message: ``sms``, ``ussd`` or ``staff`` (filed by staff)."""
    staff_id: int | None = None
    staff_name: str | None = None
    from_status: str | None = None
    to_status: str | None = None
    sms: Sms | None = None
    ended_at: datetime | None = None
    """For a USSD message: when the session ended, if known."""


def thread(session: Session, feedback_id: int) -> tuple[Entry, ...]:
    """Every entry of the report, oldest first; the citizen's first message leads."""
    feedback = session.get(Feedback, feedback_id)
    if feedback is None:
        return ()
    events = list(
        session.scalars(
            select(FeedbackEvent)
            .where(FeedbackEvent.feedback_id == feedback_id)
            .order_by(FeedbackEvent.id)
        )
    )
    sent = {
        row.id: _sms(row)
        for row in session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.feedback_id == feedback_id)
            .order_by(OutboundMessage.id)
        )
    }
    names = staff_names(session, {e.staff_id for e in events})
    entries = [_first_message(session, feedback)]
    linked: set[int] = set()
    for event in events:
        if event.kind not in _EVENT_KINDS:
            continue
        sms = sent.get(event.outbound_id) if event.outbound_id else None
        if sms is not None:
            linked.add(sms.id)
        entries.append(
            Entry(
                kind=event.kind,
                at=event.created_at,
                text=event.note,
                staff_id=event.staff_id,
                staff_name=names.get(event.staff_id) if event.staff_id else None,
                from_status=event.from_status,
                to_status=event.to_status,
                sms=sms,
            )
        )
    entries += [Entry(SMS, sms.queued_at, sms=sms) for sms in sent.values() if sms.id not in linked]
    first, rest = entries[0], entries[1:]
    order = {id(e): n for n, e in enumerate(rest)}
    return (first, *sorted(rest, key=lambda e: (e.at, e.kind == SMS, order[id(e)])))


def _first_message(session: Session, feedback: Feedback) -> Entry:
    if feedback.inbound_message_id is not None:
        inbound = session.get(InboundMessage, feedback.inbound_message_id)
        if inbound is not None:
            return Entry(MESSAGE, inbound.received_at, text=inbound.text, channel="sms")
    if feedback.ussd_session_id is not None:
        ussd = session.scalar(
            select(UssdSession).where(UssdSession.session_id == feedback.ussd_session_id)
        )
        at = ussd.created_at if ussd is not None else feedback.created_at
        ended = ussd.ended_at if ussd is not None else None
        return Entry(MESSAGE, at, text=feedback.text, channel="ussd", ended_at=ended)
    return Entry(MESSAGE, feedback.created_at, text=feedback.text, channel=feedback.channel)


def _sms(row: OutboundMessage) -> Sms:
    queued = row.created_at
    if row.status == OutboundStatus.DELIVERED and row.delivered_at:
        state_at = row.delivered_at
    elif row.status == OutboundStatus.SENT and row.sent_at:
        state_at = row.sent_at
    else:
        state_at = row.updated_at or row.sent_at or queued
    reason = row.failure_reason
    if reason is None and row.status in FAILED | {OutboundStatus.CANCELLED} and row.last_error:
        reason = row.last_error[:REASON_CHARS]  # e.g. "opted out", a lost answer
    return Sms(row.id, row.text, row.status, row.segments, reason, queued, state_at)


def staff_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """The names of the given staff accounts (who did what, who is assigned)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(wanted)))
    return {staff_id: name for staff_id, name in rows}
