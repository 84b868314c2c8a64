"""One service per SMS keyword, dispatched on the parsed `Command`.

Each handler takes the session, the `Incoming` message (contact, stored row, time) and
the command, writes what the command means, and returns an `Answer`: the reply text in
the contact's language (or None for no reply) and the feedback record it concerns.
Whether the reply is really sent (mobile sender, hourly cap) is decided by the caller,
`gateway.services.inbound`. Handlers never commit and never enqueue.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from gateway.common import texts, tickets
from gateway.common.sms_text import to_gsm7, truncate_to_segments
from gateway.feedback import lifecycle
from gateway.feedback.filing import record_feedback
from gateway.models import (
    Channel,
    Feedback,
    FeedbackEvent,
    FeedbackKind,
    InboundMessage,
    InfoPage,
    OutboundMessage,
)
from gateway.polls.answers import record_poll_answer
from gateway.sms import citizen, tagging
from gateway.sms.answers import Answer, Incoming, wib
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
        return citizen.stop(session, msg)
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
    pages = select(InfoPage).where(InfoPage.topic == topic)
    found = {page.language: page for page in session.scalars(pages)}
    page = found.get(msg.contact.language) or found.get("id")
    if page is None or not page.body.strip():
        return Answer(msg.say("info_missing", topic=topic.upper()))
    return Answer(truncate_to_segments(to_gsm7(page.body.strip()), INFO_SEGMENTS))


def show_status(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """STATUS <ticket>: status and last update in WIB, never the content."""
    ticket = str(cmd.args[0]) if cmd.args and cmd.args[0] is not None else ""
    if not ticket:
        return Answer(msg.say("status_format"))
    if not tickets.is_valid(ticket):
        return Answer(msg.say("status_invalid", ticket=ticket[:12]))
    feedback = session.scalar(select(Feedback).where(Feedback.ticket == ticket))
    if feedback is None:
        return Answer(msg.say("status_unknown", ticket=ticket))
    last = session.scalar(
        select(func.max(FeedbackEvent.created_at)).where(FeedbackEvent.feedback_id == feedback.id)
    )
    when = last or feedback.updated_at or feedback.created_at
    status = texts.label(texts.STATUS_LABELS, feedback.status, msg.contact.language)
    text = msg.say("status_reply", ticket=ticket, status=status, date=wib(when))
    return Answer(text, feedback.id, ticket)


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
    Kind.SUBSCRIBE: citizen.subscribe,
    Kind.START: citizen.start,
    Kind.RSVP: citizen.rsvp,
    Kind.SKM: citizen.record_skm,
    Kind.DATA: citizen.show_data,
    Kind.ERASE: citizen.erase,
    Kind.HELP: show_help,
    Kind.AMBIGUOUS: ambiguous,
    Kind.ANSWER: answer_poll,
    Kind.UNKNOWN: unclassified,
}
