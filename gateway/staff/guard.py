"""The one staff check of the JSON API: `require_role`, and the API's error answers.

`Authorization: Bearer <token>` is checked against `StaffUser.token_hash`: 401 without a
token, or with one that is unknown, revoked, expired or whose account is inactive (each
counted in `suara_staff_auth_failures_total` by reason; `gateway.staff.limits` turns too
many from one address into 429); 403 for a role that may not do this. Only then is the
request's input looked at: the JSON body is parsed (at most `MAX_JSON_DEPTH` deep, else a
400 naming `body`; views read it with `json_body()`), and a query string or JSON body
holding a NUL character is a 400 naming the field. Every API error is JSON: ``{"error":
name, "message": text}``, or ``400 {"errors": {field: message}}`` for invalid input
(`gateway.errors.InvalidInput`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import wraps
from typing import NoReturn, ParamSpec, TypeVar

from flask import Blueprint, Response, g, jsonify, request
from werkzeug.exceptions import Forbidden, HTTPException, Unauthorized

from gateway.errors import InvalidInput
from gateway.metrics import STAFF_AUTH_FAILURES
from gateway.staff.accounts import check_token
from gateway.staff.auth import EDITORS, ROLES, bearer_token
from gateway.staff.validation import nul_errors, parse_json_body
from gateway.web import runtime

P = ParamSpec("P")
R = TypeVar("R")
EDIT = tuple(sorted(EDITORS))
"""The roles that may change something (`require_role(*EDIT)`)."""
REFUSALS = {
    "missing": "a staff token is required (Authorization: Bearer <token>)",
    "unknown": "invalid staff token",
    "revoked": "this staff token was revoked",
    "expired": "this staff token has expired",
    "inactive": "this staff account is inactive",
}


@dataclass(frozen=True)
class StaffIdentity:
    id: int
    name: str
    role: str


def current_staff() -> StaffIdentity:
    staff: StaffIdentity = g.staff
    return staff


def json_body() -> object:
    """The request's JSON body as the guard parsed it (None when there is none)."""
    return g.staff_json_body


def require_role(*roles: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Only staff with one of `roles` (all roles when none given) may call the view."""
    allowed = roles or ROLES

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            staff = _authenticate()
            if staff.role not in allowed:
                raise Forbidden(f"role {staff.role!r} may not do this")
            g.staff = staff
            g.staff_json_body = parse_json_body(request.get_data()) if request.is_json else None
            errors = nul_errors(request.args, g.staff_json_body)
            if errors:
                raise InvalidInput(errors)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def _authenticate() -> StaffIdentity:
    token = bearer_token(request.headers.get("Authorization"))
    if token is None:
        _refuse("missing")
    with runtime().sessions() as session:  # its own session: the view's stays fresh
        check = check_token(session, token, now=datetime.now(UTC))
    if check.staff is None:
        _refuse(check.refused or "unknown")
    return StaffIdentity(*check.staff)


def _refuse(reason: str) -> NoReturn:
    STAFF_AUTH_FAILURES.labels(reason).inc()
    raise Unauthorized(REFUSALS[reason])


def json_errors(bp: Blueprint) -> None:
    """Answer every error of the API blueprint ``bp`` as JSON, in one shape."""
    bp.register_error_handler(InvalidInput, _invalid)
    bp.register_error_handler(HTTPException, _http_error)


def _invalid(exc: InvalidInput) -> tuple[Response, int]:
    return jsonify(errors=exc.errors), 400


def _http_error(exc: HTTPException) -> tuple[Response, int]:
    return jsonify(error=exc.name, message=exc.description), exc.code or 500
