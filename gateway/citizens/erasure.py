"""Carrying out a HAPUS request (UU PDP): erase, or irreversibly anonymise, everything Suara
holds about the citizen, and keep only what the office may keep.

What is erased: the number and the texts of every inbound and outbound SMS, the raw
provider payloads (inbound messages, delivery reports, USSD sessions), the USSD sessions'
number and input, the feedback texts and the notes of their history, the contact's links
from SKM answers, poll answers and RSVPs, and its profile (language, kecamatan, role,
consent). The caller's Redis keys go with it (``ussd.state.forget_caller``).

What stays: the counts. Feedback rows keep kind, category, kecamatan, school, status and
dates (no text, no contact); outbox rows their status, segments, cost and dates; inbound
rows their command and dates; USSD session rows their status, hops and duration; SKM
answers stay without a contact. Poll answers and RSVPs move to a fresh anonymous contact
row (a random mark for a number, the kecamatan and role kept) so results do not change and
nothing leads back to the number. The contact row itself stays, opted out, its number
replaced by a keyed hash (``number_hash``): kept only so a later opt-out can be honoured.
The consent ledger and the data requests stay: they are the record of processing the
office must be able to show.

The order: the confirmation SMS is queued to the number first, in the same transaction
(its idempotency key, ``confirmation_key``, names the request, and outlives the erasure).
Rows still on their way to the phone (that confirmation, a reply being sent, an SMS sent
and awaiting its delivery report) keep their number and text until they settle; then
``clear_residue`` (run by the sweeper) erases them and their delivery reports. Past
``RESIDUE_GRACE`` they are erased whatever their state. Services here take the session
and never commit.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, not_, or_, select, update
from sqlalchemy.orm import Session

from gateway.common import texts
from gateway.common.phone import is_mobile
from gateway.models import (
    Contact,
    DataRequest,
    DeliveryReport,
    Feedback,
    FeedbackEvent,
    InboundMessage,
    OutboundKind,
    OutboundMessage,
    OutboundStatus,
    PollAnswer,
    Rsvp,
    SkmResponse,
    UssdSession,
)
from gateway.outbox.queue import queue_sms

OM = OutboundMessage
ERASED = "erased"
"""What an erased number reads as, in every table but ``contacts``."""
RESIDUE_GRACE = timedelta(hours=24)
"""How long a row on its way to the phone keeps the number (a delivery report may follow)."""
RESIDUE_LOOKBACK = timedelta(days=7)
"""How far back ``clear_residue`` looks for erased contacts (a week of stopped sweepers)."""
IN_FLIGHT = tuple(OutboundStatus(s) for s in ("queued", "sending", "unknown", "sent"))
"""On the way to the phone, or sent and awaiting a delivery report (which carries the number)."""
WHY = "erased on request (HAPUS)"


@dataclass(frozen=True, slots=True)
class Target:
    """Whom an open erasure request is about: the number and its USSD session ids."""

    phone: str
    ussd_session_ids: tuple[str, ...]


def number_hash(phone: str, key: bytes) -> str:
    """The keyed hash an erased number is kept as: ``#`` and 19 base32 characters of its
    HMAC-SHA256 (95 bits), which fits the ``phone`` column; without the key it leads
    nowhere."""
    digest = hmac.new(key, phone.encode(), hashlib.sha256).digest()
    return "#" + base64.b32encode(digest).decode().lower()[:19]


def confirmation_key(request_id: int) -> str:
    """The idempotency key of a request's confirmation SMS: the row stays findable for the
    desk (``citizens.outcomes``) after its number and text are erased."""
    return f"erasure:{request_id}:done"


def erasure_target(session: Session, request_id: int) -> Target | None:
    """The number and USSD sessions of an open erasure request (None: not open)."""
    request = session.get(DataRequest, request_id)
    if request is None or request.kind != "erasure" or request.status != "open":
        return None
    contact = session.get_one(Contact, request.contact_id)
    ids = set(
        session.scalars(select(UssdSession.session_id).where(UssdSession.phone == contact.phone))
    )
    for model in (Feedback, SkmResponse):
        ids.update(
            session.scalars(
                select(model.ussd_session_id).where(
                    model.contact_id == contact.id, model.ussd_session_id.is_not(None)
                )
            )
        )
    return Target(contact.phone, tuple(sorted(i for i in ids if i)))


@dataclass(frozen=True, slots=True)
class Erased:
    """A request carried out: the confirmation SMS to enqueue after the commit (None: the
    number cannot receive SMS)."""

    confirmation_id: int | None


def erase(session: Session, request_id: int, *, key: bytes, now: datetime) -> Erased | None:
    """Carry out an open erasure request; None when it is not open (done already)."""
    request = session.get(DataRequest, request_id, with_for_update=True)
    if request is None or request.kind != "erasure" or request.status != "open":
        return None
    contact = session.get_one(Contact, request.contact_id, with_for_update=True)
    phone, contact_id = contact.phone, contact.id
    confirmation = None
    if is_mobile(phone):
        text = texts.render("erase_done", contact.language, request=request.id)
        confirmation = queue_sms(
            session, to=phone, text=text, contact_id=contact_id, key=confirmation_key(request.id)
        )
    _erase_outbox(session, contact_id, phone, now)
    _erase_inbound(session, contact_id, phone)
    _erase_ussd_sessions(session, phone)
    _erase_feedback(session, contact_id)
    session.execute(
        update(SkmResponse).where(SkmResponse.contact_id == contact_id).values(contact_id=None)
    )
    _move_answers(session, contact, now)
    _erase_contact(session, contact, key, now)
    request.status, request.done_at = "done", now
    return Erased(confirmation)


def lost_erasures(session: Session, *, now: datetime, grace: timedelta) -> list[int]:
    """Open erasure requests older than ``grace``: their job was lost (the sweeper
    enqueues them again)."""
    return list(
        session.scalars(
            select(DataRequest.id)
            .where(
                DataRequest.kind == "erasure",
                DataRequest.status == "open",
                DataRequest.created_at <= now - grace,
            )
            .order_by(DataRequest.id)
        )
    )


def clear_residue(session: Session, *, now: datetime) -> int:
    """Erase the outbox rows of erased contacts that have settled (a final status, or
    older than ``RESIDUE_GRACE``: a row still queued then is cancelled, never sent)."""
    erased = select(Contact.id).where(Contact.erased_at >= now - RESIDUE_LOOKBACK)
    overdue = OM.created_at < now - RESIDUE_GRACE
    settled = and_(OM.contact_id.in_(erased), or_(OM.status.not_in(IN_FLIGHT), overdue))
    session.execute(
        update(OM)
        .where(settled, OM.status == OutboundStatus.QUEUED)
        .values(status=OutboundStatus.CANCELLED, last_error=WHY)
        .execution_options(synchronize_session=False)
    )
    return _scrub_outbox(session, settled)


def _erase_outbox(session: Session, contact_id: int, phone: str, now: datetime) -> None:
    """Cancel what would still go out unasked (broadcasts, a reminder queued for later);
    keep the number and text of rows on their way (linked to the contact, for
    ``clear_residue``); erase the rest."""
    mine = or_(OM.contact_id == contact_id, OM.to == phone)
    session.execute(
        update(OM)
        .where(
            mine,
            OM.status == OutboundStatus.QUEUED,
            or_(OM.kind == OutboundKind.BROADCAST, OM.not_before > now),
        )
        .values(status=OutboundStatus.CANCELLED, last_error=WHY)
        .execution_options(synchronize_session=False)
    )
    on_the_way = and_(OM.status.in_(IN_FLIGHT), OM.created_at >= now - RESIDUE_GRACE)
    session.execute(
        update(OM)
        .where(mine, on_the_way)
        .values(contact_id=contact_id)
        .execution_options(synchronize_session=False)
    )
    _scrub_outbox(session, and_(mine, not_(on_the_way)))


def _scrub_outbox(session: Session, which: ColumnElement[bool]) -> int:
    """Erase the number and text of the outbox rows ``which`` and their delivery reports'
    raw payloads (which carry the number)."""
    rows = select(OM.id).where(which)
    message_ids = select(OM.provider_message_id).where(which, OM.provider_message_id.is_not(None))
    session.execute(
        update(DeliveryReport)
        .where(
            or_(
                DeliveryReport.outbound_id.in_(rows),
                DeliveryReport.provider_message_id.in_(message_ids),
            )
        )
        .values(raw={})
        .execution_options(synchronize_session=False)
    )
    result = session.execute(
        update(OM)
        .where(which)
        .values(to=ERASED, text="", contact_id=None, last_error=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def _erase_inbound(session: Session, contact_id: int, phone: str) -> None:
    session.execute(
        update(InboundMessage)
        .where(or_(InboundMessage.contact_id == contact_id, InboundMessage.sender == phone))
        .values(sender=ERASED, text="", raw={}, link_id=None, contact_id=None)
        .execution_options(synchronize_session=False)
    )


def _erase_ussd_sessions(session: Session, phone: str) -> None:
    session.execute(
        update(UssdSession)
        .where(UssdSession.phone == phone)
        .values(phone=ERASED, input=None, last_app_response=None, error_message=None, raw=None)
        .execution_options(synchronize_session=False)
    )


def _erase_feedback(session: Session, contact_id: int) -> None:
    """Feedback keeps its kind, category, place and status; its text, its contact and the
    notes of its history (the citizen's replies, staff notes about them) go."""
    theirs = select(Feedback.id).where(Feedback.contact_id == contact_id)
    session.execute(
        update(FeedbackEvent)
        .where(FeedbackEvent.feedback_id.in_(theirs))
        .values(note=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Feedback)
        .where(Feedback.contact_id == contact_id)
        .values(text="", contact_id=None)
        .execution_options(synchronize_session=False)
    )


def _move_answers(session: Session, contact: Contact, now: datetime) -> None:
    """Poll answers and RSVPs to a fresh anonymous contact: counts and breakdowns stay,
    nothing leads back to the number."""
    has_any = session.scalar(
        select(PollAnswer.id).where(PollAnswer.contact_id == contact.id).limit(1)
    ) or session.scalar(select(Rsvp.id).where(Rsvp.contact_id == contact.id).limit(1))
    if not has_any:
        return
    anonymous = Contact(
        phone=_random_mark(),
        language=contact.language,
        kecamatan=contact.kecamatan,
        role=contact.role,
        subscribed=False,
        opted_out_at=now,
        erased_at=now,
    )
    session.add(anonymous)
    session.flush()
    session.execute(
        update(PollAnswer)
        .where(PollAnswer.contact_id == contact.id)
        .values(contact_id=anonymous.id, inbound_message_id=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Rsvp)
        .where(Rsvp.contact_id == contact.id)
        .values(contact_id=anonymous.id)
        .execution_options(synchronize_session=False)
    )


def _erase_contact(session: Session, contact: Contact, key: bytes, now: datetime) -> None:
    """The contact keeps only the keyed hash of its number and its opt-out. A number erased
    before already has its hash on an earlier row: this one gets a random mark."""
    digest = number_hash(contact.phone, key)
    taken = session.scalar(
        select(Contact.id).where(Contact.phone == digest, Contact.id != contact.id)
    )
    contact.phone = _random_mark() if taken is not None else digest
    contact.language = "id"
    contact.kecamatan = contact.role = None
    contact.subscribed = False
    contact.consent_version = contact.consent_channel = None
    contact.consent_at = None
    contact.opted_out_at = contact.opted_out_at or now
    contact.erased_at = now


def _random_mark() -> str:
    """A placeholder number that leads nowhere: ``~`` and 19 random hex digits."""
    return "~" + secrets.token_hex(10)[:19]
