from datetime import UTC, datetime

import pytest

from gateway.errors import InvalidInput
from gateway.staff.auth import EDITORS, bearer_token, hash_token, new_token, sees_anonymous_phone
from gateway.staff.validation import (
    parse_list_query,
    parse_patch,
    parse_reply,
    parse_status_change,
)

PREFIX = "Disdik Labura, tiket 1234567:"


def errors_of(fn, *args):
    with pytest.raises(InvalidInput) as exc:
        fn(*args)
    return exc.value.errors


def test_list_query_parses_and_normalises():
    q = parse_list_query(
        {"status": "received", "phone": "0812-3456-7890", "kecamatan": "aek kanopan",
         "since": "2026-11-01", "q": " bocor ", "limit": "10", "cursor": "55"}
    )  # fmt: skip
    assert q.phone == "+6281234567890" and q.kecamatan == "Kualuh Hulu"
    assert q.since == datetime(2026, 11, 1, tzinfo=UTC)
    assert (q.q, q.limit, q.cursor, q.status) == ("bocor", 10, 55, "received")


def test_list_query_reports_every_bad_field():
    errors = errors_of(
        parse_list_query,
        {"status": "x", "kind": "x", "channel": "fax", "category": "x", "limit": "500",
         "cursor": "-1", "since": "kemarin"},
    )  # fmt: skip
    assert set(errors) == {"status", "kind", "channel", "category", "limit", "cursor", "since"}


def test_digit_like_signs_are_a_field_error_not_a_crash():
    errors = errors_of(parse_list_query, {"limit": "²", "cursor": "³"})
    assert set(errors) == {"limit", "cursor"}


def test_status_change():
    change = parse_status_change({"status": "resolved", "note": " sudah ", "notify": False})
    assert (change.status, change.note, change.notify) == ("resolved", "sudah", False)
    assert parse_status_change({"status": "verified"}).notify is True
    assert set(errors_of(parse_status_change, {"status": "rejected"})) == {"note"}
    assert set(errors_of(parse_status_change, {"note": 5})) == {"status", "note"}
    assert set(errors_of(parse_status_change, ["verified"])) == {"body"}


def test_reply_is_cleaned_and_flagged():
    assert parse_reply({"text": "Sudah diperbaiki"}, PREFIX).normalised is False
    cleaned = parse_reply({"text": "Sudah “beres” 👍"}, PREFIX)
    assert cleaned.text == 'Sudah "beres"' and cleaned.normalised
    assert "too long" in errors_of(parse_reply, {"text": "a" * 300}, PREFIX)["text"]
    assert "text" in errors_of(parse_reply, {"text": ""}, PREFIX)


def test_patch_keeps_only_given_fields_and_allows_clearing():
    assert parse_patch({"school": "SMPN 1", "category": None}) == {
        "school": "SMPN 1",
        "category": None,
    }
    errors = errors_of(parse_patch, {"kecamatan": "Medan", "assigned_to": "x", "id": 3})
    assert set(errors) == {"kecamatan", "assigned_to", "id"}
    assert set(errors_of(parse_patch, {})) == {"body"}


def test_tokens_are_hashed_and_roles_checked():
    token = new_token()
    assert len(token) >= 40 and hash_token(token) != token and len(hash_token(token)) == 64
    assert bearer_token(f"Bearer {token}") == token and bearer_token("bearer  x ") == "x"
    assert bearer_token("Basic x") is None and bearer_token(None) is None
    assert "officer" in EDITORS and "admin" in EDITORS and "viewer" not in EDITORS
    assert sees_anonymous_phone("admin") and not sees_anonymous_phone("officer")
