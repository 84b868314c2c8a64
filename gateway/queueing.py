"""Enqueue outbox rows for sending, after the commit, by dotted job path.

The outbox row is the truth: if Redis is down the row stays `queued` and the sweeper
enqueues it later, so a failed enqueue is logged, never raised to a citizen.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry

log = logging.getLogger("suara.queueing")

TRANSACTIONAL_QUEUE = "sms-transactional"
BROADCAST_QUEUE = "sms-broadcast"
QUEUES = (TRANSACTIONAL_QUEUE, BROADCAST_QUEUE)
SEND_JOB = "workers.sms.send_sms"
SEND_RETRY = Retry(max=5, interval=[10, 30, 120, 600, 1800])


def send_job_id(outbound_id: int) -> str:
    return f"sms-{outbound_id}"


def enqueue_sends(redis: Redis, outbound_ids: Iterable[int], *, broadcast: bool = False) -> int:
    """Enqueue one send job per outbox row; returns how many were enqueued."""
    queue = Queue(BROADCAST_QUEUE if broadcast else TRANSACTIONAL_QUEUE, connection=redis)
    done = 0
    for outbound_id in outbound_ids:
        try:
            queue.enqueue(
                SEND_JOB,
                outbound_id,
                job_id=send_job_id(outbound_id),
                retry=SEND_RETRY,
                result_ttl=3600,
                failure_ttl=7 * 86400,
            )
            done += 1
        except RedisError as exc:
            log.warning("could not enqueue outbox row %s (left queued): %s", outbound_id, exc)
    return done
