"""`require_role` for staff API views: `Authorization: Bearer <token>` checked against
`StaffUser.token_hash`; 401 without a valid token, 403 for a role that may not do this."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import g, request
from sqlalchemy import select
from werkzeug.exceptions import Forbidden, Unauthorized

from gateway.models import StaffUser
from gateway.staff.auth import ROLES, bearer_token, hash_token
from gateway.web import runtime

P = ParamSpec("P")
R = TypeVar("R")


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
                row = session.execute(
                    select(StaffUser.id, StaffUser.name, StaffUser.role).where(
                        StaffUser.token_hash == hash_token(token),
                        StaffUser.active.is_(True),
                    )
                ).first()
            if row is None:
                raise Unauthorized("invalid staff token")
            staff = StaffIdentity(*row)
            if staff.role not in allowed:
                raise Forbidden(f"role {staff.role!r} may not do this")
            g.staff = staff
            return view(*args, **kwargs)

        return wrapper

    return decorator
