"""What staff do to a report, each recorded in the audit log (target: the ticket) in the
same transaction as the change: status, reply, assign, retag, note; and an admin's look at
an anonymous reporter's number (``view_anonymous``).

The desk's report page and the JSON API both call these, so a page and its endpoint never
disagree. Services: they take the session and never commit; the caller commits, then
enqueues the SMS ids they return.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from gateway.feedback import staff_ops
from gateway.feedback.lifecycle import StatusChanged
from gateway.models import Feedback
from gateway.staff import audit
from gateway.staff.auth import sees_anonymous_phone
from gateway.staff.validation import ReplyText

TAGS = ("category", "kecamatan", "school")


def change_status(
    session: Session, actor: audit.Actor, feedback: Feedback, change: staff_ops.StatusChange
) -> StatusChanged:
    done = staff_ops.change_status(session, feedback, change, _staff_id(actor))
    audit.record(
        session,
        actor,
        "status",
        feedback.ticket,
        **{"from": done.from_status, "to": done.to_status, "sms": len(done.outbound_ids)},
    )
    return done


def reply(session: Session, actor: audit.Actor, feedback: Feedback, text: ReplyText) -> int:
    """Queue the reply SMS (ticket prefix added); returns its outbox id."""
    outbound_id = staff_ops.send_staff_reply(
        session, feedback, text.text, staff_id=_staff_id(actor)
    )
    detail = {"outbound_id": outbound_id, "normalised": text.normalised}
    audit.record(session, actor, "reply", feedback.ticket, **detail)
    return outbound_id


def correct(
    session: Session, actor: audit.Actor, feedback: Feedback, changes: dict[str, Any]
) -> None:
    """Retag (category, kecamatan, school) and/or assign, audited as ``retag`` / ``assign``."""
    before = {name: _value(feedback, name) for name in changes}
    staff_ops.correct_feedback(session, feedback, changes, staff_id=_staff_id(actor))
    tags = {name: [before[name], changes[name]] for name in TAGS if name in changes}
    if tags:
        audit.record(session, actor, "retag", feedback.ticket, **tags)
    if "assigned_to" in changes:
        audit.record(
            session,
            actor,
            "assign",
            feedback.ticket,
            **{"from": before["assigned_to"], "to": changes["assigned_to"]},
        )


def add_note(session: Session, actor: audit.Actor, feedback: Feedback, note: str) -> int:
    event_id = staff_ops.add_note(session, feedback, note, staff_id=_staff_id(actor))
    audit.record(session, actor, "note", feedback.ticket, event_id=event_id)
    return event_id


def record_view(session: Session, actor: audit.Actor, role: str, feedback: Feedback) -> bool:
    """An admin opening an anonymous report sees its number: audited, each time. Returns
    whether it was recorded."""
    if not (feedback.anonymous and feedback.contact_id and sees_anonymous_phone(role)):
        return False
    audit.record(session, actor, "view_anonymous", feedback.ticket)
    return True


def _value(feedback: Feedback, name: str) -> Any:
    return feedback.assigned_to_id if name == "assigned_to" else getattr(feedback, name)


def _staff_id(actor: audit.Actor) -> int:
    if actor.staff_id is None:
        raise ValueError("a staff action needs a staff account")
    return actor.staff_id
