"""One report's page: every role and the signed-out, the whole thread (SMS- and USSD-filed
reports, replies, status changes with their SMS and delivery state), the five actions with
their SMS, field errors and audit entries, anonymous numbers, escaped citizen text, and the
JSON API's equivalent actions audited too."""

from __future__ import annotations

import html as html_lib
import itertools
import re

import pytest
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select

from gateway.common.phone import mask
from gateway.common.tickets import check_digit
from gateway.models import AuditEntry, Feedback, FeedbackEvent, OutboundMessage, StaffUser
from tests.conftest import run_jobs
from tests.desk_helpers import csrf_token, fresh_token, post_form
from tests.integration.ussd_helpers import Dial
from tests.outbox_helpers import WEBHOOK_TOKEN, at_settings

pytestmark = pytest.mark.integration

SMS = "/webhooks/africastalking/sms"
DLR = "/webhooks/africastalking/sms/delivery"
PHONE = "+6281234567890"
FORMS = ("reply", "status", "assign", "note", "retag")
GOOD = {
    "reply": {"text": "Tim kami sudah ke sekolah hari ini."},
    "status": {"status": "verified", "note": "", "notify": "y"},
    "assign": {"assigned_to": ""},
    "note": {"note": "Kepala sekolah sudah ditelepon."},
    "retag": {"category": "guru", "kecamatan": "Aek Kuo", "school": "SDN 112233"},
}
_ids = itertools.count(1)


def sms_report(client: FlaskClient, rt, text="LAPOR atap SDN 5 Marbau bocor", sender=PHONE):
    form = {"from": sender, "to": "1708", "text": text, "id": f"desk-{next(_ids)}"}
    assert client.post(SMS, data=form).status_code == 200
    with rt.sessions() as s:
        return s.scalar(select(Feedback.ticket).order_by(Feedback.id.desc()))


def ussd_report(client: FlaskClient, rt, session_id="ATUid_desk1", anonymous=False):
    school, text = "SDN 112233 Aek Kanopan", "Dana BOS dipotong kepala sekolah"
    body = Dial(client, session_id).press(
        "1", "5", "2", school, text, "2" if anonymous else "1", "1"
    )
    assert body.startswith("END "), body
    with rt.sessions() as s:
        return s.scalar(select(Feedback.ticket).order_by(Feedback.id.desc()))


def url(ticket: str, action: str | None = None) -> str:
    return f"/staff/reports/{ticket}" + (f"/{action}" if action else "")


def page(client: FlaskClient, ticket: str) -> str:
    response = client.get(url(ticket))
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def act(client: FlaskClient, ticket: str, action: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return post_form(client, url(ticket, action), data, page=url(ticket))


def form_html(html: str, form_id: str) -> str:
    found = re.search(rf'<form id="{form_id}".*?</form>', html, re.DOTALL)
    assert found, f"no form#{form_id}"
    return found.group(0)


def audit(rt, action: str | None = None) -> list[AuditEntry]:
    """The audit entries of ``action``, or every casework entry (the fixture's accounts,
    made through the CLI, are audited too and left out)."""
    with rt.sessions() as s:
        stmt = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            stmt = stmt.where(AuditEntry.action == action)
        else:
            stmt = stmt.where(AuditEntry.action != "staff_create")
        return list(s.scalars(stmt))


def outbox(rt) -> list[OutboundMessage]:
    with rt.sessions() as s:
        return list(s.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))


def feedback(rt, ticket: str) -> Feedback:
    with rt.sessions() as s:
        return s.scalar(select(Feedback).where(Feedback.ticket == ticket))


def staff_id(rt, name: str) -> int:
    with rt.sessions() as s:
        return s.scalar(select(StaffUser.id).where(StaffUser.name == name))


def text_of(html: str) -> str:
    """The page's visible words, roughly (tags out, entities decoded, spaces squeezed)."""
    body = html[html.index("<main>") :]
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def english(client: FlaskClient) -> None:
    client.post(
        "/staff/lang",
        data={"lang": "en", "next": "/staff/", "csrf_token": fresh_token(client, "/staff/")},
    )


