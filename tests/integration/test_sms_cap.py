"""The hourly SMS cap per number (SMS_REPLIES_PER_HOUR) holds for every SMS a citizen can
trigger, by SMS or USSD, also under concurrency; what the office owes is never held back."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from gateway.citizens.contacts import get_or_create_contact
from gateway.models import OutboundMessage
from gateway.outbox.queue import ReplyCap, queue_capped_reply
from tests.integration.ussd_helpers import PHONE, Dial, add_consultation, seed_info_pages

pytestmark = pytest.mark.integration

SMS = "/webhooks/africastalking/sms"
_ids = itertools.count(1)


@pytest.fixture
def capped(make_app, settings):
    """An app whose cap is 3 SMS per number per hour."""
    app = make_app(settings.with_overrides(sms_replies_per_hour=3))
    return app.test_client(), app.extensions["suara"]


def sms(client, body: str) -> None:
    form = {"from": PHONE, "to": "1708", "text": body, "id": f"cap-{next(_ids)}"}
    assert client.post(SMS, data=form).status_code == 200


def sent_to(rt, *, now_only: bool = True) -> list[str]:
    with rt.sessions() as s:
        query = select(OutboundMessage.text).where(OutboundMessage.to == PHONE)
        if now_only:
            query = query.where(OutboundMessage.not_before.is_(None))
        return list(s.scalars(query.order_by(OutboundMessage.id)))


def ask_info_sms(client, session_id: str) -> str:
    dial = Dial(client, session_id)
    dial.press("4", "4", "98")
    return dial.press("1")


def test_seven_ussd_sessions_asking_for_info_sms_get_at_most_the_cap(capped):
    client, rt = capped
    seed_info_pages(rt)
    screens = [ask_info_sms(client, f"ATUid_info{i}") for i in range(7)]
    assert all(screen.startswith("END ") for screen in screens)
    assert len(sent_to(rt)) == 3


def test_sms_and_ussd_share_one_hourly_cap(capped):
    client, rt = capped
    seed_info_pages(rt)
    ask_info_sms(client, "ATUid_a")
    Dial(client, "ATUid_b").press("2", "Tolong perbaiki atap SDN 3", "1")  # its confirmation
    sms(client, "BANTUAN")
    sms(client, "INFO")
    sms(client, "LAPOR jalan rusak")
    assert len(sent_to(rt)) == 3


def test_stop_data_and_hapus_are_answered_after_the_cap_is_reached(capped):
    client, rt = capped
    for body in ["BANTUAN", "INFO", "TANYA kapan PIP cair", "BANTUAN"]:
        sms(client, body)
    assert len(sent_to(rt)) == 3  # the fourth was held back
    sms(client, "STOP")
    assert "MULAI" in sent_to(rt)[-1]
    sms(client, "DATA")
    assert "HAPUS" in sent_to(rt)[-1]
    sms(client, "HAPUS")
    assert "3x24" in sent_to(rt)[-1]
    assert len(sent_to(rt)) == 6


def test_an_rsvp_reminder_queued_for_later_does_not_count_now(capped):
    client, rt = capped
    add_consultation(rt, days=10)
    assert Dial(client, "ATUid_rsvp").press("7", "1", "1").startswith("END ")
    assert len(sent_to(rt, now_only=False)) == 2  # the confirmation and the reminder
    sms(client, "BANTUAN")
    sms(client, "INFO")
    sms(client, "BANTUAN")
    assert len(sent_to(rt)) == 3  # confirmation + 2 replies: the reminder left room


def _contact_id(rt) -> int:
    with rt.sessions.begin() as s:
        return get_or_create_contact(s, PHONE).id


def _queue(session, contact_id: int, at_most: int) -> int | None:
    cap = ReplyCap(at_most, datetime.now(UTC))
    return queue_capped_reply(session, to=PHONE, text="x", cap=cap, contact_id=contact_id)


def _count(rt) -> int:
    with rt.sessions() as s:
        return s.scalar(select(func.count()).select_from(OutboundMessage)) or 0


def test_a_second_transaction_waits_for_the_first_and_then_sees_the_cap_full(rt):
    """Deterministic: transaction A has queued the last SMS the cap allows and not yet
    committed; B, for the same number, must wait for A (a per-number lock) and then be
    held back. Without the lock B counts before A commits and both are queued."""
    if rt.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the lock is PostgreSQL's")
    contact_id = _contact_id(rt)
    first = rt.sessions()
    assert _queue(first, contact_id, at_most=1) is not None
    pid: list[int] = []
    result: list[int | None] = []

    def second() -> None:
        with rt.sessions.begin() as s:
            pid.append(s.scalar(text("SELECT pg_backend_pid()")))
            result.append(_queue(s, contact_id, at_most=1))

    worker = threading.Thread(target=second)
    worker.start()
    deadline = time.monotonic() + 10
    with rt.engine.connect() as watch:
        while worker.is_alive() and time.monotonic() < deadline:
            waiting = pid and watch.scalar(
                text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                {"pid": pid[0]},
            )
            if waiting == "Lock":
                break
            time.sleep(0.005)
    first.commit()
    first.close()
    worker.join(timeout=10)
    assert result == [None]
    assert _count(rt) == 1


def test_concurrent_messages_from_one_number_never_exceed_the_cap(capped):
    """Twelve SMS from one number at once, through the webhook, in threads."""
    client, rt = capped
    _contact_id(rt)
    app = client.application
    start = threading.Barrier(12)
    codes: list[int] = []

    def post(i: int) -> None:
        form = {"from": PHONE, "to": "1708", "text": "BANTUAN", "id": f"burst-{i}"}
        own = app.test_client()
        start.wait(timeout=10)
        codes.append(own.post(SMS, data=form).status_code)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert codes == [200] * 12
    assert len(sent_to(rt)) == 3
