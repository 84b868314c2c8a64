"""Consent to broadcasts, recorded the way UU PDP Pasal 22/24 asks (domain.md section 6.1).

The contact row holds the consent that stands now (version, time, channel); the ledger
(``consent_events``) holds every grant and withdrawal as it happened, with what carried it
(the inbound SMS or the USSD session), appended and never overwritten, so the office can
show what consent stood at any moment (``consent_at``), for example when a broadcast went out.

One implementation for SMS (DAFTAR, MULAI, STOP, HAPUS) and USSD (the subscribe menu).
Opting out is immediate and takes effect for every broadcast at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import ConsentEvent, Contact

CONSENT_VERSION = "PDP-2026-1"
"""The consent text citizens agree to; the USSD consent screen shows this version."""
GRANT = "grant"
WITHDRAW = "withdraw"


@dataclass(frozen=True, slots=True)
class Carrier:
    """What carried a consent change: its channel and the inbound SMS or USSD session."""

    channel: str
    inbound_message_id: int | None = None
    ussd_session_id: str | None = None

    @classmethod
    def sms(cls, inbound_message_id: int) -> Carrier:
        return cls("sms", inbound_message_id=inbound_message_id)

    @classmethod
    def ussd(cls, session_id: str) -> Carrier:
        return cls("ussd", ussd_session_id=session_id)


@dataclass(frozen=True, slots=True)
class StandingConsent:
    """The consent that stood at a moment: the grant it rests on."""

    version: str | None
    channel: str
    granted_at: datetime
    inbound_message_id: int | None
    ussd_session_id: str | None


def subscribe(
    session: Session,
    contact: Contact,
    carrier: Carrier,
    *,
    now: datetime,
    kecamatan: str | None = None,
    role: str | None = None,
) -> None:
    """Opt in (again) with a fresh consent; a kecamatan or role given replaces the old one."""
    contact.kecamatan = kecamatan or contact.kecamatan
    contact.role = role or contact.role
    contact.subscribed = True
    contact.opted_out_at = None
    contact.consent_version = CONSENT_VERSION
    contact.consent_at = now
    contact.consent_channel = carrier.channel
    _append(session, contact, GRANT, carrier, now)


def opt_out(session: Session, contact: Contact, carrier: Carrier, *, now: datetime) -> bool:
    """Stop every broadcast to the contact. True the first time (confirm once), False when
    the contact had already opted out (nothing changes, no second confirmation). Either
    way the withdrawal is in the ledger: it is what the citizen said, and when."""
    _append(session, contact, WITHDRAW, carrier, now)
    contact.subscribed = False
    if contact.opted_out_at is not None:
        return False
    contact.opted_out_at = now
    return True


def consent_at(session: Session, contact_id: int, at: datetime) -> StandingConsent | None:
    """The consent that stood for the contact at ``at`` (None: none, or withdrawn), from the
    ledger alone: the last event at or before ``at`` decides."""
    last = session.scalar(
        select(ConsentEvent)
        .where(ConsentEvent.contact_id == contact_id, ConsentEvent.at <= at)
        .order_by(ConsentEvent.at.desc(), ConsentEvent.id.desc())
        .limit(1)
    )
    if last is None or last.action != GRANT:
        return None
    return StandingConsent(
        last.consent_version, last.channel, last.at, last.inbound_message_id, last.ussd_session_id
    )


def _append(
    session: Session, contact: Contact, action: str, carrier: Carrier, now: datetime
) -> None:
    if contact.id is None:
        session.flush()  # a contact added in this transaction gets its id
    session.add(
        ConsentEvent(
            contact_id=contact.id,
            action=action,
            channel=carrier.channel,
            consent_version=CONSENT_VERSION if action == GRANT else contact.consent_version,
            at=now,
            inbound_message_id=carrier.inbound_message_id,
            ussd_session_id=carrier.ussd_session_id,
        )
    )