# --- who may see and do what ---------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "officer", "viewer"])
def test_every_role_reads_the_report(desk, rt, role):
    client = desk(role)
    ticket = sms_report(client, rt)
    words = text_of(page(client, ticket))
    assert ticket in words and "LAPOR atap SDN 5 Marbau bocor" in words
    assert "Pengaduan" in words and "Sarana dan prasarana sekolah" in words and "Marbau" in words


def test_signed_out_is_sent_to_the_login(desk, rt):
    client = desk(None)
    ticket = sms_report(client, rt)
    response = client.get(url(ticket))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=")


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_editors_get_the_five_forms_with_the_contracted_fields(desk, rt, role):
    client = desk(role)
    ticket = sms_report(client, rt)
    html = page(client, ticket)
    for form_id in FORMS:
        form = form_html(html, form_id)
        assert 'method="post"' in form and 'name="csrf_token"' in form
        assert f'action="{url(ticket, form_id)}"' in form
    assert re.search(r'<textarea[^>]*name="text"', form_html(html, "reply"))
    assert 'type="submit"' in form_html(html, "reply")
    assert '<output id="reply-counter"' in form_html(html, "reply")
    assert re.search(r'<select[^>]*name="status"', form_html(html, "status"))
    assert re.search(r'<textarea[^>]*name="note"', form_html(html, "status"))
    assert re.search(r'<input[^>]*checked[^>]*name="notify"', form_html(html, "status"))
    assert re.search(r'<select[^>]*name="assigned_to"', form_html(html, "assign"))
    assert re.search(r'<textarea[^>]*name="note"', form_html(html, "note"))
    for name in ("category", "kecamatan"):
        assert re.search(rf'<select[^>]*name="{name}"', form_html(html, "retag"))
    assert re.search(r'<input[^>]*name="school"', form_html(html, "retag"))


def test_a_viewer_sees_no_action_form(desk, rt):
    client = desk("viewer")
    html = page(client, sms_report(client, rt))
    for form_id in FORMS:
        assert f'<form id="{form_id}"' not in html
    assert "hanya dapat membaca" in html


def test_a_viewers_posts_are_403_and_change_nothing(desk, rt):
    client = desk("viewer")
    ticket = sms_report(client, rt)
    before = (len(outbox(rt)), len(audit(rt)))
    for action in FORMS:
        assert act(client, ticket, action, GOOD[action]).status_code == 403, action
    assert (len(outbox(rt)), len(audit(rt))) == before
    assert feedback(rt, ticket).status == "received"


def test_signed_out_posts_go_to_the_login(desk, rt):
    client = desk(None)
    ticket = sms_report(client, rt)
    for action in FORMS:
        response = post_form(client, url(ticket, action), GOOD[action], page="/staff/login")
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    assert len(outbox(rt)) == 1  # the filing confirmation only
    assert audit(rt) == []


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_an_editors_posts_redirect_back_with_a_message_and_are_audited(desk, rt, role):
    client = desk(role)
    ticket = sms_report(client, rt)
    for action in FORMS:
        data = GOOD[action] | ({"me": "1"} if action == "assign" else {})
        response = act(client, ticket, action, data)
        assert response.status_code == 302 and response.headers["Location"] == url(ticket)
        html = client.get(url(ticket)).get_data(as_text=True)
        assert re.search(r'class="notice success" role="status">[^<]+<', html), action
    entries = [(e.action, e.target, e.actor, e.ip) for e in audit(rt) if e.action != "login"]
    assert entries == [(action, ticket, f"{role}.disdik", "127.0.0.1") for action in FORMS]


def test_posts_without_the_csrf_token_are_400(desk, rt):
    client = desk("officer")
    ticket = sms_report(client, rt)
    for action in FORMS:
        assert client.post(url(ticket, action), data=GOOD[action]).status_code == 400
    assert [e.action for e in audit(rt)] == ["login"]


