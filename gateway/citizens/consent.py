"""Consent to broadcasts, recorded the way UU PDP Pasal 22/24 asks (domain.md section 6.1):
the version of the consent text, the time and the channel, on the contact.

One implementation for SMS (DAFTAR, MULAI, STOP) and USSD (the subscribe menu). Opting out
is immediate and takes effect for every broadcast at once.
"""

from __future__ import annotations

from datetime import datetime

from gateway.models import Contact

CONSENT_VERSION = "PDP-2026-1"
"""The consent text citizens agree to; the USSD consent screen shows this version."""


def subscribe(
    contact: Contact,
    *,
    channel: str,
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
    contact.consent_channel = channel


def opt_out(contact: Contact, *, now: datetime) -> bool:
    """Stop every broadcast to the contact. True the first time (confirm once), False when
    the contact had already opted out (nothing changes, no second confirmation)."""
    contact.subscribed = False
    if contact.opted_out_at is not None:
        return False
    contact.opted_out_at = now
    return True
