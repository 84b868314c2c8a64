"""The staff API survives garbage too: a field error ({"errors": {field: message}}, with
nothing written) or a 404, never a 5xx; and what is valid is done."""

from __future__ import annotations

import json
import os
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from gateway.models import Feedback, FeedbackEvent, OutboundMessage
from gateway.staff.validation import MAX_JSON_DEPTH
from tests.integration.test_hostile_input import row_counts
from tests.integration.test_staff_api import PHONE, auth, create_staff, report

pytestmark = pytest.mark.integration
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
HUGE = "99999999999999999999"


@pytest.fixture
def admin(app, client, rt):
    return auth(create_staff(app, "fuzz.admin", "admin")), report(client, rt)


def field_errors(resp) -> dict[str, str]:
    """The documented answer to bad input: 400 with {"errors": {field: message}}, every
    field named and every message said (not an HTTP error page, not an empty dict)."""
    assert resp.status_code == 400, (resp.status_code, resp.get_data(as_text=True))
    assert resp.is_json and set(resp.json) == {"errors"}, resp.get_data(as_text=True)
    errors = resp.json["errors"]
    assert isinstance(errors, dict) and errors, errors
    assert all(isinstance(k, str) for k in errors), errors  # "" when a body key is ""
    assert all(isinstance(v, str) and v.strip() for v in errors.values()), errors
    return errors


def test_nul_characters_are_a_field_error(client, rt, admin, no_fallback):
    headers, ticket = admin
    rows = row_counts(rt)
    note = {"status": "verified", "note": "sudah\x00"}
    with no_fallback(note):
        resp = client.post(f"/api/v1/feedback/{ticket}/status", headers=headers, json=note)
    assert field_errors(resp) == {"note": "must not contain NUL characters"}
    with no_fallback("q"):
        resp = client.get("/api/v1/feedback", headers=headers, query_string={"q": "a\x00"})
    assert set(field_errors(resp)) == {"q"}
    poll = {"question": "Setuju?\x00", "options": ["Ya", "Tidak"]}
    with no_fallback(poll):
        resp = client.post("/api/v1/polls", headers=headers, json=poll)
    assert set(field_errors(resp)) == {"question"}
    assert row_counts(rt) == rows


def test_numbers_beyond_an_integer_key_are_refused_or_not_found(client, rt, admin, no_fallback):
    headers, ticket = admin
    rows = row_counts(rt)
    with no_fallback("cursor"):
        resp = client.get(
            "/api/v1/feedback", headers=headers, query_string={"cursor": "2147483648"}
        )
    assert set(field_errors(resp)) == {"cursor"}
    with no_fallback("assigned_to"):
        resp = client.patch(
            f"/api/v1/feedback/{ticket}", headers=headers, json={"assigned_to": 10**12}
        )
    assert set(field_errors(resp)) == {"assigned_to"}
    with no_fallback("not found"):
        assert client.get(f"/api/v1/polls/{HUGE}", headers=headers).status_code == 404
        assert client.get(f"/api/v1/feedback/{ticket}\x00", headers=headers).status_code == 404
    assert row_counts(rt) == rows


def test_garbled_but_valid_staff_input_is_done(client, rt, admin, no_fallback):
    """Emoji, bidi controls, odd spacing in otherwise valid changes: done, not refused,
    and what cannot be sent at all is a field error naming the text."""
    headers, ticket = admin
    path = f"/api/v1/feedback/{ticket}"
    note = "\U0001f600 sudah dicek \u202e"
    with no_fallback("status"):
        resp = client.post(
            f"{path}/status", headers=headers, json={"status": "verified", "note": note}
        )
    assert resp.status_code == 200 and resp.json["status"] == "verified", resp.json
    with rt.sessions() as s:
        fb = s.scalar(select(Feedback).where(Feedback.ticket == ticket))
        notes = list(
            s.scalars(select(FeedbackEvent.note).where(FeedbackEvent.feedback_id == fb.id))
        )
    assert fb.status == "verified" and note.strip() in notes, notes
    with no_fallback("reply"):
        resp = client.post(
            f"{path}/reply", headers=headers, json={"text": "Terima \U0001f600 kasih"}
        )
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.json["text"] == "Terima kasih" and resp.json["warnings"], resp.json
    with rt.sessions() as s:
        sent = s.get(OutboundMessage, resp.json["outbound_id"])
        assert sent.to == PHONE and sent.text.endswith("Terima kasih"), sent.text
    rows = row_counts(rt)
    with no_fallback("emoji only"):
        resp = client.post(f"{path}/reply", headers=headers, json={"text": "\U0001f600\U0001f600"})
    assert set(field_errors(resp)) == {"text"} and row_counts(rt) == rows
    with no_fallback("kecamatan"):
        resp = client.patch(path, headers=headers, json={"kecamatan": "  KUALUH   hulu "})
    assert resp.status_code == 200 and resp.json["kecamatan"] == "Kualuh Hulu", resp.json


