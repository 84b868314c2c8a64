"""Staff operations on feedback records: list, detail, correct, reply, change status.
A reply or a status change clears the report's "citizen answered" mark (`threads`).

Each takes the session and returns frozen values; the caller commits and enqueues. A
request that cannot be carried out raises `InvalidInput` naming the field.

The list (`list_feedback`), its count per status (`status_counts`) and its CSV
(`iter_feedback`) take one `ListQuery`: the desk's inbox and ``GET /api/v1/feedback`` build
it with the same parser (`gateway.staff.validation.parse_list_query`), so they never
disagree. Text search is ``lower(column) LIKE '%...%'``, the expression the ``pg_trgm``
indexes of migration 0010a cover on PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, false, func, or_, select
from sqlalchemy.orm import Session

from gateway.common import texts, tickets
from gateway.errors import InvalidInput
from gateway.feedback import threads
from gateway.feedback.lifecycle import (
    FINISHED,
    StatusChanged,
    TransitionNotAllowed,
    apply_status,
    notify_citizen,
)
from gateway.models import (
    Contact,
    Feedback,
    FeedbackEvent,
    FeedbackStatus,
    OutboundMessage,
    StaffUser,
)

DEFAULT_PAGE = 50
OPEN = tuple(s.value for s in FeedbackStatus if s.value not in FINISHED)
"""The statuses of a report still being worked on (not resolved, closed or rejected)."""
ASSIGNED = ("me", "anyone", "nobody", "mine_or_nobody")
"""``assigned`` filter values: to the requesting staff member, no filter, to nobody, either."""
EXPORT_BATCH = 500
_TICKETISH = re.compile(r"\s*(?:#|no\.?|tiket|ticket)?[\s\d.\-/]+", re.IGNORECASE)
ASSIGNABLE_ROLES = ("admin", "officer")
"""Who may take a report: an active admin or officer (a viewer only reads)."""


@dataclass(frozen=True)
class ListQuery:
    """Which reports to list. ``since`` is inclusive, ``until`` exclusive; ``staff_id`` is the
    requesting staff member (what ``assigned="me"`` means); ``cursor`` pages to older
    reports (id below it), ``after`` to newer ones (id above it)."""

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
    school: str | None = None
    assigned: str | None = None
    staff_id: int | None = None
    overdue: bool = False
    until: datetime | None = None
    open: bool = False
    after: int | None = None


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
    """One page, newest first; ``next`` is the cursor of the older page, ``newer`` the
    ``after`` of the newer one (None: no such page)."""

    items: list[FeedbackItem]
    next: str | None
    newer: str | None = None


def list_feedback(
    session: Session, query: ListQuery, *, admin: bool, now: datetime | None = None
) -> Page:
    """Newest first, keyset-paginated on id; anonymous reports never match a phone
    filter unless the caller may see their numbers. ``now`` decides what is overdue."""
    stmt = _filtered(_base(), query, admin=admin, now=now or datetime.now(UTC))
    limit = query.limit
    if query.after:
        stmt = stmt.where(Feedback.id > query.after).order_by(Feedback.id.asc())
        rows = session.execute(stmt.limit(limit + 1)).all()
        items = [FeedbackItem(fb, phone) for fb, phone in reversed(rows[:limit])]
        newer = str(items[0].feedback.id) if len(rows) > limit else None
        return Page(items, str(items[-1].feedback.id) if items else None, newer)
    if query.cursor:
        stmt = stmt.where(Feedback.id < query.cursor)
    rows = session.execute(stmt.order_by(Feedback.id.desc()).limit(limit + 1)).all()
    items = [FeedbackItem(fb, phone) for fb, phone in rows[:limit]]
    more = len(rows) > limit
    newer = None
    if query.cursor:  # came from a newer page: it starts just above the cursor
        newer = str(items[0].feedback.id if items else query.cursor - 1)
    return Page(items, str(items[-1].feedback.id) if more and items else None, newer)


def status_counts(
    session: Session, query: ListQuery, *, admin: bool, now: datetime | None = None
) -> dict[str, int]:
    """How many reports of each status match ``query`` without its status filters
    (``status`` and ``open``): every status, in lifecycle order, zeros included."""
    plain = replace(query, status=None, open=False, cursor=None, after=None)
    stmt = select(Feedback.status, func.count()).select_from(Feedback)
    if plain.phone:
        stmt = stmt.join(Contact, Feedback.contact_id == Contact.id)
    conditions = _conditions(plain, admin=admin, now=now or datetime.now(UTC))
    rows = session.execute(stmt.where(*conditions).group_by(Feedback.status)).all()
    found = {status: count for status, count in rows}
    return {s.value: found.get(s.value, 0) for s in FeedbackStatus}


def matching(counts: dict[str, int], query: ListQuery) -> int:
    """How many reports match the whole ``query``, from its `status_counts`."""
    if query.status:
        return counts.get(query.status, 0) if not query.open or query.status in OPEN else 0
    if query.open or query.overdue:
        return sum(counts.get(s, 0) for s in OPEN)
    return sum(counts.values())


def iter_feedback(
    session: Session, query: ListQuery, *, admin: bool, now: datetime | None = None
) -> Iterator[FeedbackItem]:
    """Every report matching ``query`` (no paging), newest first, fetched in batches: what
    a CSV export streams."""
    plain = replace(query, cursor=None, after=None)
    stmt = _filtered(_base(), plain, admin=admin, now=now or datetime.now(UTC))
    stmt = stmt.order_by(Feedback.id.desc()).execution_options(yield_per=EXPORT_BATCH)
    for fb, phone in session.execute(stmt):
        yield FeedbackItem(fb, phone)


def staff_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """The names of the staff accounts ``ids`` (the assignees of a page)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    stmt = select(StaffUser.id, StaffUser.name).where(StaffUser.id.in_(wanted))
    return {staff_id: name for staff_id, name in session.execute(stmt).all()}


