"""The Africa's Talking webhooks against a real database and Redis."""

from __future__ import annotations

import logging

import pytest
from rq import Queue
from sqlalchemy import func, select

from gateway.common.tickets import is_valid
from gateway.config import NO_TOKEN_WARNING
from gateway.models import (
    DeliveryReport,
    Feedback,
    InboundMessage,
    OutboundMessage,
    UssdSession,
)
from gateway.outbox.enqueue import TRANSACTIONAL_QUEUE

pytestmark = pytest.mark.integration

USSD = "/webhooks/africastalking/ussd"
SMS = "/webhooks/africastalking/sms"
DLR = "/webhooks/africastalking/sms/delivery"
EVENTS = "/webhooks/africastalking/ussd/events"
PHONE = "+6281234567890"


def hop(client, text, session_id="ATUid_0123456789abcdef0123456789abcdef", **extra):
    form = {
        "sessionId": session_id,
        "serviceCode": "*384*1708#",
        "phoneNumber": PHONE,
        "text": text,
        "networkCode": "51010",
        **extra,
    }
    return client.post(USSD, data=form)


def sms(client, text, msg_id="ec9adc86-51d5-4bc8-8eb0-d8ab0bb53dc3", sender="+6281234567890"):
    form = {
        "from": sender,
        "to": "1708",
        "text": text,
        "date": "2026-11-28 06:04:45",
        "id": msg_id,
        "linkId": "",
        "networkCode": "51010",
    }
    return client.post(SMS, data=form)


def count(rt, model):
    with rt.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


REPORT = ["", "1", "1*7", "1*7*1", "1*7*1*1", "1*7*1*1*Atap kelas 3 SDN 112 bocor*parah"]


def test_ussd_report_walk_files_a_ticket_and_queues_confirmation(client, rt):
    first = hop(client, "")
    assert first.status_code == 200
    assert first.mimetype == "text/plain"
    assert first.get_data(as_text=True).startswith("CON Suara Disdik Labura")
    assert "Pilih masalah" in hop(client, "1").get_data(as_text=True)
    for text in REPORT[2:]:
        hop(client, text)
    hop(client, REPORT[-1] + "*1")
    final = hop(client, REPORT[-1] + "*1*1").get_data(as_text=True)
    assert final.startswith("END Terima kasih. Laporan diterima, nomor tiket ")
    ticket = final.split("nomor tiket ")[1][:7]
    assert is_valid(ticket)
    with rt.sessions() as s:
        fb = s.scalar(select(Feedback).where(Feedback.ticket == ticket))
        assert fb is not None
        assert (fb.channel, fb.category, fb.kind) == ("ussd", "sarpras", "complaint")
        assert fb.text == "Atap kelas 3 SDN 112 bocor*parah"
        out = s.scalar(select(OutboundMessage).where(OutboundMessage.feedback_id == fb.id))
        assert out is not None and out.status == "queued" and ticket in out.text
        assert out.to == PHONE
    job_ids = Queue(TRANSACTIONAL_QUEUE, connection=rt.redis).job_ids
    assert job_ids == [f"sms-{out.id}"]


def test_repeated_final_hop_gives_same_ticket_and_no_second_report(client, rt):
    for text in ["", "2", "2*Seragam dijual mahal di sekolah"]:
        hop(client, text)
    a = hop(client, "2*Seragam dijual mahal di sekolah*1").get_data(as_text=True)
    b = hop(client, "2*Seragam dijual mahal di sekolah*1").get_data(as_text=True)
    assert a == b and a.startswith("END ")
    assert count(rt, Feedback) == 1
    assert count(rt, OutboundMessage) == 1


def test_wrong_choice_reasks_instead_of_ending(client):
    hop(client, "")
    body = hop(client, "77").get_data(as_text=True)
    assert body.startswith("CON Pilihan tidak ada")
    assert "Suara Disdik Labura" in body


