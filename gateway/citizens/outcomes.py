"""What was done for each UU PDP request (DATA, HAPUS), read from the rows the work left
behind, for the desk's list of data requests (the rows themselves come from
``rights.list_requests``, as in the API, so the two never disagree).

- The 3 x 24 hour clock (``clock``): hours left, hours overdue, or how long it took.
- DATA (access): answered at once by SMS. The answer is the outbox row that replied to the
  contact's DATA message, queued in the same transaction as the request (found by the
  contact, the message's command and the time). Once the contact is erased that link is
  gone with the number, and the page says so.
- HAPUS (erasure): broadcasts stopped at once (the withdrawal in the consent ledger, at the
  moment the request was received, and the SMS that carried it); the acknowledgement SMS
  (the reply to that message); the erasure carried out by the worker (``done_at``) and its
  confirmation SMS (found by its idempotency key, ``erasure.confirmation_key``, which
  outlives the erasure); what was kept: the consent ledger and the requests (counted here),
  and the contact row opted out, its number a keyed hash.

Nothing is stored for the desk's sake but that key. Services take the session and return
frozen values; they never commit.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from gateway.citizens.consent import WITHDRAW
from gateway.citizens.erasure import confirmation_key
from gateway.citizens.rights import DATA_REQUEST_DEADLINE, request_overdue
from gateway.models import ConsentEvent, Contact, DataRequest, InboundMessage, OutboundMessage

OM = OutboundMessage
HOUR = timedelta(hours=1)
SAME_MOMENT = timedelta(seconds=2)
"""How far apart a request and the ledger entry written with it may be stamped."""
ANSWER_WINDOW = timedelta(minutes=2)
"""A DATA answer is queued in the request's own transaction: within this of its moment."""


@dataclass(frozen=True, slots=True)
class Clock:
    """The 3 x 24 hour clock: ``left`` (open, ``hours`` to go), ``overdue`` (open, ``hours``
    past the deadline), ``on_time`` (done, in ``hours``), ``late`` (done ``hours`` after the
    deadline). Hours left are rounded down, hours past the deadline up (a minute late is
    late)."""

    state: str
    hours: int


@dataclass(frozen=True, slots=True)
class Sms:
    """An SMS the request caused, and how far it got."""

    status: str
    queued_at: datetime
    sent_at: datetime | None
    delivered_at: datetime | None
    failure_reason: str | None


@dataclass(frozen=True, slots=True)
class Outcome:
    id: int
    contact_id: int
    kind: str
    """``access`` (DATA) or ``erasure`` (HAPUS)."""
    status: str
    received_at: datetime
    due_at: datetime
    done_at: datetime | None
    clock: Clock
    overdue: bool
    contact_erased_at: datetime | None
    answer: Sms | None
    """DATA: the SMS with the data held. HAPUS: the acknowledgement ("received, done within
    3 x 24 hours")."""
    stopped_at: datetime | None
    """HAPUS: when broadcasts stopped (the withdrawal in the consent ledger)."""
    stopped_channel: str | None
    confirmation: Sms | None
    """HAPUS: the SMS saying the data was erased."""
    kept_consents: int
    """The contact's consent ledger entries, kept as the record of processing."""
    kept_requests: int
    """The contact's data requests, kept likewise."""


def clock(request: DataRequest, *, now: datetime) -> Clock:
    received = request.due_at - DATA_REQUEST_DEADLINE
    if request.status == "done":
        end = request.done_at or now
        if end > request.due_at:
            return Clock("late", _hours_up(end - request.due_at))
        return Clock("on_time", _hours_down(end - received))
    if now > request.due_at:
        return Clock("overdue", _hours_up(now - request.due_at))
    return Clock("left", _hours_down(request.due_at - now))


@dataclass(frozen=True, slots=True)
class OpenCounts:
    open: int
    overdue: int


def open_counts(session: Session, *, now: datetime) -> OpenCounts:
    """How many requests are open, and how many of them are past their deadline."""
    total, late = session.execute(
        select(
            func.count(DataRequest.id),
            func.count(DataRequest.id).filter(DataRequest.due_at < now),
        ).where(DataRequest.status != "done")
    ).one()
    return OpenCounts(total or 0, late or 0)


