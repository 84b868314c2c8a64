"""Staff API input: small pure functions turning request data into typed values.

Each raises `InvalidInput` with field-level messages ({"field": "message"}).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from gateway.common.phone import try_normalize
from gateway.common.sms_text import count_segments, to_gsm7
from gateway.common.wib import WIB
from gateway.errors import InvalidInput
from gateway.feedback.staff_ops import ASSIGNED, ListQuery, StatusChange
from gateway.models import Channel, FeedbackKind, FeedbackStatus
from gateway.sms import tagging
from gateway.staff.auth import MAX_EXPIRES_DAYS

MAX_ID = 2**31 - 1  # an INTEGER key on every backend
NUL_MESSAGE = "must not contain NUL characters"
MAX_PAGE = 100
MAX_NOTE = 1000
MAX_REPLY_SEGMENTS = 2
PATCHABLE = ("category", "kecamatan", "school", "assigned_to")
STATUSES = tuple(s.value for s in FeedbackStatus)
MAX_JSON_DEPTH = 20
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)
"""The moments a date field may name: a day inside `datetime`'s range, so the moment is
also a local time in every zone (WIB for display) and a bound for any query."""
OUT_OF_RANGE = "outside the representable range (0001-01-02 to 9999-12-30 UTC)"
DAY_FORMAT = "expected a date YYYY-MM-DD (WIB), e.g. 2026-11-01"
DAY_ORDER = "must not be before the from date"
FLAG = "expected 1 (or 0)"
SEARCH_TOO_SHORT = "at least 3 characters (or a ticket)"
MIN_SEARCH = 3
"""The desk's shortest ``q`` (`parse_list_query`'s ``min_search``): what a trigram index can
find; a shorter text scans every report. The API takes any length."""
MAX_SEARCH = 100
MAX_SCHOOL = 120
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_FLAGS = {"1": True, "true": True, "on": True, "0": False, "false": False, "off": False}
_JSON_STRING = re.compile(r'"(?:[^"\\]++|\\.)*+"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


@dataclass(frozen=True)
class ReplyText:
    text: str
    normalised: bool


CHOICES: dict[str, tuple[str, ...]] = {
    "status": STATUSES,
    "kind": tuple(k.value for k in FeedbackKind),
    "channel": tuple(c.value for c in Channel),
    "category": tagging.CATEGORIES,
}


def parse_list_query(
    args: Mapping[str, str], *, staff_id: int | None = None, min_search: int = 1
) -> ListQuery:
    """The filters of the inbox and of ``GET /api/v1/feedback`` (the same query for both).

    ``status kind category kecamatan channel phone``; ``school`` and ``q`` (contains; ``q``
    also finds a ticket typed with spaces or dashes); ``assigned`` (`ASSIGNED`, "me" being
    ``staff_id``); ``overdue`` and ``open`` (``1``); ``from`` and ``to`` (days in WIB, both
    inclusive) and ``since`` / ``until`` (ISO moments, ``until`` exclusive); ``cursor``
    (older) or ``after`` (newer), ``limit``. Empty values count as absent; a ``q`` shorter
    than ``min_search`` is refused."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, allowed in CHOICES.items():
        if args.get(name):
            values[name] = _choice(name, args[name], allowed, errors)
    if args.get("kecamatan"):
        values["kecamatan"] = _kecamatan(args["kecamatan"], errors)
    if args.get("phone"):
        values["phone"] = try_normalize(args["phone"])
        if values["phone"] is None:
            errors["phone"] = "not a valid Indonesian phone number"
    if args.get("assigned"):
        values["assigned"] = _choice("assigned", args["assigned"], ASSIGNED, errors)
    for name in ("overdue", "open"):
        if args.get(name):
            values[name] = _flag(name, args[name], errors)
    values |= _period(args, errors)
    for name, limit in (("q", MAX_SEARCH), ("school", MAX_SCHOOL)):
        if args.get(name):
            values[name] = " ".join(args[name].split())[:limit] or None
    if values.get("q") and len(values["q"]) < min_search:
        errors["q"] = SEARCH_TOO_SHORT
    for name in ("cursor", "after"):
        if args.get(name):
            values[name] = _int(name, args[name], 1, MAX_ID, errors)
    if args.get("cursor") and args.get("after"):
        errors["after"] = "give cursor (older) or after (newer), not both"
    if args.get("citizen_answered"):
        values["citizen_answered"] = _flag("citizen_answered", args["citizen_answered"], errors)
    if args.get("limit"):
        values["limit"] = _int("limit", args["limit"], 1, MAX_PAGE, errors)
    if errors:
        raise InvalidInput(errors)
    return ListQuery(**values, staff_id=staff_id)


