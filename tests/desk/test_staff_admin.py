"""The Staff page (admins only): accounts made, deactivated, given a new password, a new
or no API token, another role; the last admin kept; every change audited, whether made on
the page, over the JSON API or with the CLI."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from gateway.models import AuditEntry, StaffUser
from tests.desk_helpers import PASSWORDS, ROLES, create_staff, fresh_token, post_form, sign_in

pytestmark = pytest.mark.integration

LIST = "/staff/staff"
NEW = "/staff/staff/new"
NEW_PASSWORD = "a fresh password 42"


def staff_id(rt, name: str) -> int:
    with rt.sessions() as s:
        return s.scalar(select(StaffUser.id).where(StaffUser.name == name))


def account(rt, name: str) -> StaffUser:
    with rt.sessions() as s:
        return s.scalar(select(StaffUser).where(StaffUser.name == name))


def audit_entries(rt, action: str) -> list[AuditEntry]:
    with rt.sessions() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def api_status(client: FlaskClient, token: str) -> int:
    return client.get("/api/v1/feedback", headers={"Authorization": f"Bearer {token}"}).status_code


def page_of(client: FlaskClient, rt, name: str) -> str:
    return f"{LIST}/{staff_id(rt, name)}"


def send(client: FlaskClient, url: str, data: dict[str, str], page: str):  # type: ignore[no-untyped-def]
    return post_form(client, url, data, page=page)


def issued_token(html: str) -> str:
    found = re.search(r'<code id="token">([^<]+)</code>', html)
    assert found, html[:2000]
    return found.group(1)


def create(client: FlaskClient, name: str, role: str = "officer", **extra: str):  # type: ignore[no-untyped-def]
    data = {"name": name, "role": role, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    return send(client, NEW, {**data, **extra}, NEW)


# --- who may open the pages -------------------------------------------------------------


@pytest.mark.parametrize("role", [*ROLES, None])
@pytest.mark.parametrize("path", [LIST, NEW, "/staff/staff/{id}"])
def test_only_an_admin_opens_the_staff_pages(desk, rt, role, path):
    url = path.format(id=staff_id(rt, "viewer.disdik"))
    response = desk(role).get(url)
    if role is None:
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    elif role == "admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "Peran Anda tidak mengizinkan ini" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["officer", "viewer"])
@pytest.mark.parametrize(
    "action", ["role", "deactivate", "activate", "password", "token/rotate", "token/revoke"]
)
def test_other_roles_change_nothing(desk, rt, staff, role, action):
    client = desk(role)
    url = f"{page_of(client, rt, 'admin.disdik')}/{action}"
    data = {"role-role": "viewer", "pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD}
    assert send(client, url, data, "/staff/").status_code == 403
    assert send(client, NEW, {"name": "sneaky", "role": "admin"}, "/staff/").status_code == 403
    admin = account(rt, "admin.disdik")
    assert admin.role == "admin" and admin.active and admin.token_revoked_at is None
    assert api_status(client, staff["admin"]) == 200
    assert account(rt, "sneaky") is None


def test_a_signed_out_post_goes_to_the_login_and_one_without_csrf_is_400(desk, rt, client):
    url = f"{page_of(client, rt, 'officer.disdik')}/deactivate"
    response = post_form(client, url, {}, page="/staff/login")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    assert desk("admin").post(url).status_code == 400
    assert account(rt, "officer.disdik").active


def test_the_menu_shows_staff_and_audit_only_to_an_admin(desk):
    for role in ROLES:
        html = desk(role).get("/staff/").get_data(as_text=True)
        assert ('href="/staff/staff"' in html) is (role == "admin")
        assert ('href="/staff/audit"' in html) is (role == "admin")


# --- the list ---------------------------------------------------------------------------


def test_the_list_shows_role_state_password_token_and_last_login(app, desk, rt):
    create_staff(app, "api.only", "viewer")  # no desk password, never signed in
    client = desk("admin")
    post_form(client, f"{page_of(client, rt, 'viewer.disdik')}/token/revoke", {}, page=LIST)
    html = client.get(LIST).get_data(as_text=True)
    rows = {
        re.search(r'href="/staff/staff/\d+">([^<]+)</a>', row).group(1): row
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)[1:]
    }
    assert set(rows) == {"admin.disdik", "officer.disdik", "viewer.disdik", "api.only"}
    assert "admin" in rows["admin.disdik"] and "petugas" in rows["officer.disdik"]
    assert "Dicabut" in rows["viewer.disdik"]  # revoked
    assert "Aktif, tidak kedaluwarsa" in rows["officer.disdik"]
    assert "Belum pernah" in rows["api.only"] and "WIB" in rows["admin.disdik"]
    assert re.search(r"Kata sandi meja kerja\">\s*Tidak ada", rows["api.only"])
    assert re.search(r"Kata sandi meja kerja\">\s*Ada", rows["officer.disdik"])


# --- create -----------------------------------------------------------------------------


def test_create_shows_the_token_once_and_the_account_signs_in(app, desk, rt):
    client = desk("admin")
    response = create(client, "rina.disdik", "officer")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    token = issued_token(html)
    assert "hanya sekali ini" in html
    # not in the cookie, not on any later page
    cookie = client.get_cookie("suara_desk").value
    serializer = app.session_interface.get_signing_serializer(app)
    assert token not in str(serializer.loads(cookie))
    for later in (LIST, page_of(client, rt, "rina.disdik"), "/staff/audit"):
        assert token not in client.get(later).get_data(as_text=True)
    # the token works on the API, the password on the desk
    assert api_status(app.test_client(), token) == 200
    newcomer = app.test_client()
    sign_in(newcomer, "rina.disdik", NEW_PASSWORD)
    assert "rina.disdik (petugas)" in newcomer.get("/staff/").get_data(as_text=True)
    [entry] = [e for e in audit_entries(rt, "staff_create") if e.target == "rina.disdik"]
    assert entry.actor == "admin.disdik" and entry.staff_id == staff_id(rt, "admin.disdik")
    assert entry.detail["role"] == "officer" and entry.detail["desk_password"] is True
    assert entry.ip == "127.0.0.1"


def test_create_with_an_expiring_token(desk, rt):
    html = create(desk("admin"), "temp.staff", "viewer", expires_days="30").get_data(as_text=True)
    assert "Token ini berlaku sampai" in html
    assert account(rt, "temp.staff").token_expires_at is not None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "Isi nama untuk akun ini."),
        ({"name": "rina disdik"}, "name", "Gunakan paling banyak 80 huruf"),
        ({"name": "officer.disdik"}, "name", "Sudah ada akun dengan nama ini."),
        ({"password": "short", "confirm": "short"}, "password", "Gunakan 10 sampai 200 karakter."),
        ({"confirm": "something else"}, "confirm", "Kedua kata sandi tidak sama."),
        ({"role": "boss"}, "role", "Pilih peran."),
        ({"expires_days": "forever"}, "expires_days", "Isi jumlah hari"),
        ({"expires_days": "4000"}, "expires_days", "Isi jumlah hari"),
    ],
)
def test_bad_input_reshows_the_form_with_the_message_beside_the_field(
    desk, rt, data, field, message
):
    client = desk("admin")
    typed = {"name": "rina.disdik", "role": "viewer", "password": NEW_PASSWORD}
    typed |= {"confirm": NEW_PASSWORD, **data}
    response = send(client, NEW, typed, NEW)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="#{field}"' in html  # the summary links to the field
    beside = re.search(rf'<small class="error" id="{field}-error">([^<]+)</small>', html)
    assert beside and message in beside.group(1), html
    if typed["name"]:
        assert f'value="{typed["name"]}"' in html  # what was typed is kept
    assert NEW_PASSWORD not in html  # passwords never are
    with rt.sessions() as s:
        assert s.scalar(select(StaffUser).where(StaffUser.name == "rina.disdik")) is None


def test_an_xss_shaped_name_is_refused_and_shown_escaped(desk):
    html = create(desk("admin"), '"><script>alert(1)</script>').get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Gunakan paling banyak 80 huruf" in html


# --- deactivate, reactivate -------------------------------------------------------------


def test_deactivation_ends_the_other_accounts_session_and_token(desk, rt, staff, app):
    officer = desk("officer")
    assert officer.get("/staff/").status_code == 200
    admin = desk("admin")
    url = page_of(admin, rt, "officer.disdik")
    response = send(admin, f"{url}/deactivate", {}, url)
    assert response.status_code == 302 and response.headers["Location"] == url
    assert "dinonaktifkan" in admin.get(url).get_data(as_text=True)
    gone = officer.get("/staff/")
    assert gone.status_code == 302 and "/staff/login" in gone.headers["Location"]
    assert api_status(app.test_client(), staff["officer"]) == 401
    again = app.test_client()
    token = fresh_token(again)
    refused = again.post(
        "/staff/login",
        data={"username": "officer.disdik", "password": PASSWORDS["officer"], "csrf_token": token},
    )
    assert refused.status_code == 200  # a deactivated account cannot sign in
    [entry] = audit_entries(rt, "staff_deactivate")
    assert entry.target == "officer.disdik" and entry.actor == "admin.disdik"

    assert send(admin, f"{url}/activate", {}, url).status_code == 302
    assert account(rt, "officer.disdik").active
    sign_in(app.test_client(), "officer.disdik", PASSWORDS["officer"])
    assert [e.target for e in audit_entries(rt, "staff_activate")] == ["officer.disdik"]


# --- password ---------------------------------------------------------------------------


def test_a_password_reset_ends_sessions_and_the_new_password_works(app, desk, rt):
    officer = desk("officer")
    admin = desk("admin")
    url = page_of(admin, rt, "officer.disdik")
    data = {"pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD}
    response = send(admin, f"{url}/password", data, url)
    assert response.status_code == 302
    assert "1 sesi meja kerja berakhir" in admin.get(url).get_data(as_text=True)
    assert officer.get("/staff/").status_code == 302
    old = app.test_client()
    refused = old.post(
        "/staff/login",
        data={
            "username": "officer.disdik",
            "password": PASSWORDS["officer"],
            "csrf_token": fresh_token(old),
        },
    )
    assert refused.status_code == 200
    sign_in(app.test_client(), "officer.disdik", NEW_PASSWORD)
    [entry] = audit_entries(rt, "staff_password")
    assert entry.target == "officer.disdik" and entry.detail == {"sessions_ended": 1}
    assert NEW_PASSWORD not in str(entry.detail)


def test_a_bad_new_password_is_named_beside_its_field(desk, rt):
    admin = desk("admin")
    url = page_of(admin, rt, "officer.disdik")
    html = send(
        admin, f"{url}/password", {"pw-password": NEW_PASSWORD, "pw-confirm": "other"}, url
    ).get_data(as_text=True)
    assert 'href="#pw-confirm"' in html and 'id="pw-confirm-error"' in html
    assert "Kedua kata sandi tidak sama." in html
    assert audit_entries(rt, "staff_password") == []


def test_resetting_ones_own_password_signs_one_out(desk, rt):
    admin = desk("admin")
    url = page_of(admin, rt, "admin.disdik")
    data = {"pw-password": NEW_PASSWORD, "pw-confirm": NEW_PASSWORD}
    response = send(admin, f"{url}/password", data, url)
    assert response.headers["Location"] == "/staff/login"
    assert "Masuk dengan kata sandi yang baru" in admin.get("/staff/login").get_data(as_text=True)
    assert admin.get(LIST).status_code == 302


# --- role, and the last admin -----------------------------------------------------------


def test_an_admin_changes_anothers_role_and_it_is_audited(desk, rt):
    admin = desk("admin")
    officer = desk("officer")
    url = page_of(admin, rt, "officer.disdik")
    assert send(admin, f"{url}/role", {"role-role": "viewer"}, url).status_code == 302
    assert "officer.disdik kini pemantau (sebelumnya petugas)." in admin.get(url).get_data(
        as_text=True
    )
    assert account(rt, "officer.disdik").role == "viewer"
    assert "(pemantau)" in officer.get("/staff/").get_data(as_text=True)  # at once
    [entry] = audit_entries(rt, "staff_role")
    assert entry.target == "officer.disdik"
    assert entry.detail == {"old": "officer", "new": "viewer"}


@pytest.mark.parametrize(
    ("action", "data"), [("role", {"role-role": "officer"}), ("deactivate", {})]
)
def test_the_last_admin_can_be_neither_demoted_nor_deactivated(desk, rt, action, data):
    admin = desk("admin")
    url = page_of(admin, rt, "admin.disdik")
    confirmed = {**data, f"{'role' if action == 'role' else 'active'}-confirm": "y"}
    for sent in (data, confirmed):
        response = send(admin, f"{url}/{action}", sent, url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "Ini admin aktif terakhir." in html
        assert "Centang kotak" not in html  # no confirmation asked: it cannot be done
    user = account(rt, "admin.disdik")
    assert user.role == "admin" and user.active
    assert audit_entries(rt, "staff_role") == audit_entries(rt, "staff_deactivate") == []
    assert admin.get(LIST).status_code == 200


def test_an_admin_demotes_themselves_only_after_confirming(app, desk, rt):
    create_staff(app, "second.admin", "admin", "second-admin-pass")
    admin = desk("admin")
    url = page_of(admin, rt, "admin.disdik")
    html = admin.get(url).get_data(as_text=True)
    assert 'name="role-confirm"' in html
    asked = send(admin, f"{url}/role", {"role-role": "officer"}, url)
    assert asked.status_code == 200
    assert "Centang kotak untuk memastikan" in asked.get_data(as_text=True)
    assert account(rt, "admin.disdik").role == "admin"
    done = send(admin, f"{url}/role", {"role-role": "officer", "role-confirm": "y"}, url)
    assert done.status_code == 302 and done.headers["Location"] == "/staff/"
    assert account(rt, "admin.disdik").role == "officer"
    assert admin.get(LIST).status_code == 403
    [entry] = audit_entries(rt, "staff_role")
    assert entry.actor == entry.target == "admin.disdik"


def test_an_admin_deactivates_themselves_only_after_confirming(app, desk, rt):
    create_staff(app, "second.admin", "admin", "second-admin-pass")
    admin = desk("admin")
    url = page_of(admin, rt, "admin.disdik")
    asked = send(admin, f"{url}/deactivate", {}, url)
    assert asked.status_code == 200 and 'id="active-confirm-error"' in asked.get_data(as_text=True)
    assert account(rt, "admin.disdik").active
    done = send(admin, f"{url}/deactivate", {"active-confirm": "y"}, url)
    assert done.headers["Location"] == "/staff/login"
    assert admin.get("/staff/").status_code == 302
    assert not account(rt, "admin.disdik").active


def test_another_admin_needs_no_confirmation(app, desk, rt):
    create_staff(app, "second.admin", "admin", "second-admin-pass")
    admin = desk("admin")
    url = page_of(admin, rt, "second.admin")
    assert 'name="role-confirm"' not in admin.get(url).get_data(as_text=True)
    assert send(admin, f"{url}/role", {"role-role": "viewer"}, url).status_code == 302
    assert account(rt, "second.admin").role == "viewer"


# --- API tokens -------------------------------------------------------------------------


def test_rotate_on_the_page_shows_the_new_token_once_and_voids_the_old(app, desk, rt, staff):
    admin = desk("admin")
    url = page_of(admin, rt, "officer.disdik")
    response = send(admin, f"{url}/token/rotate", {"token-expires_days": "7"}, url)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    token = issued_token(response.get_data(as_text=True))
    api = app.test_client()
    assert api_status(api, staff["officer"]) == 401
    assert api_status(api, token) == 200
    assert token not in admin.get(url).get_data(as_text=True)
    [entry] = audit_entries(rt, "token_rotate")
    assert entry.target == "officer.disdik" and entry.actor == "admin.disdik"
    assert entry.detail["token_expires_at"]


def test_revoke_on_the_page_stops_the_token(app, desk, rt, staff):
    admin = desk("admin")
    url = page_of(admin, rt, "viewer.disdik")
    response = send(admin, f"{url}/token/revoke", {}, url)
    assert response.status_code == 302
    html = admin.get(url).get_data(as_text=True)
    assert "tidak berlaku lagi" in html and "Dicabut pada" in html
    assert api_status(app.test_client(), staff["viewer"]) == 401
    [entry] = audit_entries(rt, "token_revoke")
    assert entry.target == "viewer.disdik" and entry.detail == {"already_revoked": False}


def test_a_deactivated_account_gets_no_new_token(desk, rt):
    admin = desk("admin")
    url = page_of(admin, rt, "viewer.disdik")
    send(admin, f"{url}/deactivate", {}, url)
    assert "Terbitkan token baru" not in admin.get(url).get_data(as_text=True)
    html = send(admin, f"{url}/token/rotate", {}, url).get_data(as_text=True)
    assert "Akun ini dinonaktifkan. Aktifkan kembali dulu." in html
    assert audit_entries(rt, "token_rotate") == []


def test_an_unknown_account_is_404(desk):
    admin = desk("admin")
    assert admin.get(f"{LIST}/999999").status_code == 404
    assert admin.get(f"{LIST}/99999999999").status_code == 404
    assert send(admin, f"{LIST}/999999/token/revoke", {}, LIST).status_code == 404


# --- changes through the JSON API and the CLI are audited too ---------------------------


def test_api_revoke_and_rotate_are_audited_with_the_caller(client, rt, staff):
    headers = {"Authorization": f"Bearer {staff['admin']}"}
    officer = staff_id(rt, "officer.disdik")
    assert client.post(f"/api/v1/staff/{officer}/revoke", headers=headers).status_code == 200
    assert client.post(f"/api/v1/staff/{officer}/rotate", headers=headers).status_code == 200
    admin = staff_id(rt, "admin.disdik")
    for action in ("token_revoke", "token_rotate"):
        [entry] = audit_entries(rt, action)
        assert (entry.actor, entry.staff_id, entry.target) == (
            "admin.disdik",
            admin,
            "officer.disdik",
        )
        assert entry.ip == "127.0.0.1"


def test_cli_changes_are_audited_as_cli(app, rt):
    runner = app.test_cli_runner()
    create_staff(app, "rina", "officer", "a long password 1")
    for args, stdin in (
        (["password", "--name", "rina", "--password-stdin"], "another password 2\n"),
        (["rotate", "--name", "rina"], None),
        (["revoke", "--name", "rina"], None),
    ):
        result = runner.invoke(args=["staff", *args], input=stdin)
        assert result.exit_code == 0, result.output
    for action in ("staff_create", "staff_password", "token_rotate", "token_revoke"):
        [entry] = [e for e in audit_entries(rt, action) if e.target == "rina"]
        assert (entry.actor, entry.staff_id, entry.ip) == ("cli", None, None), action
