"""RSVPs to public consultations and town-hall meetings, by SMS (HADIR <code>) and USSD.

One RSVP per contact and meeting. A new RSVP gets a confirmation SMS and, when the meeting
is more than a day away, a reminder: an outbox row with ``not_before = starts_at - 1 day``
that the outbox sweeper sends when it is due (it is not enqueued now).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gateway.common import texts, wib
from gateway.common.sms_text import to_gsm7
from gateway.models import Consultation, Contact, OutboundMessage
from gateway.models import Rsvp as RsvpRow
from gateway.outbox.queue import ReplyCap, queue_capped_reply, queue_sms

REMINDER_AHEAD = timedelta(days=1)
BY_CODE = select(Consultation).where(func.upper(Consultation.code) == bindparam("code"))


@dataclass(frozen=True)
class RsvpOutcome:
    consultation_id: int
    confirmation: str
    """The confirmation text in the contact's language (what the SMS says)."""
    new: bool
    """False when the contact had already RSVP'd: nothing was written or queued."""
    confirmation_id: int | None = None
    """The queued confirmation SMS, to enqueue after the commit (None: not queued)."""
    reminder_id: int | None = None


def rsvp(
    session: Session,
    contact: Contact,
    code: str,
    *,
    channel: str,
    now: datetime,
    queue_confirmation: bool = True,
    cap: ReplyCap | None = None,
) -> RsvpOutcome | None:
    """RSVP ``contact`` to the meeting ``code`` (any case); None when no such meeting.

    A new RSVP queues its confirmation SMS (unless the caller sends the text itself, as the
    reply to an SMS does) within the number's hourly ``cap``, and the day-before reminder
    (queued for later, outside the cap)."""
    event = session.scalar(BY_CODE, {"code": code.strip().upper()})
    if event is None:
        return None
    fields = event_fields(event, contact.language)
    confirmation = texts.render("rsvp_confirmed", contact.language, **fields)
    try:
        with session.begin_nested():
            session.add(RsvpRow(consultation_id=event.id, contact_id=contact.id, channel=channel))
    except IntegrityError:
        return RsvpOutcome(event.id, confirmation, new=False)
    confirmation_id = None
    if queue_confirmation:
        confirmation_id = queue_capped_reply(
            session, to=contact.phone, text=confirmation, cap=cap, contact_id=contact.id
        )
    reminder_id = None
    remind_at = event.starts_at - REMINDER_AHEAD
    if remind_at > now:
        reminder = texts.render("rsvp_reminder", contact.language, **fields)
        reminder_id = queue_sms(session, to=contact.phone, text=reminder, contact_id=contact.id)
        session.get_one(OutboundMessage, reminder_id).not_before = remind_at
    return RsvpOutcome(event.id, confirmation, True, confirmation_id, reminder_id)


def event_fields(event: Consultation, lang: str) -> dict[str, str]:
    """The fields of a meeting's SMS texts: title, place, when (WIB), code."""
    title = (lang == "en" and event.title_en) or event.title
    when = wib.short_label(event.starts_at, lang)
    return {
        "title": to_gsm7(title),
        "place": to_gsm7(event.place),
        "when": when,
        "code": event.code,
    }