def test_lapor_sms_creates_complaint_and_confirmation(client, rt):
    resp = sms(client, "LAPOR guru kelas 4 SDN 3 Aek Kanopan sering tidak hadir")
    assert resp.status_code == 200
    with rt.sessions() as s:
        fb = s.scalar(select(Feedback))
        assert fb is not None and fb.kind == "complaint" and fb.channel == "sms"
        assert fb.text == "guru kelas 4 SDN 3 Aek Kanopan sering tidak hadir"
        out = s.scalar(select(OutboundMessage))
        assert out is not None and fb.ticket in out.text and out.to == PHONE
        inbound = s.scalar(select(InboundMessage))
        assert inbound is not None and inbound.raw["from"] == PHONE


def test_same_callback_twice_is_one_record(client, rt):
    assert sms(client, "LAPOR atap bocor").status_code == 200
    assert sms(client, "LAPOR atap bocor").status_code == 200
    assert count(rt, InboundMessage) == 1
    assert count(rt, Feedback) == 1
    assert count(rt, OutboundMessage) == 1


def test_other_text_is_stored_as_unclassified_and_answered_with_help(client, rt):
    assert sms(client, "halo pak, mau tanya").status_code == 200
    with rt.sessions() as s:
        assert s.scalar(select(InboundMessage.text)) == "halo pak, mau tanya"
        assert "LAPOR" in (s.scalar(select(OutboundMessage.text)) or "")
        fb = s.scalar(select(Feedback))
        assert fb is not None and (fb.kind, fb.text) == ("other", "halo pak, mau tanya")


def test_alphanumeric_sender_is_stored_but_never_answered(client, rt):
    assert sms(client, "Promo pulsa murah", sender="TSEL-INFO").status_code == 200
    assert count(rt, InboundMessage) == 1
    assert count(rt, OutboundMessage) == 0


def test_delivery_reports_move_forward_only_and_unknown_is_stored(client, rt):
    sms(client, "LAPOR kursi rusak")
    with rt.sessions.begin() as s:
        out = s.scalar(select(OutboundMessage))
        assert out is not None
        out.status, out.provider, out.provider_message_id = "sent", "africastalking", "ATXid_1"
    for status in ["Success", "Sent", "Failed", "Borked"]:
        resp = client.post(DLR, data={"id": "ATXid_1", "status": status, "phoneNumber": PHONE})
        assert resp.status_code == 200
    with rt.sessions() as s:
        out = s.scalar(select(OutboundMessage))
        assert out is not None and out.status == "delivered"
        stored = s.scalars(select(DeliveryReport.status).order_by(DeliveryReport.id)).all()
        assert stored == ["Success", "Sent", "Failed", "Borked"]


def test_report_for_unknown_message_is_kept(client, rt):
    resp = client.post(DLR, data={"id": "ATXid_nobody", "status": "Success"})
    assert resp.status_code == 200
    assert count(rt, DeliveryReport) == 1


def test_end_of_session_event_is_upserted(client, rt):
    form = {
        "sessionId": "ATUid_5d3b4c2bc589f4811820a7184eed4df5",
        "serviceCode": "*384*1708#",
        "phoneNumber": PHONE,
        "networkCode": "51010",
        "status": "Incomplete",
        "input": "1*2",
        "lastAppResponse": "CON Tulis isi laporan",
        "durationInMillis": "4210",
        "hopsCount": "3",
        "cost": "IDR 250",
        "date": "2026-11-28 06:04:45",
        "somethingNew": "x",
    }
    assert client.post(EVENTS, data=form).status_code == 200
    assert client.post(EVENTS, data=form).status_code == 200
    with rt.sessions() as s:
        rows = s.scalars(select(UssdSession)).all()
        assert len(rows) == 1
        assert (rows[0].status, rows[0].hops_count, rows[0].duration_ms) == ("Incomplete", 3, 4210)


@pytest.mark.parametrize("hops", ["2150000000", "-3", "99999999999999999999"])
def test_end_of_session_event_with_an_impossible_count_is_stored_without_it(client, rt, hops):
    form = {"sessionId": "ATUid_big", "phoneNumber": PHONE, "status": "Failed"}
    form |= {"hopsCount": hops, "durationInMillis": hops}
    assert client.post(EVENTS, data=form).status_code == 200
    with rt.sessions() as s:
        row = s.scalars(select(UssdSession)).one()
        assert (row.status, row.hops_count, row.duration_ms) == ("Failed", None, None)


