from __future__ import annotations

from sqlalchemy.orm import Session

from gateway.models import OutboundKind, OutboundMessage
from gateway.sms_text import count_segments


def queue_sms(
    session: Session,
    *,
    to: str,
    text: str,
    kind: OutboundKind = OutboundKind.TRANSACTIONAL,
    contact_id: int | None = None,
    feedback_id: int | None = None,
    inbound_message_id: int | None = None,
    poll_id: int | None = None,
) -> int:
    """Write one outbox row in state `queued` and return its id (flushes, never commits)."""
    row = OutboundMessage(
        to=to,
        text=text,
        kind=kind.value,
        segments=count_segments(text),
        contact_id=contact_id,
        feedback_id=feedback_id,
        inbound_message_id=inbound_message_id,
        poll_id=poll_id,
    )
    session.add(row)
    session.flush()
    return row.id
