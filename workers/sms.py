"""Send jobs: plain functions taking outbox ids. Each opens its own sessions.

A job claims its rows (queued -> sending) in one short transaction, waits for the
shared throttle, stamps the rows `provider_called_at`, calls the provider outside
any transaction, then records the per-recipient results. Rows sharing a text go in
one request (up to `SMS_BATCH_SIZE` recipients); personalised texts go one by one.
Retryable rows are enqueued again after their backoff; the sweeper catches any
that a lost job or a Redis flush leaves behind.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from gateway.models import OutboundKind
from gateway.outbox.enqueue import enqueue_batch
from gateway.outbox.queue import Claimed, claim, defer_broadcasts, mark_called, release
from gateway.outbox.quiet_hours import held_notice, parse_quiet_hours
from gateway.outbox.results import PROVIDER_ERROR_KEY, RetryPolicy, apply_results
from gateway.outbox.throttle import RecipientThrottle, ThrottleTimeout
from gateway.providers import RecipientResult, ResponseError
from gateway.runtime import Runtime
from workers.context import current

log = logging.getLogger("suara.workers.sms")
PROVIDER_ERROR_TTL = 600
MAX_THROTTLE_WAIT = 120.0
"""Seconds a job may sleep for the shared rate; well under the job's time limit."""


def send_sms(outbound_id: int) -> str:
    """One row (a confirmation or status reply)."""
    return send_batch([outbound_id])


def send_batch(outbound_ids: list[int]) -> str:
    """Rows to send; those not `queued` (done, or held by another worker) are skipped."""
    rt = current()
    if rt.redis.get(PROVIDER_ERROR_KEY):
        log.error("provider configuration error flagged: %d rows stay queued", len(outbound_ids))
        return "held: provider configuration error"
    now = datetime.now(UTC)
    quiet = parse_quiet_hours(rt.settings.quiet_hours)
    throttle = RecipientThrottle(rt.redis, rt.settings.sms_rate_per_second)
    with rt.sessions.begin() as session:
        deferred = 0
        if quiet.is_quiet(now):
            until = quiet.next_allowed(now)
            deferred = defer_broadcasts(session, outbound_ids, until=until)
        claimed = claim(session, outbound_ids, now=now)
    if deferred:
        enqueue_batch(rt.redis, outbound_ids, broadcast=True, at=quiet.next_allowed(now))
        held = held_notice(quiet, now)
        log.info("%d broadcast SMS %s", deferred, held[1] if held else "held by quiet hours")
    sent, requests = 0, _requests(claimed, _request_size(rt, throttle))
    for i, (text, rows) in enumerate(requests):
        try:
            go_on = _send_one_request(rt, throttle, text, rows)
        except ThrottleTimeout as busy:  # the shared rate is booked ahead: come back later
            unsent = [r.id for _, later in requests[i:] for r in later]
            with rt.sessions.begin() as session:
                release(session, unsent, now=datetime.now(UTC), reason="throttled")
            later_at = datetime.now(UTC) + timedelta(seconds=busy.wait)
            enqueue_batch(rt.redis, unsent, broadcast=rows[0].kind == OutboundKind.BROADCAST,
                          at=later_at)  # fmt: skip
            break
        if not go_on:
            unsent = [r.id for _, later in requests[i + 1 :] for r in later]
            with rt.sessions.begin() as session:  # never sent: back to `queued`
                release(session, unsent, now=datetime.now(UTC), reason="sending stopped")
            break
        sent += len(rows)
    return f"claimed {len(claimed)}, sent {sent}, deferred {deferred}"


def _request_size(rt: Runtime, throttle: RecipientThrottle) -> int:
    """Throttled, one request holds at most a minute of the rate, so its wait stays well
    inside the job's time limit."""
    size = rt.settings.sms_batch_size
    return min(size, max(1, int(throttle.rate * 60))) if throttle.enabled else size


def _requests(rows: Sequence[Claimed], size: int) -> list[tuple[str, list[Claimed]]]:
    """Group by text; within one request a number appears once."""
    groups: dict[str, list[tuple[list[Claimed], set[str]]]] = defaultdict(list)
    for row in rows:
        for batch, numbers in groups[row.text]:
            if len(batch) < size and row.to not in numbers:
                batch.append(row)
                numbers.add(row.to)
                break
        else:
            groups[row.text].append(([row], {row.to}))
    return [(text, batch) for text, batches in groups.items() for batch, _ in batches]


def _send_one_request(
    rt: Runtime, throttle: RecipientThrottle, text: str, rows: list[Claimed]
) -> bool:
    """Returns False when sending must stop (configuration error); rows stay queued.

    `provider_called_at` is committed after every Redis read and wait and right before
    the HTTP call: a job lost before that point (a failed read, a killed worker) leaves
    rows the sweeper safely sends again; only a job lost after it leaves `unknown` rows."""
    ids = [r.id for r in rows]
    if rt.redis.get(PROVIDER_ERROR_KEY):
        with rt.sessions.begin() as session:
            release(session, ids, now=datetime.now(UTC), reason="provider configuration error")
        return False
    throttle.acquire(len(rows), max_wait=MAX_THROTTLE_WAIT)
    with rt.sessions.begin() as session:
        mark_called(session, ids, now=datetime.now(UTC))
    answer: list[RecipientResult] | ResponseError
    try:
        answer = rt.sender.send_sms(text, [r.to for r in rows])
    except ResponseError as exc:
        answer = exc
    policy = RetryPolicy(rt.settings.sms_max_attempts, rt.settings.retry_intervals)
    now = datetime.now(UTC)
    with rt.sessions.begin() as session:
        applied = apply_results(
            session, rows, answer, provider=rt.sender.name, policy=policy, now=now
        )
    log.info("request of %d recipient(s): %s", len(rows), applied.counts)
    if applied.retry_ids:
        at = applied.retry_at if applied.retry_at and applied.retry_at > now else None
        broadcast = rows[0].kind == OutboundKind.BROADCAST
        enqueue_batch(rt.redis, applied.retry_ids, broadcast=broadcast, at=at)
    if applied.config_error:
        log.error("provider refused our configuration (%s): sending stops", applied.config_error)
        rt.redis.set(PROVIDER_ERROR_KEY, applied.config_error, ex=PROVIDER_ERROR_TTL)
        return False
    return True
