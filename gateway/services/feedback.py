from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import messages, tickets
from gateway.models import Channel, Contact, Feedback, FeedbackEvent, FeedbackKind, FeedbackStatus
from gateway.services.lifecycle import first_deadline
from gateway.services.outbox import queue_sms

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


def new_unique_ticket(session: Session) -> str:
    for _ in range(20):
        ticket = tickets.new_ticket()
        if session.scalar(select(Feedback.id).where(Feedback.ticket == ticket)) is None:
            return ticket
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
) -> FiledFeedback:
    """File a feedback record with a fresh ticket and queue its confirmation SMS."""
    feedback = Feedback(
        ticket=new_unique_ticket(session),
        kind=kind.value,
        text=text,
        channel=channel.value,
        contact_id=contact.id if contact else None,
        category=category,
        kecamatan=kecamatan,
        school=school,
        anonymous=anonymous,
        language=contact.language if contact else "id",
        inbound_message_id=inbound_message_id,
        ussd_session_id=ussd_session_id,
        consultation_id=consultation_id,
        status=FeedbackStatus.RECEIVED.value,
        due_at=first_deadline(datetime.now(UTC)),
    )
    session.add(feedback)
    session.flush()
    session.add(FeedbackEvent(feedback_id=feedback.id, kind="status", to_status=feedback.status))
    outbound: tuple[int, ...] = ()
    if confirm and contact is not None and kind in CONFIRMATION_KEYS:
        text_out = messages.render(
            CONFIRMATION_KEYS[kind], contact.language, ticket=feedback.ticket
        )
        outbound = (
            queue_sms(
                session,
                to=contact.phone,
                text=text_out,
                contact_id=contact.id,
                feedback_id=feedback.id,
                inbound_message_id=inbound_message_id,
            ),
        )
    return FiledFeedback(feedback.id, feedback.ticket, outbound)
