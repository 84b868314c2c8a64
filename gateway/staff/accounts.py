"""Staff accounts: created from the CLI, found by their API token (only its hash is kept)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import StaffUser
from gateway.staff.auth import hash_token, new_token


def create_staff_user(session: Session, *, name: str, role: str) -> tuple[int, str]:
    """A new account; returns its id and the token, which exists nowhere else."""
    token = new_token()
    user = StaffUser(name=name, role=role, token_hash=hash_token(token))
    session.add(user)
    session.flush()
    return user.id, token


def active_staff_by_token(session: Session, token: str) -> tuple[int, str, str] | None:
    """(id, name, role) of the active account holding ``token``, or None."""
    row = session.execute(
        select(StaffUser.id, StaffUser.name, StaffUser.role).where(
            StaffUser.token_hash == hash_token(token), StaffUser.active.is_(True)
        )
    ).first()
    return (row[0], row[1], row[2]) if row else None
