"""A citizen's UU PDP rights over their data: access (DATA) and erasure (HAPUS).

An access request is answered at once with the data held, by category, and kept as a
record. An erasure request stops broadcasts at once and is carried out within minutes by
a worker job (``citizens.erasure``, ``workers.erasure``); 3 x 24 hours is the ceiling.
Staff list the requests and their state (``list_requests``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.citizens.consent import Carrier, opt_out
from gateway.common.phone import mask
from gateway.models import Contact, DataRequest, Feedback, InboundMessage, UssdSession

DATA_REQUEST_DEADLINE = timedelta(hours=72)  # UU PDP: 3 x 24 hours


@dataclass(frozen=True)
class DataHeld:
    """What Suara holds about a contact, by category: the answer to DATA."""

    phone: str
    """Masked (``+6281******890``): an SMS can be read over a shoulder."""
    language: str
    kecamatan: str | None
    role: str | None
    subscribed: bool
    consent_version: str | None
    consent_at: datetime | None
    consent_channel: str | None
    reports: int
    last_report: datetime | None
    messages: int
    last_message: datetime | None
    ussd_sessions: int


def data_held(session: Session, contact: Contact, *, now: datetime) -> DataHeld:
    """What is stored about the contact, by category; the access request is recorded as
    done (it is answered at once)."""
    reports, last_report = session.execute(
        select(func.count(Feedback.id), func.max(Feedback.created_at)).where(
            Feedback.contact_id == contact.id
        )
    ).one()
    messages, last_message = session.execute(
        select(func.count(InboundMessage.id), func.max(InboundMessage.received_at)).where(
            InboundMessage.contact_id == contact.id
        )
    ).one()
    sessions = session.scalar(
        select(func.count(UssdSession.id)).where(UssdSession.phone == contact.phone)
    )
    session.add(_request(contact, "access", now, status="done", done=True))
    subscribed = contact.subscribed and contact.opted_out_at is None
    return DataHeld(
        phone=mask(contact.phone),
        language=contact.language,
        kecamatan=contact.kecamatan,
        role=contact.role,
        subscribed=subscribed,
        consent_version=contact.consent_version if subscribed else None,
        consent_at=contact.consent_at if subscribed else None,
        consent_channel=contact.consent_channel if subscribed else None,
        reports=reports or 0,
        last_report=last_report,
        messages=messages or 0,
        last_message=last_message,
        ussd_sessions=sessions or 0,
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


def list_requests(
    session: Session, *, status: str | None = None, limit: int = 200, before: int | None = None
) -> list[DataRequest]:
    """The latest data requests (all, or those in ``status``), newest first; ``before``: only
    those older than that request id (the next page)."""
    query = select(DataRequest).order_by(DataRequest.id.desc()).limit(limit)
    if status is not None:
        query = query.where(DataRequest.status == status)
    if before is not None:
        query = query.where(DataRequest.id < before)
    return list(session.scalars(query))


def request_overdue(request: DataRequest, *, now: datetime) -> bool:
    """Not done, and past its 3 x 24 hour deadline."""
    return request.status != "done" and request.due_at < now
