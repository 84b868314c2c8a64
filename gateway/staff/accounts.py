"""Staff accounts: created, rotated and revoked from the CLI or by an admin, found by their
API token (only its hash is kept). Services: they take the session and never commit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.errors import InvalidInput
from gateway.models import StaffUser
from gateway.staff import logins, passwords
from gateway.staff.auth import ROLES, expiry, hash_token, new_token, token_refusal

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
NAME_TAKEN = "a staff account named {name!r} already exists"
INACTIVE = "account {name!r} is inactive"
LAST_ADMIN = "this is the last active admin; make another admin first"
"""The messages of `InvalidInput` a caller may want to say in its own words (the desk)."""


@dataclass(frozen=True)
class Issued:
    """A token just issued: it exists nowhere else (only its hash is stored)."""

    id: int
    name: str
    role: str
    token: str
    expires_at: datetime | None


@dataclass(frozen=True)
class TokenCheck:
    """The account a presented token belongs to, or why it is refused (`unknown` when it
    belongs to none; see `auth.token_refusal` for the others)."""

    staff: tuple[int, str, str] | None
    refused: str | None


def create_staff_user(
    session: Session,
    *,
    name: str,
    role: str,
    expires_days: int | None = None,
    password: str | None = None,
) -> Issued:
    """A new account and its token; with ``password``, it can sign in to the desk."""
    if not NAME.fullmatch(name):
        raise InvalidInput({"name": "1-80 letters, digits, dots, dashes or underscores"})
    if role not in ROLES:
        raise InvalidInput({"role": f"one of {', '.join(ROLES)}"})
    if staff_by_name(session, name) is not None:
        raise InvalidInput({"name": NAME_TAKEN.format(name=name)})
    token, now = new_token(), datetime.now(UTC)
    user = StaffUser(
        name=name,
        role=role,
        token_hash=hash_token(token),
        token_expires_at=expiry(now, expires_days),
        password_hash=passwords.hash_password(password) if password is not None else None,
    )
    session.add(user)
    session.flush()
    return Issued(user.id, user.name, user.role, token, user.token_expires_at)


def rotate_token(session: Session, user: StaffUser, *, expires_days: int | None = None) -> Issued:
    """A new token for ``user``; the old one stops working with the commit. A revoked
    account gets a working token again this way."""
    if not user.active:
        raise InvalidInput({"staff": INACTIVE.format(name=user.name)})
    token = new_token()
    user.token_hash = hash_token(token)
    user.token_expires_at = expiry(datetime.now(UTC), expires_days)
    user.token_revoked_at = None
    session.flush()
    return Issued(user.id, user.name, user.role, token, user.token_expires_at)


def revoke_token(session: Session, user: StaffUser) -> datetime:
    """``user``'s token stops working with the commit; returns when it was revoked (the
    first revocation's time when it already was)."""
    if user.token_revoked_at is None:
        user.token_revoked_at = datetime.now(UTC)
        session.flush()
    return user.token_revoked_at


def staff_by_name(session: Session, name: str) -> StaffUser | None:
    return session.scalar(select(StaffUser).where(StaffUser.name == name))


def list_staff(session: Session) -> list[StaffUser]:
    return list(session.scalars(select(StaffUser).order_by(StaffUser.id)))


def check_token(session: Session, token: str, *, now: datetime) -> TokenCheck:
    """Whose token this is, if it may still be used at ``now``."""
    row = session.execute(
        select(
            StaffUser.id,
            StaffUser.name,
            StaffUser.role,
            StaffUser.active,
            StaffUser.token_revoked_at,
            StaffUser.token_expires_at,
        ).where(StaffUser.token_hash == hash_token(token))
    ).first()
    if row is None:
        return TokenCheck(None, "unknown")
    refused = token_refusal(active=row[3], revoked_at=row[4], expires_at=row[5], now=now)
    return TokenCheck(None if refused else (row[0], row[1], row[2]), refused)


def set_password(session: Session, user: StaffUser, password: str) -> int:
    """A new desk password; every open desk session of the account ends (how many)."""
    user.password_hash = passwords.hash_password(password)
    ended = logins.end_all(session, user.id, now=datetime.now(UTC))
    session.flush()
    return ended


def set_role(session: Session, user: StaffUser, role: str) -> None:
    if role not in ROLES:
        raise InvalidInput({"role": f"one of {', '.join(ROLES)}"})
    if user.role == "admin" and role != "admin":
        _keep_an_admin(session, user)
    user.role = role
    session.flush()


def set_active(session: Session, user: StaffUser, active: bool) -> None:
    """Deactivate (its desk sessions end and its token stops working) or reactivate."""
    if not active and user.active and user.role == "admin":
        _keep_an_admin(session, user)
    user.active = active
    if not active:
        logins.end_all(session, user.id, now=datetime.now(UTC))
    session.flush()


def other_active_admins(session: Session, user: StaffUser) -> int:
    """How many active admins there are besides ``user``."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(StaffUser)
            .where(StaffUser.role == "admin", StaffUser.active.is_(True), StaffUser.id != user.id)
        )
        or 0
    )


def _keep_an_admin(session: Session, leaving: StaffUser) -> None:
    if not other_active_admins(session, leaving):
        raise InvalidInput({"role": LAST_ADMIN})
