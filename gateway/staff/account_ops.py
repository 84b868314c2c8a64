"""Changes to staff accounts, each recorded in the audit log in the same transaction: the
one path the desk's Staff page, the JSON API (`accounts_api`) and the CLI (`cli`) take, so
no change to an account goes unrecorded, whoever makes it.

The audit entry's target is the account's name; its detail says what changed (the old and
new role, how many desk sessions a password reset ended, a new token's expiry). Services:
they take the session and never commit.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from gateway.models import StaffUser
from gateway.staff import accounts, audit
from gateway.staff.accounts import Issued

CLI = audit.Actor(None, "cli")
"""Who the CLI's changes are recorded as."""


def create(
    session: Session,
    actor: audit.Actor,
    *,
    name: str,
    role: str,
    password: str | None = None,
    expires_days: int | None = None,
) -> Issued:
    """A new account and its API token (`accounts.create_staff_user`), recorded."""
    issued = accounts.create_staff_user(
        session, name=name, role=role, expires_days=expires_days, password=password
    )
    audit.record(
        session,
        actor,
        "staff_create",
        issued.name,
        role=issued.role,
        desk_password=password is not None,
        token_expires_at=_iso(issued.expires_at),
    )
    return issued


def change_role(session: Session, actor: audit.Actor, user: StaffUser, role: str) -> bool:
    """``user`` gets ``role`` (refused for the last active admin); whether it changed."""
    old = user.role
    accounts.set_role(session, user, role)
    if old == role:
        return False
    audit.record(session, actor, "staff_role", user.name, old=old, new=role)
    return True


def set_active(session: Session, actor: audit.Actor, user: StaffUser, active: bool) -> bool:
    """Deactivate (its desk sessions end; refused for the last active admin) or reactivate
    ``user``; whether it changed."""
    was = user.active
    accounts.set_active(session, user, active)
    if was == active:
        return False
    audit.record(session, actor, "staff_activate" if active else "staff_deactivate", user.name)
    return True


def set_password(session: Session, actor: audit.Actor, user: StaffUser, password: str) -> int:
    """A new desk password for ``user``; its desk sessions end (how many)."""
    ended = accounts.set_password(session, user, password)
    audit.record(session, actor, "staff_password", user.name, sessions_ended=ended)
    return ended


def rotate_token(
    session: Session, actor: audit.Actor, user: StaffUser, *, expires_days: int | None = None
) -> Issued:
    """A new API token for ``user``; the old one stops working with the commit."""
    issued = accounts.rotate_token(session, user, expires_days=expires_days)
    audit.record(
        session, actor, "token_rotate", user.name, token_expires_at=_iso(issued.expires_at)
    )
    return issued


def revoke_token(session: Session, actor: audit.Actor, user: StaffUser) -> datetime:
    """``user``'s API token stops working with the commit; when it was revoked."""
    already = user.token_revoked_at is not None
    at = accounts.revoke_token(session, user)
    audit.record(session, actor, "token_revoke", user.name, already_revoked=already)
    return at


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
