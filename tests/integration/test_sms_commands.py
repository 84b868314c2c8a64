"""Every SMS keyword end to end: webhook -> stored message -> service -> reply in the outbox."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from gateway.citizens.consent import CONSENT_VERSION
from gateway.common.sms_text import count_segments, is_gsm7
from gateway.common.tickets import check_digit, is_valid
from gateway.models import (
    Consultation,
    Contact,
    DataRequest,
    Feedback,
    FeedbackEvent,
    InboundMessage,
    InfoPage,
    OutboundMessage,
    Poll,
    PollAnswer,
    PollOption,
    Rsvp,
    SkmResponse,
)

pytestmark = pytest.mark.integration

SMS = "/webhooks/africastalking/sms"
PHONE = "+6281234567890"
_ids = itertools.count(1)


def sms(client, text, sender=PHONE):
    form = {"from": sender, "to": "1708", "text": text, "id": f"m-{next(_ids)}"}
    assert client.post(SMS, data=form).status_code == 200


def replies(rt, to=PHONE):
    with rt.sessions() as s:
        query = select(OutboundMessage.text).where(OutboundMessage.to == to)
        return list(s.scalars(query.order_by(OutboundMessage.id)))


def reply(client, rt, text, sender=PHONE):
    before = len(replies(rt, sender))
    sms(client, text, sender)
    after = replies(rt, sender)
    assert len(after) == before + 1, f"no reply to {text!r}"
    assert is_gsm7(after[-1]) and count_segments(after[-1]) <= 2
    return after[-1]


def one(rt, model):
    with rt.sessions() as s:
        rows = s.scalars(select(model)).all()
        assert len(rows) == 1, rows
        return rows[0]


def count(rt, model):
    with rt.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("text", "kind", "category", "kecamatan", "reply_word"),
    [
        ("LAPOR atap SDN 3 Aek Kanopan bocor", "complaint", "sarpras", "Kualuh Hulu", "laporan"),
        ("saran: tambah guru agama", "suggestion", "guru", None, "saran"),
        ("TANYA kapan PIP cair?", "question", "pip", None, "pertanyaan"),
    ],
)
def test_content_keywords_file_tagged_feedback_with_ticket(
    client, rt, text, kind, category, kecamatan, reply_word
):
    answer = reply(client, rt, text)
    fb = one(rt, Feedback)
    assert (fb.kind, fb.category, fb.kecamatan, fb.channel) == (kind, category, kecamatan, "sms")
    assert is_valid(fb.ticket) and fb.ticket in answer and reply_word in answer
    assert fb.due_at is not None and fb.due_at > fb.created_at
    assert one(rt, InboundMessage).command in ("report", "suggestion", "question")


def test_empty_report_gets_the_format_and_files_nothing(client, rt):
    assert "LAPOR <isi laporan>" in reply(client, rt, "LAPOR")
    assert count(rt, Feedback) == 0


def test_long_report_is_stored_whole(client, rt):
    body = "guru kelas 5 tidak hadir " * 64  # 1,600 characters
    sms(client, "LAPOR " + body)
    assert one(rt, InboundMessage).text == "LAPOR " + body
    assert one(rt, Feedback).text == body.strip()


def test_stop_opts_out_once_and_is_confirmed_once(client, rt):
    sms(client, "DAFTAR Kualuh Hulu ortu")
    first = reply(client, rt, "STOP")
    assert "MULAI" in first
    contact = one(rt, Contact)
    assert contact.opted_out_at is not None and contact.subscribed is False
    sms(client, "berhenti")
    assert len(replies(rt)) == 2  # DAFTAR + the first STOP only
    assert one(rt, Contact).opted_out_at == contact.opted_out_at


def test_mulai_opts_back_in_with_consent(client, rt):
    sms(client, "STOP")
    assert "STOP" in reply(client, rt, "MULAI")
    contact = one(rt, Contact)
    assert contact.subscribed and contact.opted_out_at is None
    assert (contact.consent_channel, contact.consent_version) == ("sms", CONSENT_VERSION)


def test_daftar_records_consent_kecamatan_and_role(client, rt):
    answer = reply(client, rt, "DAFTAR kualuh leidong guru")
    contact = one(rt, Contact)
    assert contact.subscribed and contact.consent_at is not None
    assert (contact.kecamatan, contact.role, contact.consent_channel) == (
        "Kualuh Leidong",
        "guru",
        "sms",
    )
    assert "Kualuh Leidong" in answer and "STOP" in answer


def test_info_alone_lists_topics_and_topic_uses_the_page(client, rt):
    assert "INFO SPMB" in reply(client, rt, "INFO")
    with rt.sessions.begin() as s:
        s.add(InfoPage(topic="pip", language="id", title="PIP", body="PIP: cek di pip.kemdikbud"))
    assert reply(client, rt, "info pip") == "PIP: cek di pip.kemdikbud"
    assert "BOS" in reply(client, rt, "INFO BOS")  # no page yet: short fallback


def test_info_in_english_falls_back_to_indonesian_page(client, rt):
    sms(client, "halo")
    with rt.sessions.begin() as s:
        s.scalar(select(Contact)).language = "en"
        s.add(InfoPage(topic="kontak", language="id", title="Kontak", body="Kantor Disdik"))
    assert reply(client, rt, "INFO KONTAK") == "Kantor Disdik"


def test_status_shows_status_and_date_never_content(client, rt):
    sms(client, "LAPOR pungli seragam SMPN 2 rahasia")
    ticket = one(rt, Feedback).ticket
    answer = reply(client, rt, f"STATUS {ticket}")
    assert ticket in answer and "Diterima" in answer and "WIB" in answer
    assert "pungli" not in answer


def test_status_is_told_only_to_the_number_that_filed_the_ticket(client, rt):
    sms(client, "LAPOR kepala sekolah minta uang")
    ticket = one(rt, Feedback).ticket
    stranger = "+6281399990000"
    answer = reply(client, rt, f"STATUS {ticket}", sender=stranger)
    assert "tidak ditemukan" in answer and "Diterima" not in answer  # same as a wrong ticket
    assert "Diterima" in reply(client, rt, f"STATUS {ticket}")


def test_status_of_an_anonymous_report_needs_the_ticket_and_the_filing_number(client, rt):
    with rt.sessions.begin() as s:
        contact = Contact(phone=PHONE, language="id")
        s.add(contact)
        s.flush()
        s.add(
            Feedback(
                ticket="123456" + check_digit("123456"),
                kind="complaint",
                text="anonim",
                channel="ussd",
                contact_id=contact.id,
                anonymous=True,
                status="in_progress",
            )
        )
    ticket = one(rt, Feedback).ticket
    assert "Diproses" in reply(client, rt, f"STATUS {ticket}")
    assert "tidak ditemukan" in reply(client, rt, f"STATUS {ticket}", sender="+6281399990000")


def test_status_with_a_typo_in_the_ticket_is_refused(client, rt):
    sms(client, "LAPOR kursi rusak")
    ticket = one(rt, Feedback).ticket
    typo = ticket[:-2] + ticket[-1] + ticket[-2] if ticket[-1] != ticket[-2] else "1234567"
    assert "salah" in reply(client, rt, f"CEK {typo}")
    assert "STATUS 1234567" in reply(client, rt, "STATUS")
    body = "123456"
    assert "tidak ditemukan" in reply(client, rt, f"STATUS {body}{check_digit(body)}")


def test_hadir_rsvps_once_and_unknown_code_is_polite(client, rt):
    with rt.sessions.begin() as s:
        starts = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
        s.add(
            Consultation(code="MUSREN1", title="Musrenbang", place="Aula Disdik", starts_at=starts)
        )
    answer = reply(client, rt, "hadir musren1")
    assert "Musrenbang" in answer and "MUSREN1" in answer and "3 Des 09.00 WIB" in answer
    reply(client, rt, "HADIR MUSREN1")
    assert count(rt, Rsvp) == 1
    assert "tidak ditemukan" in reply(client, rt, "HADIR XYZ9")


def test_hadir_by_sms_gets_the_day_before_reminder_a_ussd_rsvp_gets(client, rt):
    starts = datetime.now(UTC) + timedelta(days=4)
    with rt.sessions.begin() as s:
        s.add(Consultation(code="RAPAT7", title="Rapat", place="Aula", starts_at=starts))
    sms(client, "HADIR RAPAT7")
    assert "kehadiran Anda di Rapat tercatat" in replies(rt)[-1]
    with rt.sessions() as s:
        later = s.scalars(select(OutboundMessage).where(OutboundMessage.not_before.is_not(None)))
        reminders = later.all()
    assert len(reminders) == 1 and "besok" in reminders[0].text
    assert reminders[0].not_before == starts - timedelta(days=1)
    assert "tercatat" in reply(client, rt, "HADIR RAPAT7")  # a repeat: confirmed, no reminder
    with rt.sessions() as s:
        held = select(func.count(OutboundMessage.id)).where(OutboundMessage.not_before.is_not(None))
        assert s.scalar(held) == 1


def test_skm_records_a_complete_response_and_bad_format_gets_the_format(client, rt):
    assert "terima kasih" in reply(client, rt, "SKM 4434 3434 3")
    row = one(rt, SkmResponse)
    assert (row.answers, row.complete, row.channel) == ("443434343", True, "sms")
    assert "SKM 443434343" in reply(client, rt, "SKM 4434")
    assert count(rt, SkmResponse) == 1


def test_data_summarises_what_is_stored(client, rt):
    sms(client, "LAPOR atap bocor")
    answer = reply(client, rt, "DATA")
    assert "1 laporan" in answer and "2 SMS" in answer
    request = one(rt, DataRequest)
    assert (request.kind, request.status) == ("access", "done")


def test_hapus_queues_an_erasure_request_due_in_72_hours(client, rt):
    sms(client, "DAFTAR")
    answer = reply(client, rt, "HAPUS")
    request = one(rt, DataRequest)
    assert request.kind == "erasure" and request.status == "open"
    delay = request.due_at - request.created_at
    assert abs(delay - timedelta(hours=72)) < timedelta(seconds=5)
    assert str(request.id) in answer and "3x24" in answer
    reply(client, rt, "hapus")
    assert count(rt, DataRequest) == 1
    assert one(rt, Contact).opted_out_at is not None


def test_bantuan_lists_keywords(client, rt):
    for text in ["BANTUAN", "?", "help"]:
        answer = reply(client, rt, text)
        assert "LAPOR" in answer and "STATUS" in answer and "HAPUS" in answer


def test_ambiguous_typo_asks_which_keyword(client, rt):
    answer = reply(client, rt, "DAFTA marbau")
    assert answer.startswith("Disdik Labura: maksud Anda DAFTAR atau DATA?")


def test_poll_answer_is_recorded_through_record_poll_answer(client, rt):
    sms(client, "DAFTAR")
    with rt.sessions.begin() as s:
        contact = s.scalar(select(Contact))
        poll = Poll(question="Setuju sekolah 5 hari?", status="open")
        s.add(poll)
        s.flush()
        s.add_all(
            [PollOption(poll_id=poll.id, position=i, label=x) for i, x in [(1, "Ya"), (2, "Tidak")]]
        )
        s.add(
            OutboundMessage(
                to=PHONE, text="Polling", kind="broadcast", poll_id=poll.id, contact_id=contact.id
            )
        )
    assert "(Tidak)" in reply(client, rt, "2")
    assert one(rt, PollAnswer).channel == "sms"
    assert count(rt, Feedback) == 0


def test_bare_answer_without_a_poll_is_unclassified(client, rt):
    reply(client, rt, "ya")
    fb = one(rt, Feedback)
    assert (fb.kind, fb.text) == ("other", "ya")
    assert one(rt, InboundMessage).command == "unknown"


def test_unknown_text_is_kept_and_help_is_sent_at_most_once_an_hour(client, rt):
    first = reply(client, rt, "pak sekolah kami banjir")
    assert "BANTUAN" in first
    sms(client, "tolong dibantu")
    assert len(replies(rt)) == 1
    assert count(rt, Feedback) == 2


def test_citizen_reply_reopens_a_resolved_report(client, rt):
    sms(client, "LAPOR wc rusak")
    with rt.sessions.begin() as s:
        fb = s.scalar(select(Feedback))
        fb.status, fb.due_at = "resolved", datetime.now(UTC) + timedelta(days=5)
    answer = reply(client, rt, "belum diperbaiki pak")
    fb = one(rt, Feedback)
    assert fb.status == "in_progress" and fb.ticket in answer
    with rt.sessions() as s:
        notes = s.scalars(select(FeedbackEvent.note).where(FeedbackEvent.kind == "citizen_reply"))
        assert list(notes) == ["belum diperbaiki pak"]


def test_thank_you_after_resolution_is_kept_but_does_not_reopen(client, rt):
    sms(client, "LAPOR wc rusak")
    with rt.sessions.begin() as s:
        fb = s.scalar(select(Feedback))
        fb.status, fb.due_at = "resolved", datetime.now(UTC) + timedelta(days=5)
    sms(client, "Terima kasih pak 🙏")
    assert one(rt, Feedback).status == "resolved"
    assert len(replies(rt)) == 1  # only the LAPOR confirmation
    with rt.sessions() as s:
        notes = s.scalars(select(FeedbackEvent.note).where(FeedbackEvent.kind == "citizen_reply"))
        assert list(notes) == ["Terima kasih pak 🙏"]


def test_no_reply_to_short_codes_and_alphanumeric_senders(client, rt):
    sms(client, "LAPOR test", sender="TSEL-INFO")
    sms(client, "BANTUAN", sender="1708")
    assert count(rt, OutboundMessage) == 0
    assert count(rt, InboundMessage) == 2


def test_replies_are_capped_per_number_per_hour(make_app, settings):
    app = make_app(settings.with_overrides(sms_replies_per_hour=2))
    client = app.test_client()
    rt = app.extensions["suara"]
    for text in ["BANTUAN", "INFO", "LAPOR atap bocor", "BANTUAN"]:
        sms(client, text)
    assert len(replies(rt)) == 2
    assert count(rt, Feedback) == 1  # still filed, just not answered
