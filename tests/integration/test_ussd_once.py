"""A retried USSD final hop files once and sends once, even when the Redis state that
recognises a retry is lost, and when the two copies of the hop run at the same time:
unique keys in the database back the Redis check."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from gateway.models import Feedback, OutboundMessage, Rsvp
from tests.integration.ussd_helpers import Dial, add_consultation, seed_info_pages, set_language

pytestmark = pytest.mark.integration

FLOWS = {
    "report": (("2", "Tambah guru agama di SD terpencil", "1"), {"feedback": 1, "sms": 1}),
    "info_sms": (("4", "4", "1"), {"feedback": 0, "sms": 1}),
    # the confirmation and the day-before reminder
    "rsvp": (("7", "1", "1"), {"feedback": 0, "sms": 2, "rsvp": 1}),
}


def prepare(rt, flow: str) -> tuple[tuple[str, ...], dict[str, int]]:
    set_language(rt, "id")  # the caller is known: the race is on the record itself
    seed_info_pages(rt)
    add_consultation(rt)
    return FLOWS[flow]


def records(rt) -> dict[str, int]:
    with rt.sessions() as s:
        found = {
            "feedback": s.scalar(select(func.count()).select_from(Feedback)),
            "sms": s.scalar(select(func.count()).select_from(OutboundMessage)),
        }
        rsvps = s.scalar(select(func.count()).select_from(Rsvp))
    return found | ({"rsvp": rsvps} if rsvps else {})


def lose_ussd_state(rt) -> None:
    """Redis forgot the session (evicted, flushed, a failover): the hop is replayed."""
    for key in rt.redis.scan_iter("ussd:*"):
        rt.redis.delete(key)


@contextmanager
def commits_held_back(rt, parties: int = 2, wait: float = 0.5) -> Iterator[None]:
    """Each hop's transaction waits (up to `wait`) before its commit until every copy has
    done its work: the copies overlap instead of one finishing before the other reads.
    A copy that blocks on the other's uncommitted row lets the wait time out."""
    barrier = threading.Barrier(parties, timeout=wait)

    def hold(_session) -> None:
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass

    event.listen(rt.sessions, "before_commit", hold)
    try:
        yield
    finally:
        event.remove(rt.sessions, "before_commit", hold)


@pytest.mark.parametrize("flow", FLOWS)
def test_a_final_hop_replayed_after_its_state_was_lost_files_and_sends_once(client, rt, flow):
    inputs, expected = prepare(rt, flow)
    dial = Dial(client)
    first = dial.press(*inputs)
    assert first.startswith("END ")
    for _ in range(2):
        lose_ussd_state(rt)
        assert dial.post(dial.text or "") == first
    assert records(rt) == expected


@pytest.mark.parametrize("flow", FLOWS)
def test_a_final_hop_run_twice_at_once_files_and_sends_once(app, rt, flow):
    inputs, expected = prepare(rt, flow)
    dial = Dial(app.test_client(), "ATUid_twins")
    dial.press(*inputs[:-1])
    final = f"{dial.text}*{inputs[-1]}"
    lose_ussd_state(rt)  # neither copy finds the other's saved reply
    bodies: list[str] = []

    def run() -> None:
        bodies.append(Dial(app.test_client(), "ATUid_twins").post(final))

    with commits_held_back(rt):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(15)
    assert len(bodies) == 2 and bodies[0] == bodies[1] and bodies[0].startswith("END ")
    assert records(rt) == expected