def test_an_unknown_or_malformed_ticket_is_a_404_page(desk, rt):
    client = desk("officer")
    sms_report(client, rt)
    unknown = "123456" + check_digit("123456")  # well-formed, but nobody filed it
    for ticket in (unknown, "abc", "12345678901234", "%3Cscript%3E"):
        response = client.get(url(ticket))
        assert response.status_code == 404, ticket
        assert "Tidak ditemukan" in response.get_data(as_text=True)
        assert act(client, ticket, "note", GOOD["note"]).status_code == 404


# --- the thread ------------------------------------------------------------------------


def test_an_sms_report_shows_the_citizens_sms_and_the_confirmation(desk, rt):
    client = desk("officer")
    ticket = sms_report(client, rt, "LAPOR guru SDN 3 Aek Kuo sering tidak masuk")
    words = text_of(page(client, ticket))
    assert "SMS warga" in words and "LAPOR guru SDN 3 Aek Kuo sering tidak masuk" in words
    assert "Tercatat dengan status Diterima" in words
    assert f"No tiket {ticket}" in words and "Dalam antrean" in words  # the confirmation SMS


def test_a_ussd_report_shows_that_it_came_by_ussd_and_when(desk, rt):
    client = desk("officer")
    ticket = ussd_report(client, rt)
    words = text_of(page(client, ticket))
    assert "Warga melapor lewat USSD" in words and "Sesi USSD dimulai" in words
    assert "Dana BOS dipotong kepala sekolah" in words
    assert "SDN 112233 Aek Kanopan" in words and "Kualuh Leidong" in words
    assert "Dana BOS dan pungutan" in words and "USSD" in words


def test_the_thread_is_in_time_order_with_who_did_what(desk, rt):
    client = desk("officer")
    ticket = sms_report(client, rt)
    act(
        client,
        ticket,
        "status",
        {"status": "verified", "note": "Diteruskan ke bidang sarpras", "notify": "y"},
    )
    act(client, ticket, "note", {"note": "Sudah telepon kepala sekolah"})
    act(client, ticket, "reply", {"text": "Petugas kami datang Senin."})
    act(client, ticket, "assign", {"me": "1"})
    act(
        client,
        ticket,
        "retag",
        {"category": "sarpras", "kecamatan": "Marbau", "school": "SDN 5 Marbau"},
    )
    words = text_of(page(client, ticket))
    order = [
        "SMS warga",
        "Tercatat dengan status Diterima",
        "Status: Diterima → Diverifikasi oleh officer.disdik",
        "Diteruskan ke bidang sarpras",
        "Catatan internal dari officer.disdik internal, tidak dikirim",
        "Balasan SMS dari officer.disdik",
        f"Disdik Labura, tiket {ticket}: Petugas kami datang Senin.",
        "Diubah oleh officer.disdik",
        "Ditangani oleh: belum diisi → officer.disdik",
        "Sekolah: belum diisi → SDN 5 Marbau",
    ]
    positions = [words.find(part) for part in order]
    assert -1 not in positions, [p for p, at in zip(order, positions, strict=True) if at < 0]
    assert positions == sorted(positions)


def test_status_changes_show_their_sms_and_its_delivery_state(desk, rt):
    client = desk("officer")
    ticket = sms_report(client, rt)
    act(client, ticket, "status", GOOD["status"])
    words = text_of(page(client, ticket))
    assert "SMS status:" in words and f"{ticket}" in words and "diverifikasi" in words
    assert words.count("Dalam antrean") == 2  # confirmation and status SMS, both queued


def test_citizen_replies_are_in_the_thread(desk, rt):
    client = desk("officer")
    ticket = sms_report(client, rt)
    with rt.sessions.begin() as s:
        fb = s.scalar(select(Feedback).where(Feedback.ticket == ticket))
        s.add(FeedbackEvent(feedback_id=fb.id, kind="citizen_reply", note="Belum diperbaiki pak"))
    words = text_of(page(client, ticket))
    assert "Warga membalas lewat SMS Belum diperbaiki pak" in re.sub(
        r" \d\d-\d\d-\d{4} \d\d:\d\d WIB", "", words
    )


