"""What the sweeper finds: rows a lost job left behind, polls whose job was lost.

Rows are the truth and jobs are disposable, so finding a row twice only costs a
no-op job (its claim finds nothing to send).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from gateway.models import OutboundMessage, OutboundStatus, Poll

OM = OutboundMessage
MAX_ROWS_PER_SWEEP = 20_000


@dataclass(frozen=True, slots=True)
class Stuck:
    id: int
    kind: str
    text: str


def recover_stale_sending(
    session: Session, *, now: datetime, stale_after: timedelta
) -> tuple[int, int]:
    """`sending` rows older than `stale_after` (their worker died).

    Never handed to the provider -> back to `queued`, with a cleared sweeper clock so
    `find_stuck_queued` picks them up in the same sweep. Handed over -> `unknown`:
    the SMS may have gone, a delivery report settles it. Returns both counts.
    """
    stale = [OM.status == OutboundStatus.SENDING, OM.claimed_at < now - stale_after]
    requeued = session.execute(
        update(OM)
        .where(*stale, OM.provider_called_at.is_(None))
        .values(status=OutboundStatus.QUEUED, claimed_at=None, queued_at=None)
        .execution_options(synchronize_session=False)
    )
    unknown = session.execute(
        update(OM)
        .where(*stale, OM.provider_called_at.is_not(None))
        .values(
            status=OutboundStatus.UNKNOWN,
            last_error="worker stopped after the request left; waiting for a delivery report",
        )
        .execution_options(synchronize_session=False)
    )
    return int(requeued.rowcount), int(unknown.rowcount)  # type: ignore[attr-defined]


def find_stuck_queued(session: Session, *, now: datetime, grace: timedelta) -> list[Stuck]:
    """Due `queued` rows no job has picked up for `grace`; their clock is restarted."""
    rows = session.execute(
        select(OM.id, OM.kind, OM.text)
        .where(
            OM.status == OutboundStatus.QUEUED,
            or_(OM.not_before.is_(None), OM.not_before <= now),
            func.coalesce(OM.queued_at, OM.created_at) <= now - grace,
        )
        .order_by(OM.id)
        .limit(MAX_ROWS_PER_SWEEP)
    ).all()
    stuck = [Stuck(*row) for row in rows]
    if stuck:
        session.execute(
            update(OM)
            .where(OM.id.in_([s.id for s in stuck]))
            .values(queued_at=now)
            .execution_options(synchronize_session=False)
        )
    return stuck


def polls_to_fan_out(session: Session, *, now: datetime) -> list[int]:
    """Scheduled polls whose time has come, and polls whose fan-out did not finish."""
    return list(
        session.scalars(
            select(Poll.id).where(
                or_(
                    Poll.status == "sending",
                    (Poll.status == "scheduled") & or_(Poll.send_at.is_(None), Poll.send_at <= now),
                )
            )
        )
    )


def polls_due_reminder(session: Session, *, now: datetime) -> list[int]:
    """Open polls whose reminder is due and not yet sent."""
    candidates = session.execute(
        select(Poll.id, Poll.sent_at, Poll.reminder_after_hours, Poll.close_at).where(
            Poll.status == "open",
            Poll.reminder_after_hours.is_not(None),
            Poll.reminder_sent_at.is_(None),
            Poll.sent_at.is_not(None),
        )
    ).all()
    due: list[int] = []
    for poll_id, sent_at, hours, close_at in candidates:
        if sent_at is None or hours is None or (close_at is not None and close_at <= now):
            continue
        if sent_at + timedelta(hours=hours) <= now:
            due.append(poll_id)
    return due


def close_ended_polls(session: Session, *, now: datetime) -> int:
    result = session.execute(
        update(Poll)
        .where(Poll.status == "open", Poll.close_at.is_not(None), Poll.close_at <= now)
        .values(status="closed")
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
