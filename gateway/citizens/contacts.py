"""Contacts: one row per citizen's number (E.164), created on first contact."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from gateway.db import ignoring_insert, table_of
from gateway.models import Contact

CONTACTS = table_of(Contact)
BY_PHONE = select(Contact).where(Contact.phone == bindparam("phone"))


def get_or_create_contact(session: Session, phone: str) -> Contact:
    """The contact for an E.164 number, created on first contact (race-safe).

    A known number costs one SELECT; a new one an `INSERT … ON CONFLICT DO NOTHING` and the
    SELECT again (no savepoint), which also reads the row a concurrent first message from
    the same number wrote when it won the race.
    """
    by_phone = {"phone": phone}
    contact = session.scalar(BY_PHONE, by_phone)
    if contact is not None:
        return contact
    session.connection().scalar(ignoring_insert(session, CONTACTS, "phone"), by_phone)
    contact = session.scalar(BY_PHONE, by_phone)  # ours, or the one a concurrent first wrote
    assert contact is not None, "the row was inserted or already there"
    return contact
