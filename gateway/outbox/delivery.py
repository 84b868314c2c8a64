"""Delivery reports: stored as they arrive, moving outbox rows forward only."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

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
