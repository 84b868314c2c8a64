"""One handler per SMS keyword, dispatched on the parsed `Command`: thin adapters over the
capability services (the USSD actions call the same ones).

Each handler takes the session, the `Incoming` message (contact, stored row, time) and
the command, calls the service for what the command means, and returns an `Answer`: the
reply text in the contact's language (or None for no reply) and the feedback record it
concerns. Whether the reply is really sent (mobile sender, hourly cap) is decided by the
caller, `gateway.sms.inbound`. Handlers never commit and never enqueue.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gateway.citizens import consent, rights
from gateway.citizens.info import info_text
from gateway.citizens.skm import record_skm as store_skm
from gateway.common import texts, tickets, wib
from gateway.common.sms_text import to_gsm7, truncate_to_segments
from gateway.consultations.rsvp import rsvp as store_rsvp
from gateway.feedback import lifecycle
from gateway.feedback.filing import record_feedback
from gateway.feedback.status import status_for_filer
from gateway.models import Channel, FeedbackKind, InboundMessage, OutboundMessage
from gateway.polls.answers import record_poll_answer
from gateway.sms import tagging
from gateway.sms.answers import Answer, Incoming
from gateway.sms.keywords import Command, Kind

HELP_INTERVAL = timedelta(hours=1)
INFO_SEGMENTS = 2
FEEDBACK_KINDS = {
    Kind.REPORT: (FeedbackKind.COMPLAINT, "report_received", "report_empty"),
    Kind.SUGGESTION: (FeedbackKind.SUGGESTION, "suggestion_received", "suggestion_empty"),
    Kind.QUESTION: (FeedbackKind.QUESTION, "question_received", "question_empty"),
}


Handler = Callable[[Session, Incoming, Command], Answer]


def dispatch(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """Run the service for `cmd`. STOP is looked at before anything else."""
    if cmd.kind is Kind.STOP:
        return stop(session, msg, cmd)
    return HANDLERS.get(cmd.kind, unclassified)(session, msg, cmd)


def record_content(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """LAPOR / SARAN / TANYA: a feedback record, auto-tagged, its ticket in the reply."""
    kind, received_key, empty_key = FEEDBACK_KINDS[cmd.kind]
    if not cmd.body:
        return Answer(msg.say(empty_key))
    filed = _file(session, msg, kind, cmd.body)
    return Answer(msg.say(received_key, ticket=filed.ticket), filed.feedback_id, filed.ticket)


def unclassified(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """Free text: reopens a resolved report, or becomes an 'other' record (nothing lost)."""
    if cmd.kind is not Kind.UNKNOWN:  # a bare answer with no poll behind it
        session.execute(
            update(InboundMessage)
            .where(InboundMessage.id == msg.inbound_id)
            .values(command=Kind.UNKNOWN.value)
        )
    text = msg.text.strip()
    if not text:
        return Answer(None if _helped_recently(session, msg) else msg.say("help"))
    report = lifecycle.reopenable_report(session, msg.contact.id, msg.now)
    if report is not None:
        if not lifecycle.reopen_by_citizen(
            session, report, text, inbound_id=msg.inbound_id, now=msg.now
        ):
            return Answer(None, report.id, report.ticket)  # a thank-you: kept, not answered
        return Answer(msg.say("reopened", ticket=report.ticket), report.id, report.ticket)
    filed = _file(session, msg, FeedbackKind.OTHER, text)
    if _helped_recently(session, msg):
        return Answer(None, filed.feedback_id, filed.ticket)
    return Answer(msg.say("message_stored", ticket=filed.ticket), filed.feedback_id, filed.ticket)


def answer_poll(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """A bare reply (1, B, ya): the answer to the last poll sent, else unclassified."""
    result = record_poll_answer(
        session,
        contact=msg.contact,
        answer=cmd.body,
        channel="sms",
        inbound_message_id=msg.inbound_id,
    )
    if result is None:
        return unclassified(session, msg, cmd)
    if result.closed:
        return Answer(msg.say("poll_closed"))
    if result.label is None:
        return Answer(msg.say("poll_unmatched"))
    return Answer(msg.say("poll_thanks", label=to_gsm7(result.label)))


def ambiguous(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """A typo close to two keywords: ask instead of guessing."""
    *rest, last = cmd.candidates
    word = f" {texts.label(texts.WORDS, 'or', msg.contact.language)} "
    choices = word.join([", ".join(rest), last]) if rest else last
    return Answer(msg.say("ambiguous", choices=choices, first=cmd.candidates[0]))


def show_help(session: Session, msg: Incoming, cmd: Command) -> Answer:
    return Answer(msg.say("help"))


def show_info(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """INFO [topic]: the staff-edited page in the contact's language, else a fallback."""
    topic = cmd.args[0] if cmd.args else None
    if not isinstance(topic, str):
        return Answer(msg.say("info_topics"))
    body = info_text(session, topic, msg.contact.language)
    if body is None:
        return Answer(msg.say("info_missing", topic=topic.upper()))
    return Answer(truncate_to_segments(to_gsm7(body), INFO_SEGMENTS))


