"""The data-requests page (admins only): DATA and HAPUS requests made by SMS, newest first,
with the 3 x 24 hour clock, their state and what was done (the SMS each caused and its
delivery state, the erasure and what it kept); the same rows as the API's list. Against a
real database, Redis, the SDK and a fake Africa's Talking."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, update

from gateway.models import Contact, DataRequest, InboundMessage, OutboundMessage
from tests.conftest import run_jobs
from tests.desk.people_helpers import BUDGET, weight
from tests.desk_helpers import ROLES
from tests.outbox_helpers import at_settings, callback_client
from workers.sweeper import sweep

pytestmark = pytest.mark.integration

SMS = "/webhooks/africastalking/sms"
DELIVERY = "/webhooks/africastalking/sms/delivery"
PAGE = "/staff/data-requests"
PHONE = "+6281234567890"
OTHER = "+6281399998888"
_ids = itertools.count(1)


@pytest.fixture
def app(make_app, settings, httpserver, fake_at):
    """The desk with Africa's Talking pointed at the fake (SMS really go, and come back with
    delivery reports)."""
    built = make_app(
        at_settings(settings, httpserver.url_for("/version1"), erasure_salt="salt-for-tests")
    )
    callback_client(built)  # every client calls the webhooks with the token
    return built


def sms(client, rt, text: str, sender: str = PHONE, *, jobs: bool = True) -> None:
    form = {"from": sender, "to": "1708", "text": text, "id": f"rights-{next(_ids)}"}
    assert client.post(SMS, data=form).status_code == 200
    if jobs:
        run_jobs(rt.redis)


def deliver_all(client, fake) -> None:
    for form in fake.delivery_reports():
        assert client.post(DELIVERY, data=form).status_code == 200
    fake.accepted.clear()


def english(client) -> None:
    with client.session_transaction() as session:
        session["lang"] = "en"


def admin_page(desk, query: str = "") -> str:
    admin = desk("admin")
    english(admin)
    response = admin.get(PAGE + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def articles(html: str) -> dict[int, str]:
    """Each request's card, by request number, as plain text."""
    found = re.findall(r'<article id="r-(\d+)"[^>]*>(.*?)</article>', html, re.S)
    return {int(n): re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip() for n, body in found}


def request_ids(rt) -> list[int]:
    with rt.sessions() as s:
        return list(s.scalars(select(DataRequest.id).order_by(DataRequest.id)))


# --- who may look -----------------------------------------------------------------------------


def test_signed_out_goes_to_the_login(desk):
    response = desk(None).get(PAGE)
    assert response.status_code == 302 and response.headers["Location"].startswith("/staff/login")


@pytest.mark.parametrize("role", ROLES)
def test_admins_only(desk, role):
    response = desk(role).get(PAGE)
    assert response.status_code == (200 if role == "admin" else 403)
    menu = desk(role).get("/staff/").get_data(as_text=True)
    assert ('href="/staff/data-requests"' in menu) == (role == "admin")


def test_an_empty_list_says_so(desk):
    html = admin_page(desk)
    assert "No data requests." in html
    assert re.search(r"Open <strong>0</strong>", html)


# --- DATA ---------------------------------------------------------------------------------------


def test_a_data_request_by_sms_shows_done_at_once_and_its_answer_delivered(
    desk, client, rt, fake_at
):
    sms(client, rt, "DATA")
    (request,) = request_ids(rt)
    card = articles(admin_page(desk))[request]
    assert card.startswith(f"No. {request} · Access (DATA) done within the hour")
    assert re.search(r"State Done, \d\d-\d\d-\d{4} \d\d:\d\d WIB", card)
    assert "Answer SMS: sent, no delivery report yet" in card  # the fake took it
    deliver_all(client, fake_at)
    card = articles(admin_page(desk))[request]
    assert re.search(r"Answer SMS: delivered \d\d-\d\d-\d{4} \d\d:\d\d WIB", card)


