from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway import messages
from gateway.models import Channel, Contact, FeedbackKind, InboundMessage
from gateway.providers import InboundSms
from gateway.services.contacts import get_or_create_contact
from gateway.services.feedback import record_feedback
from gateway.services.outbox import queue_sms

_LAPOR = re.compile(r"^\s*lapor\b[\s#.:,*]*(?P<body>.*)$", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class InboundOutcome:
    inbound_id: int
    duplicate: bool
    outbound_ids: tuple[int, ...] = ()
    ticket: str | None = None


def record_inbound_sms(session: Session, msg: InboundSms) -> InboundOutcome:
    """Store the message first (deduplicated on the provider's id), then act on it."""
    existing = _find(session, msg)
    if existing is not None:
        return InboundOutcome(existing, duplicate=True)
    contact = get_or_create_contact(session, msg.sender_phone) if msg.sender_phone else None
    row = InboundMessage(
        provider=msg.provider,
        provider_message_id=msg.provider_message_id,
        sender=msg.sender,
        receiver=msg.receiver,
        text=msg.text,
        received_at=msg.received_at,
        network_code=msg.network_code,
        link_id=msg.link_id,
        raw=msg.raw,
        contact_id=contact.id if contact else None,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        found = _find(session, msg)
        if found is None:
            raise
        return InboundOutcome(found, duplicate=True)
    if contact is None:
        return InboundOutcome(row.id, duplicate=False)
    return _act(session, row, contact)


def _act(session: Session, row: InboundMessage, contact: Contact) -> InboundOutcome:
    match = _LAPOR.match(row.text)
    if match and match.group("body").strip():
        row.command = "report"
        filed = record_feedback(
            session,
            kind=FeedbackKind.COMPLAINT,
            text=match.group("body").strip(),
            channel=Channel.SMS,
            contact=contact,
            inbound_message_id=row.id,
        )
        return InboundOutcome(row.id, False, filed.outbound_ids, filed.ticket)
    key = "report_empty" if match else "message_stored"
    row.command = "report" if match else None
    reply = queue_sms(
        session,
        to=contact.phone,
        text=messages.render(key, contact.language),
        contact_id=contact.id,
        inbound_message_id=row.id,
    )
    return InboundOutcome(row.id, False, (reply,))


def _find(session: Session, msg: InboundSms) -> int | None:
    return session.scalar(
        select(InboundMessage.id).where(
            InboundMessage.provider == msg.provider,
            InboundMessage.provider_message_id == msg.provider_message_id,
        )
    )
