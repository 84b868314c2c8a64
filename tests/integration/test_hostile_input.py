"""Every webhook survives garbage: a 4xx with a reason, never a 5xx, never a half row."""

from __future__ import annotations

import os
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from gateway.models import Base, InboundMessage

pytestmark = pytest.mark.integration

BASE = "/webhooks/africastalking"
ROUTES = [f"{BASE}/ussd", f"{BASE}/ussd/events", f"{BASE}/sms", f"{BASE}/sms/delivery"]
FORM = "application/x-www-form-urlencoded"
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))  # raise it for a deep run


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


def test_a_nul_in_sms_text_is_the_gsm_at_sign_and_the_message_is_kept(client, rt):
    """GSM-7 codes '@' as 0x00; a decoder upstream that misses it must not lose the SMS."""
    form = {"id": "m-nul", "from": "+6281234567890", "text": "TANYA email saya budi\x00gmail.com"}
    assert client.post(f"{BASE}/sms", data=form).status_code == 200
    with rt.sessions() as s:
        assert s.scalar(select(InboundMessage.text)) == "TANYA email saya budi@gmail.com"
    form = {"id": "m-nul\x00", "from": "+6281234567890", "text": "x"}
    assert client.post(f"{BASE}/sms", data=form).status_code == 400  # other fields: refused


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


FIELD_NAMES = [
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
    "durationInMillis",
    "retryCount",
    "cost",
    "lastAppResponse",
    "failureReason",
    "linkId",
    "junk",
]
fields = st.dictionaries(
    st.sampled_from(FIELD_NAMES),
    st.one_of(
        st.text(max_size=60),
        st.integers().map(str),
        st.text(alphabet="0123456789*#", max_size=40),
        st.text(max_size=2000),
        st.sampled_from(["+6281234567890", "0812 3456 7890", "ATUid_abc", "1*2*3", "LAPOR x", ""]),
        st.sampled_from(["2026-11-28 06:04:45", "2026-11-28T06:04:45+07:00", "9999-99-99", "0"]),
    ),
    max_size=8,
)


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(route=st.sampled_from(ROUTES), form=fields)
def test_fuzzed_forms_never_cause_a_server_error(client, route, form):
    resp = client.post(route, data=form)
    assert resp.status_code < 500, resp.get_data(as_text=True)
    if resp.status_code == 200 and route.endswith("/ussd"):
        assert resp.get_data(as_text=True)[:4] in ("CON ", "END ")


@settings(
    max_examples=FUZZ_EXAMPLES * 2 // 3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(route=st.sampled_from(ROUTES), body=st.binary(max_size=300))
def test_fuzzed_raw_bytes_never_cause_a_server_error(client, route, body):
    resp = client.post(route, data=body, content_type=FORM)
    assert resp.status_code < 500


VALID = {
    f"{BASE}/ussd": {"sessionId": "ATUid_fz", "phoneNumber": "+6281234567890", "text": ""},
    f"{BASE}/ussd/events": {"sessionId": "ATUid_fz", "phoneNumber": "+6281234567890"},
    f"{BASE}/sms": {"id": "fz-1", "from": "+6281234567890", "to": "1708", "text": "LAPOR x"},
    f"{BASE}/sms/delivery": {"id": "ATXid_fz", "status": "Success"},
}
values = st.one_of(
    st.text(max_size=200),
    st.text(alphabet="0123456789*#", max_size=40),
    st.integers().map(str),
    st.sampled_from(["LAPOR", "STATUS 1234566", "SKM 443434343", "HAPUS", "STOP", "1", "00", "98"]),
)


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    route=st.sampled_from(ROUTES),
    changes=st.dictionaries(st.sampled_from(FIELD_NAMES), values, max_size=4),
    msg_id=st.uuids(),
)
def test_valid_forms_with_fuzzed_fields_never_cause_a_server_error(client, route, changes, msg_id):
    """A valid callback with some fields garbled reaches the deep paths (commands, menus,
    dates, counts): it is answered or refused, never a 5xx."""
    form = {**VALID[route], **changes}
    if route.endswith("/sms") and "id" not in changes:
        form["id"] = str(msg_id)
    resp = client.post(route, data=form)
    assert resp.status_code < 500, (form, resp.get_data(as_text=True))
    if resp.status_code == 200 and route.endswith("/ussd"):
        assert resp.get_data(as_text=True)[:4] in ("CON ", "END ")


# Surrogates cannot be sent at all.
keys = st.one_of(
    st.sampled_from([str(n) for n in range(10)] + ["00", "98", "97", "99", "1234566"]),
    st.sampled_from(["Atap*bocor", "guru 😀 tidak datang", "é" * 5, "x" * 300, " ", "#"]),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
)


@settings(
    max_examples=max(20, FUZZ_EXAMPLES // 2),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(walk=st.lists(keys, min_size=1, max_size=14), retry_at=st.integers(0, 14), sid=st.uuids())
def test_random_key_walks_always_get_a_screen_that_fits(client, walk, retry_at, sid):
    """Whatever a caller types, in any order: every reply is CON/END, at most 160
    characters, GSM-7 only, and a repeated hop gets the same screen."""
    from menus.render import non_gsm_chars

    session, text = f"ATUid_{sid.hex}", ""
    for n, key in enumerate([None, *walk]):
        text = text if key is None else (key if text == "" else f"{text}*{key}")
        form = {"sessionId": session, "phoneNumber": "+6281234567890", "text": text}
        resp = client.post(f"{BASE}/ussd", data=form)
        screen = resp.get_data(as_text=True)
        assert resp.status_code == 200 and screen[:4] in ("CON ", "END "), (text, screen)
        assert len(screen) <= 160 and not non_gsm_chars(screen), (text, screen)
        assert "gangguan" not in screen, (text, screen)  # the database-failure apology
        if n == retry_at:
            assert client.post(f"{BASE}/ussd", data=form).get_data(as_text=True) == screen
        if screen.startswith("END "):
            break
