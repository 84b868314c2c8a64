"""Poll fan-out and reminder: the audience streamed in chunks, written as outbox rows.

Keyset pagination over contact ids keeps memory flat whatever the audience size;
`INSERT ... ON CONFLICT DO NOTHING` on (poll, contact, purpose) makes a second run
add nobody twice. The caller commits each chunk and enqueues its rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Insert,
    Integer,
    String,
    and_,
    case,
    exists,
    func,
    literal,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gateway.common.sms_text import count_segments
from gateway.models import (
    Contact,
    OutboundKind,
    OutboundMessage,
    OutboundStatus,
    Poll,
    PollAnswer,
    UtcDateTime,
)
from gateway.polls.admin import REMINDER_PREFIX, render_poll_text, text_languages
from gateway.polls.options import audience_filter, options_of

POLL = "poll"
REMINDER = "poll_reminder"
OM = OutboundMessage


@dataclass(frozen=True)
class Chunk:
    """One committed slice of the fan-out: the new rows grouped by text, and where to go on."""

    rows_by_text: dict[str, list[int]]
    last_contact_id: int | None

    @property
    def done(self) -> bool:
        return self.last_contact_id is None


def start_fan_out(session: Session, poll_id: int) -> Poll | None:
    """scheduled -> sending; None when the poll is not to be fanned out (any more)."""
    poll = session.get(Poll, poll_id, with_for_update=True)
    if poll is None or poll.status not in ("scheduled", "sending"):
        return None
    poll.status = "sending"
    return poll


def finish_fan_out(session: Session, poll_id: int, *, now: datetime) -> Poll | None:
    poll = session.get(Poll, poll_id, with_for_update=True)
    if poll is None or poll.status != "sending":
        return None
    poll.status = "open"
    poll.sent_at = now
    return poll


def fan_out_chunk(
    session: Session, poll_id: int, *, after_id: int, size: int, purpose: str = POLL
) -> Chunk:
    """Write the rows for the next `size` contacts after `after_id` (flushes, no commit)."""
    poll = session.get(Poll, poll_id)
    assert poll is not None
    where = audience_filter(poll.audience) + [Contact.id > after_id]
    if purpose == REMINDER:
        where += _reminder_filter(poll_id)
    chunk = select(Contact.id).where(*where).order_by(Contact.id).limit(size).subquery()
    upper = session.scalar(select(func.max(chunk.c.id)))
    if upper is None:
        return Chunk({}, None)
    texts = _texts(session, poll, purpose)
    text_for = _by_language({lang: literal(t, String()) for lang, t in texts.items()})
    segments_for = _by_language(
        {lang: literal(count_segments(t), Integer()) for lang, t in texts.items()}
    )
    source = select(
        Contact.phone,
        text_for,
        literal(OutboundKind.BROADCAST.value, String()),
        literal(OutboundStatus.QUEUED.value, String()),
        segments_for,
        Contact.id,
        literal(poll_id, Integer()),
        literal(purpose, String()),
        literal(datetime.now(UTC), UtcDateTime()),
        literal(0, Integer()),
    ).where(*where, Contact.id <= upper)
    columns = ["to", "text", "kind", "status", "segments", "contact_id", "poll_id", "purpose"]
    stmt = _insert_ignoring_duplicates(session).from_select(
        [*columns, "queued_at", "attempts"], source
    )
    rows_by_text: dict[str, list[int]] = defaultdict(list)
    for row_id, text in session.execute(stmt.returning(OM.id, OM.text)):
        rows_by_text[text].append(row_id)
    return Chunk({t: sorted(ids) for t, ids in rows_by_text.items()}, upper)


def _by_language(by_lang: dict[str, Any]) -> Any:
    """The Indonesian value, or the English one for contacts whose language is `en`."""
    if "en" not in by_lang:
        return by_lang["id"]
    return case((Contact.language == "en", by_lang["en"]), else_=by_lang["id"])


def _texts(session: Session, poll: Poll, purpose: str) -> dict[str, str]:
    options = options_of(session, poll.id)
    texts = {lang: render_poll_text(poll, options, lang) for lang in text_languages(poll, options)}
    if purpose == REMINDER:
        texts = {lang: REMINDER_PREFIX[lang] + text for lang, text in texts.items()}
    return texts


def _reminder_filter(poll_id: int) -> list[ColumnElement[bool]]:
    """Those the poll reached (sent or delivered) and who have not answered."""
    reached = exists().where(
        OM.poll_id == poll_id,
        OM.contact_id == Contact.id,
        OM.purpose == POLL,
        OM.status.in_([OutboundStatus.SENT, OutboundStatus.DELIVERED]),
    )
    answered = exists().where(
        and_(PollAnswer.poll_id == poll_id, PollAnswer.contact_id == Contact.id)
    )
    return [reached, ~answered]


def _insert_ignoring_duplicates(session: Session) -> Insert:
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    stmt: Insert = module.insert(OM).on_conflict_do_nothing(
        index_elements=["poll_id", "contact_id", "purpose"]
    )
    return stmt
