"""What the Flask views share: the runtime, the request's database session, the webhook
token check and plain-text answers."""

from __future__ import annotations

import hmac

from flask import Response, current_app, g, request
from sqlalchemy.orm import Session
from werkzeug.exceptions import Forbidden

from gateway.errors import InvalidPayload
from gateway.runtime import Runtime


def runtime() -> Runtime:
    rt: Runtime = current_app.extensions["suara"]
    return rt


def db_session() -> Session:
    if "db_session" not in g:
        g.db_session = runtime().sessions()
    session: Session = g.db_session
    return session


def close_db_session(_exc: BaseException | None = None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()


def token_ok(given: str, expected: str | None) -> bool:
    """Whether a callback's ``?token=`` matches (constant time); any token when none is set."""
    if not expected:
        return True
    return hmac.compare_digest(given.encode(), expected.encode())


def check_webhook_token() -> None:
    """``before_request`` of every provider webhook blueprint."""
    if not token_ok(request.args.get("token", ""), runtime().settings.webhook_token):
        raise Forbidden("invalid or missing token")


def bad_payload(exc: InvalidPayload) -> tuple[Response, int]:
    """A malformed webhook body: 400 with what is wrong (the provider's logs show it)."""
    current_app.logger.info("rejected webhook %s: %s", request.path, exc)
    return plain(f"Bad request: {exc}"), 400


def request_body() -> bytes:
    """The form bytes of a provider's callback: the query string of a GET (a USSD callback
    may be set to GET), else the body, read once and not cached."""
    if request.method == "GET":
        return request.query_string
    return request.get_data(cache=False)


def plain(text: str) -> Response:
    return Response(text, mimetype="text/plain")
