"""What the Flask views share: the runtime, the request's database session, the webhook
token check, the cap on chunked bodies and plain-text answers."""

from __future__ import annotations

import hmac
import io
from collections.abc import Callable, Iterable
from typing import Any

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


def buffer_chunked_body(environ: dict[str, Any], limit: int) -> None:
    """Read a chunked body (no ``Content-Length``) now, at most one byte past `limit`, and
    give the request the length it has.

    Werkzeug reads such a body only up to ``MAX_CONTENT_LENGTH`` and stops there without an
    error, so a larger one would be cut silently. With its length known, an oversized body
    gets the same 413 as one that announced its size, from the same error handler.
    """
    chunked = "chunked" in str(environ.get("HTTP_TRANSFER_ENCODING", "")).lower()
    # Only a server that ends the input stream (gunicorn, Werkzeug's) can be read to its end.
    if not chunked or environ.get("CONTENT_LENGTH") or not environ.get("wsgi.input_terminated"):
        return
    try:
        body = _read_at_most(environ["wsgi.input"], limit + 1)
        length = len(body)
    except Exception:  # the caller went away mid-body (the server's own error type)
        body, length = b"", 1  # announce more than there is: Flask answers 400
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(length)
    del environ["HTTP_TRANSFER_ENCODING"]  # Werkzeug ignores a length beside it


def _read_at_most(stream: Any, size: int) -> bytes:
    """Up to `size` bytes; a stream may return fewer per read than asked (one chunk)."""
    parts: list[bytes] = []
    left = size
    while left > 0:
        data: bytes = stream.read(left)
        if not data:
            break
        parts.append(data)
        left -= len(data)
    return b"".join(parts)


class ChunkedBodyCap:
    """WSGI middleware around Flask: `buffer_chunked_body` on every request."""

    def __init__(self, wsgi: Callable[..., Iterable[bytes]], limit: int) -> None:
        self.wsgi, self.limit = wsgi, limit

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        buffer_chunked_body(environ, self.limit)
        return self.wsgi(environ, start_response)
