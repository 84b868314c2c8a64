"""A poll's options in order, and who a poll may reach: the queries the rest share."""

from __future__ import annotations

from sqlalchemy import ColumnElement, bindparam, select
from sqlalchemy.orm import Session

from gateway.models import Contact, PollOption

POLL_OPTIONS = (
    select(PollOption)
    .where(PollOption.poll_id == bindparam("poll_id"))
    .order_by(PollOption.position)
)
"""Built once: a USSD hop that lists options runs it without building a statement."""


def options_of(session: Session, poll_id: int) -> list[PollOption]:
    return list(session.scalars(POLL_OPTIONS, {"poll_id": poll_id}))


def audience_filter(audience: dict[str, list[str]]) -> list[ColumnElement[bool]]:
    """Subscribed, not opted out, not blacklisted; empty lists mean everyone."""
    where: list[ColumnElement[bool]] = [
        Contact.subscribed.is_(True),
        Contact.opted_out_at.is_(None),
        Contact.provider_blacklisted_at.is_(None),
    ]
    if audience.get("kecamatan"):
        where.append(Contact.kecamatan.in_(audience["kecamatan"]))
    if audience.get("role"):
        where.append(Contact.role.in_(audience["role"]))
    return where
