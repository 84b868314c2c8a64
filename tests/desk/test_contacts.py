"""The contacts pages: find a citizen by number however it is typed, and the citizen's page
(number as the role may see it, reports without the anonymous ones for non-admins, the
consent history in order, poll answers, RSVPs, data requests), every view audited."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from gateway.citizens.erasure import number_hash
from gateway.common.phone import mask
from gateway.models import AuditEntry, Contact, Feedback
from tests.conftest import run_jobs
from tests.desk.people_helpers import BUDGET, weight
from tests.desk_helpers import ROLES
from tests.integration.ussd_helpers import add_consultation, add_poll_sent_to

pytestmark = pytest.mark.integration

SMS = "/webhooks/africastalking/sms"
PHONE = "+6281234567890"
MASKED = mask(PHONE)  # +6281******890
_ids = itertools.count(1)


def sms(client, rt, text: str, sender: str = PHONE) -> None:
    """A citizen's SMS as Africa's Talking posts it, handled the way the workers would."""
    form = {"from": sender, "to": "1708", "text": text, "id": f"people-{next(_ids)}"}
    assert client.post(SMS, data=form).status_code == 200
    run_jobs(rt.redis)


def contact_id(rt, phone: str = PHONE) -> int:
    with rt.sessions() as s:
        found = s.scalar(select(Contact.id).where(Contact.phone == phone))
        assert found is not None
        return found


def tickets(rt) -> list[str]:
    with rt.sessions() as s:
        return list(s.scalars(select(Feedback.ticket).order_by(Feedback.id)))


def english(client) -> None:
    with client.session_transaction() as session:
        session["lang"] = "en"


def page_of(client, rt, phone: str = PHONE) -> str:
    response = client.get(f"/staff/contacts/{contact_id(rt, phone)}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def table_rows(html: str, heading: str) -> list[str]:
    """The text of each body row of the table under ``<h2>heading</h2>``."""
    section = html.split(f"<h2>{heading}</h2>", 1)[1].split("<h2>", 1)[0]
    body = section.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in rows]


# --- who may look -----------------------------------------------------------------------------


def test_signed_out_goes_to_the_login(desk, client, rt):
    sms(client, rt, "LAPOR atap SDN 5 Marbau bocor")
    for url in ("/staff/contacts", f"/staff/contacts?phone={PHONE}", "/staff/contacts/1"):
        response = desk(None).get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/staff/login")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_finds_a_citizen_and_sees_the_search_form(desk, client, rt, role):
    sms(client, rt, "LAPOR atap SDN 5 Marbau bocor")
    browser = desk(role)
    html = browser.get("/staff/contacts").get_data(as_text=True)
    assert 'name="phone"' in html and 'method="get"' in html
    assert '<a href="/staff/contacts"' in html  # the menu entry
    response = browser.get("/staff/contacts", query_string={"phone": "0812-3456-7890"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/staff/contacts/{contact_id(rt)}"


@pytest.mark.parametrize(
    "typed",
    ["0812-3456-7890", "+62 812 3456 7890", "6281234567890", "081234567890", "+62-812-3456-7890"],
)
def test_a_number_is_found_however_it_is_typed(desk, client, rt, typed):
    sms(client, rt, "DAFTAR Marbau guru")
    response = desk("officer").get("/staff/contacts", query_string={"phone": typed})
    assert response.headers["Location"] == f"/staff/contacts/{contact_id(rt)}"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0812-abc", "Enter a phone number like 0812 3456 7890."),
        ("12", "Enter a phone number like 0812 3456 7890."),
        ("", "Enter the citizen's phone number."),
    ],
)
def test_a_bad_number_is_named_beside_the_field_and_kept(desk, typed, message):
    browser = desk("officer")
    english(browser)
    response = browser.get("/staff/contacts", query_string={"phone": typed})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="#phone"' in html  # the error summary links to the field
    assert f'<small class="error" id="phone-error">{message}</small>' in html
    assert 'aria-invalid="true"' in html
    assert f'value="{typed}"' in html


def test_a_bad_number_is_explained_in_indonesian_by_default(desk):
    html = desk("viewer").get("/staff/contacts?phone=0812-abc").get_data(as_text=True)
    assert "Masukkan nomor telepon seperti 0812 3456 7890." in html


def test_an_unknown_number_says_so(desk, client, rt):
    browser = desk("officer")
    english(browser)
    response = browser.get("/staff/contacts", query_string={"phone": "0813 9999 8888"})
    assert response.status_code == 200
    assert "No citizen has used Suara from this number." in response.get_data(as_text=True)


def test_an_unknown_contact_page_is_404(desk):
    assert desk("admin").get("/staff/contacts/999").status_code == 404


# --- the number as the role may see it --------------------------------------------------------


@pytest.mark.parametrize(("role", "shown"), [("admin", PHONE), ("officer", PHONE)])
def test_admins_and_officers_see_the_whole_number(desk, client, rt, role, shown):
    sms(client, rt, "LAPOR atap SDN 5 Marbau bocor")
    html = page_of(desk(role), rt)
    assert f'<span class="phone">{shown}</span>' in html


def test_a_viewer_sees_the_number_masked_even_after_searching_by_the_whole_number(desk, client, rt):
    sms(client, rt, "LAPOR atap SDN 5 Marbau bocor")
    viewer = desk("viewer")
    found = viewer.get("/staff/contacts", query_string={"phone": PHONE})
    html = viewer.get(found.headers["Location"]).get_data(as_text=True)
    assert MASKED in html
    assert PHONE not in html and "81234567890" not in html and "3456" not in html


# --- reports: the anonymous ones for admins only ----------------------------------------------


def test_anonymous_reports_are_listed_for_admins_only(desk, client, rt):
    sms(client, rt, "LAPOR atap SDN 5 Marbau bocor")
    sms(client, rt, "LAPOR kepala sekolah minta uang")
    open_one, secret_one = tickets(rt)
    with rt.sessions.begin() as s:
        s.execute(update(Feedback).where(Feedback.ticket == secret_one).values(anonymous=True))
    for role in ("officer", "viewer"):
        html = page_of(desk(role), rt)
        assert f'href="/staff/reports/{open_one}"' in html
        assert secret_one not in html, role
        assert "anonymous" not in html.lower() and "anonim" not in html.lower()
    admin = desk("admin")
    english(admin)
    html = page_of(admin, rt)
    assert f'href="/staff/reports/{open_one}"' in html
    assert f'href="/staff/reports/{secret_one}"' in html
    assert '<span class="badge anon">anonymous</span>' in html
    with rt.sessions() as s:
        seen = s.execute(
            select(AuditEntry.actor, AuditEntry.target, AuditEntry.detail).where(
                AuditEntry.action == "view_anonymous"
            )
        ).all()
    assert seen == [("admin.disdik", secret_one, {"via": "contact"})]


def test_reports_show_kind_status_and_date(desk, client, rt):
    sms(client, rt, "LAPOR atap SDN 5 Marbau bocor")
    sms(client, rt, "TANYA kapan SPMB dibuka")
    officer = desk("officer")
    english(officer)
    rows = table_rows(page_of(officer, rt), "Reports")
    report, question = tickets(rt)
    assert rows[0].startswith(f"{question} Question (SMS) Received")  # newest first
    assert rows[1].startswith(f"{report} Report (SMS) Received")
    assert all(re.search(r"\d\d-\d\d-\d{4} \d\d:\d\d WIB$", row) for row in rows)


# --- consent history and the profile ----------------------------------------------------------


def test_the_consent_history_follows_daftar_stop_and_mulai_in_order(desk, client, rt):
    sms(client, rt, "DAFTAR Marbau guru")
    sms(client, rt, "STOP")
    sms(client, rt, "MULAI")
    sms(client, rt, "UNREG")
    officer = desk("officer")
    english(officer)
    html = page_of(officer, rt)
    rows = table_rows(html, "Consent history")
    assert [row.split(" WIB ", 1)[1] for row in rows] == [
        'Agreed to info SMS SMS PDP-2026-1 SMS no. 1: "DAFTAR Marbau guru"'.replace('"', ""),
        "Withdrew consent SMS PDP-2026-1 SMS no. 2: STOP",
        "Agreed to info SMS SMS PDP-2026-1 SMS no. 3: MULAI",
        "Withdrew consent SMS PDP-2026-1 SMS no. 4: UNREG",
    ]
    assert '<q class="citizen">DAFTAR Marbau guru</q>' in html
    assert re.search(r"Opted out</th><td>\s*<strong>Yes, since \d\d-\d\d-\d{4}", html)
    assert "Not subscribed" in html
    assert re.search(r"Kecamatan</th><td>Marbau</td>", html)
    assert re.search(r"Role</th><td>teacher</td>", html)


def test_a_subscribed_contact_shows_the_standing_consent(desk, client, rt):
    sms(client, rt, "DAFTAR Aek Kuo ortu")
    viewer = desk("viewer")
    english(viewer)
    html = page_of(viewer, rt)
    assert re.search(r"Subscribed since \d\d-\d\d-\d{4} \d\d:\d\d WIB", html)
    assert "(consent PDP-2026-1 by SMS)" in html
    assert re.search(r"Opted out</th><td>\s*No", html)
    assert re.search(r"Role</th><td>parent or guardian</td>", html)
    assert re.search(r"Provider blacklist</th><td>\s*No", html)


def test_a_provider_blacklist_is_shown(desk, client, rt):
    sms(client, rt, "DAFTAR Marbau guru")
    with rt.sessions.begin() as s:
        s.execute(
            update(Contact)
            .where(Contact.phone == PHONE)
            .values(provider_blacklisted_at=datetime(2026, 3, 1, 3, 0, tzinfo=UTC))
        )
    officer = desk("officer")
    english(officer)
    assert "Blocked by the provider since 01-03-2026 10:00 WIB" in page_of(officer, rt)


def test_poll_answers_rsvps_and_data_requests_are_listed(desk, client, rt):
    sms(client, rt, "DAFTAR Marbau guru")
    add_poll_sent_to(rt)
    sms(client, rt, "1")
    add_consultation(rt, code="K25", days=10)
    sms(client, rt, "HADIR K25")
    sms(client, rt, "DATA")
    officer = desk("officer")
    english(officer)
    html = page_of(officer, rt)
    (poll,) = table_rows(html, "Poll answers")
    assert poll.startswith("Setujukah jam masuk SD 07.30? Setuju (SMS)")
    (meeting,) = table_rows(html, "Meetings (RSVP)")
    assert meeting.startswith("Rancangan juknis SPMB (K25)")
    (request,) = table_rows(html, "Data requests")
    assert request.startswith("1 Access (DATA) Done")
    assert 'href="/staff/data-requests' not in html  # the list is the admin's
    assert 'href="/staff/data-requests#r-1"' in page_of(desk("admin"), rt)


# --- audit --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_view_of_a_contact_is_audited(desk, client, rt, role):
    sms(client, rt, "LAPOR atap SDN 5 Marbau bocor")
    browser = desk(role)
    page_of(browser, rt)
    page_of(browser, rt)
    with rt.sessions() as s:
        entries = s.execute(
            select(AuditEntry.actor, AuditEntry.target).where(AuditEntry.action == "view_contact")
        ).all()
    assert entries == [(f"{role}.disdik", str(contact_id(rt)))] * 2


def test_a_search_alone_is_not_a_view(desk, client, rt):
    sms(client, rt, "LAPOR atap SDN 5 Marbau bocor")
    desk("officer").get("/staff/contacts", query_string={"phone": PHONE})
    with rt.sessions() as s:
        assert not s.scalar(select(AuditEntry.id).where(AuditEntry.action == "view_contact"))


# --- erased contacts ----------------------------------------------------------------------------


def test_an_erased_contact_shows_erased_never_its_hash_and_cannot_be_found(desk, client, rt):
    sms(client, rt, "DAFTAR Marbau guru")
    sms(client, rt, "LAPOR atap SDN 5 Marbau bocor")
    cid = contact_id(rt)
    sms(client, rt, "HAPUS")  # the erasure job runs with the other jobs
    with rt.sessions() as s:
        stored = s.scalar(select(Contact.phone).where(Contact.id == cid))
    assert stored == number_hash(PHONE, rt.settings.erasure_key)
    admin = desk("admin")
    english(admin)
    html = admin.get(f"/staff/contacts/{cid}").get_data(as_text=True)
    assert "<h1>Erased contact</h1>" in html
    assert re.search(r"Number</th><td>erased</td>", html)
    assert re.search(r"Language</th><td>-</td>", html)  # the profile went with the number
    assert re.search(r"Kecamatan</th><td>-</td>", html)
    assert stored not in html and PHONE not in html and MASKED not in html
    rows = table_rows(html, "Consent history")  # kept: the record of processing
    assert len(rows) == 2
    assert "Agreed to info SMS" in rows[0] and "Withdrew consent" in rows[1]
    assert "Reports" in html and "No reports." in html  # their link to the number is gone
    found = admin.get("/staff/contacts", query_string={"phone": PHONE})
    assert found.status_code == 200
    assert "No citizen has used Suara from this number." in found.get_data(as_text=True)


# --- hostile text --------------------------------------------------------------------------------


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_citizen_text_is_escaped(desk, client, rt):
    sms(client, rt, f"DAFTAR {XSS}")
    sms(client, rt, f"STOP {XSS}"[:60])
    html = page_of(desk("admin"), rt)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


# --- weight ---------------------------------------------------------------------------------------


def test_the_fullest_contact_page_stays_within_100_kb(desk, client, rt):
    from gateway.models import (
        ConsentEvent,
        Consultation,
        DataRequest,
        InboundMessage,
        Poll,
        PollAnswer,
        PollOption,
        Rsvp,
    )

    sms(client, rt, "DAFTAR Marbau guru")
    cid = contact_id(rt)
    now = datetime.now(UTC)
    long_text = "DAFTAR " + "kata panjang " * 12
    with rt.sessions.begin() as s:
        for i in range(60):
            s.add(
                Feedback(
                    ticket=f"T{i:06d}",
                    kind="complaint",
                    channel="sms",
                    contact_id=cid,
                    anonymous=i % 2 == 0,
                    text="x",
                )
            )
            inbound = InboundMessage(
                provider="at",
                provider_message_id=f"w{i}",
                sender=PHONE,
                text=long_text,
                received_at=now,
                raw={},
                contact_id=cid,
            )
            s.add(inbound)
            s.flush()
            s.add(
                ConsentEvent(
                    contact_id=cid,
                    action="grant" if i % 2 else "withdraw",
                    channel="sms",
                    consent_version="PDP-2026-1",
                    at=now,
                    inbound_message_id=inbound.id,
                )
            )
            poll = Poll(question="Setujukah " + "jam masuk sekolah " * 8, status="sent")
            meeting = Consultation(
                code=f"K{i}", title="Rancangan juknis SPMB " * 4, place="Aula", starts_at=now
            )
            s.add_all([poll, meeting])
            s.flush()
            option = PollOption(poll_id=poll.id, position=1, label="Setuju sekali")
            s.add(option)
            s.flush()
            s.add(PollAnswer(poll_id=poll.id, contact_id=cid, option_id=option.id, channel="sms"))
            s.add(Rsvp(consultation_id=meeting.id, contact_id=cid, channel="sms"))
            s.add(DataRequest(contact_id=cid, kind="access", status="done", due_at=now))
    admin = desk("admin")
    html = admin.get(f"/staff/contacts/{cid}").get_data(as_text=True)
    assert html.count("/staff/reports/T") == 50 and html.count('<span class="muted">(K') == 20
    assert weight(html) <= BUDGET, weight(html)