def test_search_text_is_matched_literally_not_as_a_pattern(client, admin, no_fallback):
    """The one report reads "atap SDN 5 Marbau bocor": nothing in it is a % or an _, so a
    search for them, or for "a_b", finds nothing (today "%" and "_" find every report,
    and "a_b" finds "Marbau")."""
    headers, _ = admin
    for q in ("%", "_", "a_b"):
        with no_fallback(q):
            resp = client.get("/api/v1/feedback", headers=headers, query_string={"q": q})
        assert resp.status_code == 200 and resp.json["items"] == [], (q, resp.json)


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.sampled_from(["received", "verified", "rejected", "sarpras", "Kualuh Hulu", "²", HUGE]),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=6,
)
fields = st.sampled_from(
    ["status", "note", "notify", "text", "category", "kecamatan", "school", "assigned_to",
     "question", "options", "send_at", "close_at", "audience"]
)  # fmt: skip
queries = st.dictionaries(
    st.sampled_from(["status", "kind", "category", "kecamatan", "channel", "phone", "since",
                     "q", "limit", "cursor", "page", "per_page"]),
    st.one_of(
        st.text(max_size=20),
        st.sampled_from(["²", "-5", "1e9", HUGE, "2026-13-45", "9999-12-31T23:59:59-14:00"]),
    ),
    max_size=5,
)  # fmt: skip


# method, path, what a valid request answers, what else it may answer, the fields a 400 may
# name besides the request's own keys (a missing required field, a forbidden transition)
POLL_FIELDS = {"question", "question_en", "options", "audience", "send_at", "close_at",
               "reminder_after_hours"}  # fmt: skip
STAFF_ROUTES = [
    ("get", "/api/v1/feedback", 200, set(), set()),
    ("get", "/api/v1/feedback/{ticket}", 200, set(), set()),
    ("post", "/api/v1/feedback/{ticket}/status", 200, set(), {"status", "note", "notify"}),
    ("post", "/api/v1/feedback/{ticket}/reply", 200, set(), {"text"}),
    ("patch", "/api/v1/feedback/{ticket}", 200, set(), set()),
    ("post", "/api/v1/polls", 201, set(), POLL_FIELDS),
    ("post", "/api/v1/polls/1/send", 404, {202}, set()),  # 202 once a fuzzed poll exists
    ("get", "/api/v1/polls/1/results", 404, {200}, set()),
    ("get", f"/api/v1/polls/{HUGE}/recipients", 404, set(), set()),
    ("get", "/api/v1/feedback/{q}", 404, {405}, set()),  # 405: a q holding "/status"
]


def _stem(field: str) -> str:
    return re.split(r"[.\[]", field, maxsplit=1)[0]


def assert_staff_answer(rt, route, ticket, body, query, resp, rows) -> None:
    """A field error naming what was sent (or a required field) and writing nothing, or the
    route's answer having done what was asked."""
    method, _, success, others, required = STAFF_ROUTES[route]
    context = (route, body, query, resp.status_code, resp.get_data(as_text=True))
    assert resp.status_code in {success, 400, *others}, context
    if resp.status_code == 400:
        sent = set(query) | (
            set(map(str, body)) if method != "get" and isinstance(body, dict) else set()
        )
        known = required | {"body"}  # options[2].label, audience.role: the stem is known
        unnamed = [f for f in field_errors(resp) if f not in sent and _stem(f) not in known]
        assert not unnamed, (context, unnamed)
        assert row_counts(rt) == rows, (context, "a refused request wrote rows")
        return
    if resp.status_code != success:
        return
    if route == 0:
        assert isinstance(resp.json["items"], list) and "next" in resp.json, context
    elif route in (1, 4):
        assert resp.json["ticket"] == ticket, context
    elif route == 2:
        with rt.sessions() as s:
            status = s.scalar(select(Feedback.status).where(Feedback.ticket == ticket))
        assert resp.json["status"] == body["status"] == status, context
    elif route == 3:
        with rt.sessions() as s:
            sent_to = s.scalar(
                select(OutboundMessage.to).where(OutboundMessage.id == resp.json["outbound_id"])
            )
        assert sent_to == PHONE, context
    elif route == 5:
        assert isinstance(resp.json["id"], int) and resp.json["recipients"] >= 0, context


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    body=st.one_of(documents, st.dictionaries(fields, documents, max_size=5)),
    query=queries,
    route=st.integers(0, 9),
    as_text=st.booleans(),
)
def test_fuzzed_staff_requests_never_cause_a_server_error(
    client, rt, admin, no_fallback, body, query, route, as_text
):
    headers, ticket = admin
    method, path = STAFF_ROUTES[route][:2]
    path = path.format(ticket=ticket, q=quote(query.get("q", HUGE), safe=""))
    options: dict[str, object] = {"headers": headers, "query_string": query}
    if method != "get":  # as JSON text (NaN and all) or through the client's encoder
        if as_text:
            options |= {"data": json.dumps(body), "content_type": "application/json"}
        else:
            options["json"] = body
    rows = row_counts(rt)
    with no_fallback(method, path, body, query):
        resp = getattr(client, method)(path, **options)
    event(f"{method} {STAFF_ROUTES[route][1]}: {resp.status_code}")  # --hypothesis-show-statistics
    assert_staff_answer(rt, route, ticket, body, query, resp, rows)


