"""Pure parts of the staff API's hardening: token states, what a role sees of a number,
CSV cells, JSON depth, the range of dates."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.errors import InvalidInput
from gateway.staff.auth import expiry, shown_phone, token_refusal
from gateway.staff.poll_schema import parse_poll
from gateway.staff.render import csv_cell, csv_lines
from gateway.staff.validation import (
    MAX_JSON_DEPTH,
    json_depth,
    parse_json_body,
    parse_list_query,
    parse_token_options,
)

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
PHONE = "+6281234567890"


def errors_of(fn, *args):
    with pytest.raises(InvalidInput) as exc:
        fn(*args)
    return exc.value.errors


@pytest.mark.parametrize(
    ("active", "revoked_at", "expires_at", "reason"),
    [
        (True, None, None, None),
        (True, None, NOW + timedelta(seconds=1), None),
        (True, None, NOW, "expired"),
        (True, NOW - timedelta(days=1), NOW + timedelta(days=1), "revoked"),
        (False, None, None, "inactive"),
    ],
)
def test_token_refusal_names_why(active, revoked_at, expires_at, reason):
    refused = token_refusal(active=active, revoked_at=revoked_at, expires_at=expires_at, now=NOW)
    assert refused == reason


def test_expiry_is_days_from_now_or_never():
    assert expiry(NOW, 30) == NOW + timedelta(days=30)
    assert expiry(NOW, None) is None


@pytest.mark.parametrize(
    ("role", "anonymous", "shown"),
    [
        ("admin", False, PHONE),
        ("admin", True, PHONE),
        ("officer", False, PHONE),
        ("officer", True, None),
        ("viewer", False, "+6281******890"),
        ("viewer", True, None),
    ],
)
def test_what_each_role_sees_of_a_number(role, anonymous, shown):
    assert shown_phone(role, PHONE, anonymous=anonymous) == shown
    assert shown_phone(role, None) is None


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_run_gets_a_quote(start):
    assert csv_cell(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize(
    ("value", "cell"),
    [("Ya", "Ya"), ("a=b", "a=b"), (" =1", " =1"), ("", ""), (None, ""), (3, "3"), (-3, "'-3")],
)
def test_other_cells_are_written_as_they_are(value, cell):
    assert csv_cell(value) == cell


def test_csv_lines_neutralise_every_cell_and_quote_what_csv_needs():
    rows = [{"phone": PHONE, "answer": '=HYPERLINK("x","y")', "note": "a,b\nc"}, {"phone": None}]
    text = "".join(csv_lines(("phone", "answer", "note"), rows))
    assert list(csv.reader(io.StringIO(text))) == [
        ["phone", "answer", "note"],
        [f"'{PHONE}", '\'=HYPERLINK("x","y")', "a,b\nc"],
        ["", "", ""],
    ]


@given(st.lists(st.dictionaries(st.sampled_from("abc"), st.text(max_size=8)), max_size=4))
def test_no_csv_cell_ever_starts_like_a_formula(rows):
    lines = "".join(csv_lines(("a", "b", "c"), rows))
    for row in csv.reader(io.StringIO(lines)):
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row), row


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ("[]", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[["}', 1),  # brackets inside a string do not count
        ('["\\"[[[[", ["x"]]', 2),  # nor after an escaped quote
        ("[" * 100 + "]" * 100, 100),
    ],
)
def test_json_depth_counts_brackets_outside_strings(text, depth):
    assert json_depth(text) == depth


def test_json_depth_stops_counting_past_the_bound():
    assert json_depth("[" * 10_000, stop_above=20) == 21


def test_a_body_nested_up_to_the_limit_is_parsed_and_deeper_is_refused():
    ok = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert json.dumps(parse_json_body(ok.encode())) == ok
    too_deep = "[" + ok + "]"
    assert errors_of(parse_json_body, too_deep.encode()) == {
        "body": "JSON nested deeper than 20 levels"
    }
    assert errors_of(parse_json_body, b"[" * 100_000) == {
        "body": "JSON nested deeper than 20 levels"
    }


@pytest.mark.parametrize(
    ("raw", "parsed"), [(b"", None), (b"  \n", None), (b'{"a": 1}', {"a": 1}), (b"null", None)]
)
def test_a_body_is_its_json_value(raw, parsed):
    assert parse_json_body(raw) == parsed


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{", "not valid JSON"),
        (b'{"a": "\xff"}', "not valid UTF-8"),
        (b"\xef\xbb\xbf{}", "not valid JSON"),  # a BOM
        (b'"unterminated [[[', "not valid JSON"),
    ],
)
def test_a_body_that_is_not_json_names_the_body(raw, message):
    assert errors_of(parse_json_body, raw) == {"body": message}


@pytest.mark.parametrize(
    "since",
    [
        "9999-12-31T23:59:59+14:00",
        "9999-12-31T23:59:59-14:00",
        "9999-12-31",
        "0001-01-01T00:00:00+07:00",
        "0001-01-01",
        "0000-01-01",
    ],
)
def test_a_since_outside_the_range_is_a_field_error(since):
    assert set(errors_of(parse_list_query, {"since": since})) == {"since"}


def test_a_since_inside_the_range_is_kept_in_utc():
    query = parse_list_query({"since": "9999-12-30T06:59:59+07:00"})
    assert query.since == datetime(9999, 12, 29, 23, 59, 59, tzinfo=UTC)
    assert parse_list_query({"since": "0001-01-02"}).since == datetime(1, 1, 2, tzinfo=UTC)


@pytest.mark.parametrize("field", ["send_at", "close_at"])
@pytest.mark.parametrize(
    "when", ["9999-12-31T23:59:59-14:00", "9999-12-31T20:00:00+00:00", "0001-01-01T00:00:00+07:00"]
)
def test_a_poll_time_outside_the_range_is_a_field_error(field, when):
    poll = {"question": "Setuju?", "options": ["Ya", "Tidak"], field: when}
    errors = errors_of(parse_poll, poll)
    assert set(errors) == {field} and "range" in errors[field]


@pytest.mark.parametrize(
    ("body", "days"),
    [(None, None), ({}, None), ({"expires_days": None}, None), ({"expires_days": 7}, 7)],
)
def test_token_options(body, days):
    assert parse_token_options(body) == days


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"expires_days": 0}, {"expires_days"}),
        ({"expires_days": 3651}, {"expires_days"}),
        ({"expires_days": 1.5}, {"expires_days"}),
        ({"expires_days": False}, {"expires_days"}),
        ({"days": 1}, {"days"}),
        ([], {"body"}),
    ],
)
def test_bad_token_options_name_the_field(body, fields):
    assert set(errors_of(parse_token_options, body)) == fields
