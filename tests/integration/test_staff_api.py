"""The staff JSON API: tokens from the CLI, role checks, field errors, lifecycle via HTTP."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from gateway.common.tickets import check_digit
from gateway.models import Feedback, FeedbackEvent, OutboundMessage, StaffUser
from gateway.staff.auth import hash_token

pytestmark = pytest.mark.integration

SMS = "/webhooks/africastalking/sms"
PHONE = "+6281234567890"
_ids = itertools.count(1)


def create_staff(app, name, role):
    result = app.test_cli_runner().invoke(args=["staff", "create", "--name", name, "--role", role])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


@pytest.fixture
def tokens(app):
    return {
        role: create_staff(app, f"{role}.disdik", role) for role in ("admin", "officer", "viewer")
    }


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def report(client, rt, text="LAPOR atap SDN 5 Marbau bocor", sender=PHONE):
    form = {"from": sender, "to": "1708", "text": text, "id": f"api-{next(_ids)}"}
    assert client.post(SMS, data=form).status_code == 200
    with rt.sessions() as s:
        return s.scalar(select(Feedback.ticket).order_by(Feedback.id.desc()))


def make_anonymous(rt, ticket, notify=False):
    with rt.sessions.begin() as s:
        fb = s.scalar(select(Feedback).where(Feedback.ticket == ticket))
        fb.anonymous, fb.notify = True, notify


def test_cli_prints_the_token_last_and_stores_only_its_hash(app, rt):
    token = create_staff(app, "rina", "officer")
    with rt.sessions() as s:
        user = s.scalar(select(StaffUser).where(StaffUser.name == "rina"))
        assert user.role == "officer" and user.token_hash == hash_token(token)
        assert token not in (user.token_hash or "")
    again = app.test_cli_runner().invoke(
        args=["staff", "create", "--name", "rina", "--role", "admin"]
    )
    assert again.exit_code != 0 and "already exists" in again.output


def test_cli_refuses_an_unknown_role(app):
    result = app.test_cli_runner().invoke(args=["staff", "create", "--name", "x", "--role", "boss"])
    assert result.exit_code != 0


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc", "Bearer "])
def test_missing_or_bad_token_is_401(client, tokens, header):
    headers = {"Authorization": header} if header else {}
    resp = client.get("/api/v1/feedback", headers=headers)
    assert resp.status_code == 401 and resp.json["error"] == "Unauthorized"


@pytest.mark.parametrize(
    ("method", "path", "role", "body", "status"),
    [
        ("get", "/api/v1/feedback", None, None, 401),
        ("get", "/api/v1/polls/1", None, None, 401),
        ("post", "/api/v1/feedback/1234567/status", "viewer", {"status": "verified"}, 403),
        ("post", "/api/v1/polls", "viewer", {"question": "?"}, 403),
        ("get", "/api/v1/polls/999", "viewer", None, 404),
        ("get", "/api/v1/feedback/9999999", "viewer", None, 404),
    ],
)
def test_feedback_and_poll_apis_answer_errors_in_one_shape(
    client, tokens, method, path, role, body, status
):
    headers = auth(tokens[role]) if role else {}
    resp = getattr(client, method)(path, json=body, headers=headers)
    assert resp.status_code == status
    assert set(resp.json) == {"error", "message"} and resp.json["message"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/polls", {"question": "", "options": []}, "question"),
        ("/api/v1/feedback?status=nonsense", None, "status"),
    ],
)
def test_invalid_input_is_a_field_error_in_both_apis(client, tokens, path, body, field):
    call = client.post if body is not None else client.get
    resp = call(path, json=body, headers=auth(tokens["officer"]))
    assert resp.status_code == 400 and field in resp.json["errors"]


def test_list_items_carry_the_contract_fields(client, rt, tokens):
    ticket = report(client, rt)
    resp = client.get("/api/v1/feedback", headers=auth(tokens["viewer"]))
    assert resp.status_code == 200
    assert resp.json["next"] is None
    (item,) = resp.json["items"]
    assert item["ticket"] == ticket and item["phone"] == PHONE
    assert (item["kind"], item["category"], item["kecamatan"]) == ("complaint", "sarpras", "Marbau")
    assert (item["status"], item["channel"], item["anonymous"], item["overdue"]) == (
        "received", "sms", False, False,
    )  # fmt: skip
    for field in ("school", "text", "created_at", "due_at"):
        assert field in item


def test_anonymous_phone_is_hidden_except_for_admins(client, rt, tokens):
    ticket = report(client, rt)
    make_anonymous(rt, ticket)
    for role, expected in [("viewer", None), ("officer", None), ("admin", PHONE)]:
        item = client.get(f"/api/v1/feedback/{ticket}", headers=auth(tokens[role])).json
        assert item["phone"] == expected, role
    found = client.get(f"/api/v1/feedback?phone={PHONE}", headers=auth(tokens["officer"])).json
    assert found["items"] == []  # a phone filter must not reveal anonymous reporters


def test_filters_and_cursor_pagination(client, rt, tokens):
    report(client, rt, "LAPOR guru sering bolos")
    report(client, rt, "SARAN tambah buku")
    report(client, rt, "TANYA kapan PIP cair", sender="+6281311112222")
    get = lambda qs: client.get(f"/api/v1/feedback?{qs}", headers=auth(tokens["viewer"])).json  # noqa: E731
    assert [i["kind"] for i in get("kind=suggestion")["items"]] == ["suggestion"]
    assert [i["text"] for i in get("q=BOLOS")["items"]] == ["guru sering bolos"]
    assert len(get("phone=081311112222")["items"]) == 1
    assert len(get("status=received&channel=sms")["items"]) == 3
    assert get("since=2999-01-01")["items"] == []
    first = get("limit=2")
    assert len(first["items"]) == 2 and first["next"]
    rest = get(f"limit=2&cursor={first['next']}")
    assert len(rest["items"]) == 1 and rest["next"] is None


def test_bad_filters_get_field_errors(client, tokens):
    resp = client.get(
        "/api/v1/feedback?status=done&kind=x&phone=123&since=yesterday&limit=0&kecamatan=Medan",
        headers=auth(tokens["viewer"]),
    )
    assert resp.status_code == 400
    assert set(resp.json["errors"]) == {"status", "kind", "phone", "since", "limit", "kecamatan"}


def test_unknown_ticket_is_404(client, tokens):
    body = "999999"
    resp = client.get(f"/api/v1/feedback/{body}{check_digit(body)}", headers=auth(tokens["viewer"]))
    assert resp.status_code == 404


def test_viewer_cannot_change_anything(client, rt, tokens):
    ticket = report(client, rt)
    headers = auth(tokens["viewer"])
    assert (
        client.post(
            f"/api/v1/feedback/{ticket}/status", json={"status": "verified"}, headers=headers
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/v1/feedback/{ticket}/reply", json={"text": "Halo"}, headers=headers
        ).status_code
        == 403
    )
    assert (
        client.patch(
            f"/api/v1/feedback/{ticket}", json={"school": "SDN 1"}, headers=headers
        ).status_code
        == 403
    )


def test_officer_walks_the_lifecycle_and_citizen_gets_sms(client, rt, tokens):
    ticket = report(client, rt)
    headers = auth(tokens["officer"])
    url = f"/api/v1/feedback/{ticket}/status"
    resp = client.post(
        url, json={"status": "verified", "note": "diteruskan ke sarpras"}, headers=headers
    )
    assert resp.status_code == 200 and resp.json["sms_queued"] is True
    assert (
        client.post(url, json={"status": "in_progress", "notify": False}, headers=headers).json[
            "sms_queued"
        ]
        is False
    )
    done = client.post(
        url, json={"status": "resolved", "note": "Atap sudah diperbaiki 2 Des."}, headers=headers
    )
    assert done.status_code == 200
    with rt.sessions() as s:
        fb = s.scalar(select(Feedback))
        assert fb.status == "resolved" and fb.resolved_at is not None and fb.due_at > fb.resolved_at
        texts = s.scalars(select(OutboundMessage.text).order_by(OutboundMessage.id)).all()
    assert len(texts) == 3  # confirmation, verified, resolved
    assert ticket in texts[1] and "diverifikasi" in texts[1]
    assert "Atap sudah diperbaiki" in texts[2]
    detail = client.get(f"/api/v1/feedback/{ticket}", headers=headers).json
    statuses = [e["to_status"] for e in detail["history"] if e["kind"] == "status"]
    assert statuses == ["received", "verified", "in_progress", "resolved"]
    assert detail["history"][1]["note"] == "diteruskan ke sarpras" and detail["history"][1]["sms"]
    assert len(detail["messages"]) == 3


def test_forbidden_transition_and_bad_status_body_are_field_errors(client, rt, tokens):
    ticket = report(client, rt)
    headers = auth(tokens["officer"])
    url = f"/api/v1/feedback/{ticket}/status"
    resp = client.post(url, json={"status": "closed"}, headers=headers)
    assert resp.status_code == 400 and "received" in resp.json["errors"]["status"]
    resp = client.post(url, json={"status": "rejected"}, headers=headers)
    assert resp.status_code == 400 and "note" in resp.json["errors"]
    resp = client.post(url, json={"status": "nope", "notify": "yes"}, headers=headers)
    assert set(resp.json["errors"]) == {"status", "notify"}
    resp = client.post(url, data="not json", headers=headers)
    assert resp.status_code == 400 and "body" in resp.json["errors"]


def test_rejection_tells_the_citizen_where_to_go(client, rt, tokens):
    ticket = report(client, rt, "LAPOR jalan desa rusak")
    note = "Jalan desa wewenang Dinas PUPR Labura, hubungi kantor PUPR di Aek Kanopan."
    resp = client.post(
        f"/api/v1/feedback/{ticket}/status",
        json={"status": "rejected", "note": note},
        headers=auth(tokens["admin"]),
    )
    assert resp.status_code == 200
    with rt.sessions() as s:
        last = s.scalars(select(OutboundMessage.text).order_by(OutboundMessage.id.desc())).first()
    assert "bukan wewenang" in last and "Dinas PUPR" in last


def test_anonymous_report_gets_status_sms_only_when_asked(client, rt, tokens):
    ticket = report(client, rt)
    make_anonymous(rt, ticket, notify=False)
    url = f"/api/v1/feedback/{ticket}/status"
    resp = client.post(url, json={"status": "verified"}, headers=auth(tokens["officer"]))
    assert resp.json["sms_queued"] is False
    make_anonymous(rt, ticket, notify=True)
    resp = client.post(url, json={"status": "in_progress"}, headers=auth(tokens["officer"]))
    assert resp.json["sms_queued"] is True


def test_reply_is_normalised_to_gsm7_and_kept_in_history(client, rt, tokens):
    ticket = report(client, rt)
    resp = client.post(
        f"/api/v1/feedback/{ticket}/reply",
        json={"text": "Terima kasih “Bapak” — tim sudah ke sekolah 🙏"},
        headers=auth(tokens["officer"]),
    )
    assert resp.status_code == 200 and resp.json["warnings"]
    with rt.sessions() as s:
        row = s.get(OutboundMessage, resp.json["outbound_id"])
        assert (
            row.text
            == f'Disdik Labura, tiket {ticket}: Terima kasih "Bapak" - tim sudah ke sekolah'
        )
        assert (
            s.scalar(select(FeedbackEvent.kind).where(FeedbackEvent.outbound_id == row.id))
            == "reply"
        )


def test_reply_field_errors(client, rt, tokens):
    ticket = report(client, rt)
    url = f"/api/v1/feedback/{ticket}/reply"
    headers = auth(tokens["officer"])
    assert "text" in client.post(url, json={}, headers=headers).json["errors"]
    assert "text" in client.post(url, json={"text": "🙏🙏"}, headers=headers).json["errors"]
    assert (
        "too long"
        in client.post(url, json={"text": "x" * 400}, headers=headers).json["errors"]["text"]
    )


def test_patch_corrects_tags_and_assigns(client, rt, tokens):
    ticket = report(client, rt, "LAPOR ada masalah")
    headers = auth(tokens["officer"])
    with rt.sessions() as s:
        officer_id = s.scalar(select(StaffUser.id).where(StaffUser.role == "officer"))
    body = {
        "category": "guru",
        "kecamatan": "aek kanopan",
        "school": "SDN 112",
        "assigned_to": officer_id,
    }
    resp = client.patch(f"/api/v1/feedback/{ticket}", json=body, headers=headers)
    assert resp.status_code == 200
    assert (resp.json["category"], resp.json["kecamatan"], resp.json["school"]) == (
        "guru",
        "Kualuh Hulu",
        "SDN 112",
    )
    assert resp.json["assigned_to"] == officer_id
    bad = client.patch(
        f"/api/v1/feedback/{ticket}",
        json={"category": "x", "colour": 1, "assigned_to": 999},
        headers=headers,
    )
    assert bad.status_code == 400 and set(bad.json["errors"]) == {"category", "colour"}
    missing = client.patch(f"/api/v1/feedback/{ticket}", json={"assigned_to": 999}, headers=headers)
    assert missing.status_code == 400 and "assigned_to" in missing.json["errors"]


def test_overdue_is_flagged(client, rt, tokens):
    ticket = report(client, rt)
    with rt.sessions.begin() as s:
        s.scalar(select(Feedback)).due_at = datetime.now(UTC) - timedelta(minutes=1)
    item = client.get(f"/api/v1/feedback/{ticket}", headers=auth(tokens["viewer"])).json
    assert item["overdue"] is True
