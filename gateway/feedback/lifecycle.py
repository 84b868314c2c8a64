"""Feedback lifecycle: statuses, allowed transitions, deadlines and status SMS.

received -> verified -> in_progress -> resolved -> closed, plus rejected (not Disdik's
authority; the note says where to go instead). Deadlines in working days (SP4N-LAPOR!,
domain.md section 3.3), kept in ``Feedback.due_at`` as "the next deadline":

- received: verify within 3 working days of creation;
- verified / in_progress: respond within 5 working days of verification (a reopened
  report gets 5 working days from the reopening);
- resolved: the moment the report closes itself (10 working days), unless the citizen
  answers first; ``workers.lifecycle.close_resolved_reports`` does the closing;
- closed / rejected: no deadline.

Reopening: any free text (not a keyword) from the citizen while one of their reports is
resolved and not yet closed reopens the latest such report to in_progress, with the text
as a ``citizen_reply`` event (``gateway.sms.commands``). A plain thank-you or "ok"
is kept as a ``citizen_reply`` event too, but does not reopen the report. When staff
replied to another, open report after the resolution, the message answers that one
instead: the report staff spoke on last wins (``gateway.feedback.threads``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.common import texts, words
from gateway.common.sms_text import to_gsm7, truncate_to_segments
from gateway.common.workdays import add_working_days
from gateway.models import Contact, Feedback, FeedbackEvent
from gateway.models import FeedbackStatus as S
from gateway.outbox.queue import queue_sms

VERIFY_DAYS, RESPOND_DAYS, CLOSE_AFTER_DAYS = 3, 5, 10
TRANSITIONS: dict[S, frozenset[S]] = {
    S.RECEIVED: frozenset({S.VERIFIED, S.REJECTED}),
    S.VERIFIED: frozenset({S.IN_PROGRESS, S.RESOLVED, S.REJECTED}),
    S.IN_PROGRESS: frozenset({S.RESOLVED, S.REJECTED}),
    S.RESOLVED: frozenset({S.CLOSED, S.IN_PROGRESS}),
    S.CLOSED: frozenset(),
    S.REJECTED: frozenset(),
}
FINISHED = frozenset({S.RESOLVED.value, S.CLOSED.value, S.REJECTED.value})
NOTE_SEGMENTS = 2
ACKNOWLEDGEMENTS = frozenset({
    "OK", "OKE", "OKAY", "OKELAH", "SIP", "MANTAP", "BAIK", "BAIKLAH", "YA", "SUDAH", "SIAP",
    "BERES", "SELESAI", "AMIN", "ALHAMDULILLAH", "NOTED", "GOOD", "GREAT", "BAGUS",
})  # fmt: skip
"""Words that accept an answer; with thanks and courtesy around them (``sdh pak,
makasih``) the message is a thank-you."""


class TransitionNotAllowed(ValueError):
    """The requested status cannot follow the current one."""


@dataclass(frozen=True)
class StatusChanged:
    feedback_id: int
    from_status: str
    to_status: str
    outbound_ids: tuple[int, ...] = ()


def can_move(current: str, target: str) -> bool:
    try:
        return S(target) in TRANSITIONS[S(current)]
    except ValueError:
        return False


def first_deadline(created_at: datetime) -> datetime:
    return add_working_days(created_at, VERIFY_DAYS)


def next_deadline(target: str, now: datetime, current_due: datetime | None) -> datetime | None:
    """The deadline that holds once a report enters `target` at `now`."""
    if target == S.VERIFIED:
        return add_working_days(now, RESPOND_DAYS)
    if target == S.IN_PROGRESS:
        return current_due or add_working_days(now, RESPOND_DAYS)
    if target == S.RESOLVED:
        return add_working_days(now, CLOSE_AFTER_DAYS)
    return None


def is_overdue(status: str, due_at: datetime | None, now: datetime) -> bool:
    return due_at is not None and status not in FINISHED and now > due_at


def apply_status(
    session: Session,
    feedback: Feedback,
    target: str,
    *,
    note: str | None = None,
    notify: bool = True,
    staff_id: int | None = None,
    now: datetime | None = None,
) -> StatusChanged:
    """Move `feedback` to `target`, record the event, queue the citizen's SMS if wanted."""
    now = now or datetime.now(UTC)
    current = feedback.status
    if not can_move(current, target):
        raise TransitionNotAllowed(f"{current} -> {target}")
    reopening = current == S.RESOLVED and target == S.IN_PROGRESS
    feedback.due_at = next_deadline(target, now, None if reopening else feedback.due_at)
    feedback.status = target
    feedback.resolved_at = now if target == S.RESOLVED else feedback.resolved_at
    feedback.closed_at = now if target == S.CLOSED else None
    event = FeedbackEvent(
        feedback_id=feedback.id,
        kind="status",
        from_status=current,
        to_status=target,
        note=note,
        staff_id=staff_id,
    )
    session.add(event)
    outbound: tuple[int, ...] = ()
    if notify:
        outbound = notify_citizen(session, feedback, status_notice(feedback, target, note))
    event.outbound_id = outbound[0] if outbound else None
    session.flush()
    return StatusChanged(feedback.id, current, target, outbound)


