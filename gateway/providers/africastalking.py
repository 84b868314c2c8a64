"""Africa's Talking: parse its webhooks into neutral types, render USSD, send SMS, and
classify what its send API answered (per request and per recipient).

Field names, date formats, status words and the `CON `/`END ` prefixes live here and
nowhere else. Sending goes through the official SDK's `SMSService` with an explicit
timeout and, when `AT_API_BASE_URL` is set, a base URL pointing at a proxy or a fake.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl

import requests
from africastalking.Service import DEFAULT_TIMEOUT_S, AfricasTalkingException, validate_phone
from africastalking.SMS import SMSService

from gateway.common.phone import mask, normalize
from gateway.config import Settings
from gateway.errors import InvalidPayload, InvalidPhoneNumber
from gateway.models import OutboundStatus
from gateway.providers.types import (
    InboundSms,
    Outcome,
    RecipientResult,
    ResponseError,
    StatusUpdate,
    UssdEnd,
    UssdRequest,
)

NAME = "africastalking"
log = logging.getLogger("suara.africastalking")

MAX_FIELD = 4000
_SESSION_RE = re.compile(r"^[A-Za-z0-9_\-.:]{1,100}$")
_ID_RE = re.compile(r"^[A-Za-z0-9_\-.:]{1,100}$")
_SENDER_RE = re.compile(r"^[A-Za-z0-9 +\-]{1,20}$")

STATUS_MAP: dict[str, OutboundStatus] = {
    "sent": OutboundStatus.SENT,
    "submitted": OutboundStatus.SENT,
    "buffered": OutboundStatus.SENT,
    "success": OutboundStatus.DELIVERED,
    "delivered": OutboundStatus.DELIVERED,
    "failed": OutboundStatus.FAILED,
    "absentsubscriber": OutboundStatus.FAILED,
    "rejected": OutboundStatus.REJECTED,
    "expired": OutboundStatus.EXPIRED,
}


def map_status(raw_status: str) -> str | None:
    """The outbox status of a delivery-report word (`Success`, `Failed`, ...), or None."""
    mapped = STATUS_MAP.get(raw_status.strip().lower())
    return mapped.value if mapped else None


GSM_AT_SIGN = "@"  # GSM 03.38 code 0x00: an upstream decoder that misses it sends a NUL
TYPED_FIELDS = frozenset({"text", "input"})
"""What a citizen typed: a hop's ``text``, an SMS's ``text``, the session end's ``input``."""


def parse_form(body: bytes) -> dict[str, str]:
    """Decode an `application/x-www-form-urlencoded` body strictly as UTF-8.

    A NUL in what a citizen typed (`text`, `input`) is read as the '@' it stands for in
    GSM-7 (a citizen's e-mail address must not cost the whole message); anywhere else it
    is refused (no column stores one)."""
    try:
        pairs = parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, encoding="utf-8", errors="strict"
        )
    except UnicodeDecodeError:
        raise InvalidPayload("body is not valid UTF-8") from None
    form: dict[str, str] = {}
    for key, value in pairs:
        if key in TYPED_FIELDS:
            value = value.replace("\x00", GSM_AT_SIGN)
        if "\x00" in value or "\x00" in key:
            raise InvalidPayload(f"field {key[:20]!r} contains a NUL byte")
        form.setdefault(key, value)
    return form


def parse_ussd(form: Mapping[str, str]) -> UssdRequest:
    session_id = _required(form, "sessionId")
    if not _SESSION_RE.match(session_id):
        raise InvalidPayload("field 'sessionId' has unexpected characters")
    text = form.get("text", "")
    if len(text) > MAX_FIELD:
        raise InvalidPayload("field 'text' is too long")
    return UssdRequest(
        session_id=session_id,
        phone=_phone(form, "phoneNumber"),
        service_code=form.get("serviceCode", "")[:40],
        text=text,
        network_code=_optional(form, "networkCode"),
    )


def parse_ussd_end(form: Mapping[str, str]) -> UssdEnd:
    session_id = _required(form, "sessionId")
    if not _SESSION_RE.match(session_id):
        raise InvalidPayload("field 'sessionId' has unexpected characters")
    return UssdEnd(
        session_id=session_id,
        phone=_lenient_phone(form.get("phoneNumber", "")) or "",
        service_code=form.get("serviceCode", "")[:40],
        status=form.get("status", "")[:20],
        network_code=_optional(form, "networkCode"),
        input=form.get("input"),
        last_app_response=_optional(form, "lastAppResponse", MAX_FIELD),
        error_message=_optional(form, "errorMessage", MAX_FIELD),
        hops_count=_int(form.get("hopsCount")),
        duration_ms=_int(form.get("durationInMillis")),
        cost=_optional(form, "cost", 30),
        raw=_raw(form),
    )


