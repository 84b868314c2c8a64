from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from gateway.db import insert_or_ignore
from gateway.models import Contact

BY_PHONE = select(Contact).where(Contact.phone == bindparam("phone"))


def get_or_create_contact(session: Session, phone: str) -> Contact:
    """The contact for an E.164 number, created on first contact (race-safe).

    A known number costs one SELECT; a new one one `INSERT … ON CONFLICT DO NOTHING
    RETURNING` more (no savepoint). Losing a race to a concurrent first message from
    the same number returns nothing, and the row the other request wrote is read.
    """
    by_phone = {"phone": phone}
    contact = session.scalar(BY_PHONE, by_phone)
    if contact is not None:
        return contact
    insert = insert_or_ignore(session, Contact, {"phone": phone}, "phone")
    contact = session.scalar(insert.returning(Contact))
    if contact is None:
        contact = session.scalar(BY_PHONE, by_phone)
        assert contact is not None, "a conflicting row must exist"
    return contact
