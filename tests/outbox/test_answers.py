"""What the provider's answer means for a row, through the real SDK against the fake:
an answer that may mean "processed" is `unknown` and never resent; only an answer that
proves nothing was taken is sent again."""

from __future__ import annotations

import pytest

from gateway.outbox.enqueue import enqueue_batch
from gateway.outbox.queue import queue_sms
from tests.conftest import run_jobs
from tests.outbox_helpers import check_accounted, phone, rows
from workers.sweeper import sweep

pytestmark = pytest.mark.integration


def queue(rt, *numbers: str, text: str = "No tiket K7Q2M4P") -> list[int]:
    with rt.sessions.begin() as s:
        ids = [queue_sms(s, to=number, text=text) for number in numbers]
    enqueue_batch(rt.redis, ids, broadcast=False)
    return ids


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_a_5xx_after_the_request_left_is_unknown_and_never_resent(build, fake_at, status):
    _, rt = build()
    fake_at.lost_answer_once = status  # the SMS went; a proxy answered `status`
    queue(rt, phone(1))
    run_jobs(rt.redis)
    sweep()
    run_jobs(rt.redis)
    [row] = rows(rt)
    assert row.status == "unknown" and f"HTTP {status}" in row.last_error
    assert [r["status"] for r in fake_at.requests] == [status]
    assert check_accounted(rt, fake_at.accepted) == {"unknown": 1}


@pytest.mark.parametrize(
    ("answer", "requests", "reason"),
    [
        ((429, "Too Many Requests"), 2, "Too Many Requests (after 2 attempts)"),
        ((408, "Request Timeout"), 2, "Request Timeout (after 2 attempts)"),
        ((400, "The request contains bad syntax or cannot be fulfilled"), 1, "bad syntax"),
    ],
    ids=["429", "408", "400"],
)
def test_an_answer_that_proves_nothing_was_taken_is_never_unknown(
    build, fake_at, answer, requests, reason
):
    _, rt = build(sms_max_attempts=2)
    fake_at.fail_every, fake_at.fail_with = 1, answer
    queue(rt, phone(1))
    run_jobs(rt.redis)
    [row] = rows(rt)
    assert row.status == "failed" and reason in row.failure_reason
    assert len(fake_at.requests) == requests


def test_a_refusal_is_retried_until_it_goes_once(build, fake_at):
    _, rt = build(sms_max_attempts=3)
    fake_at.throttle_every = 2  # the second request (the first retry would be the third)
    queue(rt, phone(1), phone(2), text="Info sama")  # one request of two
    queue(rt, phone(3), text="Info sama")
    run_jobs(rt.redis)
    assert [r["status"] for r in fake_at.requests] == [201, 429, 201]
    assert check_accounted(rt, fake_at.accepted) == {"sent": 3}


def test_a_number_the_sdk_refuses_fails_alone_and_the_rest_of_the_request_goes(build, fake_at):
    _, rt = build()
    queue(rt, phone(1), "0812345", phone(2), text="Info sama")
    run_jobs(rt.redis)
    by_to = {r.to: r for r in rows(rt)}
    assert by_to["0812345"].status == "failed" and by_to["0812345"].attempts == 1
    assert "InvalidPhoneNumber" in by_to["0812345"].failure_reason
    assert [r["form"]["to"] for r in fake_at.requests] == [f"{phone(1)},{phone(2)}"]
    assert (by_to[phone(1)].status, by_to[phone(2)].status) == ("sent", "sent")