def test_an_sms_that_did_not_go_says_why(desk, rt):
    client = desk("officer")
    ticket = sms_report(client, rt)
    with rt.sessions.begin() as s:
        row = s.scalar(select(OutboundMessage))
        row.status, row.last_error = "unknown", "read timeout after the request left"
    words = text_of(page(client, ticket))
    assert "Belum pasti: jawaban penyedia SMS hilang" in words
    assert "Alasan: read timeout after the request left" in words


# --- the actions -----------------------------------------------------------------------


def test_reply_queues_one_sms_with_the_prefix_and_says_how_many_segments(desk, rt):
    client = desk("officer")
    ticket = sms_report(client, rt)
    response = act(client, ticket, "reply", {"text": "Tim kami sudah ke sekolah."})
    assert response.status_code == 302
    last = outbox(rt)[-1]
    assert (
        last.text == f"Disdik Labura, tiket {ticket}: Tim kami sudah ke sekolah."
        and last.to == PHONE
    )
    html = client.get(url(ticket)).get_data(as_text=True)
    assert "Balasan masuk antrean: 1 SMS (GSM-7) ke warga." in html
    assert "Teks diubah" not in html
    with rt.sessions() as s:
        event = s.scalar(select(FeedbackEvent).where(FeedbackEvent.kind == "reply"))
    assert event.outbound_id == last.id and event.note == "Tim kami sudah ke sekolah."


def test_reply_shows_the_prefix_the_citizen_will_see(desk, rt):
    client = desk("officer")
    ticket = sms_report(client, rt)
    reply = form_html(page(client, ticket), "reply")
    assert f"Disdik Labura, tiket {ticket}:" in reply
    assert f'data-prefix="Disdik Labura, tiket {ticket}:"' in reply


def test_a_reply_changed_to_fit_gsm7_says_so(desk, rt):
    client = desk("officer")
    ticket = sms_report(client, rt)
    act(client, ticket, "reply", {"text": "Terima kasih “Bapak” — tim sudah ke sekolah 🙏"})
    assert outbox(rt)[-1].text.endswith(': Terima kasih "Bapak" - tim sudah ke sekolah')
    html = client.get(url(ticket)).get_data(as_text=True)
    assert 'class="notice warning"' in html and "Teks diubah agar sesuai alfabet SMS GSM-7" in html


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Isi teks SMS."),
        ("🙏🙏", "Tidak ada yang tersisa"),
        ("x" * 400, "Terlalu panjang: 3 SMS. Balasan paling banyak 2 SMS"),
    ],
)
def test_a_bad_reply_is_shown_beside_the_field_and_kept(desk, rt, text, message):
    client = desk("officer")
    ticket = sms_report(client, rt)
    response = act(client, ticket, "reply", {"text": text})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    reply = form_html(html, "reply")
    assert re.search(rf'<small class="error" id="reply-text-error">{re.escape(message)}', reply)
    assert not text.strip() or f"\n{text}</textarea>" in reply  # what was typed is kept
    assert 'href="#reply-text"' in html  # the error summary links to the field
    assert len(outbox(rt)) == 1 and audit(rt, "reply") == []


def test_status_change_queues_the_status_sms(desk, rt):
    client = desk("officer")
    ticket = sms_report(client, rt)
    response = act(client, ticket, "status", {"status": "verified", "note": "", "notify": "y"})
    assert response.status_code == 302
    assert feedback(rt, ticket).status == "verified"
    last = outbox(rt)[-1]
    assert ticket in last.text and "diverifikasi" in last.text
    html = client.get(url(ticket)).get_data(as_text=True)
    assert "Status diubah menjadi Diverifikasi. SMS status masuk antrean." in html
    (entry,) = audit(rt, "status")
    assert entry.detail == {"from": "received", "to": "verified", "sms": 1}


def test_status_change_without_notify_sends_nothing(desk, rt):
    client = desk("officer")
    ticket = sms_report(client, rt)
    act(client, ticket, "status", {"status": "verified", "note": ""})  # the box unticked
    assert feedback(rt, ticket).status == "verified" and len(outbox(rt)) == 1
    assert "Tidak ada SMS dikirim, sesuai pilihan" in client.get(url(ticket)).get_data(as_text=True)


