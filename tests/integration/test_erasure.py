"""HAPUS carried out (UU PDP): within minutes a worker job erases or anonymises the citizen's
data everywhere it lives, keeps the counts, confirms by SMS and marks the request done.
DATA answers with the data held. Staff see the requests. Against a real database, Redis,
the SDK and a fake Africa's Talking."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from rq import Queue
from sqlalchemy import func, select, update

from gateway.citizens.erasure import number_hash
from gateway.common import wib
from gateway.models import (
    Base,
    ConsentEvent,
    Contact,
    DataRequest,
    Feedback,
    FeedbackEvent,
    OutboundMessage,
    PollAnswer,
    Rsvp,
    SkmResponse,
    StaffUser,
)
from gateway.outbox.enqueue import TRANSACTIONAL_QUEUE
from gateway.polls.results import poll_results
from gateway.staff.auth import hash_token
from tests.conftest import run_jobs
from tests.integration.ussd_helpers import Dial, add_consultation, add_poll_sent_to
from tests.outbox_helpers import at_settings, callback_client
from workers.erasure import carry_out_erasure
from workers.sweeper import sweep

pytestmark = pytest.mark.integration

SMS = "/webhooks/africastalking/sms"
DELIVERY = "/webhooks/africastalking/sms/delivery"
PHONE = "+6281234567890"
DIGITS = "81234567890"  # the number however it is written
OTHER = "+6281399998888"
SECRET = "rahasia"  # in every text the citizen sent
KEY = "salt-for-tests"
_ids = itertools.count(1)


@pytest.fixture
def gateway(make_app, settings, httpserver, fake_at):
    app = make_app(
        at_settings(
            settings, httpserver.url_for("/version1"), erasure_salt=KEY, sms_sweep_grace_seconds=0
        )
    )
    return callback_client(app), app.extensions["suara"], fake_at


def sms(client, body: str, sender: str = PHONE) -> None:
    form = {"from": sender, "to": "1708", "text": body, "id": f"erase-{next(_ids)}"}
    assert client.post(SMS, data=form).status_code == 200


def deliver_all(client, fake) -> None:
    """Africa's Talking posts a delivery report (with the number) for every accepted SMS."""
    for form in fake.delivery_reports():
        assert client.post(DELIVERY, data=form).status_code == 200
    fake.accepted.clear()


def count(rt, model, *where) -> int:
    with rt.sessions() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0


def cells_holding(rt, *needles: str) -> list[tuple[str, str]]:
    """Every (table, value) in the whole database that contains one of ``needles``."""
    found = []
    with rt.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                for value in row:
                    text = str(value)
                    if any(needle in text for needle in needles):
                        found.append((table.name, text[:80]))
    return found


def a_citizen_with_everything(client, rt, fake) -> None:
    """PHONE has used every service: subscribed, reported by SMS and USSD, answered a poll,
    RSVP'd, rated, has a note on a report, Redis keys, sent SMS with delivery reports."""
    sms(client, "DAFTAR Marbau guru")
    sms(client, f"LAPOR atap SDN 3 bocor {SECRET} 1")
    owner = Dial(client, "ATUid_r1", phone=PHONE)
    owner.press("2", f"Usul tambah guru {SECRET} 2", "1")
    owner.drop("Success")
    Dial(client, "ATUid_mid", phone=PHONE).press("2")  # left half-way: a resume copy
    add_poll_sent_to(rt)
    sms(client, "1")
    add_consultation(rt, code="K25", days=10)
    sms(client, "HADIR K25")
    sms(client, "SKM 443434343")
    with rt.sessions.begin() as s:
        first = s.scalar(select(Feedback.id).order_by(Feedback.id))
        s.add(FeedbackEvent(feedback_id=first, kind="note", note=f"Pelapor {SECRET} 3 menelepon"))
    sms(client, f"LAPOR jalan rusak orang lain {SECRET}", sender=OTHER)
    Dial(client, "ATUid_other", phone=OTHER).press("2")
    sweep()  # the poll's row was written without a job
    run_jobs(rt.redis)
    deliver_all(client, fake)
    assert cells_holding(rt, DIGITS) and cells_holding(rt, f"{SECRET} 1")
    assert rt.redis.exists(f"ussd:lang:{PHONE}", f"ussd:resume:{PHONE}") == 2


