"""The desk's blueprint and what every page shares: who may see it, the CSRF check on
every POST, the security headers, cacheable static files, the request's staff member."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache, wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

from flask import Blueprint, Response, request, url_for
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import Forbidden, HTTPException

from gateway.staff.auth import EDITORS, ROLES

P = ParamSpec("P")
R = TypeVar("R")
STATIC = Path(__file__).parent / "static"
YEAR = 365 * 24 * 3600
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'"
)
EDIT = tuple(sorted(EDITORS))
"""The roles whose POSTs change something (`page(*EDIT)`)."""


class DeskBlueprint(Blueprint):
    def get_send_file_max_age(self, filename: str | None) -> int | None:
        """Static files are named by content (``?v=``, `asset`): cache them for a year."""
        return YEAR if request.args.get("v") else 300


bp = DeskBlueprint(
    "desk",
    __name__,
    url_prefix="/staff",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
csrf = CSRFProtect()
manager = LoginManager()
manager.login_view = "desk.login"
manager.login_message = ""
manager.session_protection = "basic"


@cache
def _version(filename: str) -> str:
    return hashlib.sha256((STATIC / filename).read_bytes()).hexdigest()[:12]


def asset(filename: str) -> str:
    """The URL of a static file, versioned by its content."""
    return url_for("desk.static", filename=filename, v=_version(filename))


def page(*roles: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """A page for signed-in staff with one of ``roles`` (all roles when none given); the
    login for anyone else. A POST needs an editor's role unless ``roles`` says otherwise."""
    allowed = roles or ROLES

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if not current_user.is_authenticated:
                return manager.unauthorized()  # type: ignore[no-any-return]
            if current_user.role not in allowed:
                raise Forbidden("your role may not do this")
            return view(*args, **kwargs)

        return wrapper

    return decorator


@bp.before_request
def _check_csrf() -> None:
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)  # an SVG chart sets its own
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if request.endpoint != "desk.static":
        response.headers["Cache-Control"] = "no-store"  # pages hold citizens' data
    return response


@bp.errorhandler(HTTPException)
def _error_page(exc: HTTPException) -> tuple[str, int]:
    from flask import render_template
    from flask_babel import gettext as _

    code = exc.code or 500
    headings = {
        400: _("The form could not be used"),
        403: _("You may not do this"),
        404: _("Not found"),
        429: _("Too many attempts"),
    }
    messages = {
        400: _("The form expired or was incomplete. Go back, reload the page and try again."),
        403: _("Your role does not allow this. Ask an admin if you need it."),
        404: _("There is nothing at this address."),
        429: _("Too many failed sign-ins from this address. Wait a few minutes, then try again."),
    }
    return (
        render_template(
            "desk/error.html",
            code=code,
            heading=headings.get(code, exc.name),
            message=messages.get(code, exc.description),
        ),
        code,
    )
