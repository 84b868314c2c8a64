"""The outbox: write rows, and move them through their sending states.

Services take the session and never commit; jobs own the transactions. A row is
claimed (queued -> sending) before the provider is called and stamped with
`provider_called_at` just before the request leaves, so a row left `sending` by a
killed worker can be told apart: never called -> back to `queued`; called -> `unknown`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import (
    ColumnElement,
    Insert,
    Integer,
    and_,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from gateway.common.sms_text import count_segments
from gateway.db import table_of
from gateway.models import Contact, OutboundKind, OutboundMessage, OutboundStatus

OM = OutboundMessage
ROWS = table_of(OM)
INSERT_ROW = insert(ROWS).returning(ROWS.c.id)


CAP_WINDOW = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class ReplyCap:
    """At most `at_most` transactional SMS to one number in the `CAP_WINDOW` before `now`
    (`SMS_REPLIES_PER_HOUR`)."""

    at_most: int
    now: datetime


@dataclass(frozen=True, slots=True)
class Claimed:
    """A row this worker now owns (status `sending`)."""

    id: int
    to: str
    text: str
    kind: str
    contact_id: int | None
    attempts: int


def queue_sms(
    session: Session,
    *,
    to: str,
    text: str,
    kind: OutboundKind = OutboundKind.TRANSACTIONAL,
    contact_id: int | None = None,
    feedback_id: int | None = None,
    inbound_message_id: int | None = None,
    poll_id: int | None = None,
    key: str | None = None,
) -> int:
    """Write one outbox row in state `queued` and return its id (one INSERT … RETURNING).

    Never commits. A Core insert (no ORM bulk machinery); pending ORM objects are
    flushed first so the rows it refers to exist. `key`: the row's idempotency key, for a
    row that must stay findable (an erasure's confirmation); a second row with the same key
    is refused (IntegrityError).
    """
    session.flush()
    row = _row(to, text, kind, contact_id, feedback_id, inbound_message_id, poll_id)
    if key is not None:
        row["idempotency_key"] = key
    row_id: int | None = session.connection().scalar(INSERT_ROW, row)
    assert row_id is not None
    return row_id


def queue_capped_reply(
    session: Session,
    *,
    to: str,
    text: str,
    cap: ReplyCap | None,
    contact_id: int,
    feedback_id: int | None = None,
    inbound_message_id: int | None = None,
    key: str | None = None,
) -> int | None:
    """`queue_sms` for an SMS a citizen's own message or USSD session triggered, unless
    `to` already got `cap.at_most` transactional SMS in the hour before `cap.now` (rows
    queued for later, such as an RSVP reminder, do not count). None when the cap held
    it back. `cap=None`: an answer the office owes whatever the cap (a STOP confirmation,
    a DATA or HAPUS answer), queued as it is. `key`: the row's idempotency key (e.g.
    `ussd:<session>:info:<topic>`): None when a row with that key exists, so an action run
    again, or a concurrent copy, queues nothing.

    Atomic per number: on PostgreSQL the contact's row is locked (`FOR NO KEY UPDATE`,
    which does not conflict with the key-share locks foreign keys take) before the count,
    so concurrent messages from one number queue one after the other; the count and the
    write are one `INSERT … SELECT … WHERE (count) < at_most RETURNING id`. SQLite
    serialises writers, which gives the same guarantee."""
    if cap is None:
        return queue_sms(
            session,
            to=to,
            text=text,
            contact_id=contact_id,
            feedback_id=feedback_id,
            inbound_message_id=inbound_message_id,
        )
    session.flush()
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(_LOCK_CONTACT, {"contact_id": contact_id})
    kind = OutboundKind.TRANSACTIONAL
    row = _row(to, text, kind, contact_id, feedback_id, inbound_message_id, None)
    params = {**row, "since": cap.now - CAP_WINDOW, "now": cap.now, "at_most": cap.at_most}
    row_id: int | None = connection.scalar(
        _capped_insert(dialect), {**params, "idempotency_key": key}
    )
    return row_id


@cache
def _capped_insert(dialect: str) -> Insert:
    """Built once per dialect: `INSERT … SELECT <row> WHERE (recent rows to :to) < :at_most
    ON CONFLICT (idempotency_key) DO NOTHING RETURNING id`, every value a bound parameter,
    so each reply reuses the compiled statement."""
    columns = ["to", "text", "kind", "segments", "contact_id", "feedback_id"]
    columns += ["inbound_message_id", "poll_id", "idempotency_key"]
    sent = (
        select(func.count(OM.id))
        .where(
            OM.to == bindparam("to"),
            OM.kind == bindparam("kind"),
            OM.created_at >= bindparam("since", type_=OM.created_at.type),
            or_(
                OM.not_before.is_(None), OM.not_before <= bindparam("now", type_=OM.not_before.type)
            ),
        )
        .scalar_subquery()
    )
    row = select(*(bindparam(name, type_=ROWS.c[name].type) for name in columns))
    values = row.where(sent < bindparam("at_most", type_=Integer()))
    dialect_insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = dialect_insert(ROWS).from_select(columns, values)
    return statement.on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(ROWS.c.id)


_LOCK_CONTACT = (
    select(Contact.id)
    .where(Contact.id == bindparam("contact_id"))
    .with_for_update(key_share=True)  # FOR NO KEY UPDATE
)


def _row(
    to: str,
    text: str,
    kind: OutboundKind,
    contact_id: int | None,
    feedback_id: int | None,
    inbound_message_id: int | None,
    poll_id: int | None,
) -> dict[str, object]:
    return {
        "to": to,
        "text": text,
        "kind": kind.value,
        "segments": count_segments(text),
        "contact_id": contact_id,
        "feedback_id": feedback_id,
        "inbound_message_id": inbound_message_id,
        "poll_id": poll_id,
    }


def _due(now: datetime) -> ColumnElement[bool]:
    return and_(
        OM.status == OutboundStatus.QUEUED, or_(OM.not_before.is_(None), OM.not_before <= now)
    )


def defer_broadcasts(session: Session, ids: Sequence[int], *, until: datetime) -> int:
    """Quiet hours: queued broadcast rows among `ids` wait until `until`."""
    result = session.execute(
        update(OM)
        .where(
            OM.id.in_(ids), OM.kind == OutboundKind.BROADCAST, OM.status == OutboundStatus.QUEUED
        )
        .values(not_before=until, queued_at=until)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def claim(session: Session, ids: Sequence[int], *, now: datetime) -> list[Claimed]:
    """queued -> sending for the due rows among `ids`, atomically.

    On PostgreSQL the candidate rows are locked with SKIP LOCKED, and the UPDATE
    re-checks `status = 'queued'`, so two workers never both claim a row. SQLite
    serialises writers, which gives the same guarantee. Broadcast rows to contacts
    who opted out (or are blacklisted at the provider) are cancelled here, at send time.

    The claim never stamps `provider_called_at`: between the claim and the call a job
    still reads Redis and may wait for the throttle, and a job lost there sent nothing
    (`mark_called` stamps the rows right before the request leaves).
    """
    candidates = select(OM.id).where(OM.id.in_(ids), _due(now)).with_for_update(skip_locked=True)
    rows = session.execute(
        update(OM)
        .where(OM.id.in_(candidates), OM.status == OutboundStatus.QUEUED)
        .values(
            status=OutboundStatus.SENDING,
            claimed_at=now,
            provider_called_at=None,
        )
        .returning(OM.id, OM.to, OM.text, OM.kind, OM.contact_id, OM.attempts)
        .execution_options(synchronize_session=False)
    ).all()
    claimed = [Claimed(*row) for row in rows]
    opted_out = _opted_out_contacts(
        session, {c.contact_id for c in claimed if c.kind == OutboundKind.BROADCAST}
    )
    if not opted_out:
        return sorted(claimed, key=lambda c: c.id)
    cancelled = [
        c.id for c in claimed if c.kind == OutboundKind.BROADCAST and c.contact_id in opted_out
    ]
    session.execute(
        update(OM)
        .where(OM.id.in_(cancelled))
        .values(status=OutboundStatus.CANCELLED, last_error="opted out")
        .execution_options(synchronize_session=False)
    )
    return sorted((c for c in claimed if c.id not in set(cancelled)), key=lambda c: c.id)


def _opted_out_contacts(session: Session, contact_ids: set[int | None]) -> set[int]:
    wanted = [cid for cid in contact_ids if cid is not None]
    if not wanted:
        return set()
    return set(
        session.scalars(
            select(Contact.id).where(
                Contact.id.in_(wanted),
                or_(
                    Contact.opted_out_at.is_not(None), Contact.provider_blacklisted_at.is_not(None)
                ),
            )
        )
    )


def mark_called(session: Session, ids: Sequence[int], *, now: datetime) -> None:
    """Stamp rows just before the request leaves: from now on a resend could duplicate."""
    session.execute(
        update(OM)
        .where(OM.id.in_(ids), OM.status == OutboundStatus.SENDING)
        .values(provider_called_at=now)
        .execution_options(synchronize_session=False)
    )


def release(session: Session, ids: Sequence[int], *, now: datetime, reason: str | None) -> None:
    """sending -> queued for rows the provider never saw (config error, duplicate number)."""
    session.execute(
        update(OM)
        .where(OM.id.in_(ids), OM.status == OutboundStatus.SENDING)
        .values(
            status=OutboundStatus.QUEUED,
            claimed_at=None,
            provider_called_at=None,
            queued_at=now,
            last_error=reason,
        )
        .execution_options(synchronize_session=False)
    )