def status_notice(feedback: Feedback, target: str, note: str | None) -> str:
    """The status SMS: one segment, or two when a note (e.g. where to go) is added."""
    text = texts.render(f"notify_{target}", feedback.language, ticket=feedback.ticket)
    if note and target in (S.RESOLVED, S.REJECTED):
        text = truncate_to_segments(to_gsm7(f"{text} {note.strip()}"), NOTE_SEGMENTS)
    return text


def can_notify(feedback: Feedback) -> bool:
    """Whether the report's citizen may get SMS about it: a number is known, and an
    anonymous reporter asked for news."""
    return feedback.contact_id is not None and (feedback.notify or not feedback.anonymous)


def notify_citizen(session: Session, feedback: Feedback, text: str) -> tuple[int, ...]:
    """Queue `text` to the report's citizen; anonymous reports only when they asked."""
    if not can_notify(feedback):
        return ()
    contact = session.get(Contact, feedback.contact_id)
    if contact is None:
        return ()
    row = queue_sms(
        session, to=contact.phone, text=text, contact_id=contact.id, feedback_id=feedback.id
    )
    return (row,)


def reports_to_close(session: Session, now: datetime) -> list[int]:
    """Resolved reports whose 10-working-day answer window has passed (pure selection)."""
    query = select(Feedback.id).where(Feedback.status == S.RESOLVED.value, Feedback.due_at <= now)
    return list(session.scalars(query.order_by(Feedback.id)))


def reopenable_report(session: Session, contact_id: int, now: datetime) -> Feedback | None:
    """The citizen's latest resolved report still inside its answer window."""
    query = select(Feedback).where(
        Feedback.contact_id == contact_id,
        Feedback.status == S.RESOLVED.value,
        Feedback.due_at > now,
    )
    return session.scalar(query.order_by(Feedback.resolved_at.desc(), Feedback.id.desc()))


def is_acknowledgement(text: str) -> bool:
    """A thank-you or "ok" that answers a resolution without disputing it: thanks or an
    accepting word, and nothing but those, courtesy and particles (``Terima kasih pak``,
    ``ok bu``, ``sdh, makasih``); ``tolong pak`` or ``belum`` are not."""
    typed = words.expand(words.tokens(text), answer=True)
    accepting = [w for w in typed if w in ACKNOWLEDGEMENTS or w in words.THANKS]
    return bool(accepting) and all(w in ACKNOWLEDGEMENTS for w in words.meaningful(typed))


def reopen_by_citizen(
    session: Session, feedback: Feedback, text: str, *, inbound_id: int, now: datetime
) -> bool:
    """A citizen answered a resolved report: back to in_progress (their words kept),
    unless they only said thank you. Returns whether it was reopened."""
    reply = FeedbackEvent(
        feedback_id=feedback.id, kind="citizen_reply", note=text, inbound_message_id=inbound_id
    )
    if is_acknowledgement(text):
        session.add(reply)
        return False
    note = f"Dibuka kembali oleh balasan warga (pesan {inbound_id})"
    apply_status(session, feedback, S.IN_PROGRESS.value, note=note, notify=False, now=now)
    session.add(reply)
    return True