def test_only_the_allowed_next_statuses_are_offered(desk, rt):
    client = desk("officer")
    ticket = sms_report(client, rt)
    select_html = form_html(page(client, ticket), "status")
    assert re.findall(r'<option[^>]*value="(\w+)"', select_html) == ["verified", "rejected"]
    act(client, ticket, "status", {"status": "verified", "note": "", "notify": "y"})
    select_html = form_html(page(client, ticket), "status")
    assert re.findall(r'<option[^>]*value="(\w+)"', select_html) == [
        "in_progress",
        "resolved",
        "rejected",
    ]


def test_a_disallowed_transition_is_a_field_error(desk, rt):
    client = desk("officer")
    ticket = sms_report(client, rt)
    response = act(client, ticket, "status", {"status": "closed", "note": "selesai", "notify": "y"})
    assert response.status_code == 200
    status = form_html(response.get_data(as_text=True), "status")
    assert "Laporan berstatus Diterima tidak dapat menjadi Ditutup." in status
    assert "\nselesai</textarea>" in status
    assert feedback(rt, ticket).status == "received" and len(outbox(rt)) == 1
    assert audit(rt, "status") == []


def test_rejecting_needs_a_note_and_the_note_goes_in_the_sms(desk, rt):
    client = desk("officer")
    ticket = sms_report(client, rt)
    response = act(client, ticket, "status", {"status": "rejected", "note": "", "notify": "y"})
    assert "penolakan perlu catatan" in form_html(response.get_data(as_text=True), "status")
    note = "Jalan desa wewenang Dinas PUPR Labura."
    act(client, ticket, "status", {"status": "rejected", "note": note, "notify": "y"})
    assert feedback(rt, ticket).status == "rejected" and "Dinas PUPR" in outbox(rt)[-1].text
    assert "statusnya tidak dapat diubah lagi" in form_html(page(client, ticket), "status")


def test_a_note_is_kept_and_never_sent(desk, rt):
    client = desk("officer")
    ticket = sms_report(client, rt)
    before = outbox(rt)
    act(client, ticket, "note", {"note": "Kepala sekolah minta waktu seminggu."})
    run_jobs(rt.redis)
    assert len(outbox(rt)) == len(before)
    with rt.sessions() as s:
        event = s.scalar(select(FeedbackEvent).where(FeedbackEvent.kind == "note"))
    assert event.note == "Kepala sekolah minta waktu seminggu." and event.outbound_id is None
    assert "Catatan ditambahkan. Catatan tidak dikirim ke warga." in client.get(
        url(ticket)
    ).get_data(as_text=True)


def test_an_empty_note_is_a_field_error(desk, rt):
    client = desk("officer")
    ticket = sms_report(client, rt)
    response = act(client, ticket, "note", {"note": " "})
    assert "Isi catatan." in form_html(response.get_data(as_text=True), "note")
    assert audit(rt, "note") == []


def test_assign_to_someone_to_me_and_to_nobody(desk, rt):
    client = desk("admin")
    ticket = sms_report(client, rt)
    officer = staff_id(rt, "officer.disdik")
    options = form_html(page(client, ticket), "assign")
    assert re.findall(r"<option[^>]*>([^<]+)</option>", options) == [
        "Belum ada",
        "admin.disdik",
        "officer.disdik",
    ]
    act(client, ticket, "assign", {"assigned_to": str(officer)})
    assert feedback(rt, ticket).assigned_to_id == officer
    assert "Ditangani oleh officer.disdik." in client.get(url(ticket)).get_data(as_text=True)
    act(client, ticket, "assign", {"assigned_to": str(officer), "me": "1"})
    assert feedback(rt, ticket).assigned_to_id == staff_id(rt, "admin.disdik")
    act(client, ticket, "assign", {"assigned_to": ""})
    assert feedback(rt, ticket).assigned_to_id is None
    details = [(e.detail["from"], e.detail["to"]) for e in audit(rt, "assign")]
    assert details == [
        (None, officer),
        (officer, staff_id(rt, "admin.disdik")),
        (staff_id(rt, "admin.disdik"), None),
    ]


