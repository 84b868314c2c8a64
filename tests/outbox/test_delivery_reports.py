"""Delivery reports settle rows by the provider's message id, and by nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gateway.models import DeliveryReport, OutboundMessage
from gateway.outbox.enqueue import enqueue_sends
from gateway.outbox.queue import queue_sms
from tests.conftest import run_jobs
from tests.outbox_helpers import phone, rows

pytestmark = pytest.mark.integration
DLR = "/webhooks/africastalking/sms/delivery"
FIRST_ID = f"ATXid_{1:032x}"  # the id the fake gives the first message it takes


def report(app, message_id: str, number: str, status: str = "Success") -> None:
    form = {"id": message_id, "status": status, "phoneNumber": number}
    assert app.test_client().post(DLR, data=form).status_code == 200


def attached(rt) -> list[tuple[str, int | None]]:
    with rt.sessions() as s:
        found = s.execute(select(DeliveryReport.provider_message_id, DeliveryReport.outbound_id))
        return [tuple(r) for r in found]


def test_a_report_never_settles_an_unknown_row_of_the_same_number(build, fake_at):
    """A send whose answer was lost never learnt its id; a report for that number may be
    for another SMS (here: one the caller got later), so the row stays `unknown`."""
    app, rt = build()
    fake_at.lost_answer_once = 504
    with rt.sessions.begin() as s:
        lost = queue_sms(s, to=phone(1), text="No tiket K7Q2M4P")
    enqueue_sends(rt.redis, [lost])
    run_jobs(rt.redis)
    report(app, fake_at.accepted[0][1], phone(1))  # the report of the lost answer's SMS
    assert [r.status for r in rows(rt)] == ["unknown"]
    assert attached(rt) == [(fake_at.accepted[0][1], None)]  # kept, unattached


def test_an_early_report_waits_for_its_id_and_an_old_unknown_row_is_left_alone(build, fake_at):
    app, rt = build()
    with rt.sessions.begin() as s:
        old = OutboundMessage(to=phone(1), text="lama", status="unknown", provider="africastalking")
        s.add(old)
        s.flush()
        new = queue_sms(s, to=phone(1), text="No tiket K7Q2M4P")
    report(app, FIRST_ID, phone(1))  # arrives before the send job recorded the id
    assert attached(rt) == [(FIRST_ID, None)]
    enqueue_sends(rt.redis, [new])
    run_jobs(rt.redis)
    by_id = {r.id: r for r in rows(rt)}
    assert (by_id[new].status, by_id[new].provider_message_id) == ("delivered", FIRST_ID)
    assert (by_id[old.id].status, by_id[old.id].provider_message_id) == ("unknown", None)
    assert attached(rt) == [(FIRST_ID, new)]
