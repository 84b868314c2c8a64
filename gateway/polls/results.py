"""Poll results, the delivery funnel and every recipient's row, for staff."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from gateway.models import Contact, OutboundMessage, Poll, PollAnswer, PollOption
from gateway.polls.fanout import POLL
from gateway.polls.options import options_of

OM = OutboundMessage
FAILED = ("failed", "rejected", "expired")
RECIPIENT_FIELDS = (
    "outbound_id",
    "phone",
    "kecamatan",
    "role",
    "language",
    "purpose",
    "status",
    "failure_reason",
    "attempts",
    "segments",
    "sent_at",
    "delivered_at",
    "answer",
    "answered_at",
)


def poll_results(session: Session, poll_id: int, *, cost_per_segment: float) -> dict[str, Any]:
    """Counts per option (the current answer of each person), by kecamatan and role,
    response rate (answered / recipients) and the funnel of the poll's first SMS."""
    options = options_of(session, poll_id)
    label = {o.id: o.label for o in options}
    answers = session.execute(
        select(PollAnswer.option_id, Contact.kecamatan, Contact.role, func.count())
        .join(Contact, Contact.id == PollAnswer.contact_id)
        .where(PollAnswer.poll_id == poll_id, PollAnswer.current.is_(True))
        .group_by(PollAnswer.option_id, Contact.kecamatan, Contact.role)
    ).all()
    counts: dict[int, int] = defaultdict(int)
    by_kec: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    by_role: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for option_id, kecamatan, role, n in answers:
        counts[option_id] += n
        by_kec[kecamatan or "-"][label[option_id]] += n
        by_role[role or "-"][label[option_id]] += n
    answered = sum(counts.values())
    funnel, recipients, segments, cost = _funnel(session, poll_id)
    funnel["answered"] = answered
    return {
        "poll_id": poll_id,
        "recipients": recipients,
        "options": [
            {
                "label": o.label,
                "count": counts[o.id],
                "percent": round(100 * counts[o.id] / answered, 1) if answered else 0.0,
            }
            for o in options
        ],
        "by_kecamatan": {k: dict(v) for k, v in sorted(by_kec.items())},
        "by_role": {k: dict(v) for k, v in sorted(by_role.items())},
        "response_rate": round(answered / recipients, 4) if recipients else 0.0,
        "funnel": funnel,
        "cost": {
            "segments": segments,
            "estimated": str(Decimal(str(cost_per_segment)) * segments),
            "charged": str(cost),
        },
    }


def _funnel(session: Session, poll_id: int) -> tuple[dict[str, int], int, int, Decimal]:
    """queued: rows written; sent: accepted by the provider (delivered included);
    delivered; failed (failed, rejected, expired); plus cancelled (opted out), unknown
    (ambiguous timeout, waiting for a report) and waiting (not sent yet)."""
    rows = session.execute(
        select(OM.status, func.count(), func.sum(OM.segments), func.sum(OM.cost))
        .where(OM.poll_id == poll_id, OM.purpose == POLL)
        .group_by(OM.status)
    ).all()
    by = {status: n for status, n, _, _ in rows}
    segments = sum(int(s or 0) for _, _, s, _ in rows)
    charged = sum((Decimal(c or 0) for _, _, _, c in rows), Decimal(0))
    total = sum(by.values())
    funnel = {
        "queued": total,
        "sent": by.get("sent", 0) + by.get("delivered", 0),
        "delivered": by.get("delivered", 0),
        "failed": sum(by.get(s, 0) for s in FAILED),
        "cancelled": by.get("cancelled", 0),
        "unknown": by.get("unknown", 0),
        "waiting": by.get("queued", 0) + by.get("sending", 0),
    }
    return funnel, total, segments, charged


def _recipients_query(poll_id: int) -> Any:
    current = and_(
        PollAnswer.poll_id == poll_id,
        PollAnswer.contact_id == OM.contact_id,
        PollAnswer.current.is_(True),
    )
    return (
        select(OM, Contact, PollOption.label, PollAnswer.created_at)
        .outerjoin(Contact, Contact.id == OM.contact_id)
        .outerjoin(PollAnswer, current)
        .outerjoin(PollOption, PollOption.id == PollAnswer.option_id)
        .where(OM.poll_id == poll_id)
        .order_by(OM.id)
    )


def _recipient(
    row: OutboundMessage, contact: Contact | None, answer: Any, at: Any
) -> dict[str, Any]:
    return {
        "outbound_id": row.id,
        "phone": row.to,
        "kecamatan": contact.kecamatan if contact else None,
        "role": contact.role if contact else None,
        "language": contact.language if contact else None,
        "purpose": row.purpose,
        "status": row.status,
        "failure_reason": row.failure_reason
        or (row.last_error if row.status == "unknown" else None),
        "attempts": row.attempts,
        "segments": row.segments,
        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
        "delivered_at": row.delivered_at.isoformat() if row.delivered_at else None,
        "answer": answer,
        "answered_at": at.isoformat() if at else None,
    }


def recipients_page(session: Session, poll_id: int, *, page: int, per_page: int) -> dict[str, Any]:
    """Every SMS the poll sent (first message and reminder), one page at a time."""
    total = session.scalar(select(func.count()).select_from(OM).where(OM.poll_id == poll_id)) or 0
    query = _recipients_query(poll_id).limit(per_page).offset((page - 1) * per_page)
    items = [_recipient(*row) for row in session.execute(query).all()]
    return {"page": page, "per_page": per_page, "total": total, "items": items}


def iter_recipients(session: Session, poll_id: int, chunk: int = 1000) -> Iterator[dict[str, Any]]:
    """All recipients, streamed (for the CSV export): memory stays flat."""
    result = session.execute(_recipients_query(poll_id).execution_options(yield_per=chunk))
    for row in result:
        yield _recipient(*row)


def poll_summary(poll: Poll, options: list[PollOption]) -> dict[str, Any]:
    return {
        "id": poll.id,
        "question": poll.question,
        "question_en": poll.question_en,
        "status": poll.status,
        "audience": poll.audience,
        "options": [
            {
                "position": o.position,
                "label": o.label,
                "label_en": o.label_en,
                "synonyms": o.synonyms,
            }
            for o in options
        ],
        "send_at": poll.send_at.isoformat() if poll.send_at else None,
        "close_at": poll.close_at.isoformat() if poll.close_at else None,
        "sent_at": poll.sent_at.isoformat() if poll.sent_at else None,
        "reminder_after_hours": poll.reminder_after_hours,
        "reminder_sent_at": poll.reminder_sent_at.isoformat() if poll.reminder_sent_at else None,
    }
