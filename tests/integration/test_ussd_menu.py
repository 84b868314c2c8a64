"""Every main-menu branch end to end through the USSD webhook, real database and Redis."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gateway.citizens.consent import CONSENT_VERSION
from gateway.common.tickets import is_valid
from gateway.models import (
    Contact,
    Feedback,
    OutboundMessage,
    PollAnswer,
    Rsvp,
    SkmResponse,
    UssdSession,
)
from tests.integration.ussd_helpers import (
    PHONE,
    Dial,
    add_consultation,
    add_poll_sent_to,
    seed_info_pages,
    set_language,
)

pytestmark = pytest.mark.integration

DONE = {
    "report": {"id": "Laporan diterima, nomor tiket ", "en": "Report received, ticket number "},
    "saran": {"id": "Nomor tiket ", "en": "Ticket number "},
    "tanya": {"id": "Pertanyaan diterima, nomor tiket ", "en": "ticket number "},
}


def count(rt, model, *where):
    with rt.sessions() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def ticket_after(body: str, marker: str) -> str:
    ticket = body.split(marker)[1][:7]
    assert is_valid(ticket), body
    return ticket


@pytest.mark.parametrize("lang", ["id", "en"])
def test_report_files_a_ticket_with_its_answers_and_queues_the_confirmation(client, rt, lang):
    set_language(rt, lang)
    school = "SDN 112233 Aek Kanopan"
    body = Dial(client).press("1", "5", "2", school, "Dana BOS dipotong", "2", "1")
    assert body.startswith("END ")
    ticket = ticket_after(body, DONE["report"][lang])
    with rt.sessions() as s:
        fb = s.scalar(select(Feedback).where(Feedback.ticket == ticket))
        assert fb is not None and fb.kind == "complaint" and fb.channel == "ussd"
        assert (fb.category, fb.kecamatan, fb.school) == ("bos", "Kualuh Leidong", school)
        assert fb.anonymous is True and fb.language == lang
        out = s.scalar(select(OutboundMessage).where(OutboundMessage.feedback_id == fb.id))
        assert out is not None and ticket in out.text and out.to == PHONE


def test_report_about_an_sma_names_the_province(client, rt):
    inputs = ["1", "1", "1", "SMAN 1 Kualuh Hulu", "Pungutan daftar ulang", "1", "1"]
    body = Dial(client).press(*inputs)
    assert "Provinsi Sumut" in body and count(rt, Feedback) == 1


@pytest.mark.parametrize("lang", ["id", "en"])
def test_suggestion_ends_with_a_ticket(client, rt, lang):
    set_language(rt, lang)
    body = Dial(client).press("2", "Tambah guru agama di SD terpencil", "1")
    ticket_after(body, DONE["saran"][lang])
    assert count(rt, Feedback, Feedback.kind == "suggestion") == 1


@pytest.mark.parametrize("lang", ["id", "en"])
def test_question_from_info_menu_ends_with_a_ticket(client, rt, lang):
    set_language(rt, lang)
    body = Dial(client).press("4", "7", "Kapan jadwal SPMB tahun depan?", "1")
    ticket_after(body, DONE["tanya"][lang])
    assert count(rt, Feedback, Feedback.kind == "question") == 1


@pytest.mark.parametrize("lang", ["id", "en"])
def test_status_shows_status_and_date_never_the_text(client, rt, lang):
    set_language(rt, lang)
    body = Dial(client, "ATUid_a").press("2", "Perbaiki jalan ke SDN 5 Marbau", "1")
    ticket = ticket_after(body, DONE["saran"][lang])
    shown = Dial(client, "ATUid_b").press("3", ticket)
    assert shown.startswith("END ")
    assert ("Diterima" if lang == "id" else "Received") in shown
    assert "Perbaiki" not in shown and PHONE not in shown
    wrong = ticket[:-2] + ticket[-1] + ticket[-2] if ticket[-1] != ticket[-2] else ticket[:-1] + "0"
    mistyped = Dial(client, "ATUid_c").press("3", wrong if not is_valid(wrong) else "1234567")
    assert mistyped.startswith("CON ")
    assert ("Nomor tiket salah" if lang == "id" else "Wrong ticket number") in mistyped


def test_status_of_somebody_elses_ticket_is_not_shown(client, rt):
    filed = Dial(client, "ATUid_a").press("2", "Perbaiki jalan ke SDN 5", "1")
    ticket = ticket_after(filed, "tiket ")
    other = Dial(client, "ATUid_b", phone="+6281311112222").press("3", ticket)
    assert "tidak ditemukan" in other


@pytest.mark.parametrize("lang", ["id", "en"])
def test_info_page_is_paged_from_the_database_and_sent_by_sms(client, rt, lang):
    seed_info_pages(rt)
    set_language(rt, lang)
    dial = Dial(client)
    page = dial.press("4", "4")
    assert "pip.kemdikbud.go.id" in page + dial.press("98") or "PIP" in page
    done = dial.press("1")
    assert done.startswith("END ")
    with rt.sessions() as s:
        out = s.scalar(select(OutboundMessage))
        assert out is not None and "pip.kemdikbud.go.id" in out.text and out.segments <= 3


@pytest.mark.parametrize("lang", ["id", "en"])
def test_skm_complete_response_is_one_row(client, rt, lang):
    set_language(rt, lang)
    body = Dial(client).press("5", "2", "4", "3", "4", "4", "3", "4", "4", "3", "4")
    assert body.startswith("END ")
    with rt.sessions() as s:
        row = s.scalar(select(SkmResponse))
        assert row is not None and row.complete and row.answers == "434434434"
        assert row.service == "ijazah" and row.channel == "ussd"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_poll_answer_is_recorded_for_the_poll_sent_to_the_caller(client, rt, lang):
    set_language(rt, lang)
    poll_id = add_poll_sent_to(rt)
    dial = Dial(client)
    question = dial.press("6")
    assert ("Setujukah" if lang == "id" else "Agree: 07.30?") in question
    assert dial.press("2").startswith("END ")
    with rt.sessions() as s:
        answer = s.scalar(select(PollAnswer))
        assert answer is not None and answer.poll_id == poll_id and answer.channel == "ussd"


def test_no_poll_for_the_caller_ends_politely(client, rt):
    add_poll_sent_to(rt, phone="+6281399998888")
    assert Dial(client).press("6").startswith("END Saat ini tidak ada polling")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_rsvp_queues_confirmation_and_a_reminder_the_day_before(client, rt, lang):
    set_language(rt, lang)
    add_consultation(rt)
    dial = Dial(client)
    listing = dial.press("7")
    assert "WIB" in listing and ("Rancangan" if lang == "id" else "Draft") in listing
    assert dial.press("1", "1").startswith("END ")
    with rt.sessions() as s:
        rsvp = s.scalar(select(Rsvp))
        assert rsvp is not None and rsvp.channel == "ussd"
        rows = s.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).all()
        assert [r.not_before is None for r in rows] == [True, False]
        assert "K25" in rows[0].text
        consultation_day = rows[1].not_before
        assert consultation_day is not None
    again = Dial(client, "ATUid_again").press("7", "1", "1")
    assert again.startswith("END ") and count(rt, Rsvp) == 1 and count(rt, OutboundMessage) == 2


def test_question_for_a_consultation_is_linked_to_it(client, rt):
    consultation_id = add_consultation(rt)
    body = Dial(client).press("7", "1", "2", "Apakah jalur domisili pakai KK?", "1")
    ticket = ticket_after(body, "tiket ")
    with rt.sessions() as s:
        fb = s.scalar(select(Feedback).where(Feedback.ticket == ticket))
        assert fb is not None and fb.consultation_id == consultation_id and fb.kind == "question"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_subscribe_records_consent_then_unsubscribe_opts_out(client, rt, lang):
    set_language(rt, lang)
    assert Dial(client, "ATUid_1").press("8", "1", "5", "2", "1").startswith("END ")
    with rt.sessions() as s:
        c = s.scalar(select(Contact))
        assert c is not None and c.subscribed and (c.kecamatan, c.role) == ("Marbau", "guru")
        assert (c.consent_version, c.consent_channel) == (CONSENT_VERSION, "ussd")
        assert c.consent_at is not None and c.opted_out_at is None
    assert Dial(client, "ATUid_2").press("8", "2", "1").startswith("END ")
    with rt.sessions() as s:
        c = s.scalar(select(Contact))
        assert c is not None and not c.subscribed and c.opted_out_at is not None


def test_language_choice_is_remembered_for_the_next_session(client, rt):
    assert Dial(client, "ATUid_1").press("9", "2") == "END English selected. Thank you."
    assert "Report problem" in Dial(client, "ATUid_2").start()
    Dial(client, "ATUid_3").press("9", "1")
    assert "Lapor masalah" in Dial(client, "ATUid_4").start()
    with rt.sessions() as s:
        assert s.scalar(select(Contact.language)) == "id"
        # hops write no session rows; the end-of-session event does (test_webhooks)
        assert s.scalar(select(func.count()).select_from(UssdSession)) == 0
