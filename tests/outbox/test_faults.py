"""Fault tests: a poll goes out through 500s, 429s, a read timeout, a Redis flush and
a killed worker. Every recipient ends delivered exactly once or in an explained final
state; nobody is sent twice (a request that may have been processed is never resent)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from gateway.models import OutboundMessage
from gateway.outbox.queue import claim, mark_called
from tests.conftest import run_jobs
from tests.outbox_helpers import WEBHOOK_TOKEN, add_contacts, check_accounted, rows, start_poll
from workers.polls import fan_out_poll
from workers.sweeper import sweep

pytestmark = pytest.mark.integration
DLR = f"/webhooks/africastalking/sms/delivery?token={WEBHOOK_TOKEN}"


def post_reports(app, reports):
    client = app.test_client()
    for form in reports:
        assert client.post(DLR, data=form).status_code == 200


def test_500s_429s_and_one_timeout_lose_and_duplicate_nobody(build, fake_at):
    app, rt = build(sms_batch_size=4, sms_max_attempts=6)
    add_contacts(rt, 40)
    fake_at.fail_every, fake_at.throttle_every, fake_at.timeout_once = 3, 4, 1.0
    start_poll(rt)
    run_jobs(rt.redis)
    statuses = check_accounted(rt, fake_at.accepted)
    answers = Counter(r["status"] for r in fake_at.requests)
    assert answers[500] and answers[429] and len(fake_at.requests) > 10
    # a 500 may mean "processed", like the timed-out request: those rows wait for a
    # report or staff and are never resent; the 429s were retried until they went
    maybe_sent = 4 * (answers[500] + 1)
    assert statuses == {"unknown": maybe_sent, "sent": 40 - maybe_sent}
    assert any(r.attempts > 1 and r.status == "sent" for r in rows(rt))
    post_reports(app, fake_at.delivery_reports())  # the timed-out request's too
    statuses = check_accounted(rt, fake_at.accepted)
    assert statuses == {"delivered": 40 - maybe_sent, "unknown": maybe_sent}
    post_reports(app, fake_at.delivery_reports())  # repeated reports change nothing
    assert check_accounted(rt, fake_at.accepted) == statuses


def test_retries_give_up_with_a_reason(build, fake_at):
    _, rt = build(sms_max_attempts=3)
    add_contacts(rt, 5)
    fake_at.throttle_every = 1
    start_poll(rt)
    run_jobs(rt.redis)
    assert len(fake_at.requests) == 3
    for row in rows(rt):
        assert row.status == "failed" and row.attempts == 3
        assert row.failure_reason == "HTTP 429: Too Many Requests (after 3 attempts)"


def test_redis_flushed_mid_poll_the_sweeper_recovers(build, fake_at):
    _, rt = build(sms_batch_size=5, poll_fanout_chunk=10)
    add_contacts(rt, 30)
    poll_id = start_poll(rt)
    rt.redis.flushdb()  # the fan-out job is lost before it ran
    sweep()
    run_jobs(rt.redis)
    assert check_accounted(rt, fake_at.accepted) == {"sent": 30}
    with rt.sessions.begin() as s:  # half the rows are sent again... by nobody:
        s.execute(
            update(OutboundMessage).where(OutboundMessage.id % 2 == 0).values(status="queued")
        )
    requests = len(fake_at.requests)
    fan_out_poll(poll_id)  # a second fan-out adds no recipient
    assert len(rows(rt)) == 30
    rt.redis.flushdb()
    sweep()
    run_jobs(rt.redis)
    assert len(fake_at.requests) == requests + 3  # only the 15 re-queued rows, in 3 batches


def test_worker_killed_mid_batch(build, fake_at):
    _, rt = build(sms_batch_size=10, sms_stale_sending_minutes=5)
    add_contacts(rt, 20)
    poll_id = start_poll(rt)
    rt.redis.flushdb()
    fan_out_poll(poll_id)
    rt.redis.flushdb()  # both batch jobs are lost with the killed worker
    ids = [r.id for r in rows(rt)]
    long_ago = datetime.now(UTC) - timedelta(minutes=10)
    with rt.sessions.begin() as s:  # worker A died after claiming, before the request
        claim(s, ids[:10], now=long_ago)
    with rt.sessions.begin() as s:  # worker B died after its request left
        claim(s, ids[10:], now=long_ago)
        mark_called(s, ids[10:], now=long_ago)
    sweep()
    run_jobs(rt.redis)
    by_status = {r.id: r.status for r in rows(rt)}
    assert all(by_status[i] == "sent" for i in ids[:10])
    assert all(by_status[i] == "unknown" for i in ids[10:])
    assert check_accounted(rt, fake_at.accepted) == {"sent": 10, "unknown": 10}


def test_fresh_sending_rows_are_left_to_their_worker(build, fake_at):
    _, rt = build()
    add_contacts(rt, 3)
    poll_id = start_poll(rt)
    rt.redis.flushdb()
    fan_out_poll(poll_id)
    rt.redis.flushdb()
    with rt.sessions.begin() as s:
        claim(s, [r.id for r in rows(rt)], now=datetime.now(UTC))
    sweep()
    run_jobs(rt.redis)
    assert fake_at.requests == []
    with rt.sessions() as s:
        assert set(s.scalars(select(OutboundMessage.status))) == {"sending"}


def _fail_while_sending(rt, fault):
    """The worker's Redis `get` meets `fault` while one of our rows is `sending`: a Redis
    read that fails (or a worker that dies) between the claim and the provider call."""
    from workers.context import current

    worker = current()
    real_get = worker.redis.get

    def get(name):
        with worker.sessions() as s:
            if s.scalar(select(OutboundMessage.id).where(OutboundMessage.status == "sending")):
                fault()
        return real_get(name)

    return worker, get


def _redis_down():
    from redis.exceptions import ConnectionError as RedisConnectionError

    raise RedisConnectionError("Redis went away between claim and call")


def _run_and_die(rt, monkeypatch, ids):
    """Run the job in a forked child (as RQ does) that is killed between claim and call."""
    import multiprocessing
    import os

    from workers.sms import send_batch

    def child():
        worker, get = _fail_while_sending(rt, lambda: os._exit(137))
        monkeypatch.setattr(worker.redis, "get", get)
        send_batch(ids)

    process = multiprocessing.get_context("fork").Process(target=child)
    process.start()
    process.join(10)
    assert process.exitcode == 137


def _run_and_raise(rt, monkeypatch, ids):
    from redis.exceptions import ConnectionError as RedisConnectionError

    from workers.sms import send_batch

    worker, get = _fail_while_sending(rt, _redis_down)
    monkeypatch.setattr(worker.redis, "get", get)
    with pytest.raises(RedisConnectionError):
        send_batch(ids)
    monkeypatch.undo()


@pytest.mark.parametrize("lose_the_job", [_run_and_raise, _run_and_die], ids=["raise", "kill"])
def test_a_job_lost_between_claim_and_call_is_resent_later_once(
    build, fake_at, monkeypatch, lose_the_job
):
    from gateway.outbox.queue import queue_sms

    _, rt = build(sms_stale_sending_minutes=5)
    with rt.sessions.begin() as s:
        ids = [queue_sms(s, to="+6281234567890", text="No tiket K7Q2M4P")]
    lose_the_job(rt, monkeypatch, ids)
    assert fake_at.requests == []  # the provider never saw it
    with rt.sessions.begin() as s:  # the worker is gone for good
        row = s.get_one(OutboundMessage, ids[0])
        assert (row.status, row.provider_called_at) == ("sending", None)
        row.claimed_at = datetime.now(UTC) - timedelta(minutes=10)
    rt.redis.flushdb()
    sweep()
    run_jobs(rt.redis)
    sweep()  # a second sweep finds nothing more to send
    run_jobs(rt.redis)
    assert [r.status for r in rows(rt)] == ["sent"]
    assert fake_at.accepted and [n for n, _ in fake_at.accepted] == ["+6281234567890"]
