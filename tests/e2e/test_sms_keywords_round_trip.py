"""Keywords travel the whole road: webhook -> command -> outbox -> RQ job -> the real SDK
-> the local fake Africa's Talking, where the reply text is checked."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from gateway.models import Contact, Feedback, InfoPage, OutboundMessage, SkmResponse
from tests.conftest import run_jobs

pytestmark = pytest.mark.e2e
PHONE = "+6281234567890"
URL = "/webhooks/africastalking/sms?token=s3cret-token"
_ids = itertools.count(1)


@pytest.fixture
def send(at_app, fake_at):
    """Text Suara as the citizen; returns the message the fake provider received."""
    client = at_app.test_client()
    rt = at_app.extensions["suara"]

    def text(body: str) -> str | None:
        before = len(fake_at.requests)
        form = {"from": PHONE, "to": "1708", "text": body, "id": f"e2e-{next(_ids)}"}
        assert client.post(URL, data=form).status_code == 200
        run_jobs(rt.redis)
        sent = fake_at.requests[before:]
        assert len(sent) <= 1
        return str(sent[0]["form"]["message"]) if sent else None

    return text


def test_lapor_then_status_reaches_the_provider(send, at_app):
    confirmation = send("Lapor#pungli uang komite 150rb di SMPN 2")
    rt = at_app.extensions["suara"]
    with rt.sessions() as s:
        ticket = s.scalar(select(Feedback.ticket))
    assert confirmation is not None and f"No tiket {ticket}" in confirmation
    status = send(f"status {ticket}")
    assert status is not None and ticket in status and "Diterima" in status
    assert "pungli" not in status


def test_stop_is_confirmed_once_at_the_provider(send, at_app):
    first = send("STOP")
    assert first is not None and "MULAI" in first
    assert send("stop") is None
    rt = at_app.extensions["suara"]
    with rt.sessions() as s:
        assert s.scalar(select(Contact.opted_out_at)) is not None


def test_info_topic_text_reaches_the_provider(send, at_app):
    rt = at_app.extensions["suara"]
    with rt.sessions.begin() as s:
        body = "SPMB 2026: pendaftaran SD/SMP 2-13 Juni di sekolah tujuan. Info: Disdik Labura."
        s.add(InfoPage(topic="spmb", language="id", title="SPMB", body=body))
    assert send("INFO PPDB") == body
    listing = send("info")
    assert listing is not None and "INFO IJAZAH" in listing


def test_skm_is_recorded_and_thanked_at_the_provider(send, at_app):
    thanks = send("SKM 443434343")
    assert thanks is not None and "SKM" in thanks
    assert "contoh: SKM 443434343" in (send("SKM 5") or "")
    rt = at_app.extensions["suara"]
    with rt.sessions() as s:
        assert s.scalar(select(SkmResponse.answers)) == "443434343"
        assert {r.status for r in s.scalars(select(OutboundMessage))} == {"sent"}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("SARAN tambah buku perpustakaan", "saran Anda diterima. No tiket"),
        ("tanya: kapan PIP cair?", "pertanyaan Anda diterima. No tiket"),
        ("DAFTAR Merbau guru", "terdaftar SMS info pendidikan"),
        ("MULAI", "kembali menerima SMS info"),
        ("HADIR XYZ9", "kode acara XYZ9 tidak ditemukan"),
        ("DATA", "DATA 1/2: no +6281******890"),
        ("bantuan", "LAPOR <isi>, SARAN <isi>"),
        ("DAFTA", "maksud Anda"),
        ("halo pak, sekolah anak saya jauh", "pesan Anda disimpan, tiket"),
        ("1", "pesan Anda disimpan, tiket"),  # no poll was sent: kept as a message
    ],
)
def test_every_other_keyword_reply_reaches_the_provider(send, body, expected):
    reply = send(body)
    assert reply is not None and expected in reply


def test_hapus_is_received_then_carried_out_and_both_reach_the_provider(at_app, fake_at):
    client, rt = at_app.test_client(), at_app.extensions["suara"]
    form = {"from": PHONE, "to": "1708", "text": "HAPUS", "id": "e2e-hapus"}
    assert client.post(URL, data=form).status_code == 200
    run_jobs(rt.redis)
    sent = [(r["form"]["to"], r["form"]["message"]) for r in fake_at.requests]
    assert [to for to, _ in sent] == [PHONE, PHONE]
    assert "permintaan hapus data" in sent[0][1] and "sudah dihapus" in sent[1][1]


def test_rsvp_with_a_real_code_reaches_the_provider(send, at_app):
    from datetime import UTC, datetime, timedelta

    from gateway.models import Consultation, OutboundMessage, Rsvp

    rt = at_app.extensions["suara"]
    with rt.sessions.begin() as s:
        starts = datetime.now(UTC) + timedelta(days=5)
        s.add(
            Consultation(code="MUSREN1", title="Musrenbang", place="Aula Disdik", starts_at=starts)
        )
    reply = send("hadir musren1")
    assert reply is not None and "kehadiran Anda di Musrenbang tercatat" in reply
    with rt.sessions() as s:
        assert s.scalar(select(Rsvp.id)) is not None
        reminder = s.scalar(select(OutboundMessage).where(OutboundMessage.not_before.is_not(None)))
        assert reminder is not None and "besok" in reminder.text  # as a USSD RSVP gets
        assert reminder.not_before == starts - timedelta(days=1)
