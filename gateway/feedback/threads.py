"""Conversations: a citizen's plain message joins the thread of the report it answers.

A staff reply often asks something ("Sekolah mana, Bu?"). The citizen's answer belongs to
that report, not to a new ticket. Which report a plain message (no keyword) answers:

1. **Named**: the message names one of the citizen's own tickets, wherever it stands and
   however grouped (``1234566 sekolahnya SDN 5``, ``soal tiket 123-4566 ...``). Someone
   else's ticket, or one that does not exist, is treated as unknown: as if no ticket were
   named (the caller tells the citizen it was not found when it files a new record).
2. **Answered**: otherwise the report staff spoke on last, among the citizen's open reports
   (received, verified, in progress) that staff replied to in the last 7 days (the time of
   the latest reply) and the resolved report still inside its answer window
   (``lifecycle.reopenable_report``; the time of the resolution or a later reply).
   So the reopen rule keeps working, and a citizen who was asked a question after a
   resolution answers the question.

What joining does (`join`): the text and the inbound message id as a ``citizen_reply``
event, and the report marked "citizen answered" (``Feedback.citizen_answered_at``) for the
officer; staff replying or changing the status clears the mark (`clear_answered`). A
resolved report inside its window is reopened instead (``lifecycle.reopen_by_citizen``),
unless the message only says thank you. Services take the session and never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from gateway.common import tickets
from gateway.feedback import lifecycle
from gateway.models import Feedback, FeedbackEvent, OutboundMessage
from gateway.models import FeedbackStatus as S

REPLY_WINDOW = timedelta(days=7)
ACK_INTERVAL = timedelta(hours=1)
OPEN = (S.RECEIVED.value, S.VERIFIED.value, S.IN_PROGRESS.value)
STAFF_REPLY = "reply"
CITIZEN_REPLY = "citizen_reply"


@dataclass(frozen=True)
class Thread:
    """The report a message answers; `spoke_at`: staff's last word on it (None when the
    citizen named the ticket)."""

    feedback: Feedback
    spoke_at: datetime | None = None


@dataclass(frozen=True)
class Choice:
    """The thread a message joins (None: it starts a new record) and the first ticket it
    names that is not the citizen's (`unknown`)."""

    thread: Thread | None
    unknown: str | None = None


class Joined(StrEnum):
    REPLY = "reply"  # kept in the thread, the report marked citizen answered
    REOPENED = "reopened"  # a resolved report back in progress
    THANKS = "thanks"  # a thank-you on a resolved report: kept, nothing else


def choose(session: Session, contact_id: int, text: str, now: datetime) -> Choice:
    """The thread a plain message from `contact_id` joins (module docstring)."""
    named, unknown = named_report(session, contact_id, text)
    if named is not None:
        return Choice(Thread(named))
    return Choice(answered_thread(session, contact_id, now), unknown)


def named_report(
    session: Session, contact_id: int, text: str
) -> tuple[Feedback | None, str | None]:
    """The citizen's own report that `text` names by its ticket, else None and the first
    ticket named (someone else's, or none that exists), if any."""
    named = tickets.find(text)
    if not named:
        return None, None
    own = session.scalars(
        select(Feedback).where(Feedback.contact_id == contact_id, Feedback.ticket.in_(named))
    ).all()
    by_ticket = {fb.ticket: fb for fb in own}
    found = next((by_ticket[t] for t in named if t in by_ticket), None)
    return (found, None) if found is not None else (None, named[0])


def answered_thread(session: Session, contact_id: int, now: datetime) -> Thread | None:
    """The report staff spoke on last: an open one they replied to in the last 7 days, or
    the resolved one still inside its answer window."""
    last_reply = func.max(FeedbackEvent.created_at)
    row = session.execute(
        select(FeedbackEvent.feedback_id, last_reply)
        .join(Feedback, Feedback.id == FeedbackEvent.feedback_id)
        .where(
            Feedback.contact_id == contact_id,
            Feedback.status.in_(OPEN),
            FeedbackEvent.kind == STAFF_REPLY,
            FeedbackEvent.created_at >= now - REPLY_WINDOW,
        )
        .group_by(FeedbackEvent.feedback_id)
        .order_by(last_reply.desc(), FeedbackEvent.feedback_id.desc())
        .limit(1)
    ).first()
    replied = None
    if row is not None and (feedback := session.get(Feedback, row[0])) is not None:
        replied = Thread(feedback, row[1])
    resolved = lifecycle.reopenable_report(session, contact_id, now)
    if resolved is None:
        return replied
    spoke = _last_staff_word(session, resolved)
    if replied is None or (replied.spoke_at is not None and spoke > replied.spoke_at):
        return Thread(resolved, spoke)
    return replied


def _last_staff_word(session: Session, feedback: Feedback) -> datetime:
    """A resolved report's resolution, or a staff reply after it."""
    reply = session.scalar(
        select(func.max(FeedbackEvent.created_at)).where(
            FeedbackEvent.feedback_id == feedback.id, FeedbackEvent.kind == STAFF_REPLY
        )
    )
    moments = [m for m in (feedback.resolved_at, reply) if m is not None]
    return max(moments) if moments else (feedback.updated_at or feedback.created_at)


def join(
    session: Session, feedback: Feedback, text: str, *, inbound_id: int, now: datetime
) -> Joined:
    """The citizen's message into the report's thread (module docstring)."""
    if feedback.status == S.RESOLVED.value and feedback.due_at and feedback.due_at > now:
        reopened = lifecycle.reopen_by_citizen(
            session, feedback, text, inbound_id=inbound_id, now=now
        )
        if not reopened:
            return Joined.THANKS
        feedback.citizen_answered_at = now
        return Joined.REOPENED
    session.add(
        FeedbackEvent(
            feedback_id=feedback.id, kind=CITIZEN_REPLY, note=text, inbound_message_id=inbound_id
        )
    )
    feedback.citizen_answered_at = now
    session.flush()
    return Joined.REPLY


def clear_answered(feedback: Feedback) -> None:
    """Staff replied or changed the status: the citizen's answer has been seen to."""
    feedback.citizen_answered_at = None


def acknowledged_since(session: Session, feedback: Feedback, now: datetime) -> bool:
    """Whether a citizen reply in this thread was already acknowledged since staff last
    replied (and within the hour): one acknowledgement per staff question, however many
    SMS the answer takes."""
    last_reply = session.scalar(
        select(func.max(FeedbackEvent.created_at)).where(
            FeedbackEvent.feedback_id == feedback.id, FeedbackEvent.kind == STAFF_REPLY
        )
    )
    since = max(m for m in (now - ACK_INTERVAL, last_reply) if m is not None)
    acked = (
        select(OutboundMessage.id)
        .join(
            FeedbackEvent,
            and_(
                FeedbackEvent.inbound_message_id == OutboundMessage.inbound_message_id,
                FeedbackEvent.feedback_id == OutboundMessage.feedback_id,
            ),
        )
        .where(
            OutboundMessage.feedback_id == feedback.id,
            FeedbackEvent.kind == CITIZEN_REPLY,
            OutboundMessage.created_at >= since,
        )
    )
    return session.scalar(acked.limit(1)) is not None
