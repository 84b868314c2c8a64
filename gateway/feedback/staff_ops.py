"""Staff operations on feedback records: list, detail, correct, reply, change status.
A reply or a status change clears the report's "citizen answered" mark (`threads`).

Each takes the session and returns frozen values; the caller commits and enqueues. A
request that cannot be carried out raises `InvalidInput` naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from gateway.common import texts
from gateway.errors import InvalidInput
from gateway.feedback import threads
from gateway.feedback.lifecycle import (
    StatusChanged,
    TransitionNotAllowed,
    apply_status,
    notify_citizen,
)
from gateway.models import Contact, Feedback, FeedbackEvent, OutboundMessage, StaffUser

DEFAULT_PAGE = 50


@dataclass(frozen=True)
class ListQuery:
    status: str | None = None
    kind: str | None = None
    category: str | None = None
    kecamatan: str | None = None
    channel: str | None = None
    phone: str | None = None
    since: datetime | None = None
    q: str | None = None
    citizen_answered: bool | None = None
    cursor: int | None = None
    limit: int = DEFAULT_PAGE


@dataclass(frozen=True)
class StatusChange:
    status: str
    note: str | None
    notify: bool


@dataclass(frozen=True)
class FeedbackItem:
    feedback: Feedback
    phone: str | None


@dataclass(frozen=True)
class Page:
    items: list[FeedbackItem]
    next: str | None


def list_feedback(session: Session, query: ListQuery, *, admin: bool) -> Page:
    """Newest first, keyset-paginated on id; anonymous reports never match a phone
    filter unless the caller may see their numbers."""
    stmt = _filtered(_base(), query, admin=admin)
    if query.cursor:
        stmt = stmt.where(Feedback.id < query.cursor)
    rows = session.execute(stmt.order_by(Feedback.id.desc()).limit(query.limit + 1)).all()
    items = [FeedbackItem(fb, phone) for fb, phone in rows[: query.limit]]
    more = len(rows) > query.limit
    return Page(items, str(items[-1].feedback.id) if more and items else None)


def find_feedback(session: Session, ticket: str) -> FeedbackItem | None:
    row = session.execute(_base().where(Feedback.ticket == ticket)).first()
    return FeedbackItem(row[0], row[1]) if row else None


def history(session: Session, feedback_id: int) -> list[tuple[FeedbackEvent, str | None]]:
    """Events, oldest first, each with the text of the SMS it sent (if any)."""
    stmt = (
        select(FeedbackEvent, OutboundMessage.text)
        .outerjoin(OutboundMessage, FeedbackEvent.outbound_id == OutboundMessage.id)
        .where(FeedbackEvent.feedback_id == feedback_id)
        .order_by(FeedbackEvent.id)
    )
    return [(event, text) for event, text in session.execute(stmt).all()]


def sent_messages(session: Session, feedback_id: int) -> list[OutboundMessage]:
    stmt = select(OutboundMessage).where(OutboundMessage.feedback_id == feedback_id)
    return list(session.scalars(stmt.order_by(OutboundMessage.id)))


def correct_feedback(
    session: Session, feedback: Feedback, changes: dict[str, Any], *, staff_id: int
) -> None:
    """Correct category / kecamatan / school or assign; each change noted in the history."""
    assignee = changes.get("assigned_to")
    if assignee is not None and session.get(StaffUser, assignee) is None:
        raise InvalidInput({"assigned_to": "no such staff user"})
    for name, value in changes.items():
        column = "assigned_to_id" if name == "assigned_to" else name
        old = getattr(feedback, column)
        setattr(feedback, column, value)
        note = f"{name}: {old if old is not None else '-'} -> {value if value is not None else '-'}"
        session.add(
            FeedbackEvent(feedback_id=feedback.id, kind="edit", note=note, staff_id=staff_id)
        )
    session.flush()


def change_status(
    session: Session, feedback: Feedback, change: StatusChange, staff_id: int
) -> StatusChanged:
    """A staff status change; a transition the table forbids is a field error."""
    try:
        changed = apply_status(
            session,
            feedback,
            change.status,
            note=change.note,
            notify=change.notify,
            staff_id=staff_id,
        )
    except TransitionNotAllowed:
        message = f"cannot go from {feedback.status} to {change.status}"
        raise InvalidInput({"status": message}) from None
    threads.clear_answered(feedback)
    return changed


def reply_prefix(feedback: Feedback) -> str:
    return texts.render("staff_reply", feedback.language, ticket=feedback.ticket)


def send_staff_reply(session: Session, feedback: Feedback, text: str, *, staff_id: int) -> int:
    """Queue an SMS to the report's citizen, kept in the history; returns the outbox id."""
    sent = notify_citizen(session, feedback, f"{reply_prefix(feedback)} {text}")
    if not sent:
        raise InvalidInput({"text": "this report has no number that may receive SMS"})
    session.add(
        FeedbackEvent(
            feedback_id=feedback.id, kind="reply", note=text, staff_id=staff_id, outbound_id=sent[0]
        )
    )
    threads.clear_answered(feedback)
    session.flush()
    return sent[0]


def _base() -> Select[Feedback, str]:
    return select(Feedback, Contact.phone).outerjoin(Contact, Feedback.contact_id == Contact.id)


def _filtered(
    stmt: Select[Feedback, str], query: ListQuery, *, admin: bool
) -> Select[Feedback, str]:
    for name in ("status", "kind", "category", "kecamatan", "channel"):
        value = getattr(query, name)
        if value is not None:
            stmt = stmt.where(getattr(Feedback, name) == value)
    if query.phone:
        stmt = stmt.where(Contact.phone == query.phone)
        stmt = stmt if admin else stmt.where(Feedback.anonymous.is_(False))
    if query.since:
        stmt = stmt.where(Feedback.created_at >= query.since)
    if query.citizen_answered is not None:
        answered = Feedback.citizen_answered_at
        stmt = stmt.where(answered.is_not(None) if query.citizen_answered else answered.is_(None))
    if query.q:
        literal = query.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        found = func.lower(Feedback.text).like(f"%{literal}%", escape="\\")
        stmt = stmt.where(or_(found, Feedback.ticket == query.q))
    return stmt
