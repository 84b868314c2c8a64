"""The Flask app factory: settings and runtime, blueprints, error handlers, the USSD fast path
and the cap on chunked bodies."""

from __future__ import annotations

import logging
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from gateway.config import Settings
from gateway.logs import start_logging
from gateway.runtime import Runtime, build_runtime

MAX_BODY_BYTES = 48 * 1024


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> Flask:
    """Build the app. Reads the environment only when no settings are given.

    Settings built in code are held to the same rules as the environment's (a real provider
    without `WEBHOOK_TOKEN` raises `ConfigError`), and so are those of a given runtime, which
    is what the views read."""
    settings = settings or Settings.from_env()
    settings.validate()
    if runtime is not None:
        runtime.settings.validate()
    start_logging(settings)
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(
        SECRET_KEY=settings.secret_key or _development_key(app),
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        MAX_FORM_MEMORY_SIZE=MAX_BODY_BYTES,
        SESSION_COOKIE_NAME="suara_desk",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.environment == "production",
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.staff_idle_minutes),
    )
    app.session_interface = CookieSessions()
    app.extensions["suara"] = runtime or build_runtime(settings)

    from gateway import cli, desk, front, health, metrics
    from gateway.sms import webhook as sms_webhook
    from gateway.staff import accounts_api, limits, polls_api, skm_api
    from gateway.staff import api as staff_api
    from gateway.ussd import webhook as ussd_webhook
    from gateway.ussd.fast import UssdFastPath
    from gateway.web import ChunkedBodyCap, close_db_session

    app.register_blueprint(ussd_webhook.bp)
    app.register_blueprint(sms_webhook.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(front.bp)
    app.register_blueprint(staff_api.bp)
    app.register_blueprint(polls_api.bp)
    app.register_blueprint(accounts_api.bp)
    app.register_blueprint(skm_api.bp)
    desk.init_app(app, limits.init_app(app))
    cli.init_app(app)
    metrics.init_app(app)
    app.teardown_appcontext(close_db_session)
    app.register_error_handler(HTTPException, _plain_http_error)
    app.register_error_handler(Exception, _unexpected_error)
    if settings.trusted_proxies:  # the caller's address (staff limits) from the proxy's header
        proxies = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    flask_wsgi = ChunkedBodyCap(app.wsgi_app, MAX_BODY_BYTES)
    app.wsgi_app = UssdFastPath(app, flask_wsgi)  # type: ignore[method-assign]
    return app


def _development_key(app: Flask) -> str:
    """Without SECRET_KEY (never in production: `Settings.validate`), one random key kept in
    ``instance/secret_key`` so every worker process, and the next start, signs desk sessions
    alike; a fresh random key when the instance folder cannot be written."""
    path = Path(app.instance_path) / "secret_key"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
        return path.read_text().strip() or secrets.token_hex(32)
    except OSError:
        return secrets.token_hex(32)


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, made cheap for requests that carry no cookie (every
    webhook): the signing serializer is built once per key set instead of on every request,
    and the cookie header is not parsed when there is none."""

    _built: tuple[object, URLSafeTimedSerializer | None] = (None, None)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if "HTTP_COOKIE" not in request.environ and self.get_signing_serializer(app):
            return self.session_class()  # what Flask returns when the cookie is missing
        return super().open_session(app, request)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if self._built[0] != keys:
            self._built = (keys, super().get_signing_serializer(app))
        return self._built[1]


def _plain_http_error(exc: HTTPException) -> Response:
    return Response(f"{exc.code} {exc.name}: {exc.description}", exc.code, mimetype="text/plain")


def _unexpected_error(exc: Exception) -> Response:
    logging.getLogger("suara").exception("unhandled error on %s", request.path)
    return Response("Service temporarily unavailable, retry later", 503, mimetype="text/plain")
