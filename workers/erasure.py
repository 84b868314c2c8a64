"""Erasure jobs: carry out a HAPUS request within minutes (UU PDP; 3 x 24 hours is the
ceiling, not the schedule). Plain functions taking a request id; idempotent.

The SMS path enqueues ``carry_out_erasure`` right after the commit that stored the
request; the sweeper (``sweep_erasures``) enqueues it again for a request still open after
the grace (a lost enqueue), and erases what the job had to leave on its way to the phone.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from gateway.citizens.erasure import clear_residue, erase, erasure_target, lost_erasures
from gateway.outbox.enqueue import enqueue_erasure, enqueue_sends
from gateway.ussd.state import forget_caller
from workers.context import current

log = logging.getLogger("suara.workers.erasure")


def carry_out_erasure(request_id: int) -> str:
    """Erase the citizen's data, send the confirmation. The Redis keys go first: if Redis
    fails the job fails with the request still open, and runs again."""
    rt = current()
    with rt.sessions() as session:
        target = erasure_target(session, request_id)
    if target is None:
        return "skipped: no open erasure request"
    forget_caller(rt.redis, target.phone, target.ussd_session_ids)
    with rt.sessions.begin() as session:
        now = datetime.now(UTC)
        done = erase(session, request_id, key=rt.settings.erasure_key, now=now)
    if done is None:
        return "skipped: carried out meanwhile"
    confirmation = [] if done.confirmation_id is None else [done.confirmation_id]
    enqueue_sends(rt.redis, confirmation)
    log.info("erasure request %s carried out", request_id)
    return f"erased; confirmation SMS {confirmation}"


def sweep_erasures(*, grace: timedelta) -> tuple[int, int]:
    """Enqueue open requests older than ``grace`` again; erase settled rows left on their
    way to the phone. Returns (requests enqueued, outbox rows erased)."""
    rt = current()
    with rt.sessions.begin() as session:
        now = datetime.now(UTC)
        lost = lost_erasures(session, now=now, grace=grace)
        cleared = clear_residue(session, now=now)
    for request_id in lost:
        enqueue_erasure(rt.redis, request_id)
    return len(lost), cleared