def parse_sms(form: Mapping[str, str]) -> InboundSms:
    message_id = _required(form, "id")
    if not _ID_RE.match(message_id):
        raise InvalidPayload("field 'id' has unexpected characters")
    if "text" not in form:
        raise InvalidPayload("field 'text' required")
    sender = _required(form, "from")
    try:
        sender_phone: str | None = normalize(sender)
    except InvalidPhoneNumber:
        if not _SENDER_RE.match(sender):
            raise InvalidPayload("field 'from' is not a phone number or sender id") from None
        sender_phone = None
    return InboundSms(
        provider=NAME,
        provider_message_id=message_id,
        sender=sender_phone or sender,
        sender_phone=sender_phone,
        receiver=form.get("to", "")[:40],
        text=form["text"],
        received_at=parse_date(form.get("date", "")),
        network_code=_optional(form, "networkCode"),
        link_id=_optional(form, "linkId", 100),
        raw=_raw(form),
    )


def parse_status(form: Mapping[str, str]) -> StatusUpdate:
    message_id = _required(form, "id")
    if not _ID_RE.match(message_id):
        raise InvalidPayload("field 'id' has unexpected characters")
    raw_status = form.get("status", "").strip()[:40]
    return StatusUpdate(
        provider=NAME,
        provider_message_id=message_id,
        raw_status=raw_status,
        status=map_status(raw_status),
        failure_reason=_optional(form, "failureReason", 100),
        phone=_lenient_phone(form.get("phoneNumber", "")),
        raw=_raw(form),
    )


def parse_date(value: str) -> datetime:
    """AT sends `2017-05-03T06:04:45Z`, `2017-05-03 06:04:45` or no zone: all UTC.

    A missing or unreadable date is replaced by the time of arrival; the raw form
    keeps what was sent, so nothing is lost.
    """
    try:
        parsed = datetime.fromisoformat(value.strip())
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):  # e.g. 0001-01-01T00:00:00+05:00 overflows in UTC
        return datetime.now(UTC)


def render_ussd(text: str, *, end: bool) -> str:
    return ("END " if end else "CON ") + text


