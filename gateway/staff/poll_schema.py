"""Validate a poll as staff send it (JSON or CLI) into a `PollSpec`. Pure."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from gateway.errors import InvalidInput
from gateway.polls.admin import OptionSpec, PollSpec
from gateway.staff.validation import OUT_OF_RANGE, utc_moment

MIN_OPTIONS, MAX_OPTIONS = 2, 9
MAX_QUESTION, MAX_LABEL = 300, 80


def parse_poll(data: Any) -> PollSpec:
    """Raises `InvalidInput` with one message per faulty field."""
    if not isinstance(data, dict):
        raise InvalidInput({"body": "expected a JSON object"})
    errors: dict[str, str] = {}
    question = _text(data.get("question"), "question", MAX_QUESTION, errors)
    question_en = _optional_text(data.get("question_en"), "question_en", MAX_QUESTION, errors)
    options = _options(data.get("options"), errors)
    kecamatan, roles = _audience(data.get("audience"), errors)
    send_at = _when(data.get("send_at"), "send_at", errors)
    close_at = _when(data.get("close_at"), "close_at", errors)
    if send_at and close_at and close_at <= send_at:
        errors["close_at"] = "must be after send_at"
    if close_at and close_at <= datetime.now(UTC):
        errors["close_at"] = "must be in the future"
    reminder = data.get("reminder_after_hours")
    if reminder is not None and (
        not isinstance(reminder, int) or isinstance(reminder, bool) or not 1 <= reminder <= 720
    ):
        errors["reminder_after_hours"] = "must be a whole number of hours between 1 and 720"
    if errors:
        raise InvalidInput(errors)
    return PollSpec(
        question, tuple(options), kecamatan, roles, send_at, close_at, reminder, question_en
    )


def _text(value: Any, name: str, limit: int, errors: dict[str, str]) -> str:
    if not isinstance(value, str) or not value.strip():
        errors[name] = "required text"
        return ""
    if len(value.strip()) > limit:
        errors[name] = f"at most {limit} characters"
    return value.strip()


def _optional_text(value: Any, name: str, limit: int, errors: dict[str, str]) -> str | None:
    return None if value in (None, "") else _text(value, name, limit, errors)


def _options(value: Any, errors: dict[str, str]) -> list[OptionSpec]:
    if not isinstance(value, list) or not MIN_OPTIONS <= len(value) <= MAX_OPTIONS:
        errors["options"] = f"between {MIN_OPTIONS} and {MAX_OPTIONS} options"
        return []
    options = []
    for i, raw in enumerate(value):
        field = f"options[{i}]"
        if isinstance(raw, str):
            raw = {"label": raw}
        if not isinstance(raw, dict):
            errors[field] = "a label or {label, synonyms}"
            continue
        label = _text(raw.get("label"), f"{field}.label", MAX_LABEL, errors)
        label_en = _optional_text(raw.get("label_en"), f"{field}.label_en", MAX_LABEL, errors)
        synonyms = raw.get("synonyms") or []
        if not isinstance(synonyms, list) or not all(isinstance(s, str) for s in synonyms):
            errors[f"{field}.synonyms"] = "a list of words"
            synonyms = []
        options.append(OptionSpec(label, tuple(s.strip() for s in synonyms if s.strip()), label_en))
    labels = [o.label.casefold() for o in options]
    if len(set(labels)) != len(labels):
        errors["options"] = "labels must differ"
    return options


def _audience(value: Any, errors: dict[str, str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if value is None:
        return (), ()
    if not isinstance(value, dict):
        errors["audience"] = "an object {kecamatan: [...], role: [...]}"
        return (), ()
    out: list[tuple[str, ...]] = []
    for key in ("kecamatan", "role"):
        items = value.get(key) or []
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            errors[f"audience.{key}"] = "a list of names"
            items = []
        out.append(tuple(i.strip() for i in items))
    return out[0], out[1]


def _when(value: Any, name: str, errors: dict[str, str]) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        errors[name] = "an ISO 8601 date and time, e.g. 2026-12-01T09:00:00+07:00"
        return None
    if parsed.tzinfo is None:
        errors[name] = "needs a time zone, e.g. +07:00 for WIB"
        return None
    moment = utc_moment(parsed)
    if moment is None:
        errors[name] = OUT_OF_RANGE
    return moment
