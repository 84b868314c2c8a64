"""The neutral values every provider module turns its traffic into, and the `Sender` protocol.

Nothing here knows a vendor: the rest of Suara speaks only these types.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol


@dataclass(frozen=True)
class UssdRequest:
    session_id: str
    phone: str
    service_code: str
    text: str
    network_code: str | None = None


@dataclass(frozen=True)
class UssdEnd:
    session_id: str
    phone: str
    service_code: str
    status: str
    network_code: str | None = None
    input: str | None = None
    last_app_response: str | None = None
    error_message: str | None = None
    hops_count: int | None = None
    duration_ms: int | None = None
    cost: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InboundSms:
    provider: str
    provider_message_id: str
    sender: str
    sender_phone: str | None
    receiver: str
    text: str
    received_at: datetime
    network_code: str | None = None
    link_id: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StatusUpdate:
    provider: str
    provider_message_id: str
    raw_status: str
    status: str | None
    failure_reason: str | None = None
    phone: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


class Outcome(StrEnum):
    """What a send attempt means for one recipient.

    - ACCEPTED: the provider took the message; wait for the delivery report.
    - RETRY: nothing was sent; safe to send again later (with backoff, up to a limit).
    - PERMANENT: will never work for this recipient (bad number, risk hold).
    - BLACKLISTED: the citizen opted out at the provider.
    - CONFIG_ERROR: our credentials or sender id are wrong; stop sending, keep rows queued.
    - UNKNOWN: the SMS may have gone; never resend blindly, the delivery report settles it.
    """

    ACCEPTED = "accepted"
    RETRY = "retry"
    PERMANENT = "permanent"
    BLACKLISTED = "blacklisted"
    CONFIG_ERROR = "config_error"
    UNKNOWN = "unknown"


class ResponseError(Exception):
    """The whole request failed (no per-recipient results), or the answer was garbage."""

    def __init__(self, outcome: Outcome, reason: str) -> None:
        super().__init__(f"{outcome}: {reason}")
        self.outcome = outcome
        self.reason = reason


@dataclass(frozen=True, slots=True)
class RecipientResult:
    number: str
    outcome: Outcome
    message_id: str | None
    cost: Decimal | None
    currency: str | None
    status: str
    status_code: int | None
    parts: int | None = None


class Sender(Protocol):
    """Sends one text to one or more recipients; one result per recipient."""

    name: str

    def send_sms(self, text: str, recipients: Sequence[str]) -> list[RecipientResult]: ...
