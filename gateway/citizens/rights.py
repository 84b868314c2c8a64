"""A citizen's UU PDP rights over their data: access (DATA) and erasure (HAPUS).

An access request is answered at once with a summary and kept as a record; an erasure
request is a record for staff, due within 3 x 24 hours, and broadcasts stop now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.citizens.consent import Carrier, opt_out
from gateway.models import Contact, DataRequest, Feedback, InboundMessage

DATA_REQUEST_DEADLINE = timedelta(hours=72)  # UU PDP: 3 x 24 hours


@dataclass(frozen=True)
class DataSummary:
    reports: int
    messages: int
    subscribed: bool
    kecamatan: str | None


def data_summary(session: Session, contact: Contact, *, now: datetime) -> DataSummary:
    """What is stored about the contact; the access request is recorded as done."""
    reports = session.scalar(
        select(func.count(Feedback.id)).where(Feedback.contact_id == contact.id)
    )
    stored = session.scalar(
        select(func.count(InboundMessage.id)).where(InboundMessage.contact_id == contact.id)
    )
    session.add(_request(contact, "access", now, status="done", done=True))
    return DataSummary(
        reports=reports or 0,
        messages=stored or 0,
        subscribed=contact.subscribed and contact.opted_out_at is None,
        kecamatan=contact.kecamatan,
    )


def request_erasure(session: Session, contact: Contact, carrier: Carrier, *, now: datetime) -> int:
    """The open erasure request's id (one per contact at a time); broadcasts stop now."""
    request = session.scalar(
        select(DataRequest).where(
            DataRequest.contact_id == contact.id,
            DataRequest.kind == "erasure",
            DataRequest.status == "open",
        )
    )
    if request is None:
        request = _request(contact, "erasure", now)
        session.add(request)
        session.flush()
    opt_out(session, contact, carrier, now=now)
    return request.id


def _request(
    contact: Contact, kind: str, now: datetime, *, status: str = "open", done: bool = False
) -> DataRequest:
    return DataRequest(
        contact_id=contact.id,
        kind=kind,
        status=status,
        due_at=now + DATA_REQUEST_DEADLINE,
        done_at=now if done else None,
    )