@pytest.mark.parametrize("value", ["viewer", "999", "abc"])
def test_assigning_someone_not_on_the_list_is_a_field_error(desk, rt, value):
    client = desk("officer")
    ticket = sms_report(client, rt)
    if value == "viewer":
        value = str(staff_id(rt, "viewer.disdik"))
    response = act(client, ticket, "assign", {"assigned_to": value})
    assert "Pilih petugas dari daftar." in form_html(response.get_data(as_text=True), "assign")
    assert feedback(rt, ticket).assigned_to_id is None and audit(rt, "assign") == []


def test_retag_corrects_the_tags_through_the_api_service(desk, rt):
    client = desk("officer")
    ticket = sms_report(client, rt)
    act(
        client,
        ticket,
        "retag",
        {"category": "guru", "kecamatan": "Aek Kuo", "school": " SDN 7 Aek Kuo "},
    )
    fb = feedback(rt, ticket)
    assert (fb.category, fb.kecamatan, fb.school) == ("guru", "Aek Kuo", "SDN 7 Aek Kuo")
    (entry,) = audit(rt, "retag")
    assert entry.detail == {
        "category": ["sarpras", "guru"],
        "kecamatan": ["Marbau", "Aek Kuo"],
        "school": [None, "SDN 7 Aek Kuo"],
    }
    words = text_of(page(client, ticket))
    assert "Kategori: Sarana dan prasarana sekolah → Guru dan tenaga kependidikan" in words
    act(
        client,
        ticket,
        "retag",
        {"category": "guru", "kecamatan": "Aek Kuo", "school": "SDN 7 Aek Kuo"},
    )
    assert len(audit(rt, "retag")) == 1  # nothing changed: nothing recorded


def test_a_bad_retag_is_a_field_error_that_keeps_the_input(desk, rt):
    client = desk("officer")
    ticket = sms_report(client, rt)
    response = act(
        client, ticket, "retag", {"category": "nope", "kecamatan": "Atlantis", "school": "SD Baru"}
    )
    retag = form_html(response.get_data(as_text=True), "retag")
    assert "Pilih kategori dari daftar." in retag and "Pilih kecamatan dari daftar." in retag
    assert 'value="SD Baru"' in retag
    assert feedback(rt, ticket).category == "sarpras" and audit(rt, "retag") == []


def test_a_nul_character_is_a_field_error_not_a_crash(desk, rt):
    client = desk("officer")
    ticket = sms_report(client, rt)
    response = act(client, ticket, "note", {"note": "sudah\x00"})
    assert response.status_code == 200
    assert "Hapus karakter NUL." in form_html(response.get_data(as_text=True), "note")


# --- anonymous reports and hostile text ----------------------------------------------------


def test_an_anonymous_number_is_hidden_from_officer_and_viewer_shown_to_admin_and_audited(desk, rt):
    ticket = ussd_report(desk(None), rt, anonymous=True)
    assert feedback(rt, ticket).anonymous
    for role in ("officer", "viewer"):
        html = page(desk(role), ticket)
        assert PHONE not in html and mask(PHONE) not in html
        assert "anonim" in text_of(html)
    assert audit(rt, "view_anonymous") == []
    admin = desk("admin")
    for _ in range(2):
        assert PHONE in page(admin, ticket)
    views = audit(rt, "view_anonymous")
    assert [(e.target, e.actor) for e in views] == [(ticket, "admin.disdik")] * 2


def test_a_viewer_sees_a_masked_number_and_an_officer_the_whole(desk, rt):
    ticket = sms_report(desk(None), rt)
    assert mask(PHONE) in page(desk("viewer"), ticket) and PHONE not in page(desk("viewer"), ticket)
    assert PHONE in page(desk("officer"), ticket)
    assert audit(rt, "view_anonymous") == []


