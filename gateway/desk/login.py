"""Signing in and out of the desk (Flask-Login over `gateway.staff.logins`), and the
language switch.

A good login redirects to ``/staff/`` (or the page that asked for it, when that is a desk
page); a bad one shows the form again with one message that does not say which part was
wrong. Failed logins are audited and rate-limited per address (`LOGIN_FAILURES`, counted
only when they fail). Logout ends the session in the database, not only in the browser.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import Flask, g, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_limiter import Limiter
from flask_login import UserMixin, current_user, login_user, logout_user

from gateway.desk.blueprint import bp, manager, page
from gateway.desk.forms import EmptyForm, LanguageForm, LoginForm
from gateway.desk.i18n import LANGUAGES
from gateway.metrics import STAFF_AUTH_FAILURES
from gateway.staff import audit, logins
from gateway.web import db_session, runtime

LOGIN_FAILURES = "10 per 5 minutes"
TOO_MANY = "too many failed logins from this address; wait a few minutes"


class DeskUser(UserMixin):  # type: ignore[misc]
    """The signed-in staff member of this request; ``get_id()`` is the session token."""

    def __init__(self, token: str, staff_id: int, name: str, role: str) -> None:
        self.token, self.staff_id, self.name, self.role = token, staff_id, name, role

    def get_id(self) -> str:
        return self.token

    @property
    def can_edit(self) -> bool:
        return self.role in ("admin", "officer")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def actor(self) -> audit.Actor:
        return audit.Actor(self.staff_id, self.name, request.remote_addr)


@manager.user_loader  # type: ignore[untyped-decorator]
def _load(token: str) -> DeskUser | None:
    idle = timedelta(minutes=runtime().settings.staff_idle_minutes)
    with runtime().sessions.begin() as s:  # its own transaction: the touch commits alone
        user = logins.resume(s, token, now=datetime.now(UTC), idle=idle)
        return DeskUser(token, user.id, user.name, user.role) if user else None


def me() -> DeskUser:
    user: DeskUser = current_user._get_current_object()
    return user


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    failed = False
    if form.validate_on_submit():
        with db_session().begin():
            user = logins.authenticate(db_session(), form.username.data, form.password.data)
            if user is None:
                who = audit.Actor(None, form.username.data[:80], request.remote_addr)
                audit.record(db_session(), who, "login_failed")
            else:
                done = logins.start(
                    db_session(),
                    user,
                    now=datetime.now(UTC),
                    ip=request.remote_addr,
                    user_agent=request.user_agent.string,
                )
                actor = audit.Actor(user.id, user.name, request.remote_addr)
                audit.record(db_session(), actor, "login")
        if user is not None:
            lang = session.get("lang")
            session.clear()  # a fresh session (and CSRF token) for the signed-in user
            if lang:
                session["lang"] = lang
            session.permanent = True
            login_user(DeskUser(done.token, user.id, user.name, user.role))
            return redirect(_safe_next(form.next.data))
        failed = True
        g.login_failed = True
        STAFF_AUTH_FAILURES.labels("desk_login").inc()
        form.password.data = ""
    elif request.method == "GET":
        form.next.data = request.args.get("next", "")
    message = _("The username or password is not right.") if failed else None
    return render_template("desk/login.html", form=form, message=message)


@bp.post("/logout")
@page()
def logout() -> ResponseReturnValue:
    if EmptyForm().validate_on_submit():
        with db_session().begin():
            logins.end(db_session(), me().token, now=datetime.now(UTC))
            audit.record(db_session(), me().actor(), "logout")
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("desk.login"))


@bp.post("/lang")
def language() -> ResponseReturnValue:
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in LANGUAGES:
        session["lang"] = form.lang.data
    return redirect(_safe_next(form.next.data))


def _safe_next(target: str | None) -> str:
    """Only a path inside the desk: never another host."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/staff/"):
        return url_for("desk.home")
    if "\\" in target or "//" in parts.path:  # type: ignore[operator]
        return url_for("desk.home")
    return parts.path + (f"?{parts.query}" if parts.query else "")


def init_app(app: Flask, limiter: Limiter) -> None:
    """Sessions, and the failed-login limit on the registered login view."""
    manager.init_app(app)
    app.view_functions["desk.login"] = limiter.limit(
        LOGIN_FAILURES,
        methods=["POST"],
        deduct_when=lambda _response: bool(g.get("login_failed")),
        error_message=TOO_MANY,
        scope="desk-login",
    )(login)


def is_signed_in() -> bool:
    return bool(current_user.is_authenticated)
