"""Delivery reports settle rows by the provider's message id, and by nothing else."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gateway.models import DeliveryReport, OutboundMessage
from gateway.outbox.enqueue import enqueue_sends
from gateway.outbox.queue import queue_sms
from tests.conftest import run_jobs
from tests.outbox_helpers import WEBHOOK_TOKEN, phone, rows

pytestmark = pytest.mark.integration
DLR = f"/webhooks/africastalking/sms/delivery?token={WEBHOOK_TOKEN}"
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


def lost_send(app, rt, fake_at, *, processed: bool) -> int:
    """A send whose answer a proxy lost (502): it went (`processed`) or it did not."""
    if processed:
        fake_at.lost_answer_once = 502
    else:
        fake_at.fail_every, fake_at.fail_with = 1, (502, "Bad Gateway")
    with rt.sessions.begin() as s:
        row_id = queue_sms(s, to=phone(1), text="No tiket K7Q2M4P")
    enqueue_sends(rt.redis, [row_id])
    run_jobs(rt.redis)
    fake_at.fail_every = 0
    assert [r.status for r in rows(rt)] == ["unknown"]
    return row_id


def outbox_cli(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["outbox", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_staff_settle_a_lost_answer_as_sent_and_its_waiting_report_applies(build, fake_at):
    app, rt = build()
    row_id = lost_send(app, rt, fake_at, processed=True)
    message_id = fake_at.accepted[0][1]
    report(app, message_id, phone(1))  # stored unattached: the row never learnt the id
    listed = outbox_cli(app, "unknown")
    assert f"{row_id}\t{phone(1)}\t" in listed and "HTTP 502" in listed
    assert (
        outbox_cli(app, "settle", str(row_id), "--sent-as", message_id)
        .strip()
        .endswith("delivered")
    )
    [row] = rows(rt)
    assert (row.status, row.provider_message_id) == ("delivered", message_id)
    assert attached(rt) == [(message_id, row_id)]
    assert "0 unknown row(s)" in outbox_cli(app, "unknown")
    assert len(fake_at.requests) == 1  # settling sent nothing


def test_staff_settle_a_send_that_never_went_and_it_goes_once(build, fake_at):
    app, rt = build()
    row_id = lost_send(app, rt, fake_at, processed=False)
    assert fake_at.accepted == []
    assert outbox_cli(app, "settle", str(row_id), "--resend").strip().endswith("queued")
    run_jobs(rt.redis)
    assert [r.status for r in rows(rt)] == ["sent"]
    assert [n for n, _ in fake_at.accepted] == [phone(1)]


@pytest.mark.parametrize(
    "args", [["--resend", "--sent-as", "ATXid_1"], [], ["--sent-as", "ATXid_taken"]]
)
def test_settling_needs_one_answer_and_a_free_message_id(build, fake_at, args):
    app, rt = build()
    row_id = lost_send(app, rt, fake_at, processed=False)
    with rt.sessions.begin() as s:
        s.add(OutboundMessage(to=phone(2), text="x", provider="africastalking",
                              provider_message_id="ATXid_taken", status="sent"))  # fmt: skip
    result = app.test_cli_runner().invoke(args=["outbox", "settle", str(row_id), *args])
    assert result.exit_code != 0
    assert [r.status for r in rows(rt) if r.id == row_id] == ["unknown"]


def test_only_an_unknown_row_can_be_settled(build, fake_at):
    app, rt = build()
    with rt.sessions.begin() as s:
        row_id = queue_sms(s, to=phone(1), text="x")
    result = app.test_cli_runner().invoke(args=["outbox", "settle", str(row_id), "--resend"])
    assert result.exit_code != 0 and f"no unknown outbox row {row_id}" in result.output
