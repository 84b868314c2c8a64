"""The staff API survives garbage too: a field error or a 404, never a 5xx."""

from __future__ import annotations

import json
import os
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.test_staff_api import auth, create_staff, report

pytestmark = pytest.mark.integration
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))
HUGE = "99999999999999999999"


@pytest.fixture
def admin(app, client, rt):
    return auth(create_staff(app, "fuzz.admin", "admin")), report(client, rt)


def test_nul_characters_are_a_field_error(client, admin):
    headers, ticket = admin
    note = {"status": "verified", "note": "sudah\x00"}
    resp = client.post(f"/api/v1/feedback/{ticket}/status", headers=headers, json=note)
    assert resp.status_code == 400 and resp.json["errors"] == {
        "note": "must not contain NUL characters"
    }
    resp = client.get("/api/v1/feedback", headers=headers, query_string={"q": "a\x00"})
    assert resp.status_code == 400 and set(resp.json["errors"]) == {"q"}
    poll = {"question": "Setuju?\x00", "options": ["Ya", "Tidak"]}
    resp = client.post("/api/v1/polls", headers=headers, json=poll)
    assert resp.status_code == 400 and set(resp.json["errors"]) == {"question"}


def test_numbers_beyond_an_integer_key_are_refused_or_not_found(client, admin):
    headers, ticket = admin
    resp = client.get("/api/v1/feedback", headers=headers, query_string={"cursor": "2147483648"})
    assert resp.status_code == 400 and set(resp.json["errors"]) == {"cursor"}
    resp = client.patch(f"/api/v1/feedback/{ticket}", headers=headers, json={"assigned_to": 10**12})
    assert resp.status_code == 400 and set(resp.json["errors"]) == {"assigned_to"}
    assert client.get(f"/api/v1/polls/{HUGE}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/feedback/{ticket}\x00", headers=headers).status_code == 404


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
    st.one_of(st.text(max_size=20), st.sampled_from(["²", "-5", "1e9", HUGE, "2026-13-45"])),
    max_size=5,
)  # fmt: skip


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
    client, admin, body, query, route, as_text
):
    headers, ticket = admin
    method, path = [
        ("get", "/api/v1/feedback"),
        ("get", f"/api/v1/feedback/{ticket}"),
        ("post", f"/api/v1/feedback/{ticket}/status"),
        ("post", f"/api/v1/feedback/{ticket}/reply"),
        ("patch", f"/api/v1/feedback/{ticket}"),
        ("post", "/api/v1/polls"),
        ("post", "/api/v1/polls/1/send"),
        ("get", "/api/v1/polls/1/results"),
        ("get", f"/api/v1/polls/{HUGE}/recipients"),
        ("get", f"/api/v1/feedback/{quote(query.get('q', HUGE), safe='')}"),
    ][route]
    options: dict[str, object] = {"headers": headers, "query_string": query}
    if method != "get":  # as JSON text (NaN and all) or through the client's encoder
        if as_text:
            options |= {"data": json.dumps(body), "content_type": "application/json"}
        else:
            options["json"] = body
    resp = getattr(client, method)(path, **options)
    assert resp.status_code < 500, (method, path, body, query, resp.get_data(as_text=True))
