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

from sqlalchemy import ColumnElement, Insert, and_, exists, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from gateway.models import (
    Contact,
    OutboundKind,
    OutboundMessage,
    OutboundStatus,
    Poll,
    PollAnswer,
)
from gateway.services.poll_admin import (
    REMINDER_PREFIX,
    options_of,
    render_poll_text,
    text_languages,
)
from gateway.sms_text import count_segments

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


def audience_filter(audience: dict[str, list[str]]) -> list[ColumnElement[bool]]:
    """Subscribed, not opted out, not blacklisted; empty lists mean everyone."""
    where: list[ColumnElement[bool]] = [
        Contact.subscribed.is_(True),
        Contact.opted_out_at.is_(None),
        Contact.provider_blacklisted_at.is_(None),
    ]
    if audience.get("kecamatan"):
        where.append(Contact.kecamatan.in_(audience["kecamatan"]))
    if audience.get("role"):
        where.append(Contact.role.in_(audience["role"]))
    return where


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
    contacts = session.execute(
        select(Contact.id, Contact.phone, Contact.language)
        .where(*where)
        .order_by(Contact.id)
        .limit(size)
    ).all()
    if not contacts:
        return Chunk({}, None)
    texts = _texts(session, poll, purpose)
    segments = {lang: count_segments(text) for lang, text in texts.items()}
    now = datetime.now(UTC)
    values: list[dict[str, Any]] = []
    for contact_id, phone, language in contacts:
        lang = language if language in texts else "id"
        values.append(
            {
                "to": phone,
                "text": texts[lang],
                "kind": OutboundKind.BROADCAST.value,
                "status": OutboundStatus.QUEUED.value,
                "segments": segments[lang],
                "contact_id": contact_id,
                "poll_id": poll_id,
                "purpose": purpose,
                "queued_at": now,
                "attempts": 0,
            }
        )
    inserted = session.execute(
        _insert_ignoring_duplicates(session).returning(OM.id, OM.text), values
    ).all()
    rows_by_text: dict[str, list[int]] = defaultdict(list)
    for row_id, text in inserted:
        rows_by_text[text].append(row_id)
    return Chunk(dict(rows_by_text), contacts[-1][0])


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
