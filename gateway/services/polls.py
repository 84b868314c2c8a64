"""Poll answers. The poll a reply counts for is the latest open poll sent to that number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Contact, OutboundMessage, Poll, PollAnswer, PollOption

LETTERS = "ABCDEFGHI"


@dataclass(frozen=True)
class PollAnswerResult:
    poll_id: int
    option_id: int | None
    label: str | None
    closed: bool = False
    changed: bool = False


def latest_poll_for(session: Session, contact: Contact) -> Poll | None:
    """The most recent poll sent to this contact (open or closed)."""
    poll_id = session.scalar(
        select(OutboundMessage.poll_id)
        .where(OutboundMessage.contact_id == contact.id, OutboundMessage.poll_id.is_not(None))
        .order_by(OutboundMessage.id.desc())
        .limit(1)
    )
    return session.get(Poll, poll_id) if poll_id else None


def is_open(poll: Poll, now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    return poll.status in ("open", "sending", "sent") and (
        poll.close_at is None or poll.close_at > now
    )


def match_option(options: list[PollOption], answer: str) -> PollOption | None:
    """A number (`1`), a letter (`B`), the option's label or one of its synonyms."""
    value = answer.strip().strip(".").casefold()
    for option in options:
        words = {str(option.position), LETTERS[option.position - 1].casefold()}
        words |= {option.label.casefold()} | {str(s).casefold() for s in option.synonyms}
        if value in words:
            return option
    return None


def record_poll_answer(
    session: Session,
    *,
    contact: Contact,
    answer: str,
    channel: str,
    poll: Poll | None = None,
    inbound_message_id: int | None = None,
) -> PollAnswerResult | None:
    """Record an answer; None when no poll was sent to this contact."""
    poll = poll or latest_poll_for(session, contact)
    if poll is None:
        return None
    if not is_open(poll):
        return PollAnswerResult(poll.id, None, None, closed=True)
    options = list(
        session.scalars(
            select(PollOption).where(PollOption.poll_id == poll.id).order_by(PollOption.position)
        )
    )
    option = match_option(options, answer)
    if option is None:
        return PollAnswerResult(poll.id, None, None)
    previous = session.scalars(
        select(PollAnswer).where(
            PollAnswer.poll_id == poll.id,
            PollAnswer.contact_id == contact.id,
            PollAnswer.current.is_(True),
        )
    ).all()
    for old in previous:
        old.current = False
    session.add(
        PollAnswer(
            poll_id=poll.id,
            contact_id=contact.id,
            option_id=option.id,
            channel=channel,
            inbound_message_id=inbound_message_id,
        )
    )
    session.flush()
    return PollAnswerResult(poll.id, option.id, option.label, changed=bool(previous))
