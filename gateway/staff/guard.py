"""The one staff check of the JSON API: `require_role`, and the API's error answers.

`Authorization: Bearer <token>` is checked against `StaffUser.token_hash`: 401 without a
valid token, 403 for a role that may not do this. Only then is the request's input looked
at: a query string or JSON body holding a NUL character is a 400 naming the field. Every
API error is JSON: ``{"error": name, "message": text}``, or ``400 {"errors": {field:
message}}`` for invalid input (`gateway.errors.InvalidInput`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Blueprint, Response, g, jsonify, request
from werkzeug.exceptions import Forbidden, HTTPException, Unauthorized

from gateway.errors import InvalidInput
from gateway.staff.accounts import active_staff_by_token
from gateway.staff.auth import EDITORS, ROLES, bearer_token
from gateway.staff.validation import nul_errors
from gateway.web import runtime

P = ParamSpec("P")
R = TypeVar("R")
EDIT = tuple(sorted(EDITORS))
"""The roles that may change something (`require_role(*EDIT)`)."""


@dataclass(frozen=True)
class StaffIdentity:
    id: int
    name: str
    role: str


def current_staff() -> StaffIdentity:
    staff: StaffIdentity = g.staff
    return staff


def require_role(*roles: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Only staff with one of `roles` (all roles when none given) may call the view."""
    allowed = roles or ROLES

    def decorator(view: Callable[P, R]) -> Callable[P, R]:
        @wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            token = bearer_token(request.headers.get("Authorization"))
            if token is None:
                raise Unauthorized("a staff token is required (Authorization: Bearer <token>)")
            with runtime().sessions() as session:  # its own session: the view's stays fresh
                found = active_staff_by_token(session, token)
            if found is None:
                raise Unauthorized("invalid staff token")
            staff = StaffIdentity(*found)
            if staff.role not in allowed:
                raise Forbidden(f"role {staff.role!r} may not do this")
            g.staff = staff
            errors = nul_errors(request.args, request.get_json(silent=True))
            if errors:
                raise InvalidInput(errors)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def json_errors(bp: Blueprint) -> None:
    """Answer every error of the API blueprint ``bp`` as JSON, in one shape."""
    bp.register_error_handler(InvalidInput, _invalid)
    bp.register_error_handler(HTTPException, _http_error)


def _invalid(exc: InvalidInput) -> tuple[Response, int]:
    return jsonify(errors=exc.errors), 400


def _http_error(exc: HTTPException) -> tuple[Response, int]:
    return jsonify(error=exc.name, message=exc.description), exc.code or 500