def test_each_data_request_finds_its_own_answer(desk, client, rt, fake_at):
    sms(client, rt, "DATA")
    deliver_all(client, fake_at)
    fake_at.statuses[PHONE] = (406, "UserInBlacklist")
    sms(client, rt, "DATA")
    first, second = request_ids(rt)
    html = admin_page(desk)
    cards = articles(html)
    assert "Answer SMS: delivered" in cards[first]
    assert '<strong class="error">failed</strong> (UserInBlacklist)' in html
    assert "Answer SMS: failed (UserInBlacklist)" in cards[second]
    assert list(cards) == [second, first]  # newest first


def test_a_failed_answer_shows_the_reason_escaped(desk, client, rt):
    sms(client, rt, "DATA")
    with rt.sessions.begin() as s:
        s.execute(update(OutboundMessage).values(status="failed", failure_reason="<b>x</b>"))
    html = admin_page(desk)
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert '<strong class="error">failed</strong>' in html


# --- HAPUS --------------------------------------------------------------------------------------


def test_a_hapus_request_is_open_with_its_clock_then_done_with_what_was_kept(
    desk, client, rt, fake_at
):
    sms(client, rt, "DAFTAR Marbau guru")
    sms(client, rt, "HAPUS", jobs=False)  # the erasure job waits in the queue
    (request,) = request_ids(rt)
    html = admin_page(desk)
    card = articles(html)[request]
    assert card.startswith(f"No. {request} · Erasure (HAPUS) 71 h left")
    assert "State Open" in card
    assert re.search(r"Info SMS stopped at once, \d\d-\d\d-\d{4} \d\d:\d\d WIB \(by SMS\)", card)
    assert "Acknowledgement SMS: waiting to be sent" in card
    assert "Erasure not carried out yet" in card
    assert re.search(r"Open <strong>1</strong>", html)

    run_jobs(rt.redis)  # the erasure, the acknowledgement and the confirmation go
    deliver_all(client, fake_at)
    sweep()  # the confirmation settled: its number and text are erased too
    with rt.sessions() as s:
        assert s.scalar(select(OutboundMessage.to).where(OutboundMessage.to == PHONE)) is None
    card = articles(admin_page(desk))[request]
    assert card.startswith(f"No. {request} · Erasure (HAPUS) done within the hour")
    assert re.search(r"State Done, \d\d-\d\d-\d{4}", card)
    assert "(erased)" in card
    assert re.search(r"Acknowledgement SMS: delivered \d\d-\d\d-\d{4}", card)
    assert re.search(r"Erased \d\d-\d\d-\d{4} \d\d:\d\d WIB: the number", card)
    assert re.search(r"Confirmation SMS: delivered \d\d-\d\d-\d{4}", card)
    assert "the consent history (2 entries) and the data requests (1)" in card


def test_overdue_and_late_requests_are_marked(desk, client, rt):
    sms(client, rt, "DATA", sender=OTHER)
    sms(client, rt, "HAPUS", jobs=False)
    late_done, late_open = request_ids(rt)
    now = datetime.now(UTC)
    with rt.sessions.begin() as s:
        s.execute(
            update(DataRequest)
            .where(DataRequest.id == late_open)
            .values(due_at=now - timedelta(hours=4, minutes=30))
        )
        s.execute(
            update(DataRequest)
            .where(DataRequest.id == late_done)
            .values(done_at=now, due_at=now - timedelta(hours=2, minutes=30))
        )
    html = admin_page(desk)
    cards = articles(html)
    assert f'<article id="r-{late_open}" class="request is-overdue">' in html
    assert "overdue by 5 h" in cards[late_open]
    assert '<span class="badge overdue">overdue by 5 h</span>' in html
    assert "done 3 h late" in cards[late_done]
    assert re.search(r'<li class="overdue">Overdue <strong>1</strong>', html)


# --- the list: filter, pages, the API -----------------------------------------------------------