XSS = [
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "{{ 7*7 }} ${7*7} &amp; &lt;b&gt;",
]


def test_citizen_and_staff_text_is_escaped_everywhere(desk, rt):
    client = desk("officer")
    payload = " ".join(XSS)
    ticket = sms_report(client, rt, f"LAPOR {payload} SDN 5 Marbau")
    ussd = ussd_report(client, rt, session_id="ATUid_xss")
    with rt.sessions.begin() as s:
        fb = s.scalar(select(Feedback).where(Feedback.ticket == ussd))
        fb.text = payload
        s.add(FeedbackEvent(feedback_id=fb.id, kind="citizen_reply", note=payload))
    act(client, ticket, "note", {"note": payload})
    act(client, ticket, "retag", {"category": "guru", "kecamatan": "Marbau", "school": XSS[1]})
    for target in (ticket, ussd):
        html = page(client, target)
        assert "<script>alert" not in html and "<img src=x" not in html and "<svg/" not in html
        assert str(escape(payload)) in html
        assert "&amp;amp;" in html  # escaped once, as typed: "&amp;" shows as "&amp;"
    assert str(escape(XSS[1])) in form_html(page(client, ticket), "retag")


# --- delivery states, the worker and the fake Africa's Talking -------------------------------


class TestWithTheFakeAfricasTalking:
    """The SMS go through the real worker to the fake provider; delivery reports come back
    through the webhook."""

    @pytest.fixture
    def settings(self, settings, httpserver):  # type: ignore[no-untyped-def]
        return at_settings(settings, httpserver.url_for("/version1"))

    @pytest.fixture
    def client(self, desk):  # type: ignore[no-untyped-def]
        return desk("officer")

    def report(self, client, rt) -> str:  # type: ignore[no-untyped-def]
        form = {"from": PHONE, "to": "1708", "text": "LAPOR atap SDN 5 Marbau bocor", "id": "at-1"}
        response = client.post(SMS, data=form, query_string={"token": WEBHOOK_TOKEN})
        assert response.status_code == 200
        with rt.sessions() as s:
            return s.scalar(select(Feedback.ticket))

    def deliver(self, client, message_id: str, status: str, reason: str = "") -> None:  # type: ignore[no-untyped-def]
        form = {"id": message_id, "status": status, "phoneNumber": PHONE, "failureReason": reason}
        response = client.post(DLR, data=form, query_string={"token": WEBHOOK_TOKEN})
        assert response.status_code == 200

    def test_reply_and_status_sms_reach_the_provider_and_show_their_delivery(
        self, client, rt, fake_at
    ):
        ticket = self.report(client, rt)
        act(client, ticket, "status", {"status": "verified", "note": "", "notify": "y"})
        act(client, ticket, "reply", {"text": "Tim kami datang hari Senin."})
        run_jobs(rt.redis)
        sent = [request["form"]["message"] for request in fake_at.requests]
        assert len(sent) == 3  # confirmation, status, reply
        assert (
            "diverifikasi" in sent[1]
            and sent[2] == f"Disdik Labura, tiket {ticket}: Tim kami datang hari Senin."
        )
        assert [number for number, _ in fake_at.accepted] == [PHONE] * 3
        ids = [message_id for _, message_id in fake_at.accepted]
        self.deliver(client, ids[1], "Success")
        self.deliver(client, ids[2], "Failed", "AbsentSubscriber")
        words = text_of(page(client, ticket))
        status_part = words[
            words.index("Status: Diterima → Diverifikasi") : words.index("Balasan SMS dari")
        ]
        assert "Sampai di ponsel" in status_part
        reply_part = words[words.index("Balasan SMS dari officer.disdik") :]
        assert "Gagal" in reply_part and "Alasan: AbsentSubscriber" in reply_part
        assert "Terkirim ke operator" in words[: words.index("Status: Diterima")]  # confirmation

    def test_a_note_sends_nothing_to_the_provider(self, client, rt, fake_at):
        ticket = self.report(client, rt)
        run_jobs(rt.redis)
        act(client, ticket, "note", {"note": "Hanya untuk petugas."})
        run_jobs(rt.redis)
        assert len(fake_at.requests) == 1  # the filing confirmation only


