"""The sweeper: re-enqueue what a lost job, a Redis flush or a killed worker left.

`sweep()` is a plain job function (tests and operators call it directly); the worker
entry runs it every `SMS_SWEEP_INTERVAL_SECONDS` from RQ's maintenance loop, under
a Redis lock so one worker of many sweeps per interval.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from gateway.models import OutboundKind
from gateway.outbox.enqueue import FANOUT_JOB, REMINDER_JOB, enqueue_batch, enqueue_poll_job
from gateway.outbox.sweep import (
    close_ended_polls,
    find_stuck_queued,
    polls_due_reminder,
    polls_to_fan_out,
    recover_stale_sending,
)
from workers.context import current
from workers.erasure import sweep_erasures
from workers.lifecycle import close_resolved_reports
from workers.polls import lock_key

log = logging.getLogger("suara.workers.sweeper")
SWEEP_LOCK = "suara:sweeper"
LIFECYCLE_LOCK = "suara:lifecycle"
LIFECYCLE_EVERY_SECONDS = 3600


def sweep() -> str:
    rt = current()
    s = rt.settings
    now = datetime.now(UTC)
    with rt.sessions.begin() as session:
        requeued, unknown = recover_stale_sending(
            session, now=now, stale_after=timedelta(minutes=s.sms_stale_sending_minutes)
        )
        stuck = find_stuck_queued(
            session, now=now, grace=timedelta(seconds=s.sms_sweep_grace_seconds)
        )
        closed = close_ended_polls(session, now=now)
        fan_outs = polls_to_fan_out(session, now=now)
        reminders = polls_due_reminder(session, now=now)
    by_text: dict[tuple[bool, str], list[int]] = {}
    for row in stuck:
        broadcast = row.kind == OutboundKind.BROADCAST
        key = (broadcast, row.text if broadcast else f"#{row.id}")
        by_text.setdefault(key, []).append(row.id)
    for (broadcast, _), ids in by_text.items():
        for start in range(0, len(ids), s.sms_batch_size):
            enqueue_batch(rt.redis, ids[start : start + s.sms_batch_size], broadcast=broadcast)
    for poll_id in fan_outs:
        if not rt.redis.exists(lock_key(poll_id, "poll")):
            enqueue_poll_job(rt.redis, FANOUT_JOB, poll_id)
    for poll_id in reminders:
        if not rt.redis.exists(lock_key(poll_id, "poll_reminder")):
            enqueue_poll_job(rt.redis, REMINDER_JOB, poll_id)
    erasures, erased = sweep_erasures(grace=timedelta(seconds=s.sms_sweep_grace_seconds))
    summary = (
        f"requeued {requeued} stale, {unknown} unknown, {len(stuck)} stuck re-enqueued, "
        f"{closed} polls closed, {len(fan_outs)} fan-outs, {len(reminders)} reminders, "
        f"{erasures} erasures re-enqueued, {erased} erased rows settled"
    )
    if requeued or unknown or stuck or fan_outs or reminders or erasures:
        log.warning("sweep: %s", summary)
    return summary


def sweep_if_due() -> None:
    """Called by each worker's maintenance loop; one sweep per interval across workers."""
    rt = current()
    interval = rt.settings.sms_sweep_interval_seconds
    if rt.redis.set(SWEEP_LOCK, "1", nx=True, ex=max(1, interval - 1)):
        try:
            sweep()
        except Exception:
            log.exception("sweep failed; the next interval tries again")
    if rt.redis.set(LIFECYCLE_LOCK, "1", nx=True, ex=LIFECYCLE_EVERY_SECONDS):
        try:
            close_resolved_reports()
        except Exception:
            log.exception("closing resolved reports failed; the next hour tries again")
