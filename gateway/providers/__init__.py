"""Providers: one module per SMS/USSD provider, and the neutral types they speak.

Owns everything vendor-specific: parsing a provider's webhooks into neutral values
(`types`), its status words, its error classification and its send API. Nothing outside
this package names a vendor; the rest of Suara asks this package for a sender
(`make_sender`) and for the neutral meaning of a stored status word (`neutral_status`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.providers.types import (
    InboundSms,
    Outcome,
    RecipientResult,
    ResponseError,
    Sender,
    StatusUpdate,
    UssdEnd,
    UssdRequest,
)

if TYPE_CHECKING:
    from gateway.config import Settings

__all__ = [
    "InboundSms",
    "Outcome",
    "RecipientResult",
    "ResponseError",
    "Sender",
    "StatusUpdate",
    "UssdEnd",
    "UssdRequest",
    "make_sender",
    "neutral_status",
]


def make_sender(settings: Settings) -> Sender:
    if settings.sms_provider == "africastalking":
        from gateway.providers.africastalking import AfricasTalkingSender

        return AfricasTalkingSender(settings)
    from gateway.providers.console import ConsoleSender

    return ConsoleSender()


def neutral_status(provider: str, raw_status: str) -> str | None:
    """The outbox status a provider's delivery-report word means, or None if unknown."""
    if provider == "africastalking":
        from gateway.providers.africastalking import map_status

        return map_status(raw_status)
    return None
