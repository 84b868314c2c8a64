"""Apply one provider answer to the rows that were in the request, by number.

Per-recipient outcomes (see `gateway.providers.Outcome`):
accepted -> sent; retry -> queued again after a backoff, or `failed` once the
attempts are used up; permanent -> failed; blacklisted -> failed and the contact
marked; unknown -> `unknown` (never resent blindly, a delivery report settles it);
config error -> queued, untouched attempts, and the caller stops sending.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, Numeric, String, bindparam, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from gateway.models import Contact, DeliveryReport, OutboundMessage, OutboundStatus, UtcDateTime
from gateway.outbox.delivery import replay_early_reports
from gateway.outbox.queue import Claimed
from gateway.providers import Outcome, RecipientResult, ResponseError

PROVIDER_ERROR_KEY = "suara:provider:config_error"
"""Redis key set while the provider refuses our credentials: sending pauses, /readyz fails."""


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    intervals: Sequence[float]

    def delay(self, attempts: int) -> float:
        """Seconds to wait before the next try, after `attempts` tries."""
        return self.intervals[min(attempts, len(self.intervals)) - 1] if attempts else 0.0


@dataclass
class Applied:
    counts: dict[str, int] = field(default_factory=dict)
    retry_ids: list[int] = field(default_factory=list)
    retry_at: datetime | None = None
    config_error: str | None = None


def apply_results(
    session: Session,
    rows: Sequence[Claimed],
    answer: list[RecipientResult] | ResponseError,
    *,
    provider: str,
    policy: RetryPolicy,
    now: datetime,
) -> Applied:
    """Record the answer on every row; returns what the caller must do next."""
    by_number: dict[str, RecipientResult] = {}
    if isinstance(answer, list):
        by_number = {r.number: r for r in answer}
    applied = Applied()
    values: list[dict[str, Any]] = []
    blacklisted: list[int] = []
    for row in rows:
        result = _result_for(row, answer, by_number)
        change = _change(row, result, policy, now, applied)
        values.append({"id": row.id, "provider": provider, **change})
        applied.counts[change["status"]] = applied.counts.get(change["status"], 0) + 1
        if result.outcome == Outcome.BLACKLISTED and row.contact_id is not None:
            blacklisted.append(row.contact_id)
    accepted = [v for v in values if v["status"] == OutboundStatus.SENT]
    others = [v for v in values if v["status"] != OutboundStatus.SENT]
    if accepted:
        _record_accepted(session, accepted, provider=provider, now=now)
    if others:
        session.execute(update(OutboundMessage), others)
    if blacklisted:
        session.execute(
            update(Contact)
            .where(Contact.id.in_(blacklisted))
            .values(provider_blacklisted_at=now)
            .execution_options(synchronize_session=False)
        )
    _replay_reports(session, provider, [v["provider_message_id"] for v in values])
    return applied


_ACCEPT_PG = text(
    """
    UPDATE outbound_messages AS o
    SET status = 'sent', provider = :provider, sent_at = :now, last_error = NULL,
        provider_message_id = r.mid, provider_status = r.pstatus, cost = r.cost,
        currency = r.currency, attempts = r.attempts
    FROM unnest(:ids, :mids, :pstatuses, :costs, :currencies, :attempts)
        AS r(id, mid, pstatus, cost, currency, attempts)
    WHERE o.id = r.id
    """
).bindparams(
    bindparam("ids", type_=ARRAY(Integer)),
    bindparam("mids", type_=ARRAY(String)),
    bindparam("pstatuses", type_=ARRAY(String)),
    bindparam("costs", type_=ARRAY(Numeric(12, 4))),
    bindparam("currencies", type_=ARRAY(String)),
    bindparam("attempts", type_=ARRAY(Integer)),
    bindparam("now", type_=UtcDateTime()),
)


def _record_accepted(
    session: Session, accepted: list[dict[str, Any]], *, provider: str, now: datetime
) -> None:
    """The common case in one statement on PostgreSQL (UPDATE ... FROM unnest(arrays))."""
    if session.get_bind().dialect.name != "postgresql":
        session.execute(update(OutboundMessage), accepted)
        return
    session.execute(
        _ACCEPT_PG,
        {
            "provider": provider,
            "now": now,
            "ids": [v["id"] for v in accepted],
            "mids": [v["provider_message_id"] for v in accepted],
            "pstatuses": [v["provider_status"] for v in accepted],
            "costs": [v["cost"] for v in accepted],
            "currencies": [v["currency"] for v in accepted],
            "attempts": [v["attempts"] for v in accepted],
        },
    )


def _result_for(
    row: Claimed,
    answer: list[RecipientResult] | ResponseError,
    by_number: dict[str, RecipientResult],
) -> RecipientResult:
    if isinstance(answer, ResponseError):
        return RecipientResult(row.to, answer.outcome, None, None, None, answer.reason, None)
    found = by_number.get(row.to)
    if found is None:  # the request was taken, but says nothing of this number
        return RecipientResult(row.to, Outcome.UNKNOWN, None, None, None, "no result", None)
    return found


def _change(
    row: Claimed, result: RecipientResult, policy: RetryPolicy, now: datetime, applied: Applied
) -> dict[str, Any]:
    attempts = row.attempts + (0 if result.outcome == Outcome.CONFIG_ERROR else 1)
    reason = (result.status or "no status")[:100]
    change: dict[str, Any] = {
        "attempts": attempts,
        "last_error": None,
        "provider_message_id": None,
        "provider_status": result.status[:40] or None,
    }
    if result.outcome == Outcome.ACCEPTED:
        return change | {
            "status": OutboundStatus.SENT.value,
            "provider_message_id": result.message_id,
            "cost": result.cost,
            "currency": result.currency,
            "sent_at": now,
        }
    change["last_error"] = reason
    if result.outcome == Outcome.CONFIG_ERROR:
        applied.config_error = reason
        return change | {
            "status": OutboundStatus.QUEUED.value,
            "claimed_at": None,
            "provider_called_at": None,
            "queued_at": now,
        }
    if result.outcome == Outcome.RETRY and attempts < policy.max_attempts:
        at = now + timedelta(seconds=policy.delay(attempts))
        applied.retry_ids.append(row.id)
        applied.retry_at = max(applied.retry_at or at, at)
        return change | {
            "status": OutboundStatus.QUEUED.value,
            "not_before": at,
            "queued_at": at,
            "claimed_at": None,
            "provider_called_at": None,
        }
    if result.outcome == Outcome.UNKNOWN:
        return change | {"status": OutboundStatus.UNKNOWN.value}
    if result.outcome == Outcome.RETRY:
        reason = f"{reason} (after {attempts} attempts)"[:100]
    return change | {"status": OutboundStatus.FAILED.value, "failure_reason": reason}


def _replay_reports(session: Session, provider: str, message_ids: list[str | None]) -> None:
    """Delivery reports that arrived before this answer was recorded (rare): apply them."""
    wanted = [m for m in message_ids if m]
    if not wanted:
        return
    early = session.scalars(
        select(DeliveryReport.provider_message_id).where(
            DeliveryReport.provider == provider,
            DeliveryReport.provider_message_id.in_(wanted),
            DeliveryReport.outbound_id.is_(None),
        )
    ).all()
    for message_id in set(early):
        row = session.scalar(
            select(OutboundMessage).where(
                OutboundMessage.provider == provider,
                OutboundMessage.provider_message_id == message_id,
            )
        )
        if row is not None:
            replay_early_reports(session, row)
