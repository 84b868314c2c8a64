"""Neutral message types and the sender registry.

Vendor modules turn their webhooks into these frozen values and send through their
API; nothing outside `gateway/providers/` knows a vendor's field names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from gateway.config import Settings
    from gateway.providers.results import RecipientResult


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


class Sender(Protocol):
    """Sends one text to one or more recipients; one result per recipient."""

    name: str

    def send_sms(self, text: str, recipients: Sequence[str]) -> list[RecipientResult]: ...


def make_sender(settings: Settings) -> Sender:
    if settings.sms_provider == "africastalking":
        from gateway.providers.africastalking import AfricasTalkingSender

        return AfricasTalkingSender(settings)
    from gateway.providers.console import ConsoleSender

    return ConsoleSender()