def test_readyz_reports_ready_with_real_parts(client):
    resp = client.get("/readyz")
    assert resp.status_code == 200 and resp.json == {"status": "ready"}
    assert client.get("/healthz").json == {"status": "ok"}
    client.post(SMS, data={})
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'suara_webhook_requests_total{endpoint="webhooks.receive_sms",status="400"}' in metrics


@pytest.mark.parametrize("route", ["ussd", "ussd/events", "sms", "sms/delivery"])
def test_every_webhook_needs_the_token_when_configured(make_app, settings, route):
    app = make_app(settings.with_overrides(webhook_token="right-token"))
    client = app.test_client()
    url = f"/webhooks/africastalking/{route}"
    assert client.post(url, data={"id": "x"}).status_code == 403
    assert client.post(url + "?token=wrong", data={"id": "x"}).status_code == 403
    assert client.post(url + "?token=right-token", data={}).status_code == 400
    assert client.get("/healthz").status_code == 200


def test_the_app_says_at_start_when_its_webhooks_take_anyone(make_app, settings, caplog):
    with caplog.at_level(logging.WARNING, logger="suara"):
        make_app(settings)  # the console provider, no token: allowed, for development
    assert [r.getMessage() for r in caplog.records if "WEBHOOK_TOKEN" in r.getMessage()] == [
        NO_TOKEN_WARNING
    ]
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="suara"):
        make_app(settings.with_overrides(webhook_token="right-token"))
    assert not [r for r in caplog.records if "WEBHOOK_TOKEN" in r.getMessage()]


def test_a_failing_command_keeps_the_citizens_message(client, rt, monkeypatch):
    """Fault injection: a bug in a command handler must not lose the stored text."""
    from gateway.sms import inbound

    def broken(*_args, **_kwargs):
        raise RuntimeError("bug in a command handler")

    monkeypatch.setattr(inbound, "dispatch", broken)
    assert sms(client, "LAPOR jembatan ke sekolah putus").status_code == 200
    with rt.sessions() as s:
        assert s.scalar(select(InboundMessage.text)) == "LAPOR jembatan ke sekolah putus"
    assert count(rt, Feedback) == 0
    assert sms(client, "LAPOR jembatan ke sekolah putus").status_code == 200  # retried: kept once
    assert count(rt, InboundMessage) == 1


def test_a_database_error_after_filing_rolls_the_record_back_but_keeps_the_message(
    client, rt, monkeypatch
):
    """Fault injection after the report was written: the transaction is rolled back
    (no half-filed report, no reply) and the text is stored alone, once."""
    from sqlalchemy import text

    from gateway.sms import inbound

    def broken(session, **_kwargs):
        session.connection().execute(text("SELECT no_such_column FROM outbound_messages"))

    monkeypatch.setattr(inbound, "queue_capped_reply", broken)
    assert sms(client, "LAPOR atap kelas bocor").status_code == 200
    with rt.sessions() as s:
        stored = s.scalars(select(InboundMessage)).all()
    assert [m.text for m in stored] == ["LAPOR atap kelas bocor"]
    assert stored[0].contact_id is not None
    assert count(rt, Feedback) == 0
    assert count(rt, OutboundMessage) == 0
    assert Queue(TRANSACTIONAL_QUEUE, connection=rt.redis).count == 0


def test_an_overflowing_date_is_stored_with_the_arrival_time(client, rt):
    form = {
        "from": PHONE,
        "to": "1708",
        "text": "LAPOR x",
        "id": "d1",
        "date": "0001-01-01T00:00:00+05:00",
    }
    assert client.post(SMS, data=form).status_code == 200
    assert count(rt, InboundMessage) == 1


def test_the_root_page_points_to_the_desk_health_and_docs(client):
    page = client.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'href="/staff/"' in html and 'href="/healthz"' in html
    assert 'href="/docs/desk.md"' in html
    doc = client.get("/docs/desk.md")
    assert doc.status_code == 200 and doc.mimetype == "text/plain"
    assert "# The staff desk" in doc.get_data(as_text=True)
    assert client.get("/docs/..%2Fpyproject.toml").status_code == 404
    assert client.get("/docs/secret_key").status_code == 404
