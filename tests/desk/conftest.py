"""Desk fixtures: one account per role (made by the CLI with a password), and a signed-in
test client for each."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.desk_helpers import PASSWORDS, create_staff, sign_in


@pytest.fixture
def staff(app: Flask) -> dict[str, str]:
    """role -> API token of ``<role>.disdik``, whose desk password is `PASSWORDS[role]`."""
    return {
        role: create_staff(app, f"{role}.disdik", role, password)
        for role, password in PASSWORDS.items()
    }


@pytest.fixture
def desk(app: Flask, staff: dict[str, str]) -> Callable[[str | None], FlaskClient]:
    """``desk(role)``: a test client signed in as that role (``desk(None)``: signed out)."""

    def signed_in(role: str | None) -> FlaskClient:
        client = app.test_client()
        if role is not None:
            sign_in(client, f"{role}.disdik", PASSWORDS[role])
        return client

    return signed_in