def _period(args: Mapping[str, str], errors: dict[str, str]) -> dict[str, datetime | None]:
    """``since``/``until`` from the ISO moments and the WIB days ``from``/``to`` (the later
    start and the earlier end when both kinds are given)."""
    starts, ends = [], []
    if args.get("since"):
        starts.append(_when("since", args["since"], errors))
    if args.get("until"):
        ends.append(_when("until", args["until"], errors))
    first = _day("from", args["from"], errors) if args.get("from") else None
    last = _day("to", args["to"], errors) if args.get("to") else None
    if first and last and last < first:
        errors["to"] = DAY_ORDER
    if first:
        starts.append(_wib_midnight("from", first, errors))
    if last and last == date.max:
        errors["to"] = OUT_OF_RANGE
    elif last:
        ends.append(_wib_midnight("to", last + timedelta(days=1), errors))
    found = {"since": [m for m in starts if m], "until": [m for m in ends if m]}
    return {
        "since": max(found["since"]) if found["since"] else None,
        "until": min(found["until"]) if found["until"] else None,
    }


def _day(name: str, value: str, errors: dict[str, str]) -> date | None:
    if _DAY.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    errors[name] = DAY_FORMAT
    return None


def _wib_midnight(name: str, day: date, errors: dict[str, str]) -> datetime | None:
    found = utc_moment(datetime.combine(day, time(0), WIB))
    if found is None:
        errors[name] = OUT_OF_RANGE
    return found


def _flag(name: str, value: str, errors: dict[str, str]) -> bool:
    found = _FLAGS.get(value.strip().lower())
    if found is None:
        errors[name] = FLAG
    return bool(found)


def parse_status_change(body: object) -> StatusChange:
    data = _object(body)
    errors: dict[str, str] = {}
    status = data.get("status")
    if status not in STATUSES:
        errors["status"] = f"must be one of {', '.join(STATUSES)}"
    note = _text(data, "note", MAX_NOTE, errors)
    notify = data.get("notify", True)
    if not isinstance(notify, bool):
        errors["notify"] = "must be true or false"
    if status == FeedbackStatus.REJECTED and not note and "note" not in errors:
        errors["note"] = "required when rejecting: say where the citizen should go instead"
    if errors:
        raise InvalidInput(errors)
    return StatusChange(str(status), note, bool(notify))


def parse_reply(body: object, prefix: str) -> ReplyText:
    """The staff's SMS text, made GSM-7 (flagged when that changed it), at most 2 SMS."""
    data = _object(body)
    raw = data.get("text")
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput({"text": "required: the SMS text to send"})
    text = " ".join(to_gsm7(raw).split())
    if not text:
        raise InvalidInput({"text": "nothing left after GSM-7 clean-up (emoji only?)"})
    segments = count_segments(f"{prefix} {text}")
    if segments > MAX_REPLY_SEGMENTS:
        limit = f"at most {MAX_REPLY_SEGMENTS} SMS with the ticket prefix"
        raise InvalidInput({"text": f"too long: {segments} SMS, {limit}"})
    return ReplyText(text, normalised=text != raw.strip())


def parse_patch(body: object) -> dict[str, Any]:
    data = _object(body)
    errors = {name: "unknown field" for name in data if name not in PATCHABLE}
    if not data:
        errors["body"] = f"give at least one of {', '.join(PATCHABLE)}"
    values: dict[str, Any] = {}
    if data.get("category") is not None:
        values["category"] = _choice("category", data["category"], tagging.CATEGORIES, errors)
    if data.get("kecamatan") is not None:
        values["kecamatan"] = _kecamatan(str(data["kecamatan"]), errors)
    if data.get("school") is not None:
        values["school"] = _text(data, "school", 120, errors)
    if data.get("assigned_to") is not None:
        values["assigned_to"] = _staff_id(data["assigned_to"], errors)
    if errors:
        raise InvalidInput(errors)
    return {name: values.get(name) for name in PATCHABLE if name in data}