# --- the JSON API's equivalent actions -----------------------------------------------------


def test_the_api_actions_are_audited_with_the_callers_identity(desk, staff, rt):
    client = desk(None)
    ticket = sms_report(client, rt)
    headers = {"Authorization": f"Bearer {staff['officer']}"}
    officer = staff_id(rt, "officer.disdik")
    base = f"/api/v1/feedback/{ticket}"
    assert (
        client.post(f"{base}/status", json={"status": "verified"}, headers=headers).status_code
        == 200
    )
    assert (
        client.post(f"{base}/reply", json={"text": "Sudah kami cek."}, headers=headers).status_code
        == 200
    )
    assert (
        client.patch(
            base, json={"category": "guru", "assigned_to": officer}, headers=headers
        ).status_code
        == 200
    )
    assert client.patch(base, json={"school": "SDN 9"}, headers=headers).status_code == 200
    entries = [(e.action, e.target, e.actor, e.staff_id, e.ip) for e in audit(rt)]
    expected_who = (ticket, "officer.disdik", officer, "127.0.0.1")
    assert [e for e in entries if e[0] != "login"] == [
        (action, *expected_who) for action in ("status", "reply", "retag", "assign", "retag")
    ]
    assert audit(rt, "assign")[0].detail == {"from": None, "to": officer}


def test_a_refused_api_action_is_not_audited(desk, staff, rt):
    client = desk(None)
    ticket = sms_report(client, rt)
    headers = {"Authorization": f"Bearer {staff['officer']}"}
    response = client.post(
        f"/api/v1/feedback/{ticket}/status", json={"status": "closed"}, headers=headers
    )
    assert response.status_code == 400
    assert audit(rt, "status") == []


def test_the_api_detail_carries_the_same_thread_and_audits_an_admins_look(desk, staff, rt):
    client = desk("officer")
    ticket = ussd_report(client, rt, anonymous=True)
    act(client, ticket, "note", {"note": "Catatan internal"})
    act(client, ticket, "status", {"status": "verified", "note": "", "notify": "y"})
    api = client.get(
        f"/api/v1/feedback/{ticket}", headers={"Authorization": f"Bearer {staff['officer']}"}
    )
    thread = api.json["thread"]
    assert [entry["kind"] for entry in thread] == ["message", "status", "sms", "note", "status"]
    assert thread[0]["channel"] == "ussd" and api.json["phone"] is None
    assert (thread[3]["text"], thread[3]["staff"]) == ("Catatan internal", "officer.disdik")
    assert thread[4]["sms"]["status"] == "queued" and thread[4]["to_status"] == "verified"
    assert audit(rt, "view_anonymous") == []
    admin = client.get(
        f"/api/v1/feedback/{ticket}", headers={"Authorization": f"Bearer {staff['admin']}"}
    )
    assert admin.json["phone"] == PHONE
    assert [(e.action, e.actor) for e in audit(rt, "view_anonymous")] == [
        ("view_anonymous", "admin.disdik")
    ]


def test_the_page_is_light_enough_for_a_slow_link(desk, rt):
    client = desk("officer")
    ticket = sms_report(client, rt)
    for _ in range(3):
        act(client, ticket, "reply", {"text": "Balasan " * 20})
    html = page(client, ticket)
    weight = len(html.encode())
    for asset in re.findall(r'(?:href|src)="(/staff/static/[^"]+)"', html):
        with client.get(asset) as response:
            weight += len(response.data)
    assert weight <= 100_000, weight


def test_the_english_page_reads_english(desk, rt):
    client = desk("officer")
    ticket = sms_report(client, rt)
    english(client)
    words = text_of(page(client, ticket))
    assert "Conversation" in words and "The citizen's SMS" in words and "Reply by SMS" in words
    assert "School buildings and facilities" in words and "Received" in words
    assert csrf_token(page(client, ticket))
