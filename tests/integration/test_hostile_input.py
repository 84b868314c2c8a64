"""Every webhook survives garbage: a 4xx with a reason, never a 5xx, never a half row."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from gateway.models import Base

pytestmark = pytest.mark.integration

BASE = "/webhooks/africastalking"
ROUTES = [f"{BASE}/ussd", f"{BASE}/ussd/events", f"{BASE}/sms", f"{BASE}/sms/delivery"]
FORM = "application/x-www-form-urlencoded"


def row_counts(rt):
    with rt.sessions() as s:
        return {
            t.name: s.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables
        }


@pytest.mark.parametrize("route", ROUTES)
def test_empty_body_is_a_400_naming_the_field(client, route):
    resp = client.post(route, data=b"", content_type=FORM)
    assert resp.status_code == 400
    assert "required" in resp.get_data(as_text=True)


@pytest.mark.parametrize("route", ROUTES)
def test_100kb_body_is_refused(client, rt, route):
    before = row_counts(rt)
    body = urlencode({"id": "x1", "from": "+6281234567890", "text": "A" * 100_000})
    resp = client.post(route, data=body, content_type=FORM)
    assert resp.status_code == 413
    assert row_counts(rt) == before


@pytest.mark.parametrize("route", ROUTES)
def test_invalid_utf8_is_a_400(client, rt, route):
    before = row_counts(rt)
    body = b"sessionId=ATUid_1&id=m1&from=%2B6281234567890&phoneNumber=%2B6281234567890&text=%FF%FE"
    resp = client.post(route, data=body, content_type=FORM)
    assert resp.status_code == 400
    assert "UTF-8" in resp.get_data(as_text=True)
    assert row_counts(rt) == before


def test_ussd_bad_phone_number_is_a_400(client, rt):
    before = row_counts(rt)
    resp = client.post(
        f"{BASE}/ussd", data={"sessionId": "ATUid_1", "phoneNumber": "12", "text": ""}
    )
    assert resp.status_code == 400
    assert "phoneNumber" in resp.get_data(as_text=True)
    assert row_counts(rt) == before


def test_sms_with_garbage_sender_is_a_400_and_stores_nothing(client, rt):
    before = row_counts(rt)
    resp = client.post(f"{BASE}/sms", data={"id": "m1", "from": "<script>", "text": "hi"})
    assert resp.status_code == 400
    assert row_counts(rt) == before


def test_json_body_instead_of_form_is_refused(client):
    resp = client.post(f"{BASE}/sms", json={"id": "m1", "from": "+6281234567890", "text": "x"})
    assert resp.status_code == 400


def test_wrong_method_is_405_not_500(client):
    assert client.get(f"{BASE}/sms").status_code == 405
    assert client.put(f"{BASE}/ussd").status_code == 405


fields = st.dictionaries(
    st.sampled_from(
        [
            "id",
            "from",
            "to",
            "text",
            "date",
            "sessionId",
            "phoneNumber",
            "serviceCode",
            "status",
            "networkCode",
            "input",
            "hopsCount",
            "failureReason",
            "linkId",
            "junk",
        ]
    ),
    st.one_of(
        st.text(max_size=60),
        st.sampled_from(["+6281234567890", "0812 3456 7890", "ATUid_abc", "1*2*3", "LAPOR x", ""]),
    ),
    max_size=8,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(route=st.sampled_from(ROUTES), form=fields)
def test_fuzzed_forms_never_cause_a_server_error(client, route, form):
    resp = client.post(route, data=form)
    assert resp.status_code < 500, resp.get_data(as_text=True)
    if resp.status_code == 200 and route.endswith("/ussd"):
        assert resp.get_data(as_text=True)[:4] in ("CON ", "END ")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(route=st.sampled_from(ROUTES), body=st.binary(max_size=300))
def test_fuzzed_raw_bytes_never_cause_a_server_error(client, route, body):
    resp = client.post(route, data=body, content_type=FORM)
    assert resp.status_code < 500
