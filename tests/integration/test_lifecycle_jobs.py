"""Jobs around the lifecycle and consent: auto-close, and broadcasts after STOP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rq import Queue
from sqlalchemy import select

from gateway.models import Contact, Feedback, FeedbackEvent, OutboundMessage
from gateway.outbox.enqueue import TRANSACTIONAL_QUEUE, enqueue_sends
from tests.conftest import run_jobs
from workers.lifecycle import close_resolved_reports

pytestmark = pytest.mark.integration

SMS = "/webhooks/africastalking/sms"
PHONE = "+6281234567890"


def sms(client, text, msg_id):
    form = {"from": PHONE, "to": "1708", "text": text, "id": msg_id}
    assert client.post(SMS, data=form).status_code == 200


def resolve(rt, due_at):
    with rt.sessions.begin() as s:
        fb = s.scalar(select(Feedback).order_by(Feedback.id.desc()))
        fb.status, fb.due_at, fb.resolved_at = "resolved", due_at, datetime.now(UTC)
        return fb.id


def test_resolved_reports_close_after_their_window_and_citizen_is_told(client, rt):
    now = datetime.now(UTC)
    sms(client, "LAPOR atap bocor", "a")
    due = resolve(rt, now - timedelta(minutes=1))
    sms(client, "LAPOR kursi rusak", "b")
    waiting = resolve(rt, now + timedelta(days=3))
    Queue(TRANSACTIONAL_QUEUE, connection=rt.redis).empty()

    assert close_resolved_reports() == 1
    assert close_resolved_reports() == 0  # idempotent
    with rt.sessions() as s:
        closed = s.get(Feedback, due)
        assert closed.status == "closed" and closed.closed_at is not None and closed.due_at is None
        assert s.get(Feedback, waiting).status == "resolved"
        event = s.scalar(select(FeedbackEvent).where(FeedbackEvent.to_status == "closed"))
        assert event.note.startswith("Ditutup otomatis")
        notice = s.get(OutboundMessage, event.outbound_id)
        assert notice.to == PHONE and "ditutup" in notice.text
    assert Queue(TRANSACTIONAL_QUEUE, connection=rt.redis).job_ids == [f"sms-{notice.id}"]


def test_broadcast_to_an_opted_out_contact_is_cancelled_at_send_time(client, rt):
    sms(client, "DAFTAR Marbau", "c")
    with rt.sessions.begin() as s:
        contact_id = s.scalar(select(Contact.id))
        row = OutboundMessage(to=PHONE, text="Info: SPMB dibuka 1 Juni", kind="broadcast",
                              contact_id=contact_id)  # fmt: skip
        s.add(row)
        s.flush()
        broadcast_id = row.id
    sms(client, "STOP", "d")  # arrives after the broadcast was queued, before it is sent
    enqueue_sends(rt.redis, [broadcast_id], broadcast=True)
    run_jobs(rt.redis)
    with rt.sessions() as s:
        broadcast = s.get(OutboundMessage, broadcast_id)
        assert broadcast.status == "cancelled" and broadcast.last_error == "opted out"
        confirmations = s.scalars(
            select(OutboundMessage.status).where(OutboundMessage.kind == "transactional")
        ).all()
        assert confirmations == ["sent", "sent"]  # DAFTAR and STOP replies still go out


def test_the_worker_maintenance_loop_closes_due_reports_once_an_hour(client, rt):
    from workers.sweeper import LIFECYCLE_LOCK, sweep_if_due

    sms(client, "LAPOR papan tulis rusak", "m1")
    due = resolve(rt, datetime.now(UTC) - timedelta(minutes=1))
    sweep_if_due()
    with rt.sessions() as s:
        assert s.get(Feedback, due).status == "closed"
    assert rt.redis.ttl(LIFECYCLE_LOCK) > 3500  # the next run waits about an hour
