"""A report's status for the citizen who filed it, by SMS (STATUS <ticket>) and USSD alike.

Answered only to the number that filed the ticket (anonymous reports too: the ticket and
the filing number together), never its text: a guessed ticket tells a stranger nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from gateway.common import tickets
from gateway.models import Contact, Feedback, FeedbackEvent

_LAST_EVENT = (
    select(func.max(FeedbackEvent.created_at))
    .where(FeedbackEvent.feedback_id == Feedback.id)
    .correlate(Feedback)
    .scalar_subquery()
)
STATUS_FOR_FILER = (
    select(Feedback.id, Feedback.status, _LAST_EVENT, Feedback.updated_at, Feedback.created_at)
    .join(Contact, Contact.id == Feedback.contact_id)
    .where(Feedback.ticket == bindparam("ticket"), Contact.phone == bindparam("phone"))
)


@dataclass(frozen=True)
class TicketStatus:
    feedback_id: int
    ticket: str
    status: str
    updated_at: datetime
    """The last status change or staff action, else when the report was filed."""


def status_for_filer(session: Session, ticket: str, *, phone: str) -> TicketStatus | None:
    """The status of ``ticket`` if ``phone`` filed it; None otherwise (or a mistyped ticket)."""
    number = tickets.clean(ticket)
    if not tickets.is_valid(number):
        return None
    row = session.execute(STATUS_FOR_FILER, {"ticket": number, "phone": phone}).first()
    if row is None:
        return None
    feedback_id, status, last_event, updated, created = row
    return TicketStatus(feedback_id, number, status, last_event or updated or created)