def show_status(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """STATUS <ticket>: status and last update in WIB, never the content, and only to the
    number that filed the ticket (anyone else is told it is not found)."""
    ticket = str(cmd.args[0]) if cmd.args and cmd.args[0] is not None else ""
    if not ticket:
        return Answer(msg.say("status_format"))
    if not tickets.is_valid(ticket):
        return Answer(msg.say("status_invalid", ticket=ticket[:12]))
    found = status_for_filer(session, ticket, phone=msg.contact.phone)
    if found is None:
        return Answer(msg.say("status_unknown", ticket=ticket))
    status = texts.label(texts.STATUS_LABELS, found.status, msg.contact.language)
    text = msg.say(
        "status_reply", ticket=ticket, status=status, date=wib.date_time(found.updated_at)
    )
    return Answer(text, found.feedback_id, ticket)


def stop(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """STOP: opt out of every broadcast at once; confirmed only the first time."""
    first = consent.opt_out(session, msg.contact, msg.carrier, now=msg.now)
    return Answer(msg.say("stop_done") if first else None, owed=True)


def start(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """MULAI: opt back in (a fresh consent)."""
    consent.subscribe(session, msg.contact, msg.carrier, now=msg.now)
    return Answer(msg.say("start_done"))


def subscribe(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """DAFTAR [kecamatan] [peran]: subscribe with consent recorded."""
    kecamatan, role = (cmd.args + (None, None))[:2]
    contact = msg.contact
    consent.subscribe(
        session,
        contact,
        msg.carrier,
        now=msg.now,
        kecamatan=str(kecamatan) if kecamatan else None,
        role=str(role) if role else None,
    )
    place = f"Kec. {contact.kecamatan}" if contact.kecamatan else None
    where = place or texts.label(texts.WORDS, "all_areas", contact.language)
    if contact.role:
        where = f"{where}, {contact.role.replace('_', ' ')}"
    return Answer(msg.say("subscribe_done", where=where))


def rsvp(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """HADIR <code>: RSVP to a public consultation; the reply is the confirmation (a repeat
    gets it again), and a new RSVP also gets the day-before reminder."""
    code = str(cmd.args[0]) if cmd.args and cmd.args[0] else ""
    if not code:
        return Answer(msg.say("rsvp_missing"))
    done = store_rsvp(
        session, msg.contact, code, channel="sms", now=msg.now, queue_confirmation=False
    )
    if done is None:
        return Answer(msg.say("rsvp_unknown", code=code[:12]))
    return Answer(done.confirmation)


def record_skm(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """SKM <9 digits 1-4>: a complete satisfaction response; anything else: the format."""
    if cmd.error or len(cmd.args) != 9:
        return Answer(msg.say("skm_format"))
    answers = [int(str(a)) for a in cmd.args]
    store_skm(session, contact=msg.contact, answers=answers, channel=Channel.SMS, complete=True)
    return Answer(msg.say("skm_done"))


def show_data(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """DATA (UU PDP access right): the data held, by category, in one two-part SMS (the
    profile and consent; the activity); the request is kept as a record."""
    held = rights.data_held(session, msg.contact, now=msg.now)
    lang = msg.contact.language
    consent, language = "-", f"lang_{held.language}"
    if held.consent_at is not None:
        channel = (held.consent_channel or "").upper()
        consent = f"{held.consent_version} {wib.day(held.consent_at)} {channel}".strip()
    profile = msg.say(
        "data_profile",
        phone=held.phone,
        language_name=texts.label(texts.WORDS, language, lang)
        if language in texts.WORDS
        else held.language,
        kecamatan=held.kecamatan or "-",
        role=(held.role or "-").replace("_", " "),
        subscribed=texts.label(texts.WORDS, "yes" if held.subscribed else "no", lang),
        consent=consent,
    )
    activity = msg.say(
        "data_activity",
        reports=held.reports,
        last_report=wib.day(held.last_report) if held.last_report else "-",
        messages=held.messages,
        last_message=wib.day(held.last_message) if held.last_message else "-",
        sessions=held.ussd_sessions,
    )
    return Answer(truncate_to_segments(to_gsm7(f"{profile} {activity}"), 2), owed=True)


def erase(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """HAPUS: an erasure request, carried out within minutes by a worker job (3 x 24 hours
    at the latest); broadcasts stop now."""
    request_id = rights.request_erasure(session, msg.contact, msg.carrier, now=msg.now)
    text = msg.say("erase_received", request=request_id)
    return Answer(text, owed=True, erasure_request_id=request_id)


def _file(session: Session, msg: Incoming, kind: FeedbackKind, text: str) -> Answer:
    filed = record_feedback(
        session,
        kind=kind,
        text=text,
        channel=Channel.SMS,
        contact=msg.contact,
        category=tagging.tag_category(text),
        kecamatan=tagging.tag_kecamatan(text),
        inbound_message_id=msg.inbound_id,
        confirm=False,
    )
    return Answer(None, filed.feedback_id, filed.ticket)


def _helped_recently(session: Session, msg: Incoming) -> bool:
    """Whether an unclassified text from this contact was answered in the last hour."""
    query = (
        select(OutboundMessage.id)
        .join(InboundMessage, OutboundMessage.inbound_message_id == InboundMessage.id)
        .where(
            InboundMessage.contact_id == msg.contact.id,
            InboundMessage.command == Kind.UNKNOWN.value,
            OutboundMessage.created_at >= msg.now - HELP_INTERVAL,
        )
    )
    return session.scalar(query.limit(1)) is not None


HANDLERS: dict[Kind, Handler] = {
    Kind.REPORT: record_content,
    Kind.SUGGESTION: record_content,
    Kind.QUESTION: record_content,
    Kind.INFO: show_info,
    Kind.STATUS: show_status,
    Kind.SUBSCRIBE: subscribe,
    Kind.START: start,
    Kind.RSVP: rsvp,
    Kind.SKM: record_skm,
    Kind.DATA: show_data,
    Kind.ERASE: erase,
    Kind.HELP: show_help,
    Kind.AMBIGUOUS: ambiguous,
    Kind.ANSWER: answer_poll,
    Kind.UNKNOWN: unclassified,
}
