"""Signing in and out of the desk: the contract of issue 12, sessions that really end,
failed logins limited and audited, the security headers, the language switch."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from gateway.models import AuditEntry, DeskSession, StaffUser
from tests.desk_helpers import PASSWORDS, create_staff, csrf_token, fresh_token, post_form

pytestmark = pytest.mark.integration

LOGIN = "/staff/login"


def test_cli_reads_the_password_from_stdin_and_still_prints_the_token_last(app, rt):
    token = create_staff(app, "sari", "officer", "a long password 1")
    assert len(token) >= 40 and " " not in token
    with rt.sessions() as s:
        user = s.scalar(select(StaffUser).where(StaffUser.name == "sari"))
        assert user.password_hash.startswith("$argon2id$")
        assert "a long password 1" not in user.password_hash


@pytest.mark.parametrize("password", ["", "short"])
def test_cli_refuses_a_missing_or_short_password(app, password):
    args = ["staff", "create", "--name", "sari", "--role", "officer", "--password-stdin"]
    result = app.test_cli_runner().invoke(args=args, input=f"{password}\n")
    assert result.exit_code != 0
    assert "password" in result.output


def test_the_login_form_has_the_contracted_fields(client):
    html = client.get(LOGIN).get_data(as_text=True)
    form = html[html.index('action="/staff/login"') :]
    for name in ("username", "password", "csrf_token"):
        assert f'name="{name}"' in form
    assert re.search(
        r'<input[^>]*name="csrf_token"[^>]*type="hidden"|type="hidden"[^>]*name="csrf_token"', form
    )


def test_a_good_login_redirects_to_the_desk_and_a_bad_one_gives_no_hint(client, staff):
    messages = []
    for name, password in (("officer.disdik", "wrong-password"), ("nobody", "officer-pass-123")):
        response = client.post(
            LOGIN,
            data={"username": name, "password": password, "csrf_token": fresh_token(client)},
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and 'name="password"' in html
        assert 'value="wrong-password"' not in html  # the password is never echoed
        messages.append(re.search(r'role="alert"><p>([^<]+)</p>', html).group(1))
    assert messages[0] == messages[1] == "Nama pengguna atau kata sandi tidak benar."
    good = client.post(
        LOGIN,
        data={
            "username": "officer.disdik",
            "password": PASSWORDS["officer"],
            "csrf_token": fresh_token(client),
        },
    )
    assert good.status_code == 302 and good.headers["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_an_empty_field_is_named_beside_the_form_and_the_username_kept(client, staff):
    response = client.post(
        LOGIN,
        data={"username": "officer.disdik", "password": "", "csrf_token": fresh_token(client)},
    )
    html = response.get_data(as_text=True)
    assert 'href="#password"' in html and "Isi kata sandi Anda." in html
    assert 'value="officer.disdik"' in html


def test_pages_without_a_session_redirect_to_the_login(client):
    response = client.get("/staff/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?next=%2Fstaff%2F")


def test_a_post_without_the_csrf_token_is_400(client, staff):
    response = client.post(LOGIN, data={"username": "officer.disdik", "password": "x" * 12})
    assert response.status_code == 400
    assert "kedaluwarsa" in response.get_data(as_text=True)


def test_the_next_page_is_followed_only_inside_the_desk(client, staff):
    for target, expected in (
        ("/staff/?status=received", "/staff/?status=received"),
        ("//evil.example/staff/", "/staff/"),
        ("https://evil.example/staff/", "/staff/"),
        ("/webhooks/africastalking/sms", "/staff/"),
        ("/staff/\\\\evil.example", "/staff/"),
    ):
        client.post("/staff/logout", data={"csrf_token": fresh_token(client)})
        response = client.post(
            LOGIN,
            data={
                "username": "viewer.disdik",
                "password": PASSWORDS["viewer"],
                "next": target,
                "csrf_token": fresh_token(client),
            },
        )
        assert response.headers["Location"] == expected, target


def test_logout_ends_the_session_even_for_a_copied_cookie(app, desk, rt):
    client = desk("officer")
    copied = app.test_client()
    copied.set_cookie("suara_desk", client.get_cookie("suara_desk").value)
    assert copied.get("/staff/").status_code == 200
    assert post_form(client, "/staff/logout", {}).status_code == 302
    assert client.get("/staff/").status_code == 302
    assert copied.get("/staff/").status_code == 302  # the old cookie no longer signs in
    with rt.sessions() as s:
        assert s.scalar(select(DeskSession.ended_at)) is not None


def test_a_session_idle_too_long_ends(desk, rt):
    client = desk("officer")
    with rt.sessions.begin() as s:
        idle = datetime.now(UTC) - timedelta(minutes=rt.settings.staff_idle_minutes + 1)
        s.execute(update(DeskSession).values(last_seen_at=idle))
    assert client.get("/staff/").status_code == 302
    with rt.sessions() as s:
        assert s.scalar(select(DeskSession.ended_at)) is not None


def test_deactivating_an_account_ends_its_sessions(desk, rt):
    from gateway.staff.accounts import set_active, staff_by_name

    client = desk("officer")
    with rt.sessions.begin() as s:
        set_active(s, staff_by_name(s, "officer.disdik"), False)
    assert client.get("/staff/").status_code == 302


def test_the_session_cookie_is_httponly_and_lax_and_secure_in_production(make_app, settings):
    for environment, secure in (("development", False), ("production", True)):
        app = make_app(
            replace(settings, environment=environment, secret_key="k" * 32, webhook_token="t")
        )
        create_staff(app, "rina", "officer", "a long password 1")
        client = app.test_client()
        token = fresh_token(client)
        response = client.post(
            LOGIN, data={"username": "rina", "password": "a long password 1", "csrf_token": token}
        )
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("; Secure" in cookie) is secure


def test_failed_logins_are_limited_per_address_and_audited(client, staff, rt):
    token = fresh_token(client)
    codes = [
        client.post(
            LOGIN,
            data={"username": "officer.disdik", "password": "wrong-pass", "csrf_token": token},
        ).status_code
        for _ in range(11)
    ]
    assert codes[:10] == [200] * 10 and codes[10] == 429
    limited = client.post(
        LOGIN,
        data={"username": "officer.disdik", "password": PASSWORDS["officer"], "csrf_token": token},
    )
    assert limited.status_code == 429  # even the right password waits
    with rt.sessions() as s:
        actions = s.scalars(select(AuditEntry.action)).all()
    assert actions.count("login_failed") == 10


def test_a_login_is_audited_with_who_and_from_where(desk, rt):
    desk("viewer")
    with rt.sessions() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "login"))
    assert entry.actor == "viewer.disdik" and entry.ip == "127.0.0.1"


def test_the_audit_log_refuses_changes(desk, rt):
    desk("viewer")
    with pytest.raises(Exception, match="append-only"), rt.sessions.begin() as s:
        s.execute(update(AuditEntry).values(actor="someone else"))


def test_pages_carry_a_csp_without_inline_script(desk):
    response = desk("officer").get("/staff/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    html = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_are_versioned_and_cacheable(desk):
    client = desk("officer")
    html = client.get("/staff/").get_data(as_text=True)
    css = re.search(r'href="(/staff/static/desk\.css\?v=[0-9a-f]+)"', html).group(1)
    with client.get(css) as response:
        assert response.status_code == 200 and b"Simple.css" in response.data
        assert "max-age=31536000" in response.headers["Cache-Control"]


def test_the_language_switch_turns_the_desk_english_and_back(desk):
    client = desk("officer")
    assert "Beranda" in client.get("/staff/").get_data(as_text=True)
    page = client.get("/staff/").get_data(as_text=True)
    client.post(
        "/staff/lang", data={"lang": "en", "next": "/staff/", "csrf_token": csrf_token(page)}
    )
    html = client.get("/staff/").get_data(as_text=True)
    assert "Overview" in html and 'lang="en"' in html and "Sign out" in html
    client.post(
        "/staff/lang", data={"lang": "id", "next": "/staff/", "csrf_token": csrf_token(html)}
    )
    assert "Beranda" in client.get("/staff/").get_data(as_text=True)
