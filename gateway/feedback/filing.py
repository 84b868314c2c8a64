"""Filing a report, suggestion or question: a fresh ticket, its first deadline, the first
status event and the confirmation SMS, in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from gateway.common import texts, tickets
from gateway.db import ignoring_insert, table_of
from gateway.feedback.lifecycle import first_deadline
from gateway.models import Channel, Contact, Feedback, FeedbackEvent, FeedbackKind, FeedbackStatus
from gateway.outbox.queue import ReplyCap, queue_capped_reply

CONFIRMATION_KEYS = {
    FeedbackKind.COMPLAINT: "report_received",
    FeedbackKind.SUGGESTION: "suggestion_received",
    FeedbackKind.QUESTION: "question_received",
}


@dataclass(frozen=True)
class FiledFeedback:
    feedback_id: int
    ticket: str
    outbound_ids: tuple[int, ...]


TICKET_ATTEMPTS = 20
FEEDBACK = table_of(Feedback)
EVENTS = table_of(FeedbackEvent)
INSERT_EVENT = insert(EVENTS)
FILED_IN_SESSION = select(Feedback.id, Feedback.ticket).where(
    Feedback.ussd_session_id == bindparam("sid")
)


def _insert_with_fresh_ticket(session: Session, values: dict[str, Any]) -> tuple[int, str, bool]:
    """INSERT the record (a Core insert: the caller needs its id and ticket only) under a
    random free ticket: `ON CONFLICT DO NOTHING` and draw again on a ticket clash, so a
    free ticket costs no SELECT and a race cannot hand out one ticket twice.

    A clash on the USSD session is the same final hop again (a retry whose Redis state
    was lost, or a concurrent copy that committed first): that record is returned with
    `False`, and nothing is filed. Returns (id, ticket, new)."""
    stmt = ignoring_insert(session, FEEDBACK)
    for _ in range(TICKET_ATTEMPTS):
        ticket = tickets.new_ticket()
        feedback_id: int | None = session.connection().scalar(stmt, {**values, "ticket": ticket})
        if feedback_id is not None:
            return feedback_id, ticket, True
        sid = values["ussd_session_id"]
        filed = session.execute(FILED_IN_SESSION, {"sid": sid}).first() if sid else None
        if filed is not None:
            return filed.id, filed.ticket, False
    raise RuntimeError("could not allocate a free ticket number")


def record_feedback(
    session: Session,
    *,
    kind: FeedbackKind,
    text: str,
    channel: Channel,
    contact: Contact | None,
    category: str | None = None,
    kecamatan: str | None = None,
    school: str | None = None,
    anonymous: bool = False,
    inbound_message_id: int | None = None,
    ussd_session_id: str | None = None,
    consultation_id: int | None = None,
    confirm: bool = True,
    cap: ReplyCap | None = None,
) -> FiledFeedback:
    """File a feedback record with a fresh ticket and queue its confirmation SMS, within
    the number's hourly ``cap`` (the record is filed either way).

    A USSD session files one record: called again for the same `ussd_session_id`, it
    returns that record's ticket and files and queues nothing."""
    status = FeedbackStatus.RECEIVED.value
    feedback_id, ticket, new = _insert_with_fresh_ticket(
        session,
        {
            "kind": kind.value,
            "text": text,
            "channel": channel.value,
            "contact_id": contact.id if contact else None,
            "category": category,
            "kecamatan": kecamatan,
            "school": school,
            "anonymous": anonymous,
            "language": contact.language if contact else "id",
            "inbound_message_id": inbound_message_id,
            "ussd_session_id": ussd_session_id,
            "consultation_id": consultation_id,
            "status": status,
            "due_at": first_deadline(datetime.now(UTC)),
        },
    )
    if not new:
        return FiledFeedback(feedback_id, ticket, ())
    session.connection().execute(
        INSERT_EVENT, {"feedback_id": feedback_id, "kind": "status", "to_status": status}
    )
    outbound: int | None = None
    if confirm and contact is not None and kind in CONFIRMATION_KEYS:
        text_out = texts.render(CONFIRMATION_KEYS[kind], contact.language, ticket=ticket)
        outbound = queue_capped_reply(
            session,
            to=contact.phone,
            text=text_out,
            cap=cap,
            contact_id=contact.id,
            feedback_id=feedback_id,
            inbound_message_id=inbound_message_id,
        )
    return FiledFeedback(feedback_id, ticket, () if outbound is None else (outbound,))
