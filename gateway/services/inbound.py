"""Incoming SMS: store the raw message, parse it, run one command service, queue the reply."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway import keywords
from gateway.db import ignoring_insert, table_of
from gateway.models import Contact, InboundMessage
from gateway.phone import is_mobile
from gateway.providers import InboundSms
from gateway.services.answers import Incoming
from gateway.services.commands import dispatch
from gateway.services.contacts import get_or_create_contact
from gateway.services.outbox import queue_capped_reply

log = logging.getLogger("suara.inbound")
REPLY_WINDOW = timedelta(hours=1)
INBOUND = table_of(InboundMessage)


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

    Parsing is pure and cannot fail, so the parsed command is stored with the raw row in
    one INSERT ... ON CONFLICT DO NOTHING (a retried callback is recognised by the
    provider's message id). Senders that are not a phone number (alphanumeric, short
    codes) are stored only. Replies go to mobile numbers only, at most
    `replies_per_hour` per number per hour.
    """
    cmd = keywords.parse(msg.text)
    contact = get_or_create_contact(session, msg.sender_phone) if msg.sender_phone else None
    inbound_id = _store(session, msg, contact.id if contact else None, cmd.kind.value)
    if inbound_id is None:
        return InboundOutcome(_find(session, msg), duplicate=True)
    if contact is None:
        return InboundOutcome(inbound_id, duplicate=False)
    try:
        with session.begin_nested():  # a failing command must not take the stored text along
            return _act(session, msg, cmd, contact, inbound_id, replies_per_hour)
    except Exception:
        log.exception("command %s on inbound %s failed; the message is kept", cmd.kind, inbound_id)
        return InboundOutcome(inbound_id, duplicate=False)


def _act(
    session: Session,
    msg: InboundSms,
    cmd: keywords.Command,
    contact: Contact,
    inbound_id: int,
    replies_per_hour: int,
) -> InboundOutcome:
    now = datetime.now(UTC)
    answer = dispatch(session, Incoming(contact, inbound_id, msg.text, now), cmd)
    if answer.text is None or not is_mobile(contact.phone):
        return InboundOutcome(inbound_id, False, (), answer.ticket)
    reply = queue_capped_reply(
        session,
        to=contact.phone,
        text=answer.text,
        at_most=replies_per_hour,
        since=now - REPLY_WINDOW,
        contact_id=contact.id,
        feedback_id=answer.feedback_id,
        inbound_message_id=inbound_id,
    )
    replies = () if reply is None else (reply,)
    return InboundOutcome(inbound_id, False, replies, answer.ticket)


def _store(session: Session, msg: InboundSms, contact_id: int | None, command: str) -> int | None:
    """Insert the raw message; None when the provider already sent this one."""
    values = {
        "provider": msg.provider,
        "provider_message_id": msg.provider_message_id,
        "sender": msg.sender,
        "receiver": msg.receiver,
        "text": msg.text,
        "received_at": msg.received_at,
        "network_code": msg.network_code,
        "link_id": msg.link_id,
        "raw": msg.raw,
        "contact_id": contact_id,
        "command": command,
    }
    stmt = ignoring_insert(session, INBOUND, "provider", "provider_message_id")
    inserted: int | None = session.connection().scalar(stmt, values)
    return inserted


def _find(session: Session, msg: InboundSms) -> int:
    found = session.scalar(
        select(InboundMessage.id).where(
            InboundMessage.provider == msg.provider,
            InboundMessage.provider_message_id == msg.provider_message_id,
        )
    )
    assert found is not None, "a conflicting row must exist"
    return found
