"""Desk logins: a staff member signs in with name and password and gets a session.

The browser keeps a random token (inside Flask's signed session cookie); the database keeps
only its sha256 in `DeskSession`, so logging out, idling too long, deactivating the account
or resetting its password ends the session for real: a copied cookie no longer works.
Services: they take the session and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gateway.models import DeskSession, StaffUser
from gateway.staff import passwords
from gateway.staff.auth import hash_token, new_token

TOUCH_EVERY = timedelta(minutes=1)
"""How stale `last_seen_at` may get before a request writes it again."""


@dataclass(frozen=True)
class Login:
    token: str
    staff_id: int


def authenticate(session: Session, name: str, password: str) -> StaffUser | None:
    """The active account with this name and password, or None (no hint of which part was
    wrong). Upgrades the stored hash when the KDF's parameters have grown."""
    user = session.scalar(select(StaffUser).where(StaffUser.name == name.strip()))
    stored = user.password_hash if user is not None else None
    if not passwords.verify(stored, password) or user is None or not user.active:
        return None
    if stored is not None and passwords.needs_rehash(stored):
        user.password_hash = passwords.hash_password(password)
    return user


def start(
    session: Session, user: StaffUser, *, now: datetime, ip: str | None, user_agent: str | None
) -> Login:
    token = new_token()
    session.add(
        DeskSession(
            token_hash=hash_token(token),
            staff_id=user.id,
            ip=ip,
            user_agent=(user_agent or "")[:200] or None,
            created_at=now,
            last_seen_at=now,
        )
    )
    session.flush()
    return Login(token, user.id)


def resume(session: Session, token: str, *, now: datetime, idle: timedelta) -> StaffUser | None:
    """The account of a live session, touching it; None when the session is unknown, ended,
    idle longer than ``idle`` (it is ended then) or its account inactive."""
    row = session.execute(
        select(DeskSession, StaffUser)
        .join(StaffUser, StaffUser.id == DeskSession.staff_id)
        .where(DeskSession.token_hash == hash_token(token), DeskSession.ended_at.is_(None))
    ).first()
    if row is None:
        return None
    desk, user = row
    if not user.active or now - desk.last_seen_at > idle:
        desk.ended_at = now
        session.flush()
        return None
    if now - desk.last_seen_at > TOUCH_EVERY:
        desk.last_seen_at = now
        session.flush()
    return user


def end(session: Session, token: str, *, now: datetime) -> None:
    session.execute(
        update(DeskSession)
        .where(DeskSession.token_hash == hash_token(token), DeskSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def end_all(session: Session, staff_id: int, *, now: datetime) -> int:
    """End every live session of an account (deactivated, password reset); how many."""
    result = session.execute(
        update(DeskSession)
        .where(DeskSession.staff_id == staff_id, DeskSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def last_logins(session: Session) -> dict[int, datetime]:
    """When each account last signed in to the desk (accounts that never did are absent)."""
    rows = session.execute(
        select(DeskSession.staff_id, func.max(DeskSession.created_at)).group_by(
            DeskSession.staff_id
        )
    )
    return {staff_id: at for staff_id, at in rows}
