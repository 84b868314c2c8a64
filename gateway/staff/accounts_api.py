"""Staff accounts under /api/v1/staff, for admins only: list them with their token's state,
revoke a token, rotate it (the new token is in the answer, once; the old one stops working
at once). The same operations as `suara staff revoke|rotate`, and audited the
same way (`account_ops`), the caller named as the actor."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import NotFound

from gateway.models import StaffUser
from gateway.staff import account_ops, accounts, audit, render
from gateway.staff.guard import current_staff, json_body, json_errors, require_role
from gateway.staff.validation import MAX_ID, parse_token_options
from gateway.web import db_session

bp = Blueprint("staff_accounts", __name__, url_prefix="/api/v1/staff")
json_errors(bp)


@bp.get("")
@require_role("admin")
def list_accounts() -> Response:
    now = datetime.now(UTC)
    users = accounts.list_staff(db_session())
    return jsonify(items=[render.staff_account(user, now=now) for user in users])


@bp.post("/<int:staff_id>/revoke")
@require_role("admin")
def revoke(staff_id: int) -> Response:
    with db_session().begin():
        user = _account(staff_id)
        at = account_ops.revoke_token(db_session(), _actor(), user)
        answer = {"id": user.id, "name": user.name, "revoked_at": render.iso(at)}
    return jsonify(answer)


@bp.post("/<int:staff_id>/rotate")
@require_role("admin")
def rotate(staff_id: int) -> Response:
    expires_days = parse_token_options(json_body())
    with db_session().begin():
        issued = account_ops.rotate_token(
            db_session(), _actor(), _account(staff_id), expires_days=expires_days
        )
    response = jsonify(
        id=issued.id,
        name=issued.name,
        role=issued.role,
        token=issued.token,
        expires_at=render.iso(issued.expires_at),
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _account(staff_id: int) -> StaffUser:
    user = db_session().get(StaffUser, staff_id) if staff_id <= MAX_ID else None
    if user is None:
        raise NotFound(f"no staff account {staff_id}")
    return user


def _actor() -> audit.Actor:
    caller = current_staff()
    return audit.Actor(caller.id, caller.name, request.remote_addr)
