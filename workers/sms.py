"""Send jobs: plain functions taking outbox ids. Each opens its own session.

A job claims its row (queued -> sending) in one short transaction, calls the
provider outside any transaction, then records the per-recipient result. Retryable
failures put the row back to `queued` and raise so RQ retries with backoff; permanent
ones are recorded on the row and the job returns normally.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from gateway.health import PROVIDER_ERROR_KEY
from gateway.models import Contact, OutboundKind, OutboundMessage, OutboundStatus
from gateway.phone import mask
from gateway.send_errors import Outcome, RecipientResult, ResponseError
from gateway.services.delivery import replay_early_reports
from workers.context import current

log = logging.getLogger("suara.workers.sms")


class SendRetry(Exception):
    """Raised so RQ retries the job; the row is back in `queued`."""


def send_sms(outbound_id: int) -> str:
    rt = current()
    with rt.sessions.begin() as session:
        row = session.get(OutboundMessage, outbound_id, with_for_update=True)
        if row is None or row.status != OutboundStatus.QUEUED:
            return f"skipped ({row.status if row else 'missing'})"
        contact = session.get(Contact, row.contact_id) if row.contact_id else None
        if row.kind == OutboundKind.BROADCAST and _opted_out(contact):
            row.status = OutboundStatus.CANCELLED
            row.last_error = "opted out"
            return "cancelled: opted out"
        row.status = OutboundStatus.SENDING
        row.attempts += 1
        row.provider = rt.sender.name
        to, text = row.to, row.text
    try:
        result = rt.sender.send_sms(text, [to])[0]
    except ResponseError as exc:
        result = RecipientResult(to, exc.outcome, None, None, None, exc.reason, None)
    with rt.sessions.begin() as session:
        row = session.get(OutboundMessage, outbound_id)
        assert row is not None
        _record(session, row, result)
        outcome = result.outcome
    if outcome == Outcome.CONFIG_ERROR:
        rt.redis.set(PROVIDER_ERROR_KEY, result.status or "configuration error", ex=600)
    if outcome in (Outcome.RETRY, Outcome.CONFIG_ERROR):
        raise SendRetry(f"outbox {outbound_id}: {result.status}")
    log.info("outbox %s to %s: %s", outbound_id, mask(to), outcome.value)
    return outcome.value


def _record(session: Session, row: OutboundMessage, result: RecipientResult) -> None:
    now = datetime.now(UTC)
    if result.outcome == Outcome.ACCEPTED:
        row.status = OutboundStatus.SENT
        row.provider_message_id = result.message_id
        row.cost = result.cost
        row.currency = result.currency
        row.sent_at = now
        row.last_error = None
        replay_early_reports(session, row)
    elif result.outcome in (Outcome.RETRY, Outcome.CONFIG_ERROR):
        row.status = OutboundStatus.QUEUED
        row.last_error = result.status
    elif result.outcome == Outcome.UNKNOWN:
        row.status = OutboundStatus.UNKNOWN
        row.last_error = result.status
    else:
        row.status = OutboundStatus.FAILED
        row.failure_reason = result.status
        row.last_error = result.status
        if result.outcome == Outcome.BLACKLISTED and row.contact_id is not None:
            contact = session.get(Contact, row.contact_id)
            if contact is not None:
                contact.provider_blacklisted_at = now


def _opted_out(contact: Contact | None) -> bool:
    return contact is not None and (
        contact.opted_out_at is not None or contact.provider_blacklisted_at is not None
    )
