"""Classify what Africa's Talking answered to an SMS send, per request and per recipient.

Pure: no I/O. The SDK (africastalking 2.0.3) raises ``AfricasTalkingException(body)``
on a non-2xx answer without the status code, raises ``requests`` errors on network
trouble, and on a 2xx returns a dict or a JSON string. Everything here turns those
into an :class:`Outcome` the outbox acts on:

- ACCEPTED: the provider took the message; wait for the delivery report.
- RETRY: nothing was sent; safe to send again later (with backoff, up to a limit).
- PERMANENT: will never work for this recipient (bad number, risk hold).
- BLACKLISTED: the citizen opted out at the provider (406 UserInBlacklist).
- CONFIG_ERROR: our credentials or sender id are wrong; stop sending, keep rows queued.
- UNKNOWN: the SMS may have gone; never resend blindly, the delivery report settles it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

import requests
from africastalking.Service import AfricasTalkingException


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    RETRY = "retry"
    PERMANENT = "permanent"
    BLACKLISTED = "blacklisted"
    CONFIG_ERROR = "config_error"
    UNKNOWN = "unknown"


# Per-recipient statusCode -> (status name, outcome).
STATUS_CODES: dict[int, tuple[str, Outcome]] = {
    100: ("Processed", Outcome.ACCEPTED),
    101: ("Sent", Outcome.ACCEPTED),
    102: ("Queued", Outcome.ACCEPTED),
    401: ("RiskHold", Outcome.PERMANENT),
    402: ("InvalidSenderId", Outcome.CONFIG_ERROR),
    403: ("InvalidPhoneNumber", Outcome.PERMANENT),
    404: ("UnsupportedNumberType", Outcome.PERMANENT),
    405: ("InsufficientBalance", Outcome.RETRY),
    406: ("UserInBlacklist", Outcome.BLACKLISTED),
    407: ("CouldNotRoute", Outcome.RETRY),
    409: ("DoNotDisturbRejection", Outcome.RETRY),
    500: ("InternalServerError", Outcome.RETRY),
    501: ("GatewayError", Outcome.RETRY),
    502: ("RejectedByGateway", Outcome.RETRY),
}
_BY_NAME: dict[str, Outcome] = {name.lower(): outcome for name, outcome in STATUS_CODES.values()}
_BY_NAME["success"] = Outcome.ACCEPTED

_RATE_LIMITED = re.compile(r"too many requests|throttl|\brate\b|rate.?limit", re.IGNORECASE)


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


def _as_int(value: object) -> int | None:
    """An int from an int or a numeric string; None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value)
    return None


def parse_cost(raw: object) -> tuple[Decimal | None, str | None]:
    """'KES 0.8000' -> (Decimal('0.8000'), 'KES'); '0' -> (Decimal('0'), None)."""
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        return None, None
    *currency, amount = str(raw).split() or [""]
    try:
        value = Decimal(amount)
    except InvalidOperation:
        return None, None
    if not value.is_finite():
        return None, None
    return value, (currency[0] if currency else None)


def _message_id(raw: object) -> str | None:
    if not isinstance(raw, str) or raw.strip() in ("", "None"):
        return None
    return raw


def _outcome_for(code: int | None, status: str) -> Outcome:
    if code is not None and code in STATUS_CODES:
        return STATUS_CODES[code][1]
    return _BY_NAME.get(status.strip().lower(), Outcome.UNKNOWN)


def classify_recipient(entry: Mapping[str, Any]) -> RecipientResult:
    """One element of ``SMSMessageData.Recipients`` as a typed result.

    Unknown status codes are UNKNOWN: the message may have gone, so it is not resent.
    """
    code = _as_int(entry.get("statusCode"))
    status = str(entry.get("status") or "")
    cost, currency = parse_cost(entry.get("cost"))
    return RecipientResult(
        number=str(entry.get("number") or ""),
        outcome=_outcome_for(code, status),
        message_id=_message_id(entry.get("messageId")),
        cost=cost,
        currency=currency,
        status=status,
        status_code=code,
        parts=_as_int(entry.get("messageParts")),
    )


def _load(raw: Mapping[str, Any] | str) -> Mapping[str, Any]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise ResponseError(Outcome.UNKNOWN, f"2xx answer is not JSON: {exc}") from exc
    if not isinstance(raw, Mapping):
        raise ResponseError(Outcome.UNKNOWN, f"2xx answer is not an object: {type(raw).__name__}")
    return raw


def _request_failure(message: str) -> ResponseError:
    """A 2xx answer with no recipients: the request as a whole was refused."""
    word = message.strip().split(":")[0].strip().lower()
    outcome = _BY_NAME.get(word, Outcome.RETRY)
    if outcome is Outcome.ACCEPTED:  # "Sent to 0/1 Total Cost: 0" and the like
        outcome = Outcome.RETRY
    return ResponseError(outcome, message or "no recipients in the answer")


def parse_send_response(raw: Mapping[str, Any] | str) -> list[RecipientResult]:
    """Per-recipient results of a 2xx answer; ResponseError if the request failed."""
    data = _load(raw).get("SMSMessageData")
    if not isinstance(data, Mapping):
        raise ResponseError(Outcome.UNKNOWN, "2xx answer has no SMSMessageData")
    recipients = data.get("Recipients")
    if not isinstance(recipients, list) or not all(isinstance(r, Mapping) for r in recipients):
        raise ResponseError(Outcome.UNKNOWN, "SMSMessageData.Recipients is not a list of objects")
    if not recipients:
        raise _request_failure(str(data.get("Message") or ""))
    return [classify_recipient(entry) for entry in recipients]


def _classify_provider_text(text: str) -> tuple[Outcome, str]:
    lowered = text.lower()
    reason = text.strip() or "provider error with an empty body"
    if "authentication" in lowered:
        return Outcome.CONFIG_ERROR, reason
    if _RATE_LIMITED.search(text):
        return Outcome.RETRY, reason
    if "bad syntax" in lowered:
        return Outcome.PERMANENT, reason
    return Outcome.RETRY, reason


def classify_exception(exc: BaseException) -> tuple[Outcome, str]:
    """What a raised send error means for the message, and a reason to store.

    A connection aborted after the request left ("Connection aborted.") may have
    been processed by the provider, so it is UNKNOWN like a read timeout.
    """
    name = type(exc).__name__
    if isinstance(exc, AfricasTalkingException):
        return _classify_provider_text(str(exc))
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return Outcome.RETRY, f"{name}: could not connect, nothing was sent"
    if isinstance(exc, requests.exceptions.Timeout):
        return Outcome.UNKNOWN, f"{name}: no answer after the request was sent"
    if isinstance(exc, requests.exceptions.ConnectionError):
        if "connection aborted" in str(exc).lower():
            return Outcome.UNKNOWN, f"{name}: connection dropped after the request: {exc}"
        return Outcome.RETRY, f"{name}: {exc}"
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema):
        return Outcome.CONFIG_ERROR, f"{name}: {exc}"
    return Outcome.UNKNOWN, f"{name}: {exc}"
