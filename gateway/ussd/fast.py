"""The USSD hop served in front of Flask, at the WSGI level.

Every keypress of every caller is one hop, so the hop is the gateway's hottest request. On
a hop Flask's request machinery (request and app contexts, URL matching, the session
interface, response object, hooks) cost as much CPU as the menu itself (measured in
``docs/performance.md``), so ``UssdFastPath`` answers the hop directly and leaves
everything else to Flask:

- only ``POST``/``GET`` on the USSD path with a valid token (or none configured), and a
  ``POST`` body within ``MAX_CONTENT_LENGTH``, are answered here; a chunked body is read
  first, one byte past the cap at most (``web.buffer_chunked_body``), so an oversized one
  gets Flask's 413 and is never cut short;
- the work is ``hop.answer_ussd``, the same function the Flask view calls;
- a bad form is handed to Flask with its body put back, so the 400, 403, 405 and 413
  answers come from one place (the view and its error handlers);
- an unexpected error is logged and answered 503, as the app's error handler does.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask

from gateway.errors import InvalidPayload
from gateway.metrics import WEBHOOK_REQUESTS
from gateway.providers import africastalking as at
from gateway.runtime import Runtime
from gateway.ussd.hop import OnDemand, answer_ussd
from gateway.web import buffer_chunked_body, token_ok

PATH = "/webhooks/africastalking/ussd"
ENDPOINT = "webhooks.receive_ussd"  # the metrics label the Flask view would have used
UNAVAILABLE = b"Service temporarily unavailable, retry later"
log = logging.getLogger("suara")

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class UssdFastPath:
    """WSGI middleware: ``app.wsgi_app = UssdFastPath(app, app.wsgi_app)``."""

    def __init__(self, app: Flask, flask_wsgi: WsgiApp) -> None:
        self.flask_wsgi = flask_wsgi
        self.rt: Runtime = app.extensions["suara"]
        self.max_body = int(app.config["MAX_CONTENT_LENGTH"])
        self.ok = WEBHOOK_REQUESTS.labels(ENDPOINT, "200")
        self.failed = WEBHOOK_REQUESTS.labels(ENDPOINT, "503")

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH or not self._token_ok(environ):
            return self.flask_wsgi(environ, start_response)
        buffer_chunked_body(environ, self.max_body)
        body = self._body(environ)
        if body is None:
            return self.flask_wsgi(environ, start_response)
        try:
            req = at.parse_ussd(at.parse_form(body))
        except InvalidPayload:  # refused before anything happened: Flask says why
            return self._to_flask(environ, body, start_response)
        db = OnDemand(self.rt.sessions)
        try:
            reply = answer_ussd(self.rt, req, db)
        except Exception:
            log.exception("unhandled error on %s", PATH)
            self.failed.inc()
            return _plain(start_response, "503 SERVICE UNAVAILABLE", UNAVAILABLE)
        finally:
            if db.session is not None:
                db.session.close()
        self.ok.inc()
        return _plain(start_response, "200 OK", at.render_ussd(reply.text, end=reply.end).encode())

    def _token_ok(self, environ: dict[str, Any]) -> bool:
        expected = self.rt.settings.webhook_token
        if not expected:
            return True
        query = environ.get("QUERY_STRING", "")
        given = next((v for k, v in parse_qsl(query, keep_blank_values=True) if k == "token"), "")
        return token_ok(given, expected)

    def _body(self, environ: dict[str, Any]) -> bytes | None:
        """The form's bytes, or None to let Flask deal with the request (another method, no
        or an oversized ``Content-Length``, a body shorter than announced)."""
        method = environ.get("REQUEST_METHOD")
        if method == "GET":
            return str(environ.get("QUERY_STRING", "")).encode("latin-1")
        length = str(environ.get("CONTENT_LENGTH") or "")
        if method != "POST" or not (length.isascii() and length.isdigit()):
            return None
        if int(length) > self.max_body:
            return None
        try:
            body: bytes = environ["wsgi.input"].read(int(length))
        except Exception:  # the caller went away mid-body (the server's own error type)
            body = b""
        if len(body) != int(length):  # Flask answers a short body with 400
            environ["wsgi.input"] = io.BytesIO(body)
            return None
        return body

    def _to_flask(
        self, environ: dict[str, Any], body: bytes, start_response: StartResponse
    ) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "POST":
            environ["wsgi.input"] = io.BytesIO(body)
        return self.flask_wsgi(environ, start_response)


def _plain(start_response: StartResponse, status: str, body: bytes) -> list[bytes]:
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    start_response(status, headers)
    return [body]
