"""Carry out the actions the USSD menus engine emits, through the domain services.

``run_actions`` takes the session first, never commits and never enqueues: the hop handler
owns the transaction and enqueues ``ActionOutcome.outbound_ids`` after the commit. Each
action is safe to repeat (a network retry after lost state replays the last input).

RSVP reminders are outbox rows with ``not_before = starts_at - 1 day``: they are NOT in
``outbound_ids`` (nothing is enqueued now); the outbound pipeline's sweeper sends queued rows
once ``not_before`` has passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.common import texts
from gateway.common.sms_text import to_gsm7, truncate_to_segments
from gateway.feedback.filing import record_feedback
from gateway.models import (
    Channel,
    Consultation,
    Contact,
    Feedback,
    FeedbackKind,
    OutboundMessage,
    Poll,
    SkmResponse,
)
from gateway.models import Rsvp as RsvpRow
from gateway.outbox.queue import queue_sms
from gateway.polls.answers import record_poll_answer
from gateway.ussd.data import DbData, wib_label
from menus import (
    Action,
    AnswerPoll,
    FileFeedback,
    RecordSkm,
    Rsvp,
    SendInfoSms,
    SetLanguage,
    Subscribe,
    Unsubscribe,
)

INFO_SMS_SEGMENTS = 3
FILED_IN_SESSION = select(Feedback.ticket).where(Feedback.ussd_session_id == bindparam("sid"))
SKM_OF_SESSION = select(SkmResponse.id).where(SkmResponse.ussd_session_id == bindparam("sid"))
REMINDER_AHEAD = timedelta(days=1)


@dataclass
class ActionOutcome:
    """What the hop needs after running its actions: placeholder values and SMS to enqueue."""

    values: dict[str, str] = field(default_factory=dict)
    outbound_ids: list[int] = field(default_factory=list)


def run_actions(
    session: Session,
    actions: Iterable[Action],
    *,
    contact: Contact,
    session_id: str,
    origin: str | None = None,
) -> ActionOutcome:
    """Run every action in order. ``origin``: the dropped session this one resumed, if any."""
    outcome = ActionOutcome()
    for action in actions:
        if isinstance(action, FileFeedback):
            outcome.values["ticket"] = _file(session, action, contact, session_id, outcome)
        elif isinstance(action, RecordSkm):
            record_skm(session, action, contact=contact, session_id=session_id, origin=origin)
        elif isinstance(action, Rsvp):
            outcome.outbound_ids += _rsvp(session, action.code, contact)
        elif isinstance(action, Subscribe):
            _subscribe(contact, action)
        elif isinstance(action, Unsubscribe):
            contact.subscribed, contact.opted_out_at = False, datetime.now(UTC)
        elif isinstance(action, SetLanguage):
            contact.language = action.lang
        elif isinstance(action, AnswerPoll):
            _answer_poll(session, action, contact)
        elif isinstance(action, SendInfoSms):
            outcome.outbound_ids += _info_sms(session, action, contact)
    session.flush()
    return outcome


def _file(
    session: Session, action: FileFeedback, contact: Contact, session_id: str, out: ActionOutcome
) -> str:
    existing = session.scalar(FILED_IN_SESSION, {"sid": session_id})
    if existing is not None:  # the same final hop again: one session files one record
        return existing
    consultation_id = None
    if action.consultation_code:
        consultation_id = session.scalar(
            select(Consultation.id).where(Consultation.code == action.consultation_code)
        )
    filed = record_feedback(
        session,
        kind=FeedbackKind(action.kind),
        text=action.text[:1000],
        channel=Channel.USSD,
        contact=contact,
        category=action.category,
        kecamatan=action.kecamatan,
        school=action.school,
        anonymous=action.anonymous,
        ussd_session_id=session_id,
        consultation_id=consultation_id,
    )
    out.outbound_ids += filed.outbound_ids
    return filed.ticket


def record_skm(
    session: Session,
    action: RecordSkm,
    *,
    contact: Contact | None,
    session_id: str,
    origin: str | None = None,
) -> None:
    """One row per USSD session; a later row of a resumed survey replaces the dropped one's."""
    if session.scalar(SKM_OF_SESSION, {"sid": session_id}):
        return
    if origin:
        session.execute(
            delete(SkmResponse).where(
                SkmResponse.ussd_session_id == origin,
                SkmResponse.service == action.service,
                SkmResponse.complete.is_(False),
            )
        )
    session.add(
        SkmResponse(
            contact_id=contact.id if contact else None,
            service=action.service,
            answers="".join(str(a) for a in action.answers),
            complete=action.complete,
            channel=Channel.USSD.value,
            ussd_session_id=session_id,
        )
    )
    session.flush()


def _rsvp(session: Session, code: str, contact: Contact) -> list[int]:
    event = session.scalar(select(Consultation).where(Consultation.code == code))
    if event is None:
        return []
    try:
        with session.begin_nested():
            session.add(RsvpRow(consultation_id=event.id, contact_id=contact.id, channel="ussd"))
    except IntegrityError:
        return []  # already registered: no second confirmation
    lang, fields = contact.language, _event_fields(event, contact.language)
    text = texts.render("rsvp_confirmed", lang, **fields)
    confirmation = queue_sms(session, to=contact.phone, text=text, contact_id=contact.id)
    remind_at = event.starts_at - REMINDER_AHEAD
    if remind_at > datetime.now(UTC):
        reminder = texts.render("rsvp_reminder", lang, **fields)
        reminder_id = queue_sms(session, to=contact.phone, text=reminder, contact_id=contact.id)
        session.get_one(OutboundMessage, reminder_id).not_before = remind_at
    return [confirmation]


def _event_fields(event: Consultation, lang: str) -> dict[str, str]:
    title = (lang == "en" and event.title_en) or event.title
    when = wib_label(event.starts_at, lang)
    place = to_gsm7(event.place)
    return {"title": to_gsm7(title), "place": place, "when": when, "code": event.code}


def _subscribe(contact: Contact, action: Subscribe) -> None:
    contact.subscribed = True
    contact.opted_out_at = None
    contact.kecamatan, contact.role = action.kecamatan, action.role
    contact.consent_version, contact.consent_channel = action.consent_version, "ussd"
    contact.consent_at = datetime.now(UTC)


def _answer_poll(session: Session, action: AnswerPoll, contact: Contact) -> None:
    poll = session.get(Poll, int(action.poll_id)) if action.poll_id.isdecimal() else None
    if poll is None:
        return
    answer = str(action.option_index)
    record_poll_answer(session, contact=contact, answer=answer, channel="ussd", poll=poll)


def _info_sms(session: Session, action: SendInfoSms, contact: Contact) -> list[int]:
    body = DbData(lambda: session).text(action.topic, action.lang or contact.language)
    if not body:
        return []
    text = truncate_to_segments(to_gsm7(f"Disdik Labura: {body}"), INFO_SMS_SEGMENTS)
    return [queue_sms(session, to=contact.phone, text=text, contact_id=contact.id)]
