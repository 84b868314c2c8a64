"""Incoming SMS: store the raw message, parse it, run one command service, queue the reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.citizens.contacts import get_or_create_contact
from gateway.common.phone import is_mobile
from gateway.db import ignoring_insert, table_of
from gateway.models import Contact, InboundMessage
from gateway.outbox.queue import ReplyCap, queue_capped_reply
from gateway.providers import InboundSms
from gateway.sms import keywords
from gateway.sms.answers import Incoming
from gateway.sms.commands import dispatch

INBOUND = table_of(InboundMessage)


@dataclass(frozen=True)
class InboundOutcome:
    inbound_id: int
    duplicate: bool
    outbound_ids: tuple[int, ...] = ()
    ticket: str | None = None
    erasure_request_id: int | None = None


def record_inbound_sms(
    session: Session, msg: InboundSms, *, replies_per_hour: int
) -> InboundOutcome:
    """Store the message (deduplicated on the provider's id), then act on it, in the
    caller's transaction.

    Parsing is pure and cannot fail, so the parsed command is stored with the raw row in
    one INSERT ... ON CONFLICT DO NOTHING (a retried callback is recognised by the
    provider's message id). Senders that are not a phone number (alphanumeric, short
    codes) are stored only. Replies go to mobile numbers only, at most
    `replies_per_hour` per number per hour (counting the SMS its USSD sessions triggered);
    the answers the office owes whatever the cap (STOP, DATA, HAPUS) are always sent.

    If acting fails, the caller rolls the transaction back and stores the message alone
    with `store_inbound_sms` in a new one: nothing a citizen sends is lost, and the
    common case costs no savepoint.
    """
    cmd, contact, stored = _store_first(session, msg)
    if stored.duplicate or contact is None:
        return stored
    return _act(session, msg, cmd, contact, stored.inbound_id, replies_per_hour)


def store_inbound_sms(session: Session, msg: InboundSms) -> InboundOutcome:
    """Store the message only (no command, no reply): the fallback when acting failed."""
    return _store_first(session, msg)[2]


def _store_first(
    session: Session, msg: InboundSms
) -> tuple[keywords.Command, Contact | None, InboundOutcome]:
    cmd = keywords.parse(msg.text)
    contact = get_or_create_contact(session, msg.sender_phone) if msg.sender_phone else None
    inbound_id = _store(session, msg, contact.id if contact else None, cmd.kind.value)
    if inbound_id is None:
        return cmd, contact, InboundOutcome(_find(session, msg), duplicate=True)
    return cmd, contact, InboundOutcome(inbound_id, duplicate=False)


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
    erasure = answer.erasure_request_id
    if answer.text is None or not is_mobile(contact.phone):
        return InboundOutcome(inbound_id, False, (), answer.ticket, erasure)
    reply = queue_capped_reply(
        session,
        to=contact.phone,
        text=answer.text,
        cap=None if answer.owed else ReplyCap(replies_per_hour, now),
        contact_id=contact.id,
        feedback_id=answer.feedback_id,
        inbound_message_id=inbound_id,
    )
    replies = () if reply is None else (reply,)
    return InboundOutcome(inbound_id, False, replies, answer.ticket, erasure)


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
