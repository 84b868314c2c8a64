"""Shared types of the SMS command handlers: the incoming message and the answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gateway.citizens.consent import Carrier
from gateway.common import texts
from gateway.models import Contact


@dataclass(frozen=True)
class Incoming:
    """A stored SMS (row `inbound_id`) from a known contact, being acted on at `now`."""

    contact: Contact
    inbound_id: int
    text: str
    now: datetime

    @property
    def carrier(self) -> Carrier:
        """This message as the carrier of a consent change (the ledger links it)."""
        return Carrier.sms(self.inbound_id)

    def say(self, key: str, **fields: object) -> str:
        """A catalogue text in the contact's language."""
        return texts.render(key, self.contact.language, **fields)


@dataclass(frozen=True)
class Answer:
    """What a command service did: the reply (None: no reply) and the record it concerns.

    `owed`: a reply the office owes whatever the hourly cap (a STOP confirmation, a DATA or
    HAPUS answer: UU PDP duties), sent even when the number had its hourly share."""

    text: str | None
    feedback_id: int | None = None
    ticket: str | None = None
    owed: bool = False
    erasure_request_id: int | None = None
    """A HAPUS request stored: its erasure job is enqueued after the commit."""