def test_hapus_erases_everything_keeps_the_counts_and_confirms(gateway):
    client, rt, fake = gateway
    a_citizen_with_everything(client, rt, fake)
    feedback_before = count(rt, Feedback)
    consent_before = count(rt, ConsentEvent)
    sms(client, "HAPUS")
    with rt.sessions() as s:
        request = s.scalar(select(DataRequest).where(DataRequest.kind == "erasure"))
        assert request is not None
    queued = Queue(TRANSACTIONAL_QUEUE, connection=rt.redis).job_ids
    assert f"erasure-{request.id}" in queued  # enqueued at once, with the reply
    run_jobs(rt.redis)

    with rt.sessions() as s:
        request = s.get_one(DataRequest, request.id)
    assert request.status == "done" and request.done_at is not None
    assert request.done_at - request.created_at < timedelta(minutes=1)
    confirmation = [r["form"] for r in fake.requests if "dihapus" in r["form"]["message"]]
    assert [form["to"] for form in confirmation] == [PHONE]  # sent before the number went
    assert str(request.id) in confirmation[0]["message"]

    # Only what is on its way keeps the number: the HAPUS answer and the confirmation.
    residue = {text for _, text in cells_holding(rt, DIGITS)}
    assert residue and all(
        PHONE in t or "dihapus" in t or "3x24" in t or "ATXid_" in t for t in residue
    ), residue
    deliver_all(client, fake)
    sweep()
    assert cells_holding(rt, DIGITS) == []
    assert cells_holding(rt, f"{SECRET} 1", f"{SECRET} 2", f"{SECRET} 3") == []
    assert [key for key in rt.redis.scan_iter("ussd:*") if DIGITS.encode() in key] == []
    assert not rt.redis.exists("ussd:state:ATUid_r1", "ussd:state:ATUid_mid")

    # What the office may keep.
    assert count(rt, Feedback) == feedback_before
    with rt.sessions() as s:
        kept = s.execute(
            select(Feedback.kind, Feedback.category, Feedback.status, Feedback.text)
            .where(Feedback.contact_id.is_(None))
            .order_by(Feedback.id)
        ).all()
        assert [(k, c, st, t) for k, c, st, t in kept] == [
            ("complaint", "sarpras", "received", ""),
            ("suggestion", None, "received", ""),
        ]
        poll_id = s.scalar(select(PollAnswer.poll_id))
        results = poll_results(s, poll_id, cost_per_segment=0)
        assert [o["count"] for o in results["options"]] == [1, 0]
        assert results["by_kecamatan"] == {"Marbau": {"Setuju": 1}}
        erased = s.scalar(select(Contact).where(Contact.phone == number_hash(PHONE, KEY.encode())))
        assert erased is not None and erased.erased_at is not None
        assert erased.opted_out_at is not None and not erased.subscribed
        assert (erased.kecamatan, erased.role, erased.consent_version) == (None, None, None)
    assert count(rt, Rsvp) == 1 and count(rt, SkmResponse, SkmResponse.contact_id.is_(None)) == 1
    assert count(rt, ConsentEvent) == consent_before + 1  # HAPUS withdrew consent
    assert count(rt, OutboundMessage, OutboundMessage.not_before.is_not(None)) == 1
    assert count(rt, OutboundMessage, OutboundMessage.status == "cancelled") == 1  # the reminder

    # The other citizen is untouched.
    assert cells_holding(rt, "orang lain") and cells_holding(rt, "81399998888")
    assert rt.redis.exists(f"ussd:lang:{OTHER}")


def test_a_lost_enqueue_is_picked_up_by_the_sweeper(gateway):
    client, rt, _ = gateway
    sms(client, "LAPOR atap bocor")
    sms(client, "HAPUS")
    rt.redis.flushdb()  # the erasure job (and the sends) lost
    sweep()
    run_jobs(rt.redis)
    with rt.sessions() as s:
        assert s.scalar(select(DataRequest.status).where(DataRequest.kind == "erasure")) == "done"
        assert s.scalar(select(Feedback.text)) == ""


