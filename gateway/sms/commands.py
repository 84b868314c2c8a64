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
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gateway.citizens import consent, rights
from gateway.citizens.info import info_text
from gateway.citizens.skm import record_skm as store_skm
from gateway.common import texts, tickets, wib
from gateway.common.sms_text import to_gsm7, truncate_to_segments
from gateway.common.words import expand, meaningful, tokens
from gateway.consultations.rsvp import rsvp as store_rsvp
from gateway.feedback import lifecycle, threads
from gateway.feedback.filing import record_feedback
from gateway.feedback.status import status_for_filer
from gateway.models import Channel, Feedback, FeedbackKind, InboundMessage, OutboundMessage
from gateway.polls.answers import latest_poll_for, record_poll_answer, sent_between
from gateway.sms import keywords, tagging
from gateway.sms.answers import Answer, Incoming
from gateway.sms.keywords import Command, Kind

HELP_INTERVAL = timedelta(hours=1)
INFO_SEGMENTS = 2
THREAD_REPLY, POLL_ASK = "reply", "poll_ask"
"""What a stored message was taken as, besides its keyword kind (``InboundMessage.command``)."""
POLL_LABEL, MIN_ITEM = 70, 8
"""The option list of a "which one?" SMS, at most this long, each option at least this."""
TICKET_WORDS = frozenset({"TIKET", "TICKET", "NO", "NOMOR", "NOMER", "BAGAIMANA", "KABAR", "CEK"})
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
    """A message with no keyword, in this order (``gateway.feedback.threads``):

    - only a ticket number (``1234566``, ``tiket 123-4566 pak``): its status, as STATUS;
    - naming one of the citizen's own tickets (``1234566 sekolahnya SDN 5``): joins that
      report's thread;
    - a short reply while a poll waits (``ya bu sudah``, ``minggu pagi aja``): the answer,
      unless staff wrote in a conversation after the poll was sent;
    - an answer in a conversation (the open report staff replied to in the last 7 days, or
      the resolved one still in its answer window; whichever staff spoke on last): joins
      its thread, no new ticket, the acknowledgement names the ticket;
    - anything else: an 'other' record (nothing lost); a ticket it named that is not the
      citizen's is said not to be found.

    The stored message's ``command`` says what it was taken as: ``answer``, ``reply`` (a
    thread), ``poll_ask`` (asked which option) or ``unknown`` (an 'other' record)."""
    text = msg.text.strip()
    if not text:
        _mark(session, msg, cmd, Kind.UNKNOWN.value)
        return Answer(None if _helped_recently(session, msg) else msg.say("help"))
    choice = threads.choose(session, msg.contact.id, text, msg.now)
    thread = choice.thread
    named = thread.feedback.ticket if thread and thread.spoke_at is None else choice.unknown
    if named is not None and _only_a_ticket(text):
        return show_status(session, msg, Command(Kind.STATUS, "STATUS", text, (named,)))
    if thread is None or thread.spoke_at is not None:
        polled = _poll_answer(session, msg, cmd, thread)
        if polled is not None:
            return polled
    if thread is not None:
        _mark(session, msg, cmd, THREAD_REPLY)
        return _join(session, msg, thread.feedback, text)
    _mark(session, msg, cmd, Kind.UNKNOWN.value)
    filed = _file(session, msg, FeedbackKind.OTHER, text)
    about = (filed.feedback_id, filed.ticket)
    if choice.unknown is not None:
        return Answer(
            msg.say("ticket_unknown_stored", named=choice.unknown, ticket=filed.ticket), *about
        )
    if _helped_recently(session, msg):
        return Answer(None, *about)
    return Answer(msg.say("message_stored", ticket=filed.ticket), *about)


answer_poll = unclassified
"""A bare reply (1, B, ya) is a message with no keyword like any other: the poll it may
answer is weighed against the conversation it may belong to (`unclassified`)."""


