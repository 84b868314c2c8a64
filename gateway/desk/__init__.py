"""The staff desk: server-rendered pages under ``/staff/`` where Disdik officers follow and
answer what citizens send (Flask blueprint + Jinja templates, no JS build step).

Sessions are Flask-Login's over `gateway.staff.logins` (server-side, so logout and
deactivation are real), every POST carries Flask-WTF's CSRF token (400 without it), pages are
in Bahasa Indonesia with an English switch (Flask-Babel, `i18n`), and failed logins are
rate-limited (Flask-Limiter). Pages call the same services as the JSON API. Views stay thin:
parse a form, call one service, commit, enqueue, render.
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter


def init_app(app: Flask, limiter: Limiter) -> None:
    """Register the desk on ``app``; call after `gateway.staff.limits.init_app`."""
    from gateway.desk import (
        audit_log,
        contacts,
        data_requests,
        home,
        i18n,
        inbox,
        login,
        render,
        report,
        skm,
        staff_admin,
    )
    from gateway.desk.blueprint import bp, csrf

    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # only the desk's POSTs
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)  # valid as long as the session
    app.config.setdefault("WTF_CSRF_SSL_STRICT", True)
    csrf.init_app(app)
    i18n.init_app(app)
    render.init_app(app)
    del (
        audit_log,
        contacts,
        data_requests,
        home,
        inbox,
        report,
        skm,
        staff_admin,
    )  # their views are on `bp`
    app.register_blueprint(bp)
    login.init_app(app, limiter)
