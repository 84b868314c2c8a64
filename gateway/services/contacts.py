from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.models import Contact


def get_or_create_contact(session: Session, phone: str) -> Contact:
    """The contact for an E.164 number, created on first contact (race-safe)."""
    contact = session.scalar(select(Contact).where(Contact.phone == phone))
    if contact is not None:
        return contact
    try:
        with session.begin_nested():
            contact = Contact(phone=phone)
            session.add(contact)
    except IntegrityError:
        contact = session.scalar(select(Contact).where(Contact.phone == phone))
        assert contact is not None
    return contact