def _poll_answer(
    session: Session, msg: Incoming, cmd: Command, thread: threads.Thread | None
) -> Answer | None:
    """The answer to the latest poll sent to this number, if the message reads as one and
    the poll was sent after staff's last word in a conversation; None: not a poll answer.

    A bare answer (``1``, ``ya``) to a closed poll is told so, and one that names no option
    is asked for the number; a longer short message that names none is not an answer."""
    if not keywords.is_short_reply(cmd):
        return None
    poll = latest_poll_for(session, msg.contact)
    if poll is None:
        return None
    first_sent, last_sent = sent_between(session, msg.contact.id, poll.id)
    if (
        thread is not None
        and thread.spoke_at
        and (last_sent is None or thread.spoke_at > last_sent)
    ):
        return None  # staff asked something after the poll: the reply is for them
    bare = cmd.kind is Kind.ANSWER
    result = record_poll_answer(
        session,
        contact=msg.contact,
        answer=cmd.body,
        channel="sms",
        poll=poll,
        inbound_message_id=msg.inbound_id,
    )
    if result is None or result.closed:
        return Answer(msg.say("poll_closed")) if bare else None
    if result.label is not None:
        _mark(session, msg, cmd, Kind.ANSWER.value)
        return Answer(msg.say("poll_thanks", label=to_gsm7(result.label)))
    if result.choices and not _asked_since(session, msg, first_sent):
        _mark(session, msg, cmd, POLL_ASK)
        options = [f"{position} ({label})" for position, label in sorted(result.choices)]
        first = str(min(result.choices)[0])
        return Answer(msg.say("poll_which", options=_either(options, msg, POLL_LABEL), first=first))
    if bare or result.choices:
        return Answer(msg.say("poll_unmatched"))
    return None


def _join(session: Session, msg: Incoming, feedback: Feedback, text: str) -> Answer:
    """The message into the report's thread; acknowledged once per staff question."""
    acknowledged = threads.acknowledged_since(session, feedback, msg.now)
    joined = threads.join(session, feedback, text, inbound_id=msg.inbound_id, now=msg.now)
    about = (feedback.id, feedback.ticket)
    if joined is threads.Joined.REOPENED:
        return Answer(msg.say("reopened", ticket=feedback.ticket), *about)
    if joined is threads.Joined.THANKS or acknowledged or lifecycle.is_acknowledgement(text):
        return Answer(None, *about)  # kept, not answered: no thank-you for a thank-you
    return Answer(msg.say("thread_reply", ticket=feedback.ticket), *about)


def _only_a_ticket(text: str) -> bool:
    """``1234566``, ``tiket 123-4566 pak``, ``no tiket 1234566 gmn?``: a ticket and nothing
    to add to its thread."""
    rest = [w for w in meaningful(expand(tokens(text))) if not w.isdigit()]
    return all(w in TICKET_WORDS for w in rest)


def _asked_since(session: Session, msg: Incoming, since: datetime | None) -> bool:
    """Whether this number was already asked which option it meant, for this poll."""
    query = select(InboundMessage.id).where(
        InboundMessage.contact_id == msg.contact.id,
        InboundMessage.command == POLL_ASK,
        InboundMessage.id != msg.inbound_id,
    )
    if since is not None:
        query = query.where(InboundMessage.created_at >= since)
    return session.scalar(query.limit(1)) is not None


def _mark(session: Session, msg: Incoming, cmd: Command, command: str) -> None:
    """Record on the stored message what it was taken as, if not what it was parsed as."""
    if command != cmd.kind.value:
        session.execute(
            update(InboundMessage)
            .where(InboundMessage.id == msg.inbound_id)
            .values(command=command)
        )


def _either(items: list[str], msg: Incoming, width: int | None = None) -> str:
    """``A, B atau C`` in the contact's language; each item cut to fit `width` in all."""
    if width is not None:
        each = max(MIN_ITEM, width // len(items) - 2)
        items = [item if len(item) <= each else item[: each - 1].rstrip() + ")" for item in items]
    *rest, last = items
    word = f" {texts.label(texts.WORDS, 'or', msg.contact.language)} "
    return word.join([", ".join(rest), last]) if rest else last


def ambiguous(session: Session, msg: Incoming, cmd: Command) -> Answer:
    """A typo close to two keywords: ask instead of guessing."""
    choices = _either(list(cmd.candidates), msg)
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
