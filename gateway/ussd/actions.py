"""Carry out the actions the USSD menus engine emits, through the capability services (the
SMS command handlers call the same ones).

``run_actions`` takes the session first, never commits and never enqueues: the hop handler
owns the transaction and enqueues ``ActionOutcome.outbound_ids`` after the commit. Each
action is safe to repeat (a network retry after lost state replays the last input).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.citizens import consent
from gateway.citizens.info import info_text
from gateway.citizens.skm import record_skm as store_skm
from gateway.common.sms_text import to_gsm7, truncate_to_segments
from gateway.consultations.rsvp import rsvp
from gateway.feedback.filing import record_feedback
from gateway.models import Channel, Consultation, Contact, FeedbackKind, Poll
from gateway.outbox.queue import ReplyCap, queue_capped_reply
from gateway.polls.answers import record_poll_answer
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
    replies_per_hour: int,
    origin: str | None = None,
) -> ActionOutcome:
    """Run every action in order. ``origin``: the dropped session this one resumed, if any.
    The SMS the actions queue stay within the number's ``replies_per_hour``."""
    outcome = ActionOutcome()
    now = datetime.now(UTC)
    cap = ReplyCap(replies_per_hour, now)
    for action in actions:
        if isinstance(action, FileFeedback):
            outcome.values["ticket"] = _file(session, action, contact, session_id, outcome, cap)
        elif isinstance(action, RecordSkm):
            record_skm(session, action, contact=contact, session_id=session_id, origin=origin)
        elif isinstance(action, Rsvp):
            outcome.outbound_ids += _rsvp(session, action.code, contact, cap)
        elif isinstance(action, Subscribe):
            carrier = consent.Carrier.ussd(session_id)
            consent.subscribe(
                session, contact, carrier, now=now, kecamatan=action.kecamatan, role=action.role
            )
        elif isinstance(action, Unsubscribe):
            consent.opt_out(session, contact, consent.Carrier.ussd(session_id), now=now)
        elif isinstance(action, SetLanguage):
            contact.language = action.lang
        elif isinstance(action, AnswerPoll):
            _answer_poll(session, action, contact)
        elif isinstance(action, SendInfoSms):
            outcome.outbound_ids += _info_sms(session, action, contact, session_id, cap)
    session.flush()
    return outcome


def _file(
    session: Session,
    action: FileFeedback,
    contact: Contact,
    session_id: str,
    out: ActionOutcome,
    cap: ReplyCap,
) -> str:
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
        cap=cap,
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
    store_skm(
        session,
        contact=contact,
        answers=action.answers,
        channel=Channel.USSD,
        complete=action.complete,
        service=action.service,
        ussd_session_id=session_id,
        origin=origin,
    )


def _rsvp(session: Session, code: str, contact: Contact, cap: ReplyCap) -> list[int]:
    """A new RSVP's confirmation SMS (its reminder is queued for later, not enqueued now)."""
    done = rsvp(session, contact, code, channel="ussd", now=cap.now, cap=cap)
    if done is None or done.confirmation_id is None:
        return []  # no such meeting, or already registered: no second confirmation
    return [done.confirmation_id]


def _answer_poll(session: Session, action: AnswerPoll, contact: Contact) -> None:
    poll = session.get(Poll, int(action.poll_id)) if action.poll_id.isdecimal() else None
    if poll is None:
        return
    answer = str(action.option_index)
    record_poll_answer(session, contact=contact, answer=answer, channel="ussd", poll=poll)


def _info_sms(
    session: Session, action: SendInfoSms, contact: Contact, session_id: str, cap: ReplyCap
) -> list[int]:
    """One info SMS per session and topic, however often the final hop runs, within the
    number's hourly cap."""
    body = info_text(session, action.topic, action.lang or contact.language)
    if not body:
        return []
    text = truncate_to_segments(to_gsm7(f"Disdik Labura: {body}"), INFO_SMS_SEGMENTS)
    key = f"ussd:{session_id}:info:{action.topic}"
    queued = queue_capped_reply(
        session, to=contact.phone, text=text, cap=cap, contact_id=contact.id, key=key
    )
    return [] if queued is None else [queued]
