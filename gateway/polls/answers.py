"""Poll answers. The poll a reply counts for is the latest open poll sent to that number."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.models import Contact, OutboundMessage, Poll, PollAnswer, PollOption
from gateway.polls.options import options_of

LETTERS = "ABCDEFGHI"
FUZZY_CUTOFF = 75
_PUNCT = re.compile(r"[^\w\s]")


@dataclass(frozen=True)
class PollAnswerResult:
    poll_id: int
    option_id: int | None
    label: str | None
    closed: bool = False
    changed: bool = False


def latest_poll_for(session: Session, contact: Contact) -> Poll | None:
    """The latest open poll sent to this contact; else the latest one (closed)."""
    poll_ids = session.scalars(
        select(OutboundMessage.poll_id)
        .where(OutboundMessage.contact_id == contact.id, OutboundMessage.poll_id.is_not(None))
        .group_by(OutboundMessage.poll_id)
        .order_by(func.max(OutboundMessage.id).desc())
        .limit(10)
    ).all()
    polls = [p for p in (session.get(Poll, pid) for pid in poll_ids) if p is not None]
    return next((p for p in polls if is_open(p)), polls[0] if polls else None)


def is_open(poll: Poll, now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    return poll.status in ("open", "sending", "sent") and (
        poll.close_at is None or poll.close_at > now
    )


def _words(option: PollOption) -> set[str]:
    words = {option.label, option.label_en or "", *map(str, option.synonyms)}
    return {_norm(w) for w in words if w.strip()}


def _norm(text: str) -> str:
    return " ".join(_PUNCT.sub(" ", text.casefold()).split())


def match_option(options: list[PollOption], answer: str) -> PollOption | None:
    """A number (`1`), a letter (`B`), the option's label or a synonym, typos allowed.

    Exact matches first (whole answer, then its first word: "2 pak" is 2); then
    the closest label or synonym of 4+ letters if it is near enough ("stuju" ->
    "setuju") and not a tie between two options.
    """
    value = _norm(answer)
    if not value:
        return None
    candidates = [value, value.split()[0]]
    for candidate in candidates:
        for option in options:
            keys = {str(option.position), LETTERS[option.position - 1].casefold()}
            if candidate in keys or candidate in _words(option):
                return option
    choices = {w: o for o in options for w in _words(o) if len(w) >= 4}
    scores: dict[int, float] = {}
    for candidate in dict.fromkeys(candidates):
        for word, score, _ in process.extract(candidate, list(choices), scorer=fuzz.ratio, limit=3):
            option_id = choices[word].id
            scores[option_id] = max(score, scores.get(option_id, 0.0))
    top = max(scores.values(), default=0.0)
    winners = [option_id for option_id, score in scores.items() if score == top]
    if top < FUZZY_CUTOFF or len(winners) != 1:  # too far, or a tie: no guess
        return None
    return next(o for o in options if o.id == winners[0])


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
    options = options_of(session, poll.id)
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