def test_deeply_nested_json_is_a_body_error_not_a_server_error(client, rt, admin, no_fallback):
    """Nesting the parser would recurse into until it fails (a RecursionError, a 503 and a
    2,000-line traceback before) is refused up front, naming the body."""
    headers, ticket = admin
    rows = row_counts(rt)
    deep = "[" * 20_000 + "]" * 20_000  # under the 48 KiB cap
    just_too_deep = {"status": "verified", "note": "x"}
    for _ in range(MAX_JSON_DEPTH):
        just_too_deep = {"a": just_too_deep}
    for path in (f"/api/v1/feedback/{ticket}/status", "/api/v1/polls", "/api/v1/polls/1/send"):
        for body in (deep, json.dumps(just_too_deep)):
            with no_fallback(path, body[:40]):
                resp = client.post(
                    path, headers=headers, data=body, content_type="application/json"
                )
            assert field_errors(resp) == {"body": "JSON nested deeper than 20 levels"}, path
    assert row_counts(rt) == rows
    nested_ok = {"status": "verified", "note": "ok", "x": [[[[[[[["deep", "but fine"]]]]]]]]}
    with no_fallback("nested ok"):
        resp = client.post(f"/api/v1/feedback/{ticket}/status", headers=headers, json=nested_ok)
    assert resp.status_code == 200 and resp.json["status"] == "verified", resp.json


def test_a_deep_body_without_a_token_is_refused_before_it_is_read(client, no_fallback):
    with no_fallback("no token"):
        resp = client.post("/api/v1/polls", data="[" * 30_000, content_type="application/json")
    assert resp.status_code == 401 and set(resp.json) == {"error", "message"}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"status": "verified",', "not valid JSON"),
        (b"{'status': 'verified'}", "not valid JSON"),
        (b'{"status": "verified", "note": "\xff"}', "not valid UTF-8"),
        (b'{"n": ' + b"9" * 5000 + b"}", "not valid JSON"),  # beyond int's digit limit
    ],
)
def test_a_json_body_that_is_not_json_is_a_body_error(
    client, rt, admin, no_fallback, data, message
):
    headers, ticket = admin
    rows = row_counts(rt)
    with no_fallback(data[:30]):
        resp = client.post(
            f"/api/v1/feedback/{ticket}/status",
            headers=headers,
            data=data,
            content_type="application/json",
        )
    assert field_errors(resp) == {"body": message}
    assert row_counts(rt) == rows


def test_a_body_that_is_not_json_where_json_is_expected_names_the_body(client, admin, no_fallback):
    headers, ticket = admin
    for options in ({"data": "status=verified"}, {"data": {"status": "verified"}}, {}):
        with no_fallback(options):
            resp = client.post(f"/api/v1/feedback/{ticket}/status", headers=headers, **options)
        assert field_errors(resp) == {"body": "expected a JSON object"}, options


OUT_OF_RANGE_DATES = [
    "9999-12-31T23:59:59+14:00",
    "9999-12-31T23:59:59-14:00",  # past datetime.max once in UTC
    "9999-12-31",
    "0001-01-01T00:00:00+07:00",  # before datetime.min once in UTC
    "0001-01-01",
    "0000-01-01",  # year 0
]


@pytest.mark.parametrize("when", OUT_OF_RANGE_DATES)
def test_a_date_outside_the_representable_range_is_a_field_error(
    client, rt, admin, no_fallback, when
):
    headers, _ = admin
    rows = row_counts(rt)
    with no_fallback("since", when):
        resp = client.get("/api/v1/feedback", headers=headers, query_string={"since": when})
    assert set(field_errors(resp)) == {"since"}
    for field in ("send_at", "close_at"):
        poll = {"question": "Setuju?", "options": ["Ya", "Tidak"], field: when}
        with no_fallback(field, when):
            resp = client.post("/api/v1/polls", headers=headers, json=poll)
        assert set(field_errors(resp)) == {field}, (field, when)
    assert row_counts(rt) == rows


def test_dates_just_inside_the_range_are_used(client, admin, no_fallback):
    headers, _ = admin
    for when, found in (("0001-01-02T00:00:00Z", 1), ("9999-12-30T00:00:00+00:00", 0)):
        with no_fallback(when):
            resp = client.get("/api/v1/feedback", headers=headers, query_string={"since": when})
        assert resp.status_code == 200 and len(resp.json["items"]) == found, resp.json