def outcomes(session: Session, rows: Sequence[DataRequest], *, now: datetime) -> list[Outcome]:
    """What was done for each of ``rows``, in their order (a few queries for the lot)."""
    if not rows:
        return []
    contact_ids = {r.contact_id for r in rows}
    erased_at: dict[int, datetime | None] = {
        cid: at
        for cid, at in session.execute(
            select(Contact.id, Contact.erased_at).where(Contact.id.in_(contact_ids))
        ).all()
    }
    answers = _data_answers(session, {r.contact_id for r in rows if r.kind == "access"})
    withdrawals = _withdrawals(session, {r.contact_id for r in rows if r.kind == "erasure"})
    acks = _replies_to(session, {e.inbound_message_id for e in _flat(withdrawals)})
    confirmations = _by_key(session, [confirmation_key(r.id) for r in rows if r.kind == "erasure"])
    consents = _count_by_contact(session, ConsentEvent.contact_id, contact_ids)
    requests = _count_by_contact(session, DataRequest.contact_id, contact_ids)
    result = []
    for row in rows:
        received = row.due_at - DATA_REQUEST_DEADLINE
        answer = stopped = confirmation = None
        if row.kind == "access":
            answer = _nearest(answers.get(row.contact_id, ()), received)
        else:
            stopped = _at(withdrawals.get(row.contact_id, ()), received)
            if stopped is not None and stopped.inbound_message_id is not None:
                answer = acks.get(stopped.inbound_message_id)
            confirmation = confirmations.get(confirmation_key(row.id))
        result.append(
            Outcome(
                id=row.id,
                contact_id=row.contact_id,
                kind=row.kind,
                status=row.status,
                received_at=received,
                due_at=row.due_at,
                done_at=row.done_at,
                clock=clock(row, now=now),
                overdue=request_overdue(row, now=now),
                contact_erased_at=erased_at.get(row.contact_id),
                answer=answer,
                stopped_at=stopped.at if stopped else None,
                stopped_channel=stopped.channel if stopped else None,
                confirmation=confirmation,
                kept_consents=consents.get(row.contact_id, 0),
                kept_requests=requests.get(row.contact_id, 0),
            )
        )
    return result


@dataclass(frozen=True, slots=True)
class _Withdrawal:
    at: datetime
    channel: str
    inbound_message_id: int | None


@dataclass(frozen=True, slots=True)
class _Queued:
    created_at: datetime
    sms: Sms


def _sms(row: OutboundMessage) -> Sms:
    return Sms(row.status, row.created_at, row.sent_at, row.delivered_at, row.failure_reason)


def _data_answers(session: Session, contact_ids: set[int]) -> dict[int, list[_Queued]]:
    """The contacts' SMS that answered a DATA message, by contact."""
    found: dict[int, list[_Queued]] = defaultdict(list)
    if not contact_ids:
        return found
    rows = session.scalars(
        select(OM)
        .join(InboundMessage, InboundMessage.id == OM.inbound_message_id)
        .where(InboundMessage.command == "data", OM.contact_id.in_(contact_ids))
        .order_by(OM.id)
    )
    for row in rows:
        assert row.contact_id is not None
        found[row.contact_id].append(_Queued(row.created_at, _sms(row)))
    return found


def _nearest(candidates: Sequence[_Queued], moment: datetime) -> Sms | None:
    close = [
        c for c in candidates if moment - SAME_MOMENT <= c.created_at <= moment + ANSWER_WINDOW
    ]
    if not close:
        return None
    return min(close, key=lambda c: abs(c.created_at - moment)).sms


def _withdrawals(session: Session, contact_ids: set[int]) -> dict[int, list[_Withdrawal]]:
    found: dict[int, list[_Withdrawal]] = defaultdict(list)
    if not contact_ids:
        return found
    rows = session.execute(
        select(
            ConsentEvent.contact_id,
            ConsentEvent.at,
            ConsentEvent.channel,
            ConsentEvent.inbound_message_id,
        )
        .where(ConsentEvent.contact_id.in_(contact_ids), ConsentEvent.action == WITHDRAW)
        .order_by(ConsentEvent.at, ConsentEvent.id)
    ).all()
    for contact_id, at, channel, inbound_id in rows:
        found[contact_id].append(_Withdrawal(at, channel, inbound_id))
    return found


def _flat(by_contact: dict[int, list[_Withdrawal]]) -> list[_Withdrawal]:
    return [w for ws in by_contact.values() for w in ws]


def _at(withdrawals: Sequence[_Withdrawal], moment: datetime) -> _Withdrawal | None:
    """The withdrawal written with the request (the first one at its moment)."""
    for w in withdrawals:
        if abs(w.at - moment) <= SAME_MOMENT:
            return w
    return None


def _replies_to(session: Session, inbound_ids: set[int | None]) -> dict[int, Sms]:
    """The first SMS that answered each inbound message."""
    ids = {i for i in inbound_ids if i is not None}
    if not ids:
        return {}
    found: dict[int, Sms] = {}
    for row in session.scalars(select(OM).where(OM.inbound_message_id.in_(ids)).order_by(OM.id)):
        assert row.inbound_message_id is not None
        found.setdefault(row.inbound_message_id, _sms(row))
    return found


def _by_key(session: Session, keys: list[str]) -> dict[str, Sms]:
    if not keys:
        return {}
    rows = session.scalars(select(OM).where(OM.idempotency_key.in_(keys)))
    return {row.idempotency_key: _sms(row) for row in rows if row.idempotency_key}


def _count_by_contact(
    session: Session, column: InstrumentedAttribute[int], contact_ids: set[int]
) -> dict[int, int]:
    rows = session.execute(
        select(column, func.count()).where(column.in_(contact_ids)).group_by(column)
    ).all()
    return {cid: n for cid, n in rows}


def _hours_down(span: timedelta) -> int:
    return max(0, int(span / HOUR))


def _hours_up(span: timedelta) -> int:
    return max(1, math.ceil(span / HOUR))
