"""Conversations: a citizen's answer to a staff reply joins that report's thread, end to end
(webhook -> handler -> thread -> reply in the outbox -> the staff API shows it)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from gateway.common.sms_text import count_segments, is_gsm7
from gateway.models import (
    Contact,
    Feedback,
    FeedbackEvent,
    InboundMessage,
    OutboundMessage,
    Poll,
    PollAnswer,
    PollOption,
)

pytestmark = pytest.mark.integration

SMS = "/webhooks/africastalking/sms"
PHONE = "+6281234567890"
OTHER = "+6281399998888"
_ids = itertools.count(1)


def sms(client, text, sender=PHONE):
    form = {"from": sender, "to": "1708", "text": text, "id": f"conv-{next(_ids)}"}
    assert client.post(SMS, data=form).status_code == 200


def replies(rt, to=PHONE):
    with rt.sessions() as s:
        query = select(OutboundMessage.text).where(OutboundMessage.to == to)
        return list(s.scalars(query.order_by(OutboundMessage.id)))


def answer_to(client, rt, text, sender=PHONE):
    """Send `text`; the one SMS it got back (GSM-7, one segment)."""
    before = len(replies(rt, sender))
    sms(client, text, sender)
    after = replies(rt, sender)
    assert len(after) == before + 1, f"no reply to {text!r}"
    assert is_gsm7(after[-1]) and count_segments(after[-1]) == 1, after[-1]
    return after[-1]


def no_answer_to(client, rt, text, sender=PHONE):
    before = len(replies(rt, sender))
    sms(client, text, sender)
    assert len(replies(rt, sender)) == before, f"{text!r} was answered"


def report(client, rt, text="LAPOR atap SDN 5 bocor", sender=PHONE):
    sms(client, text, sender)
    with rt.sessions() as s:
        return s.scalar(select(Feedback.ticket).order_by(Feedback.id.desc()))


@pytest.fixture
def officer(app):
    result = app.test_cli_runner().invoke(
        args=["staff", "create", "--name", "officer.disdik", "--role", "officer"]
    )
    assert result.exit_code == 0, result.output
    return {"Authorization": f"Bearer {result.output.strip().splitlines()[-1]}"}


def staff_reply(client, officer, ticket, text="Sekolah mana, Bu?"):
    answer = client.post(f"/api/v1/feedback/{ticket}/reply", json={"text": text}, headers=officer)
    assert answer.status_code == 200, answer.get_json()


def feedback(rt, ticket):
    with rt.sessions() as s:
        return s.scalar(select(Feedback).where(Feedback.ticket == ticket))


def count(rt, model):
    with rt.sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def citizen_replies(rt, ticket):
    with rt.sessions() as s:
        query = (
            select(FeedbackEvent.note, FeedbackEvent.inbound_message_id)
            .join(Feedback, Feedback.id == FeedbackEvent.feedback_id)
            .where(Feedback.ticket == ticket, FeedbackEvent.kind == "citizen_reply")
        )
        return list(s.execute(query.order_by(FeedbackEvent.id)).all())


def age_staff_replies(rt, ticket, by):
    """Move the staff replies on `ticket` `by` into the past."""
    with rt.sessions.begin() as s:
        fb_id = s.scalar(select(Feedback.id).where(Feedback.ticket == ticket))
        for event in s.scalars(
            select(FeedbackEvent).where(
                FeedbackEvent.feedback_id == fb_id, FeedbackEvent.kind == "reply"
            )
        ):
            event.created_at = event.created_at - by


def test_an_answer_to_a_staff_reply_joins_the_thread_without_a_new_ticket(client, rt, officer):
    ticket = report(client, rt)
    staff_reply(client, officer, ticket)
    answer = answer_to(client, rt, "SDN 5 Marbau bu, kelas 3")
    assert ticket in answer and answer.startswith("Disdik Labura: balasan Anda untuk tiket")
    assert count(rt, Feedback) == 1
    with rt.sessions() as s:
        inbound_id = s.scalar(select(func.max(InboundMessage.id)))
        assert s.get(InboundMessage, inbound_id).command == "reply"
    assert citizen_replies(rt, ticket) == [("SDN 5 Marbau bu, kelas 3", inbound_id)]
    assert feedback(rt, ticket).citizen_answered_at is not None

    item = client.get(f"/api/v1/feedback/{ticket}", headers=officer).get_json()
    assert item["citizen_answered"] is True and item["citizen_answered_at"]
    assert item["history"][-1]["kind"] == "citizen_reply"
    assert item["history"][-1]["note"] == "SDN 5 Marbau bu, kelas 3"
    assert item["history"][-1]["inbound_message_id"] == inbound_id
    listed = client.get("/api/v1/feedback?citizen_answered=1", headers=officer).get_json()
    assert [i["ticket"] for i in listed["items"]] == [ticket]
    others = client.get("/api/v1/feedback?citizen_answered=0", headers=officer).get_json()
    assert others["items"] == []


def test_the_citizen_answered_filter_refuses_other_values(client, officer):
    answer = client.get("/api/v1/feedback?citizen_answered=ya", headers=officer)
    assert answer.status_code == 400
    assert answer.get_json()["errors"] == {"citizen_answered": "expected 1 (or 0)"}  # as every flag


def test_a_staff_reply_or_status_change_clears_citizen_answered(client, rt, officer):
    ticket = report(client, rt)
    staff_reply(client, officer, ticket)
    sms(client, "SDN 5 pak")
    assert feedback(rt, ticket).citizen_answered_at is not None
    staff_reply(client, officer, ticket, "Kelas berapa, Bu?")
    assert feedback(rt, ticket).citizen_answered_at is None
    sms(client, "kelas 3")
    assert feedback(rt, ticket).citizen_answered_at is not None
    moved = client.post(
        f"/api/v1/feedback/{ticket}/status", json={"status": "verified"}, headers=officer
    )
    assert moved.status_code == 200
    assert feedback(rt, ticket).citizen_answered_at is None
    listed = client.get("/api/v1/feedback?citizen_answered=1", headers=officer).get_json()
    assert listed["items"] == []


def test_a_message_starting_with_a_keyword_still_acts_as_the_keyword(client, rt, officer):
    ticket = report(client, rt)
    staff_reply(client, officer, ticket)
    assert "laporan Anda diterima" in answer_to(client, rt, "LAPOR wc sekolah rusak")
    assert count(rt, Feedback) == 2
    assert "status tiket" in answer_to(client, rt, f"STATUS {ticket}")
    assert citizen_replies(rt, ticket) == []
    assert feedback(rt, ticket).citizen_answered_at is None


def test_without_a_staff_reply_a_plain_message_is_a_new_record(client, rt):
    report(client, rt)
    answer = answer_to(client, rt, "pak tolong cepat diperbaiki")
    assert "pesan Anda disimpan" in answer
    assert count(rt, Feedback) == 2


def test_a_staff_reply_older_than_seven_days_starts_no_conversation(client, rt, officer):
    ticket = report(client, rt)
    staff_reply(client, officer, ticket)
    age_staff_replies(rt, ticket, timedelta(days=7, minutes=1))
    sms(client, "SDN 5 bu")
    assert count(rt, Feedback) == 2
    assert citizen_replies(rt, ticket) == []


def test_a_closed_or_rejected_report_starts_no_conversation(client, rt, officer):
    ticket = report(client, rt)
    staff_reply(client, officer, ticket)
    note = {"status": "rejected", "note": "Ke Dinas Provinsi"}
    moved = client.post(f"/api/v1/feedback/{ticket}/status", json=note, headers=officer)
    assert moved.status_code == 200
    sms(client, "kenapa ditolak pak")
    assert count(rt, Feedback) == 2


def test_the_most_recent_staff_reply_wins_and_the_acknowledgement_names_it(client, rt, officer):
    first = report(client, rt, "LAPOR atap bocor")
    second = report(client, rt, "LAPOR guru jarang masuk")
    staff_reply(client, officer, second, "Guru kelas berapa?")
    staff_reply(client, officer, first, "Sekolah mana, Bu?")
    answer = answer_to(client, rt, "SDN 7 Aek Kanopan")
    assert first in answer and second not in answer
    assert [n for n, _ in citizen_replies(rt, first)] == ["SDN 7 Aek Kanopan"]
    staff_reply(client, officer, second, "Guru kelas berapa, Bu?")
    assert second in answer_to(client, rt, "kelas 4 pak")
    assert [n for n, _ in citizen_replies(rt, second)] == ["kelas 4 pak"]
    assert count(rt, Feedback) == 2


def test_naming_a_ticket_addresses_that_report(client, rt, officer):
    first = report(client, rt, "LAPOR atap bocor")
    second = report(client, rt, "LAPOR guru jarang masuk")
    staff_reply(client, officer, second)
    spaced = f"{first[:3]} {first[3:]}"
    answer = answer_to(client, rt, f"{spaced} sekolahnya SDN 5 Marbau")
    assert first in answer
    assert [n for n, _ in citizen_replies(rt, first)] == [f"{spaced} sekolahnya SDN 5 Marbau"]
    assert citizen_replies(rt, second) == []
    assert feedback(rt, first).citizen_answered_at is not None
    dashed = f"pak, soal tiket #{first[:3]}-{first[3:]}: kelas 3"
    no_answer_to(client, rt, dashed)  # acknowledged once until staff write again
    assert [n for n, _ in citizen_replies(rt, first)][-1] == dashed
    assert citizen_replies(rt, second) == []
    assert count(rt, Feedback) == 2


def test_someone_elses_ticket_is_treated_as_unknown(client, rt):
    theirs = report(client, rt, "LAPOR pungli seragam", sender=OTHER)
    answer = answer_to(client, rt, f"{theirs} anak sy juga kena")
    assert f"tiket {theirs} tidak ditemukan" in answer
    assert count(rt, Feedback) == 2
    assert citizen_replies(rt, theirs) == []
    mine = feedback(rt, answer.split("tiket ")[-1].split(".")[0])
    assert mine is not None and mine.kind == "other" and mine.ticket != theirs
    nobody = "204817" + "3"  # a valid ticket that no report has
    assert f"tiket {nobody} tidak ditemukan" in answer_to(client, rt, f"{nobody} anak sy juga")


def test_a_ticket_alone_gets_its_status_and_others_are_not_found(client, rt):
    mine = report(client, rt)
    theirs = report(client, rt, "LAPOR pungli", sender=OTHER)
    assert f"status tiket {mine}: Diterima" in answer_to(client, rt, f"{mine[:3]}-{mine[3:]}")
    assert f"status tiket {mine}" in answer_to(client, rt, f"tiket {mine} pak")
    assert f"tiket {theirs} tidak ditemukan" in answer_to(client, rt, theirs)
    assert count(rt, Feedback) == 2
    assert citizen_replies(rt, mine) == []


def test_one_acknowledgement_per_staff_question(client, rt, officer):
    ticket = report(client, rt)
    staff_reply(client, officer, ticket)
    assert ticket in answer_to(client, rt, "SDN 5")
    no_answer_to(client, rt, "di Marbau pak")  # the same answer, in a second SMS
    assert [n for n, _ in citizen_replies(rt, ticket)] == ["SDN 5", "di Marbau pak"]
    staff_reply(client, officer, ticket, "Kelas berapa?")
    assert ticket in answer_to(client, rt, "kelas 3")


def test_a_thank_you_in_the_thread_is_kept_but_not_answered(client, rt, officer):
    ticket = report(client, rt)
    staff_reply(client, officer, ticket, "Sudah kami teruskan ke sekolah.")
    no_answer_to(client, rt, "makasih bu 🙏")
    assert [n for n, _ in citizen_replies(rt, ticket)] == ["makasih bu 🙏"]
    assert count(rt, Feedback) == 1


def resolve(rt, ticket, *, at):
    with rt.sessions.begin() as s:
        fb = s.scalar(select(Feedback).where(Feedback.ticket == ticket))
        fb.status, fb.resolved_at, fb.due_at = "resolved", at, at + timedelta(days=14)


def test_a_reply_to_a_resolved_report_still_reopens_it(client, rt):
    ticket = report(client, rt, "LAPOR wc rusak")
    resolve(rt, ticket, at=datetime.now(UTC) - timedelta(hours=1))
    answer = answer_to(client, rt, "belum diperbaiki pak")
    assert ticket in answer and "dibuka" in answer
    fb = feedback(rt, ticket)
    assert fb.status == "in_progress" and fb.citizen_answered_at is not None
    assert [n for n, _ in citizen_replies(rt, ticket)] == ["belum diperbaiki pak"]


def test_the_report_staff_spoke_on_last_wins_over_a_resolved_one(client, rt, officer):
    resolved = report(client, rt, "LAPOR wc rusak")
    open_one = report(client, rt, "LAPOR guru jarang masuk")
    resolve(rt, resolved, at=datetime.now(UTC) - timedelta(days=1))
    staff_reply(client, officer, open_one, "Guru kelas berapa?")
    assert open_one in answer_to(client, rt, "kelas 5 bu")
    assert feedback(rt, resolved).status == "resolved"
    age_staff_replies(rt, open_one, timedelta(days=2))  # now the resolution is later
    answer = answer_to(client, rt, "wc nya belum diperbaiki")
    assert resolved in answer and feedback(rt, resolved).status == "in_progress"


def open_poll(rt, labels, phone=PHONE, sent=None):
    """An open poll with `labels`, sent to `phone` at `sent` (now)."""
    with rt.sessions.begin() as s:
        contact = s.scalar(select(Contact).where(Contact.phone == phone))
        poll = Poll(question="Kapan?", status="open")
        s.add(poll)
        s.flush()
        s.add_all(
            [PollOption(poll_id=poll.id, position=i, label=x) for i, x in enumerate(labels, 1)]
        )
        row = OutboundMessage(
            to=phone, text="Kapan?", kind="broadcast", poll_id=poll.id, contact_id=contact.id
        )
        if sent is not None:
            row.created_at = sent
        s.add(row)
        return poll.id


def answers(rt):
    with rt.sessions() as s:
        query = select(PollOption.position).join(PollAnswer, PollAnswer.option_id == PollOption.id)
        return list(s.scalars(query.where(PollAnswer.current.is_(True))))


def test_a_reply_answers_the_poll_or_the_conversation_whichever_came_last(client, rt, officer):
    ticket = report(client, rt)
    staff_reply(client, officer, ticket, "Apakah sudah ada perbaikan?")
    open_poll(rt, ["Sudah", "Belum"], sent=datetime.now(UTC) - timedelta(hours=2))
    assert ticket in answer_to(client, rt, "belum bu")  # staff asked after the poll
    assert answers(rt) == []
    age_staff_replies(rt, ticket, timedelta(hours=3))  # now the poll is the later question
    assert "(Belum)" in answer_to(client, rt, "belum bu")
    assert answers(rt) == [2]
    assert [n for n, _ in citizen_replies(rt, ticket)] == ["belum bu"]


def test_a_short_plain_reply_answers_a_waiting_poll(client, rt):
    sms(client, "DAFTAR Marbau ortu")
    open_poll(rt, ["Sabtu pagi", "Sabtu sore", "Minggu pagi"])
    assert "(Minggu pagi)" in answer_to(client, rt, "minggu pagi aja pak")
    assert answers(rt) == [3]
    assert count(rt, Feedback) == 0
    assert "pesan Anda disimpan" in answer_to(client, rt, "sekolah anak sy di Marbau rusak")
    assert count(rt, Feedback) == 1


def test_an_answer_naming_two_options_is_asked_about_once(client, rt):
    sms(client, "DAFTAR Marbau ortu")
    open_poll(rt, ["Sabtu pagi", "Sabtu sore", "Minggu pagi"])
    ask = answer_to(client, rt, "sabtu aja pak")
    assert ask == (
        "Disdik Labura: maksud Anda 1 (Sabtu pagi) atau 2 (Sabtu sore)? Balas dengan nomornya "
        "saja, contoh: 1."
    )
    assert answers(rt) == []
    assert "Balas dengan nomor pilihan" in answer_to(client, rt, "sabtu")  # not asked again
    assert "(Sabtu sore)" in answer_to(client, rt, "2")
    assert answers(rt) == [2]
    with rt.sessions() as s:
        commands = s.scalars(select(InboundMessage.command).order_by(InboundMessage.id))
        assert list(commands)[1:] == ["poll_ask", "answer", "answer"]


def test_the_ask_fits_one_sms_with_long_labels(client, rt):
    sms(client, "DAFTAR Marbau ortu")
    long_labels = ["Sabtu pagi di aula SMP Negeri 1 Kualuh Hulu", "Sabtu sore di aula SMP Negeri 2"]
    open_poll(rt, long_labels)
    ask = answer_to(client, rt, "sabtu")
    assert ask.startswith("Disdik Labura: maksud Anda 1 (Sabtu pagi") and "2 (Sabtu sore" in ask


def test_the_citizen_answered_filter_composes_with_the_others(client, rt, officer):
    """The list endpoint with the new filter composes with the existing ones."""
    ticket = report(client, rt, "LAPOR atap SDN 5 bocor")
    report(client, rt, "LAPOR guru jarang masuk")
    staff_reply(client, officer, ticket)
    sms(client, "SDN 5")
    url = "/api/v1/feedback?citizen_answered=1&category=sarpras&status=received"
    listed = client.get(url, headers=officer).get_json()
    assert [i["ticket"] for i in listed["items"]] == [ticket]
    with rt.sessions.begin() as s:
        s.execute(update(Feedback).values(category="guru"))
    assert client.get(url, headers=officer).get_json()["items"] == []
