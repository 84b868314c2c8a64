"""Delivery reports: stored as they arrive, moving outbox rows forward only; and staff
settling a row left `unknown` (a send whose answer was lost)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.errors import InvalidInput
from gateway.models import DeliveryReport, OutboundMessage, OutboundStatus
from gateway.providers import StatusUpdate, neutral_status

# Higher rank = further along. Final states share the top rank: none replaces another.
RANK: dict[str, int] = {
    OutboundStatus.QUEUED: 0,
    OutboundStatus.SENDING: 1,
    OutboundStatus.UNKNOWN: 2,
    OutboundStatus.SENT: 3,
    OutboundStatus.DELIVERED: 4,
    OutboundStatus.FAILED: 4,
    OutboundStatus.REJECTED: 4,
    OutboundStatus.EXPIRED: 4,
    OutboundStatus.CANCELLED: 4,
}


def is_forward(current: str, new: str) -> bool:
    return RANK.get(new, -1) > RANK.get(current, 0)


def apply_delivery_report(session: Session, update: StatusUpdate) -> int | None:
    """Store the report raw and move its outbox row forward. Returns the row id if known.

    A report is matched by the provider's message id only, never by number: an `unknown`
    row (a send whose answer was lost) may or may not be the SMS a report is about, and
    crediting it would hide a message that never went. A report that matches no row is
    stored unattached; the send job applies it when it records that id
    (`replay_early_reports`), and staff settle `unknown` rows."""
    row = session.scalar(
        select(OutboundMessage).where(
            OutboundMessage.provider == update.provider,
            OutboundMessage.provider_message_id == update.provider_message_id,
        )
    )
    session.add(
        DeliveryReport(
            provider=update.provider,
            provider_message_id=update.provider_message_id,
            status=update.raw_status,
            failure_reason=update.failure_reason,
            outbound_id=row.id if row else None,
            raw=update.raw,
        )
    )
    if row is None:
        return None
    apply_status(row, update.status, update.raw_status, update.failure_reason)
    return row.id


def apply_status(
    row: OutboundMessage, status: str | None, raw_status: str, failure_reason: str | None
) -> None:
    """Forward-only: an unknown or backward status is recorded raw and changes nothing."""
    if status is None or not is_forward(row.status, status):
        if status is None:
            row.provider_status = raw_status
        return
    row.status = status
    row.provider_status = raw_status
    if failure_reason:
        row.failure_reason = failure_reason
    if status == OutboundStatus.DELIVERED:
        row.delivered_at = datetime.now(UTC)


def replay_early_reports(session: Session, row: OutboundMessage) -> None:
    """Apply reports that arrived before the send job recorded the provider's id."""
    reports = session.scalars(
        select(DeliveryReport)
        .where(
            DeliveryReport.provider == row.provider,
            DeliveryReport.provider_message_id == row.provider_message_id,
            DeliveryReport.outbound_id.is_(None),
        )
        .order_by(DeliveryReport.id)
    )
    for report in reports:
        report.outbound_id = row.id
        status = neutral_status(report.provider, report.status)
        apply_status(row, status, report.status, report.failure_reason)


def unknown_rows(session: Session, *, limit: int = 200) -> list[OutboundMessage]:
    """Rows that may or may not have gone, oldest first: what staff have to settle."""
    return list(
        session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.status == OutboundStatus.UNKNOWN)
            .order_by(OutboundMessage.id)
            .limit(limit)
        )
    )


def settle_unknown(
    session: Session, row_id: int, *, message_id: str | None, provider: str, now: datetime
) -> OutboundMessage:
    """Staff settle an `unknown` row from what the provider's dashboard shows.

    With the provider's `message_id`, the SMS went: the row is `sent` under that id and
    any report already stored for the id is applied. Without it, the SMS did not go:
    the row is `queued` again, for the caller to enqueue after the commit."""
    row = session.get(OutboundMessage, row_id, with_for_update=True)
    if row is None or row.status != OutboundStatus.UNKNOWN:
        raise InvalidInput({"id": f"no unknown outbox row {row_id}"})
    if message_id is None:
        row.status, row.queued_at = OutboundStatus.QUEUED, now
        row.claimed_at = row.provider_called_at = row.not_before = None
        row.last_error = "settled by staff: not sent, queued again"
        return row
    row.provider = row.provider or provider
    taken = session.scalar(
        select(OutboundMessage.id).where(
            OutboundMessage.provider == row.provider,
            OutboundMessage.provider_message_id == message_id,
        )
    )
    if taken is not None:
        raise InvalidInput({"message_id": f"{message_id} belongs to outbox row {taken}"})
    row.status, row.sent_at = OutboundStatus.SENT, now
    row.provider_message_id = message_id
    row.last_error = "settled by staff: sent"
    replay_early_reports(session, row)
    return row
