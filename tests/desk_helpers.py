"""Signing in to the desk the way a browser does: GET the form, keep the cookie, POST the
hidden `csrf_token` back. Shared by the desk's route tests and its browser tests."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

PASSWORDS = {
    "admin": "admin-pass-123",
    "officer": "officer-pass-123",
    "viewer": "viewer-pass-123",
}
ROLES = tuple(PASSWORDS)
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def create_staff(app: Flask, name: str, role: str, password: str | None = None) -> str:
    """An account made by the CLI (`--password-stdin`); returns its API token (last line)."""
    args = ["staff", "create", "--name", name, "--role", role]
    if password is not None:
        args.append("--password-stdin")
    result = app.test_cli_runner().invoke(args=args, input=f"{password}\n" if password else None)
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def csrf_token(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no csrf_token in the page"
    return found.group(1)


def fresh_token(client: FlaskClient, page: str = "/staff/login") -> str:
    return csrf_token(client.get(page).get_data(as_text=True))


def sign_in(client: FlaskClient, name: str, password: str) -> None:
    token = fresh_token(client)
    response = client.post(
        "/staff/login", data={"username": name, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def post_form(client: FlaskClient, url: str, data: dict[str, str], *, page: str = "/staff/"):  # type: ignore[no-untyped-def]
    """POST ``data`` to ``url`` with a CSRF token taken from ``page`` (as a browser would)."""
    return client.post(url, data={**data, "csrf_token": fresh_token(client, page)})