def typed_ticket(text: str) -> str | None:
    """The ticket in a search box's text, as people type one: ``123 4567``, ``123-4567``,
    ``#1234567``, ``tiket 1234567``; None when the text is anything else."""
    if not _TICKETISH.fullmatch(text):
        return None
    found = tickets.clean(text)
    return found if tickets.is_valid(found) else None


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
    if assignee is not None:
        user = session.get(StaffUser, assignee)
        if user is None:
            raise InvalidInput({"assigned_to": "no such staff user"})
        if not user.active or user.role not in ASSIGNABLE_ROLES:
            raise InvalidInput({"assigned_to": "not an active admin or officer"})
    for name, value in changes.items():
        column = "assigned_to_id" if name == "assigned_to" else name
        old = getattr(feedback, column)
        setattr(feedback, column, value)
        note = f"{name}: {old if old is not None else '-'} -> {value if value is not None else '-'}"
        session.add(
            FeedbackEvent(feedback_id=feedback.id, kind="edit", note=note, staff_id=staff_id)
        )
    session.flush()


def assignees(session: Session) -> list[StaffUser]:
    """The staff a report may be assigned to, by name."""
    stmt = select(StaffUser).where(StaffUser.active.is_(True), StaffUser.role.in_(ASSIGNABLE_ROLES))
    return list(session.scalars(stmt.order_by(StaffUser.name)))


def add_note(session: Session, feedback: Feedback, note: str, *, staff_id: int) -> int:
    """An internal note in the report's history: for staff only, never sent."""
    event = FeedbackEvent(feedback_id=feedback.id, kind="note", note=note, staff_id=staff_id)
    session.add(event)
    session.flush()
    return event.id


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
    stmt: Select[Feedback, str], query: ListQuery, *, admin: bool, now: datetime
) -> Select[Feedback, str]:
    return stmt.where(*_conditions(query, admin=admin, now=now))


def _conditions(query: ListQuery, *, admin: bool, now: datetime) -> list[ColumnElement[bool]]:
    """The WHERE clauses of ``query`` (a phone filter needs `Contact` joined)."""
    found: list[ColumnElement[bool]] = []
    for name in ("status", "kind", "category", "kecamatan", "channel"):
        value = getattr(query, name)
        if value is not None:
            found.append(getattr(Feedback, name) == value)
    if query.school:
        found.append(_contains(Feedback.school, query.school))
    found += _assigned(query.assigned, query.staff_id)
    if query.open:
        found.append(Feedback.status.in_(OPEN))
    if query.overdue:
        found += [Feedback.status.in_(OPEN), Feedback.due_at < now]
    if query.phone:
        found.append(Contact.phone == query.phone)
        if not admin:
            found.append(Feedback.anonymous.is_(False))
    if query.since:
        found.append(Feedback.created_at >= query.since)
    if query.until:
        found.append(Feedback.created_at < query.until)
    if query.citizen_answered is not None:
        answered = Feedback.citizen_answered_at
        found.append(answered.is_not(None) if query.citizen_answered else answered.is_(None))
    if query.q:
        ticket = typed_ticket(query.q)
        text = _contains(Feedback.text, query.q)
        found.append(or_(text, Feedback.ticket == ticket) if ticket else text)
    return found


def _assigned(assigned: str | None, staff_id: int | None) -> list[ColumnElement[bool]]:
    mine = Feedback.assigned_to_id == staff_id if staff_id is not None else false()
    if assigned == "me":
        return [mine]
    if assigned == "nobody":
        return [Feedback.assigned_to_id.is_(None)]
    if assigned == "mine_or_nobody":
        return [or_(mine, Feedback.assigned_to_id.is_(None))]
    return []


def _contains(column: Any, text: str) -> ColumnElement[bool]:
    """``lower(column) LIKE '%text%'``, with LIKE's wildcards in ``text`` taken literally."""
    literal = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    found: ColumnElement[bool] = func.lower(column).like(f"%{literal}%", escape="\\")
    return found
