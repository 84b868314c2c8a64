"""Poll jobs: fan-out and reminder. Plain functions taking a poll id; idempotent.

Each chunk of the audience is committed before its send jobs are enqueued, so the
sending starts while the fan-out goes on and a lost job loses nothing (the sweeper
finds the rows). A Redis lock with a short TTL keeps two fan-outs of one poll from
running side by side; even if they did, the unique (poll, contact, purpose) row
keeps every recipient single.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from gateway.models import Poll
from gateway.outbox.enqueue import REMINDER_JOB, enqueue_batch, enqueue_poll_job
from gateway.polls.fanout import (
    POLL,
    REMINDER,
    fan_out_chunk,
    finish_fan_out,
    start_fan_out,
)
from gateway.runtime import Runtime
from workers.context import current

log = logging.getLogger("suara.workers.polls")
LOCK_TTL = 120


def lock_key(poll_id: int, purpose: str) -> str:
    return f"suara:poll:{poll_id}:{purpose}"


def fan_out_poll(poll_id: int) -> str:
    rt = current()
    if not rt.redis.set(lock_key(poll_id, POLL), "1", nx=True, ex=LOCK_TTL):
        return "skipped: another fan-out of this poll is running"
    try:
        with rt.sessions.begin() as session:
            if start_fan_out(session, poll_id) is None:
                return "skipped: poll not scheduled"
        total = _stream(rt, poll_id, POLL)
        with rt.sessions.begin() as session:
            poll = finish_fan_out(session, poll_id, now=datetime.now(UTC))
            hours = poll.reminder_after_hours if poll else None
        if hours:
            at = datetime.now(UTC) + timedelta(hours=hours)
            enqueue_poll_job(rt.redis, REMINDER_JOB, poll_id, at=at)
    finally:
        rt.redis.delete(lock_key(poll_id, POLL))
    log.info("poll %s: %d outbox rows written", poll_id, total)
    return f"{total} rows"


def send_poll_reminder(poll_id: int) -> str:
    rt = current()
    if not rt.redis.set(lock_key(poll_id, REMINDER), "1", nx=True, ex=LOCK_TTL):
        return "skipped: another reminder of this poll is running"
    try:
        with rt.sessions.begin() as session:
            if not _reminder_wanted(session, poll_id):
                return "skipped: no reminder due"
        total = _stream(rt, poll_id, REMINDER)
        with rt.sessions.begin() as session:
            poll = session.get(Poll, poll_id)
            if poll is not None:
                poll.reminder_sent_at = datetime.now(UTC)
    finally:
        rt.redis.delete(lock_key(poll_id, REMINDER))
    return f"{total} reminder rows"


def _reminder_wanted(session: Session, poll_id: int) -> bool:
    poll = session.get(Poll, poll_id)
    now = datetime.now(UTC)
    return (
        poll is not None
        and poll.status == "open"
        and poll.reminder_sent_at is None
        and (poll.close_at is None or poll.close_at > now)
    )


def _stream(rt: Runtime, poll_id: int, purpose: str) -> int:
    """Walk the audience chunk by chunk: commit rows, then enqueue their sends."""
    after, total, size = 0, 0, rt.settings.poll_fanout_chunk
    batch = rt.settings.sms_batch_size
    for _ in range(10_000_000):  # bounded: one pass over the contacts table
        with rt.sessions.begin() as session:
            chunk = fan_out_chunk(session, poll_id, after_id=after, size=size, purpose=purpose)
        if chunk.done:
            break
        assert chunk.last_contact_id is not None
        after = chunk.last_contact_id
        for ids in chunk.rows_by_text.values():
            total += len(ids)
            for start in range(0, len(ids), batch):
                enqueue_batch(rt.redis, ids[start : start + batch], broadcast=True)
        rt.redis.set(lock_key(poll_id, purpose), "1", ex=LOCK_TTL)
    return total
