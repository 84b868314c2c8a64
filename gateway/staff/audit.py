"""The staff audit log: every staff action, appended (`AuditEntry`; the database refuses to
change or delete a row). Services: they take the session and never commit, so an entry
lands in the same transaction as the action it records.

Actions (``action``): ``login``, ``login_failed``, ``logout``, ``status``, ``reply``,
``assign``, ``note``, ``retag``, ``export``, ``view_anonymous``, ``view_contact``,
``staff_create``, ``staff_role``, ``staff_deactivate``, ``staff_activate``,
``staff_password``, ``token_rotate``, ``token_revoke``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import AuditEntry

ACTIONS = (
    "login",
    "login_failed",
    "logout",
    "status",
    "reply",
    "assign",
    "note",
    "retag",
    "export",
    "view_anonymous",
    "view_contact",
    "staff_create",
    "staff_role",
    "staff_deactivate",
    "staff_activate",
    "staff_password",
    "token_rotate",
    "token_revoke",
)
PAGE = 100


@dataclass(frozen=True)
class Actor:
    """Who acts, and from where (None for the CLI)."""

    staff_id: int | None
    name: str
    ip: str | None = None


@dataclass(frozen=True)
class AuditQuery:
    action: str | None = None
    staff_id: int | None = None
    target: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    before_id: int | None = None
    limit: int = PAGE


def record(
    session: Session,
    actor: Actor,
    action: str,
    target: str | None = None,
    **detail: Any,
) -> None:
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    session.add(
        AuditEntry(
            at=datetime.now(UTC),
            staff_id=actor.staff_id,
            actor=actor.name[:80],
            action=action,
            target=target[:120] if target else None,
            detail=detail,
            ip=actor.ip,
        )
    )


def entries(session: Session, query: AuditQuery) -> list[AuditEntry]:
    """Newest first, at most ``query.limit + 1`` (the extra one says there is a next page)."""
    stmt = select(AuditEntry)
    if query.action:
        stmt = stmt.where(AuditEntry.action == query.action)
    if query.staff_id is not None:
        stmt = stmt.where(AuditEntry.staff_id == query.staff_id)
    if query.target:
        stmt = stmt.where(AuditEntry.target == query.target)
    if query.since:
        stmt = stmt.where(AuditEntry.at >= query.since)
    if query.until:
        stmt = stmt.where(AuditEntry.at < query.until)
    if query.before_id:
        stmt = stmt.where(AuditEntry.id < query.before_id)
    return list(session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(query.limit + 1)))
