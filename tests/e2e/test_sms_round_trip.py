"""A citizen report travels the whole road: webhook -> row -> RQ job -> the real
`africastalking` SDK -> a local fake Africa's Talking -> delivery report -> delivered."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gateway.models import OutboundMessage
from tests.conftest import run_jobs

pytestmark = pytest.mark.e2e
PHONE = "+6281234567890"


def test_sms_report_is_confirmed_through_the_sdk_and_marked_delivered(at_app, fake_at):
    client = at_app.test_client()
    rt = at_app.extensions["suara"]
    resp = client.post(
        "/webhooks/africastalking/sms?token=s3cret-token",
        data={
            "from": PHONE,
            "to": "1708",
            "text": "LAPOR pungli seragam SMPN 2",
            "id": "m-1",
            "date": "2026-11-28T06:04:45Z",
        },
    )
    assert resp.status_code == 200
    run_jobs(rt.redis)

    assert len(fake_at.requests) == 1
    sent = fake_at.requests[0]
    assert sent["headers"]["Apikey"] == "atsk_test_key_123"
    with rt.sessions() as s:
        row = s.scalar(select(OutboundMessage))
        assert row is not None
        assert sent["form"] == {
            "username": "disdiklabura",
            "to": PHONE,
            "message": row.text,
            "bulkSMSMode": "1",
            "from": "DISDIKLABURA",
        }
        assert "No tiket" in row.text
        assert row.status == "sent" and row.provider_message_id.startswith("ATXid_")
        assert str(row.cost) == "250.0000" and row.currency == "IDR"
        message_id = row.provider_message_id

    dlr = client.post(
        "/webhooks/africastalking/sms/delivery?token=s3cret-token",
        data={"id": message_id, "status": "Success", "phoneNumber": PHONE, "networkCode": "51010"},
    )
    assert dlr.status_code == 200
    with rt.sessions() as s:
        row = s.scalar(select(OutboundMessage))
        assert row is not None and row.status == "delivered" and row.delivered_at is not None


def test_ussd_report_confirmation_is_really_posted(at_app, fake_at):
    client = at_app.test_client()
    rt = at_app.extensions["suara"]
    url = "/webhooks/africastalking/ussd?token=s3cret-token"
    form = {"sessionId": "ATUid_e2e", "serviceCode": "*384*1708#", "phoneNumber": "0812 3456 7890"}
    steps = ["", "1", "1*4", "1*4*2", "1*4*2*1", "1*4*2*1*PIP anak saya belum cair"]
    for text in [*steps, steps[-1] + "*1", steps[-1] + "*1*1"]:
        body = client.post(url, data={**form, "text": text}).get_data(as_text=True)
    assert body.startswith("END ")
    run_jobs(rt.redis)
    assert [r["form"]["to"] for r in fake_at.requests] == [PHONE]
    assert body.split("nomor tiket ")[1][:7] in fake_at.requests[0]["form"]["message"]


def test_blacklisted_recipient_fails_permanently_and_is_marked(at_app, fake_at):
    fake_at.statuses[PHONE] = (406, "UserInBlacklist")
    client = at_app.test_client()
    rt = at_app.extensions["suara"]
    client.post(
        "/webhooks/africastalking/sms?token=s3cret-token",
        data={"from": PHONE, "to": "1708", "text": "LAPOR x y z", "id": "m-2"},
    )
    run_jobs(rt.redis)
    with rt.sessions() as s:
        row = s.scalar(select(OutboundMessage))
        assert row is not None and row.status == "failed"
        assert row.failure_reason == "UserInBlacklist"


def test_wrong_token_is_refused_and_nothing_is_stored(at_app, fake_at):
    client = at_app.test_client()
    for url in ["/webhooks/africastalking/sms", "/webhooks/africastalking/sms?token=wrong"]:
        resp = client.post(url, data={"from": PHONE, "text": "LAPOR x", "id": "m-3"})
        assert resp.status_code == 403
    rt = at_app.extensions["suara"]
    with rt.sessions() as s:
        assert s.scalar(select(OutboundMessage)) is None