def parse_token_options(body: object) -> int | None:
    """``{"expires_days": D}`` (or no body): the days a new token is valid, None for ever."""
    if body is None:
        return None
    data = _object(body)
    errors = {name: "unknown field" for name in data if name != "expires_days"}
    days = data.get("expires_days")
    if days is not None and (
        isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXPIRES_DAYS
    ):
        errors["expires_days"] = f"a whole number of days from 1 to {MAX_EXPIRES_DAYS}, or null"
    if errors:
        raise InvalidInput(errors)
    return days


def nul_errors(args: Mapping[str, str], body: object) -> dict[str, str]:
    """Fields of the query string or JSON body holding a NUL character anywhere (nested too):
    no text column stores one, so they are refused up front with the field named."""
    errors = {name: NUL_MESSAGE for name, value in args.items() if "\x00" in f"{name}{value}"}
    if isinstance(body, dict):
        errors |= {str(k): NUL_MESSAGE for k, v in body.items() if _has_nul(k) or _has_nul(v)}
    elif _has_nul(body):
        errors["body"] = NUL_MESSAGE
    return errors


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _object(body: object) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise InvalidInput({"body": "expected a JSON object"})
    return body


def _choice(name: str, value: object, allowed: tuple[str, ...], errors: dict[str, str]) -> Any:
    if value not in allowed:
        errors[name] = f"must be one of {', '.join(allowed)}"
    return value


def _kecamatan(value: str, errors: dict[str, str]) -> str | None:
    found = tagging.canonical_kecamatan(value)
    if found is None:
        errors["kecamatan"] = f"unknown kecamatan; one of {', '.join(tagging.KECAMATAN)}"
    return found


def parse_json_body(raw: bytes) -> object:
    """The JSON value of a request body (None when it is empty), nested at most
    `MAX_JSON_DEPTH` deep; otherwise `InvalidInput` naming ``body``. The depth is measured on
    the text before parsing, so a deep document never reaches the recursive parser."""
    if not raw.strip():
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput({"body": "not valid UTF-8"}) from None
    if json_depth(text, stop_above=MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise InvalidInput({"body": f"JSON nested deeper than {MAX_JSON_DEPTH} levels"})
    try:
        return json.loads(text)
    except ValueError:
        raise InvalidInput({"body": "not valid JSON"}) from None


def json_depth(text: str, *, stop_above: int | None = None) -> int:
    """How deep arrays and objects nest in a JSON text (brackets inside strings do not
    count), counted without recursion; stops counting once past ``stop_above``."""
    depth = deepest = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > deepest:
            deepest = depth
            if stop_above is not None and deepest > stop_above:
                break
    return deepest


def utc_moment(moment: datetime) -> datetime | None:
    """An aware ``moment`` in UTC, or None when it is outside `EARLIEST`..`LATEST`."""
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        return None
    return utc if EARLIEST <= utc <= LATEST else None


def _when(name: str, value: str, errors: dict[str, str]) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        errors[name] = "expected an ISO 8601 date or time, e.g. 2026-11-01"
        return None
    found = utc_moment(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    if found is None:
        errors[name] = OUT_OF_RANGE
    return found


def _int(name: str, value: str, low: int, high: int, errors: dict[str, str]) -> int | None:
    if not value.isdecimal() or not low <= int(value) <= high:
        errors[name] = f"expected a whole number from {low} to {high}"
        return None
    return int(value)


def _text(data: dict[str, Any], name: str, limit: int, errors: dict[str, str]) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        errors[name] = f"expected text of at most {limit} characters"
        return None
    return value.strip() or None


def _staff_id(value: object, errors: dict[str, str]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        errors["assigned_to"] = "expected a staff user id or null"
        return None
    return value


DATA_REQUEST_STATUSES = ("open", "done")


def parse_data_request_status(args: Mapping[str, str]) -> str | None:
    """``GET /data-requests?status=open|done``: the status filter, if any."""
    errors: dict[str, str] = {}
    status = (
        _choice("status", args["status"], DATA_REQUEST_STATUSES, errors)
        if args.get("status")
        else None
    )
    if errors:
        raise InvalidInput(errors)
    return status
