"""The send pipeline against a real database, Redis, the SDK and a fake Africa's Talking."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from rq.registry import ScheduledJobRegistry
from sqlalchemy import select, update

from gateway.models import Contact, OutboundKind, OutboundMessage
from gateway.outbox.enqueue import BROADCAST_QUEUE, enqueue_batch, enqueue_sends
from gateway.outbox.queue import claim, queue_sms
from gateway.outbox.results import PROVIDER_ERROR_KEY
from tests.conftest import run_jobs
from tests.outbox_helpers import add_contacts, phone, rows, start_poll

pytestmark = pytest.mark.integration


def test_identical_texts_go_in_batches_and_results_land_on_each_row(build, fake_at):
    _, rt = build(sms_batch_size=5)
    add_contacts(rt, 12)
    start_poll(rt)
    run_jobs(rt.redis)
    assert [len(r["form"]["to"].split(",")) for r in fake_at.requests] == [5, 5, 2]
    sent = rows(rt)
    assert len(sent) == 12 and {r.status for r in sent} == {"sent"}
    assert len({r.provider_message_id for r in sent}) == 12
    assert all(r.segments == 1 and r.attempts == 1 and r.kind == "broadcast" for r in sent)
    assert "BERHENTI" in sent[0].text


def test_personalised_texts_go_one_by_one(build, fake_at):
    _, rt = build()
    with rt.sessions.begin() as s:
        ids = [queue_sms(s, to=phone(i), text=f"Tiket T{i}") for i in range(3)]
    enqueue_sends(rt.redis, ids)
    run_jobs(rt.redis)
    assert [r["form"]["to"] for r in fake_at.requests] == [phone(0), phone(1), phone(2)]


def test_per_recipient_codes_fail_mark_and_retry(build, fake_at):
    _, rt = build(sms_max_attempts=2)
    add_contacts(rt, 4)
    fake_at.statuses = {
        phone(0): (406, "UserInBlacklist"),
        phone(1): (403, "InvalidPhoneNumber"),
        phone(2): (500, "InternalServerError"),
    }
    start_poll(rt)
    run_jobs(rt.redis)
    by_to = {r.to: r for r in rows(rt)}
    assert by_to[phone(0)].failure_reason == "UserInBlacklist"
    assert by_to[phone(1)].status == "failed" and by_to[phone(1)].attempts == 1
    assert by_to[phone(2)].status == "failed" and by_to[phone(2)].attempts == 2
    assert "after 2 attempts" in by_to[phone(2)].failure_reason
    assert by_to[phone(3)].status == "sent"
    with rt.sessions() as s:
        blacklisted = s.scalar(select(Contact).where(Contact.phone == phone(0)))
        assert blacklisted.provider_blacklisted_at is not None


def test_auth_error_stops_sending_keeps_rows_queued_and_flags_readyz(build, fake_at):
    app, rt = build()
    add_contacts(rt, 6)
    fake_at.auth_error = True
    start_poll(rt)
    run_jobs(rt.redis)
    assert len(fake_at.requests) == 1
    assert {r.status for r in rows(rt)} == {"queued"}
    assert all(r.attempts == 0 for r in rows(rt))
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 503 and "authentication" in ready.json["failing"]["provider"]
    fake_at.auth_error = False
    rt.redis.delete(PROVIDER_ERROR_KEY)
    from workers.sweeper import sweep

    sweep()
    run_jobs(rt.redis)
    assert {r.status for r in rows(rt)} == {"sent"}


def test_opt_out_is_checked_at_send_time(build, fake_at):
    _, rt = build()
    add_contacts(rt, 3)
    from workers.polls import fan_out_poll

    poll_id = start_poll(rt)
    rt.redis.flushdb()
    fan_out_poll(poll_id)
    with rt.sessions.begin() as s:
        s.execute(
            update(Contact).where(Contact.phone == phone(1)).values(opted_out_at=datetime.now(UTC))
        )
    run_jobs(rt.redis)
    by_to = {r.to: r.status for r in rows(rt)}
    assert by_to == {phone(0): "sent", phone(1): "cancelled", phone(2): "sent"}


def test_quiet_hours_hold_broadcasts_not_transactional(build, fake_at):
    now_wib = datetime.now(UTC) + timedelta(hours=7)
    start = (now_wib - timedelta(hours=1)).strftime("%H:%M")
    end = (now_wib + timedelta(hours=1)).strftime("%H:%M")
    _, rt = build(quiet_hours=f"{start}-{end}")
    add_contacts(rt, 2)
    start_poll(rt)
    with rt.sessions.begin() as s:
        reply = queue_sms(s, to=phone(9), text="No tiket ABC")
    enqueue_sends(rt.redis, [reply])
    run_jobs(rt.redis)
    assert [r["form"]["to"] for r in fake_at.requests] == [phone(9)]
    held = [r for r in rows(rt) if r.kind == OutboundKind.BROADCAST]
    assert {r.status for r in held} == {"queued"}
    assert all(r.not_before > datetime.now(UTC) + timedelta(minutes=50) for r in held)


def test_a_row_is_claimed_once(build):
    _, rt = build()
    with rt.sessions.begin() as s:
        ids = [queue_sms(s, to=phone(i), text="x") for i in range(3)]
    now = datetime.now(UTC)
    with rt.sessions.begin() as s:
        first = claim(s, ids, now=now)
    with rt.sessions.begin() as s:
        second = claim(s, ids, now=now)
    assert [c.id for c in first] == ids and second == []
    with rt.sessions() as s:
        assert {r.status for r in s.scalars(select(OutboundMessage))} == {"sending"}


def test_throttle_paces_recipients_and_stamps_each_request(build, fake_at):
    _, rt = build(sms_batch_size=50, sms_rate_per_second=100)
    add_contacts(rt, 150)
    start_poll(rt)
    started = time.monotonic()
    run_jobs(rt.redis)
    assert time.monotonic() - started >= 0.4  # 100 go at once (the burst), 50 wait 0.5 s
    sent = rows(rt)
    assert {r.status for r in sent} == {"sent"} and len(fake_at.requests) == 3
    assert all(r.provider_called_at >= r.claimed_at for r in sent)


def test_quiet_hours_schedule_the_job_for_the_morning(build, fake_at):
    now_wib = datetime.now(UTC) + timedelta(hours=7)
    window = f"{(now_wib - timedelta(hours=1)):%H:%M}-{(now_wib + timedelta(hours=1)):%H:%M}"
    _, rt = build(quiet_hours=window)
    add_contacts(rt, 2)
    start_poll(rt)
    run_jobs(rt.redis)
    scheduled = ScheduledJobRegistry(BROADCAST_QUEUE, connection=rt.redis).get_job_ids()
    assert len(scheduled) == 1


def test_one_sweep_per_interval_across_workers(build):
    _, rt = build(sms_sweep_interval_seconds=60)
    from workers.__main__ import SweepingWorker
    from workers.sweeper import SWEEP_LOCK

    worker = SweepingWorker([BROADCAST_QUEUE], connection=rt.redis, maintenance_interval=60)
    worker.run_maintenance_tasks()
    assert rt.redis.ttl(SWEEP_LOCK) > 50
    assert worker.dequeue_timeout <= 60


def test_auth_error_mid_job_releases_the_rows_not_yet_sent(build, fake_at):
    _, rt = build()
    with rt.sessions.begin() as s:
        ids = [queue_sms(s, to=phone(i), text=f"Tiket T{i}") for i in range(3)]
    fake_at.auth_error = True
    enqueue_batch(rt.redis, ids, broadcast=False)
    run_jobs(rt.redis)
    assert len(fake_at.requests) == 1
    assert [(r.status, r.claimed_at, r.provider_called_at) for r in rows(rt)] == [
        ("queued", None, None)
    ] * 3


def test_a_booked_up_throttle_defers_the_batch_instead_of_sleeping_past_the_job_limit(
    build, fake_at
):
    from gateway.outbox.throttle import RecipientThrottle
    from workers import sms as sms_jobs

    _, rt = build(sms_rate_per_second=1.0, sms_batch_size=500)
    # other workers have booked the shared rate far beyond what one job may wait
    booked = int(sms_jobs.MAX_THROTTLE_WAIT) + 60
    RecipientThrottle(rt.redis, 1.0, sleep=lambda _seconds: None).acquire(booked)
    with rt.sessions.begin() as s:
        ids = [queue_sms(s, to=phone(i), text="Info sama") for i in range(3)]
    started = time.monotonic()
    result = sms_jobs.send_batch(ids)
    assert time.monotonic() - started < 5
    assert "sent 0" in result and fake_at.requests == []
    assert {r.status for r in rows(rt)} == {"queued"}
    scheduled = ScheduledJobRegistry(queue=sms_jobs_queue(rt)).get_job_ids()
    assert scheduled, "the rows come back later through a scheduled job"


def sms_jobs_queue(rt):
    from rq import Queue

    from gateway.outbox.enqueue import TRANSACTIONAL_QUEUE

    return Queue(TRANSACTIONAL_QUEUE, connection=rt.redis)
