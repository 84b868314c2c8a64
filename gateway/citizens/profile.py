"""A contact as staff see it: who the citizen is (the number only while it is theirs), what
they agreed to and when (the consent ledger, in time order), what they sent and answered,
what they asked of the office under UU PDP. The desk's contact page reads it.

``contact_profile`` leaves out anonymous reports unless asked (``with_anonymous``, admins
only): listing them beside the number would name the reporter. An erased contact (HAPUS
carried out) has no number: its ``phone`` is None, never the keyed hash it is kept as.
Services take the session and return frozen values; they never commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.citizens.rights import request_overdue
from gateway.models import (
    ConsentEvent,
    Consultation,
    Contact,
    DataRequest,
    Feedback,
    InboundMessage,
    Poll,
    PollAnswer,
    PollOption,
    Rsvp,
)

SHOWN = 50
"""At most this many reports and consent events (the newest; ``more`` says when there are
others), which keeps the page inside its weight budget."""
SHOWN_OTHERS = 20
"""At most this many poll answers, RSVPs and data requests."""


@dataclass(frozen=True, slots=True)
class ReportLine:
    ticket: str
    kind: str
    status: str
    channel: str
    anonymous: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ConsentLine:
    """One grant or withdrawal, and what carried it: the inbound SMS (its text, None once
    erased or when it was not an SMS) or the USSD session."""

    action: str
    channel: str
    version: str | None
    at: datetime
    inbound_message_id: int | None
    sms_text: str | None
    ussd_session_id: str | None


@dataclass(frozen=True, slots=True)
class PollLine:
    question: str
    answer: str
    channel: str
    current: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class RsvpLine:
    code: str
    title: str
    starts_at: datetime
    channel: str
    at: datetime


@dataclass(frozen=True, slots=True)
class RequestLine:
    id: int
    kind: str
    status: str
    created_at: datetime
    due_at: datetime
    done_at: datetime | None
    overdue: bool


@dataclass(frozen=True, slots=True)
class ContactProfile:
    id: int
    phone: str | None
    """E.164, as stored; None once erased (shown as "erased", never the hash)."""
    erased_at: datetime | None
    language: str
    kecamatan: str | None
    role: str | None
    subscribed: bool
    """Whether broadcasts go to the number now (subscribed and not opted out)."""
    consent_version: str | None
    consent_at: datetime | None
    consent_channel: str | None
    opted_out_at: datetime | None
    provider_blacklisted_at: datetime | None
    created_at: datetime
    reports: tuple[ReportLine, ...]
    more_reports: bool
    anonymous_reports: int
    """How many of ``reports`` are anonymous (0 unless ``with_anonymous``)."""
    consents: tuple[ConsentLine, ...]
    more_consents: bool
    polls: tuple[PollLine, ...]
    more_polls: bool
    rsvps: tuple[RsvpLine, ...]
    more_rsvps: bool
    requests: tuple[RequestLine, ...]
    more_requests: bool


def find_contact(session: Session, phone: str) -> int | None:
    """The id of the contact with this E.164 number (None: no such citizen; an erased
    number is not found, by design)."""
    return session.scalar(
        select(Contact.id).where(Contact.phone == phone, Contact.erased_at.is_(None))
    )


def contact_profile(
    session: Session, contact_id: int, *, with_anonymous: bool, now: datetime
) -> ContactProfile | None:
    """Everything the desk shows about one contact (None: no such contact)."""
    contact = session.get(Contact, contact_id)
    if contact is None:
        return None
    reports, more_reports = _reports(session, contact_id, with_anonymous)
    consents, more_consents = _consents(session, contact_id)
    polls, more_polls = _polls(session, contact_id)
    rsvps, more_rsvps = _rsvps(session, contact_id)
    requests, more_requests = _requests(session, contact_id, now)
    erased = contact.erased_at is not None
    return ContactProfile(
        id=contact.id,
        phone=None if erased else contact.phone,
        erased_at=contact.erased_at,
        language=contact.language,
        kecamatan=contact.kecamatan,
        role=contact.role,
        subscribed=contact.subscribed and contact.opted_out_at is None,
        consent_version=contact.consent_version,
        consent_at=contact.consent_at,
        consent_channel=contact.consent_channel,
        opted_out_at=contact.opted_out_at,
        provider_blacklisted_at=contact.provider_blacklisted_at,
        created_at=contact.created_at,
        reports=reports,
        more_reports=more_reports,
        anonymous_reports=sum(1 for r in reports if r.anonymous),
        consents=consents,
        more_consents=more_consents,
        polls=polls,
        more_polls=more_polls,
        rsvps=rsvps,
        more_rsvps=more_rsvps,
        requests=requests,
        more_requests=more_requests,
    )


def _reports(
    session: Session, contact_id: int, with_anonymous: bool
) -> tuple[tuple[ReportLine, ...], bool]:
    query = select(
        Feedback.ticket,
        Feedback.kind,
        Feedback.status,
        Feedback.channel,
        Feedback.anonymous,
        Feedback.created_at,
    ).where(Feedback.contact_id == contact_id)
    if not with_anonymous:
        query = query.where(Feedback.anonymous.is_(False))
    rows = session.execute(query.order_by(Feedback.id.desc()).limit(SHOWN + 1)).all()
    return tuple(ReportLine(*row) for row in rows[:SHOWN]), len(rows) > SHOWN


def _consents(session: Session, contact_id: int) -> tuple[tuple[ConsentLine, ...], bool]:
    """The latest consent events, oldest first (so the last line is the consent standing)."""
    rows = session.execute(
        select(
            ConsentEvent.action,
            ConsentEvent.channel,
            ConsentEvent.consent_version,
            ConsentEvent.at,
            ConsentEvent.inbound_message_id,
            InboundMessage.text,
            ConsentEvent.ussd_session_id,
        )
        .outerjoin(InboundMessage, InboundMessage.id == ConsentEvent.inbound_message_id)
        .where(ConsentEvent.contact_id == contact_id)
        .order_by(ConsentEvent.at.desc(), ConsentEvent.id.desc())
        .limit(SHOWN + 1)
    ).all()
    lines = tuple(
        ConsentLine(action, channel, version, at, inbound_id, text or None, ussd_id)
        for action, channel, version, at, inbound_id, text, ussd_id in reversed(rows[:SHOWN])
    )
    return lines, len(rows) > SHOWN


def _polls(session: Session, contact_id: int) -> tuple[tuple[PollLine, ...], bool]:
    rows = session.execute(
        select(
            Poll.question,
            PollOption.label,
            PollAnswer.channel,
            PollAnswer.current,
            PollAnswer.created_at,
        )
        .join(Poll, Poll.id == PollAnswer.poll_id)
        .join(PollOption, PollOption.id == PollAnswer.option_id)
        .where(PollAnswer.contact_id == contact_id)
        .order_by(PollAnswer.id.desc())
        .limit(SHOWN_OTHERS + 1)
    ).all()
    return tuple(PollLine(*row) for row in rows[:SHOWN_OTHERS]), len(rows) > SHOWN_OTHERS


def _rsvps(session: Session, contact_id: int) -> tuple[tuple[RsvpLine, ...], bool]:
    rows = session.execute(
        select(
            Consultation.code,
            Consultation.title,
            Consultation.starts_at,
            Rsvp.channel,
            Rsvp.created_at,
        )
        .join(Consultation, Consultation.id == Rsvp.consultation_id)
        .where(Rsvp.contact_id == contact_id)
        .order_by(Rsvp.id.desc())
        .limit(SHOWN_OTHERS + 1)
    ).all()
    return tuple(RsvpLine(*row) for row in rows[:SHOWN_OTHERS]), len(rows) > SHOWN_OTHERS


def _requests(
    session: Session, contact_id: int, now: datetime
) -> tuple[tuple[RequestLine, ...], bool]:
    rows = list(
        session.scalars(
            select(DataRequest)
            .where(DataRequest.contact_id == contact_id)
            .order_by(DataRequest.id.desc())
            .limit(SHOWN_OTHERS + 1)
        )
    )
    lines = tuple(
        RequestLine(
            r.id, r.kind, r.status, r.created_at, r.due_at, r.done_at, request_overdue(r, now=now)
        )
        for r in rows[:SHOWN_OTHERS]
    )
    return lines, len(rows) > SHOWN_OTHERS