def test_filter_by_state(desk, client, rt):
    sms(client, rt, "DATA")
    sms(client, rt, "HAPUS", sender=OTHER, jobs=False)
    done, open_ = request_ids(rt)
    assert set(articles(admin_page(desk, "?status=open"))) == {open_}
    assert set(articles(admin_page(desk, "?status=done"))) == {done}
    assert set(articles(admin_page(desk, "?status="))) == {done, open_}
    html = admin_page(desk, "?status=nonsense")
    assert '<small class="error" id="status-error">Choose a state from the list.</small>' in html
    assert set(articles(html)) == {done, open_}


def test_the_page_and_the_api_list_the_same_requests(desk, client, rt, staff):
    sms(client, rt, "DATA")
    sms(client, rt, "DATA", sender=OTHER)
    sms(client, rt, "HAPUS", sender=OTHER, jobs=False)
    with rt.sessions.begin() as s:
        s.execute(
            update(DataRequest)
            .where(DataRequest.kind == "erasure")
            .values(due_at=datetime.now(UTC) - timedelta(hours=1))
        )
    html = admin_page(desk)
    api = client.get("/api/v1/data-requests", headers={"Authorization": f"Bearer {staff['admin']}"})
    items = api.get_json()["items"]
    assert [item["id"] for item in items] == list(articles(html))
    overdue = {
        int(n) for n in re.findall(r'<article id="r-(\d+)" class="request is-overdue">', html)
    }
    assert overdue == {item["id"] for item in items if item["overdue"]} == {max(request_ids(rt))}
    for status in ("open", "done"):
        api = client.get(
            f"/api/v1/data-requests?status={status}",
            headers={"Authorization": f"Bearer {staff['admin']}"},
        )
        ids = [item["id"] for item in api.get_json()["items"]]
        assert ids == list(articles(admin_page(desk, f"?status={status}")))


def test_older_requests_are_on_the_next_page(desk, client, rt):
    sms(client, rt, "DAFTAR Marbau guru")
    with rt.sessions.begin() as s:
        contact = s.scalar(select(Contact.id))
        now = datetime.now(UTC)
        s.execute(
            insert(DataRequest),
            [
                {
                    "contact_id": contact,
                    "kind": "access",
                    "status": "done",
                    "due_at": now,
                    "done_at": now,
                }
                for _ in range(55)
            ],
        )
    ids = request_ids(rt)
    html = admin_page(desk)
    first = list(articles(html))
    assert first == ids[::-1][:30]
    older = re.search(
        r'<a href="(/staff/data-requests\?[^"]*before=\d+[^"]*)">Older requests</a>', html
    )
    assert older
    admin = desk("admin")
    english(admin)
    rest = admin.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert list(articles(rest)) == ids[::-1][30:]
    assert "Older requests" not in rest


def test_the_page_is_in_indonesian_by_default(desk):
    html = desk("admin").get(PAGE).get_data(as_text=True)
    assert "<h1>Permintaan data</h1>" in html


def test_no_number_is_shown_only_a_link_to_the_contact(desk, client, rt):
    sms(client, rt, "DATA")
    html = admin_page(desk)
    with rt.sessions() as s:
        contact = s.scalar(select(Contact.id))
        assert s.scalar(select(InboundMessage.command)) == "data"
    assert PHONE not in html and "81234567890" not in html
    assert f'href="/staff/contacts/{contact}"' in html


def test_a_full_page_of_done_erasures_stays_within_100_kb(desk, client, rt, fake_at):
    for i in range(3):
        sms(client, rt, "DAFTAR Marbau guru", sender=f"+62812000000{i:02d}")
        sms(client, rt, "HAPUS", sender=f"+62812000000{i:02d}")
    with rt.sessions.begin() as s:
        rows = s.scalars(select(DataRequest)).all()
        now = datetime.now(UTC)
        s.execute(
            insert(DataRequest),
            [
                {
                    "contact_id": rows[i % 3].contact_id,
                    "kind": "erasure",
                    "status": "done",
                    "due_at": now - timedelta(hours=i),
                    "done_at": now,
                }
                for i in range(60)
            ],
        )
    admin = desk("admin")
    html = admin.get(PAGE).get_data(as_text=True)
    assert len(articles(html)) == 30
    assert weight(html) <= BUDGET, weight(html)
