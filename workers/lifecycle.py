"""Lifecycle jobs. `close_resolved_reports` closes resolved reports whose 10-working-day
answer window has passed, and queues the closing SMS.

The worker's maintenance loop runs it once an hour across all workers (see
`workers.sweeper.sweep_if_due`). It is idempotent: a report closes once.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from gateway.feedback.lifecycle import apply_status, reports_to_close
from gateway.models import Feedback, FeedbackStatus
from gateway.outbox.enqueue import enqueue_sends
from workers.context import current

log = logging.getLogger("suara.workers.lifecycle")


def close_resolved_reports() -> int:
    """Close every report due for closing; returns how many were closed."""
    rt = current()
    now = datetime.now(UTC)
    outbound: list[int] = []
    with rt.sessions.begin() as session:
        ids = reports_to_close(session, now)
        for feedback_id in ids:
            feedback = session.get(Feedback, feedback_id, with_for_update=True)
            if feedback is None or feedback.status != FeedbackStatus.RESOLVED:
                continue
            note = "Ditutup otomatis: tidak ada tanggapan warga dalam 10 hari kerja"
            outbound.extend(
                apply_status(session, feedback, "closed", note=note, now=now).outbound_ids
            )
    enqueue_sends(rt.redis, outbound)
    log.info("closed %d resolved reports", len(ids))
    return len(ids)
