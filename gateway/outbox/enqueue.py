"""Enqueue outbox rows, poll jobs and erasure jobs, after the commit, by dotted job path.

The outbox row is the truth: if Redis is down the row stays `queued` and the sweeper
enqueues it later, so a failed enqueue is logged, never raised to a citizen.
Provider retries are decided per row by the send job (attempts, backoff); the RQ
retry below only covers a job that crashed (database gone, bug).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry

log = logging.getLogger("suara.queueing")

TRANSACTIONAL_QUEUE = "sms-transactional"
BROADCAST_QUEUE = "sms-broadcast"
QUEUES = (TRANSACTIONAL_QUEUE, BROADCAST_QUEUE)
SEND_JOB = "workers.sms.send_sms"
BATCH_JOB = "workers.sms.send_batch"
FANOUT_JOB = "workers.polls.fan_out_poll"
REMINDER_JOB = "workers.polls.send_poll_reminder"
ERASURE_JOB = "workers.erasure.carry_out_erasure"
SEND_RETRY = Retry(max=3, interval=[10, 60, 300])
SEND_JOB_TIMEOUT = 300
"""Seconds before RQ stops a send job; below SMS_STALE_SENDING_MINUTES (10 min by default)."""


def send_job_id(outbound_id: int) -> str:
    return f"sms-{outbound_id}"


def enqueue_sends(redis: Redis, outbound_ids: Iterable[int], *, broadcast: bool = False) -> int:
    """Enqueue one send job per outbox row, all in one Redis round trip; returns how many.

    The jobs go through one MULTI/EXEC pipeline: all are enqueued or none is (a failed
    round trip leaves every row `queued` for the sweeper).
    """
    ids = list(outbound_ids)
    if not ids:
        return 0
    queue = Queue(BROADCAST_QUEUE if broadcast else TRANSACTIONAL_QUEUE, connection=redis)
    try:
        with redis.pipeline() as pipe:
            for outbound_id in ids:
                queue.enqueue_call(
                    SEND_JOB,
                    args=(outbound_id,),
                    job_id=send_job_id(outbound_id),
                    retry=SEND_RETRY,
                    timeout=SEND_JOB_TIMEOUT,
                    result_ttl=3600,
                    failure_ttl=7 * 86400,
                    pipeline=pipe,
                )
            pipe.execute()
    except RedisError as exc:
        log.warning("could not enqueue outbox rows %s (left queued): %s", ids, exc)
        return 0
    return len(ids)


def enqueue_batch(
    redis: Redis, outbound_ids: Sequence[int], *, broadcast: bool, at: datetime | None = None
) -> bool:
    """One job for rows sharing a text (sent in one request); `at` delays it."""
    if not outbound_ids:
        return True
    queue = Queue(BROADCAST_QUEUE if broadcast else TRANSACTIONAL_QUEUE, connection=redis)
    options = {
        "retry": SEND_RETRY,
        "job_timeout": SEND_JOB_TIMEOUT,
        "result_ttl": 600,
        "failure_ttl": 7 * 86400,
    }
    try:
        if at is None:
            queue.enqueue(BATCH_JOB, list(outbound_ids), **options)
        else:
            queue.enqueue_at(at, BATCH_JOB, list(outbound_ids), **options)
    except RedisError as exc:
        log.warning("could not enqueue %d outbox rows (left queued): %s", len(outbound_ids), exc)
        return False
    return True


def enqueue_poll_job(redis: Redis, job: str, poll_id: int, *, at: datetime | None = None) -> bool:
    """Fan-out or reminder for a poll; the job itself is idempotent."""
    queue = Queue(BROADCAST_QUEUE, connection=redis)
    try:
        if at is None:
            queue.enqueue(job, poll_id, job_timeout=3600, result_ttl=3600)
        else:
            queue.enqueue_at(at, job, poll_id, job_timeout=3600, result_ttl=3600)
    except RedisError as exc:
        log.warning("could not enqueue %s for poll %s (the sweeper will): %s", job, poll_id, exc)
        return False
    return True


def enqueue_fan_out(redis: Redis, poll_id: int, *, send_at: datetime | None) -> bool:
    """Fan the poll out now, or at `send_at` if that is still ahead."""
    later = send_at if send_at and send_at > datetime.now(UTC) else None
    return enqueue_poll_job(redis, FANOUT_JOB, poll_id, at=later)


def enqueue_erasure(redis: Redis, request_id: int) -> bool:
    """The job carrying out a HAPUS request, at once, on the transactional queue (job id
    ``erasure-<id>``). A lost enqueue is logged: the sweeper finds the open request."""
    queue = Queue(TRANSACTIONAL_QUEUE, connection=redis)
    try:
        queue.enqueue_call(
            ERASURE_JOB,
            args=(request_id,),
            job_id=f"erasure-{request_id}",
            retry=SEND_RETRY,
            timeout=SEND_JOB_TIMEOUT,
            result_ttl=3600,
            failure_ttl=7 * 86400,
        )
    except RedisError as exc:
        log.warning("could not enqueue erasure request %s (the sweeper will): %s", request_id, exc)
        return False
    return True
