"""Command services about the citizen themself: consent (STOP, MULAI, DAFTAR), UU PDP
rights (DATA, HAPUS) and participation (HADIR, SKM).

Consent is recorded the way UU PDP Pasal 22/24 asks (domain.md section 6.1): version of
the consent text, time and channel on the contact. Opting out is immediate and confirmed
once: a second STOP changes nothing and gets no second SMS.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.common import texts
from gateway.models import (
    Consultation,
    DataRequest,
    Feedback,
    InboundMessage,
    Rsvp,
    SkmResponse,
)
from gateway.sms.answers import Answer, Incoming, wib
from gateway.sms.keywords import Command

CONSENT_VERSION = "sms-2026-1"
DATA_REQUEST_DEADLINE = timedelta(hours=72)  # UU PDP: 3 x 24 hours


def stop(session: Session, msg: Incoming) -> Answer:
    """Opt out of every broadcast at once; confirm only the first time."""
    contact = msg.contact
    if contact.opted_out_at is not None:
        contact.subscribed = False
        return Answer(None)
    contact.opted_out_at = msg.now
    contact.subscribed = False
    return Answer(msg.say("stop_done"))


def start(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """MULAI: opt back in (a fresh consent)."""
    _consent(msg)
    return Answer(msg.say("start_done"))


def subscribe(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """DAFTAR [kecamatan] [peran]: subscribe with consent recorded."""
    kecamatan, role = (cmd.args + (None, None))[:2]
    contact = msg.contact
    contact.kecamatan = str(kecamatan) if kecamatan else contact.kecamatan
    contact.role = str(role) if role else contact.role
    _consent(msg)
    lang = contact.language
    place = f"Kec. {contact.kecamatan}" if contact.kecamatan else None
    where = place or texts.label(texts.WORDS, "all_areas", lang)
    if contact.role:
        where = f"{where}, {contact.role.replace('_', ' ')}"
    return Answer(msg.say("subscribe_done", where=where))


def rsvp(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """HADIR <code>: RSVP once to a public consultation (repeats are harmless)."""
    code = str(cmd.args[0]) if cmd.args and cmd.args[0] else ""
    if not code:
        return Answer(msg.say("rsvp_missing"))
    event = session.scalar(select(Consultation).where(func.upper(Consultation.code) == code))
    if event is None:
        return Answer(msg.say("rsvp_unknown", code=code[:12]))
    known = select(Rsvp.id).where(
        Rsvp.consultation_id == event.id, Rsvp.contact_id == msg.contact.id
    )
    if session.scalar(known) is None:
        session.add(Rsvp(consultation_id=event.id, contact_id=msg.contact.id, channel="sms"))
    place = event.place[:40]
    return Answer(msg.say("rsvp_done", code=event.code, date=wib(event.starts_at), place=place))


def record_skm(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """SKM <9 digits 1-4>: a complete satisfaction response; anything else: the format."""
    if cmd.error or len(cmd.args) != 9:
        return Answer(msg.say("skm_format"))
    answers = "".join(str(a) for a in cmd.args)
    session.add(
        SkmResponse(contact_id=msg.contact.id, answers=answers, complete=True, channel="sms")
    )
    return Answer(msg.say("skm_done"))


def show_data(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """DATA (UU PDP access right): a one-SMS summary, the request kept as a record."""
    contact = msg.contact
    reports = session.scalar(
        select(func.count(Feedback.id)).where(Feedback.contact_id == contact.id)
    )
    stored = session.scalar(
        select(func.count(InboundMessage.id)).where(InboundMessage.contact_id == contact.id)
    )
    session.add(_data_request(msg, "access", status="done", done=True))
    subscribed = "yes" if contact.subscribed and contact.opted_out_at is None else "no"
    return Answer(
        msg.say(
            "data_summary",
            reports=reports or 0,
            messages=stored or 0,
            subscribed=texts.label(texts.WORDS, subscribed, contact.language),
            kecamatan=contact.kecamatan or "-",
        )
    )


def erase(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """HAPUS: an erasure request for staff, due in 3 x 24 hours; broadcasts stop now."""
    request = session.scalar(
        select(DataRequest).where(
            DataRequest.contact_id == msg.contact.id,
            DataRequest.kind == "erasure",
            DataRequest.status == "open",
        )
    )
    if request is None:
        request = _data_request(msg, "erasure")
        session.add(request)
        session.flush()
    msg.contact.subscribed = False
    msg.contact.opted_out_at = msg.contact.opted_out_at or msg.now
    return Answer(msg.say("erase_received", request=request.id))


def _consent(msg: Incoming) -> None:
    contact = msg.contact
    contact.subscribed = True
    contact.opted_out_at = None
    contact.consent_version = CONSENT_VERSION
    contact.consent_at = msg.now
    contact.consent_channel = "sms"


def _data_request(
    msg: Incoming, kind: str, *, status: str = "open", done: bool = False
) -> DataRequest:
    return DataRequest(
        contact_id=msg.contact.id,
        kind=kind,
        status=status,
        due_at=msg.now + DATA_REQUEST_DEADLINE,
        done_at=msg.now if done else None,
    )
