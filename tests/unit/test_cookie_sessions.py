"""The app's cookie sessions behave as Flask's own, with or without a cookie."""

from __future__ import annotations

from flask import session

from gateway import create_app
from gateway.config import Settings


def test_sessions_read_a_signed_cookie_and_start_empty_without_one() -> None:
    app = create_app(Settings(database_url="sqlite://", secret_key="s3cret"))
    signer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    cookie, name = signer.dumps({"staff": 7}), app.config["SESSION_COOKIE_NAME"]
    assert name == "suara_desk"
    with app.test_request_context(headers={"Cookie": f"{name}={cookie}"}):
        assert session.get("staff") == 7
    with app.test_request_context(headers={"Cookie": f"{name}=forged"}):
        assert dict(session) == {}
    with app.test_request_context():
        assert dict(session) == {} and not session.modified