class HttpAnswerError(AfricasTalkingException):  # type: ignore[misc]  # the SDK is untyped
    """A non-2xx answer with its HTTP status, which the SDK's own exception drops."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(body)
        self.status = status


class _SMSService(SMSService):  # type: ignore[misc]
    """The SDK's SMS service (its number check, form and URL), with a request step that
    keeps the HTTP status of a non-2xx answer: SDK 2.0.3 raises
    `AfricasTalkingException(res.text)` and the status, which tells a refusal from a
    maybe-processed answer, is lost. A 2xx body is handed over as text (the SDK gives a
    dict or a str depending on the exact content type; `parse_send_response` reads both)."""

    def _make_request(
        self,
        url: str,
        method: str,
        headers: dict[str, str],
        data: Any,
        params: Any,
        callback: Any = None,
        timeout: Any = DEFAULT_TIMEOUT_S,
    ) -> Any:
        if callback is not None or method.upper() != "POST":
            return super()._make_request(url, method, headers, data, params, callback, timeout)
        res = requests.post(url=url, headers=headers, params=params, data=data, timeout=timeout)
        if not 200 <= res.status_code < 300:
            raise HttpAnswerError(res.status_code, res.text)
        return res.text


class AfricasTalkingSender:
    """Sends through the SDK; one `RecipientResult` per recipient, never a raw answer."""

    name = NAME

    def __init__(self, settings: Settings) -> None:
        self._service = _SMSService(settings.at_username, settings.at_api_key)
        if settings.at_api_base_url:
            base = settings.at_api_base_url.rstrip("/")
            if not base.endswith("/version1"):  # a host or proxy root: add the API version
                base += "/version1"
            self._service._baseUrl = base
            self._service._contentUrl = base
        self._sender_id = settings.at_sender_id or settings.at_short_code or None
        self._timeout = (min(3.05, settings.at_timeout_seconds), settings.at_timeout_seconds)

    def send_sms(self, text: str, recipients: Sequence[str]) -> list[RecipientResult]:
        """Raises `ResponseError(outcome, reason)` when there is no per-recipient answer.

        A number the SDK would refuse (it refuses the whole request, before any I/O) fails
        alone and is left out of the request."""
        refused = [_refused_number(n) for n in recipients if not validate_phone(n)]
        valid = [n for n in recipients if validate_phone(n)]
        if not valid:
            return refused
        try:
            raw: Any = self._service.send(
                text, valid, sender_id=self._sender_id, timeout=self._timeout
            )
        except Exception as exc:  # the SDK raises requests' and its own exceptions
            outcome, reason = classify_exception(exc)
            raise ResponseError(outcome, reason) from exc
        results = parse_send_response(raw) + refused
        log.info(
            "sent to %d recipient(s): %s",
            len(results),
            ", ".join(f"{mask(r.number)}={r.status}" for r in results[:5]),
        )
        return results


def _refused_number(number: str) -> RecipientResult:
    return RecipientResult(
        number, Outcome.PERMANENT, None, None, None, "InvalidPhoneNumber (not sent)", None
    )


def _required(form: Mapping[str, str], name: str) -> str:
    value = form.get(name, "").strip()
    if not value:
        raise InvalidPayload(f"field '{name}' required")
    return value


def _optional(form: Mapping[str, str], name: str, limit: int = 20) -> str | None:
    value = form.get(name, "").strip()
    return value[:limit] or None


def _lenient_phone(raw: str) -> str | None:
    """A number in a report or event, normalised; None when missing or unusable (the
    report or event is kept all the same, its raw form holds what was sent)."""
    try:
        return normalize(raw) if raw else None
    except InvalidPhoneNumber:
        return None


def _phone(form: Mapping[str, str], name: str) -> str:
    try:
        return normalize(_required(form, name))
    except InvalidPhoneNumber as exc:
        raise InvalidPayload(f"field '{name}': {exc}") from None


MAX_COUNT = 2**31 - 1  # an INTEGER column on every backend


def _int(value: str | None) -> int | None:
    """A count or duration; None when missing, not a number or out of range."""
    try:
        number = int(value) if value else None
    except ValueError:
        return None
    return number if number is not None and 0 <= number <= MAX_COUNT else None


def _raw(form: Mapping[str, str]) -> dict[str, Any]:
    return {k[:40]: v[:MAX_FIELD] for k, v in list(form.items())[:30]}


# --- What the send API answered -------------------------------------------------------
# Through `_SMSService` a non-2xx answer raises ``HttpAnswerError(status, body)`` (the
# SDK's own ``AfricasTalkingException(body)`` drops the status), network trouble raises
# ``requests`` errors, and a 2xx gives the body (a dict or a JSON string). Everything
# below turns those into an `Outcome`.

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


def classify_http_answer(status: int | None, body: str) -> tuple[Outcome, str]:
    """A non-2xx answer: what it means for the message, and a reason to store.

    Only an answer that proves nothing was taken is retried: a 4xx (the server read the
    request and refused it; 401 is our credentials, 400 a request that will never
    work). A 5xx - AT's own, or a proxy's 502/504 in front of it - comes after the whole
    request was sent and may mean it was processed: UNKNOWN, never resent blindly.
    Without a status (the SDK's own exception), only the body can prove a refusal.
    """
    text = " ".join(body.split())[:200]
    reason = (f"HTTP {status}: " if status else "") + (text or "empty body")
    lowered = text.lower()
    if status is not None and status >= 500:
        return Outcome.UNKNOWN, reason
    if status == 401 or "authentication" in lowered:
        return Outcome.CONFIG_ERROR, reason
    if status == 429 or _RATE_LIMITED.search(text):
        return Outcome.RETRY, reason
    if status == 400 or "bad syntax" in lowered:
        return Outcome.PERMANENT, reason
    if status is not None and 400 <= status < 500:
        return Outcome.RETRY, reason
    return Outcome.UNKNOWN, reason


def classify_exception(exc: BaseException) -> tuple[Outcome, str]:
    """What a raised send error means for the message, and a reason to store.

    A connection aborted after the request left ("Connection aborted.") may have
    been processed by the provider, so it is UNKNOWN like a read timeout. The SDK's
    number check (`ValueError('Invalid phone number: …')`) fails before any I/O.
    """
    name = type(exc).__name__
    if isinstance(exc, AfricasTalkingException):
        return classify_http_answer(getattr(exc, "status", None), str(exc))
    if isinstance(exc, ValueError) and str(exc).startswith("Invalid phone number"):
        return Outcome.PERMANENT, f"InvalidPhoneNumber: {exc} (not sent)"
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