def test_the_job_runs_once_and_a_later_erasure_of_the_same_number_still_works(gateway):
    client, rt, fake = gateway
    sms(client, "LAPOR pertama")
    sms(client, "HAPUS")
    run_jobs(rt.redis)
    first = count(rt, OutboundMessage)
    with rt.sessions() as s:
        request_id = s.scalar(select(DataRequest.id).where(DataRequest.kind == "erasure"))
    assert carry_out_erasure(request_id).startswith("skipped")
    assert count(rt, OutboundMessage) == first  # no second confirmation
    sms(client, "LAPOR kedua")  # the number comes back: a new contact
    sms(client, "HAPUS")
    run_jobs(rt.redis)
    deliver_all(client, fake)
    sweep()
    assert count(rt, DataRequest, DataRequest.status == "done") == 2
    assert cells_holding(rt, DIGITS) == []
    with rt.sessions() as s:
        phones = list(s.scalars(select(Contact.phone).order_by(Contact.id)))
    assert phones[0] == number_hash(PHONE, KEY.encode())  # the hash stays on the first row
    assert phones[1].startswith("~")


def test_an_sms_that_never_settles_loses_the_number_after_the_grace(gateway):
    client, rt, _ = gateway
    sms(client, "HAPUS")
    run_jobs(rt.redis)
    sweep()
    assert cells_holding(rt, DIGITS)  # sent, no delivery report yet: kept for it
    with rt.sessions.begin() as s:
        old = datetime.now(UTC) - timedelta(hours=25)
        s.execute(update(OutboundMessage).values(created_at=old))
    sweep()
    assert cells_holding(rt, DIGITS) == []


def test_data_answers_with_the_data_held_by_category(gateway):
    client, rt, _ = gateway
    sms(client, "DAFTAR Marbau guru")
    sms(client, "LAPOR atap bocor")
    Dial(client, "ATUid_d", phone=PHONE).press("2", "Usul", "1")
    Dial(client, "ATUid_d", phone=PHONE).drop("Success")
    sms(client, "DATA")
    with rt.sessions() as s:
        answer = s.scalar(select(OutboundMessage.text).order_by(OutboundMessage.id.desc()))
    assert answer is not None
    for part in [
        "+6281******890",
        "bahasa Indonesia",
        "kec Marbau",
        "peran guru",
        "info SMS ya",
        "izin PDP-2026-1",
        "SMS",
        f"1 laporan (terakhir {wib.day(datetime.now(UTC))})",
        "3 SMS masuk",
        "1 sesi USSD",
        "HAPUS",
    ]:
        assert part in answer, (part, answer)
    assert PHONE not in answer


def test_staff_admins_see_the_data_requests_and_their_state(gateway):
    client, rt, _ = gateway
    with rt.sessions.begin() as s:
        s.add(StaffUser(name="admin", role="admin", token_hash=hash_token("admin-token")))
        s.add(StaffUser(name="officer", role="officer", token_hash=hash_token("officer-token")))
    sms(client, "DATA")
    sms(client, "HAPUS")
    admin = {"Authorization": "Bearer admin-token"}
    listed = client.get("/api/v1/data-requests", headers=admin)
    assert listed.status_code == 200
    items = listed.json["items"]
    assert [(i["kind"], i["status"]) for i in items] == [("erasure", "open"), ("access", "done")]
    assert items[0]["done_at"] is None and items[0]["due_at"] and not items[0]["overdue"]
    assert set(items[0]) == {"id", "kind", "status", "created_at", "due_at", "done_at", "overdue"}
    run_jobs(rt.redis)
    done = client.get("/api/v1/data-requests?status=done", headers=admin).json["items"]
    assert [(i["kind"], bool(i["done_at"])) for i in done] == [("erasure", True), ("access", True)]
    officer = {"Authorization": "Bearer officer-token"}
    assert client.get("/api/v1/data-requests", headers=officer).status_code == 403
    bad = client.get("/api/v1/data-requests?status=nope", headers=admin)
    assert bad.status_code == 400 and "status" in bad.json["errors"]
