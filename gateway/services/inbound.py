"""Incoming SMS: store the raw message, parse it, run one command service, queue the reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway import keywords
from gateway.models import Contact, InboundMessage, OutboundKind, OutboundMessage
from gateway.phone import is_mobile
from gateway.providers import InboundSms
from gateway.services.answers import Incoming
from gateway.services.commands import dispatch
from gateway.services.contacts import get_or_create_contact
from gateway.services.outbox import queue_sms

REPLY_WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class InboundOutcome:
    inbound_id: int
    duplicate: bool
    outbound_ids: tuple[int, ...] = ()
    ticket: str | None = None


def record_inbound_sms(
    session: Session, msg: InboundSms, *, replies_per_hour: int
) -> InboundOutcome:
    """Store the message first (deduplicated on the provider's id), then act on it.

    Senders that are not a phone number (alphanumeric, short codes) are stored only.
    Replies go to mobile numbers only, at most `replies_per_hour` per number per hour.
    """
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
        row.command = keywords.parse(row.text).kind.value
        return InboundOutcome(row.id, duplicate=False)
    return _act(session, row, contact, replies_per_hour)


def _act(
    session: Session, row: InboundMessage, contact: Contact, replies_per_hour: int
) -> InboundOutcome:
    now = datetime.now(UTC)
    cmd = keywords.parse(row.text)
    row.command = cmd.kind.value
    answer = dispatch(session, Incoming(contact, row, now), cmd)
    if answer.text is None or not may_reply(session, contact.phone, replies_per_hour, now):
        return InboundOutcome(row.id, False, (), answer.ticket)
    reply = queue_sms(
        session,
        to=contact.phone,
        text=answer.text,
        contact_id=contact.id,
        feedback_id=answer.feedback_id,
        inbound_message_id=row.id,
    )
    return InboundOutcome(row.id, False, (reply,), answer.ticket)


def may_reply(session: Session, phone: str, replies_per_hour: int, now: datetime) -> bool:
    """Only mobile numbers, and at most `replies_per_hour` replies to one number an hour."""
    if not is_mobile(phone):
        return False
    sent = session.scalar(
        select(func.count(OutboundMessage.id)).where(
            OutboundMessage.to == phone,
            OutboundMessage.kind == OutboundKind.TRANSACTIONAL.value,
            OutboundMessage.created_at >= now - REPLY_WINDOW,
        )
    )
    return (sent or 0) < replies_per_hour


def _find(session: Session, msg: InboundSms) -> int | None:
    return session.scalar(
        select(InboundMessage.id).where(
            InboundMessage.provider == msg.provider,
            InboundMessage.provider_message_id == msg.provider_message_id,
        )
    )
