"""Every webhook survives garbage: a 4xx with a reason, never a 5xx, never a half row; and
what is garbage but valid enough to be handled is really handled, with no fallback (an SMS
stored alone, the USSD database apology, a 503) standing in for the work."""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlencode

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from gateway.models import Base, Contact, Feedback, InboundMessage, OutboundMessage, UssdSession
from gateway.sms.keywords import Kind, parse
from gateway.ussd.hop import SORRY

pytestmark = pytest.mark.integration

BASE = "/webhooks/africastalking"
ROUTES = [f"{BASE}/ussd", f"{BASE}/ussd/events", f"{BASE}/sms", f"{BASE}/sms/delivery"]
FORM = "application/x-www-form-urlencoded"
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "60"))  # raise it for a deep run
MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)
FILED_AS = {Kind.REPORT: "complaint", Kind.SUGGESTION: "suggestion", Kind.QUESTION: "question"}


def row_counts(rt):
    with rt.sessions() as s:
        return {
            t.name: s.scalar(select(func.count()).select_from(t))
            for t in Base.metadata.sorted_tables
        }


@dataclass(frozen=True)
class Snapshot:
    """What the database held before a request: enough to say what the request must do."""

    rows: dict[str, int]
    sms_ids: frozenset[str]
    replies_to: dict[str, int]  # transactional SMS due now per number: the hourly reply cap
    opted_out: frozenset[str]  # a second STOP gets no second confirmation
    helped: frozenset[str]  # free text answered in the last hour: the next one is not


def snapshot(rt) -> Snapshot:
    unknown_answered = (
        select(Contact.phone)
        .join(InboundMessage, InboundMessage.contact_id == Contact.id)
        .join(OutboundMessage, OutboundMessage.inbound_message_id == InboundMessage.id)
        .where(InboundMessage.command == Kind.UNKNOWN.value)
    )
    transactional = (
        select(OutboundMessage.to, func.count())
        .where(OutboundMessage.kind == "transactional", OutboundMessage.not_before.is_(None))
        .group_by(OutboundMessage.to)
    )
    with rt.sessions() as s:
        return Snapshot(
            rows=row_counts(rt),
            sms_ids=frozenset(s.scalars(select(InboundMessage.provider_message_id))),
            replies_to={to: n for to, n in s.execute(transactional)},
            opted_out=frozenset(
                s.scalars(select(Contact.phone).where(Contact.opted_out_at.is_not(None)))
            ),
            helped=frozenset(s.scalars(unknown_answered)),
        )


def is_mobile(e164: str) -> bool:
    return phonenumbers.number_type(phonenumbers.parse(e164, None)) in MOBILE_TYPES


def assert_menu_screen(screen: str, *context: object) -> None:
    """A real menu screen: CON or END, and not the database apology (an END too)."""
    assert screen[:4] in ("CON ", "END "), (context, screen)
    assert screen[4:] != SORRY, (context, "the database apology instead of a menu")


def assert_sms_acted_on(rt, msg_id: str, was: Snapshot) -> None:
    """SMS `msg_id` (answered 200) was stored, and acted on as the rules say: its command
    is the parsed kind, the feedback record it files exists, and it got its one reply,
    unless it comes from a sender id (stored only), from a number that cannot receive SMS
    (no reply), from a number at its hourly reply cap, or is a repeat that gets no reply
    (a second STOP, free text again within the hour). No poll is open in these tests, so
    a bare answer (1, ya) is free text."""
    with rt.sessions() as s:
        row = s.scalar(select(InboundMessage).where(InboundMessage.provider_message_id == msg_id))
        assert row is not None, f"SMS {msg_id!r} answered 200 but not stored"
        if msg_id in was.sms_ids:
            return  # a retried callback: the first one was acted on
        replies = list(
            s.scalars(
                select(OutboundMessage.text).where(OutboundMessage.inbound_message_id == row.id)
            )
        )
        filed = list(s.scalars(select(Feedback.kind).where(Feedback.inbound_message_id == row.id)))
    cmd = parse(row.text)
    context = {"sender": row.sender, "text": row.text, "parsed": cmd, "command": row.command,
               "replies": replies, "filed": filed}  # fmt: skip
    if row.contact_id is None:  # a sender id such as TELKOMSEL: stored only
        assert (row.command, replies, filed) == (cmd.kind.value, [], []), context
        return
    free_text = cmd.kind in (Kind.UNKNOWN, Kind.ANSWER)
    assert row.command == (Kind.UNKNOWN.value if free_text else cmd.kind.value), context
    if cmd.kind in FILED_AS and cmd.body:
        assert filed == [FILED_AS[cmd.kind]], context
    elif free_text and row.text.strip():
        assert filed == ["other"], context
    else:
        assert filed == [], context
    silent = (cmd.kind is Kind.STOP and row.sender in was.opted_out) or (
        free_text and row.sender in was.helped
    )
    owed = cmd.kind in (Kind.STOP, Kind.DATA, Kind.ERASE)  # answered whatever the cap
    capped = not owed and was.replies_to.get(row.sender, 0) >= rt.settings.sms_replies_per_hour
    if silent or capped or not is_mobile(row.sender):
        assert replies == [], context
    else:
        assert len(replies) == 1 and replies[0].strip(), context


def assert_handled(rt, route: str, form: dict[str, str], resp, was: Snapshot) -> None:
    """Refused (4xx) with nothing written, or answered 200 having done the work."""
    body = resp.get_data(as_text=True)
    assert resp.status_code < 500, (form, body)
    if resp.status_code != 200:
        assert row_counts(rt) == was.rows, (form, body, "a refused callback wrote rows")
        return
    if route.endswith("/ussd"):
        assert_menu_screen(body, form)
        return
    assert body == "OK", (form, body)
    if route.endswith("/sms"):
        assert_sms_acted_on(rt, form["id"].strip(), was)
    elif route.endswith("/ussd/events"):
        with rt.sessions() as s:
            found = s.scalar(
                select(UssdSession.status).where(
                    UssdSession.session_id == form["sessionId"].strip()
                )
            )
        assert found == form.get("status", "")[:20], (form, found)
    else:  # a delivery report is stored raw, known message or not
        rows = row_counts(rt)["delivery_reports"]
        assert rows == was.rows["delivery_reports"] + 1, form


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


def test_a_nul_in_sms_text_is_the_gsm_at_sign_and_the_message_is_kept(client, rt, no_fallback):
    """GSM-7 codes '@' as 0x00; a decoder upstream that misses it must not lose the SMS,
    nor stop it being acted on: the question is filed and answered."""
    form = {"id": "m-nul", "from": "+6281234567890", "text": "TANYA email saya budi\x00gmail.com"}
    was = snapshot(rt)
    with no_fallback(form):
        assert client.post(f"{BASE}/sms", data=form).status_code == 200
    with rt.sessions() as s:
        assert s.scalar(select(InboundMessage.text)) == "TANYA email saya budi@gmail.com"
        assert s.scalar(select(InboundMessage.command)) == "question"
        assert s.scalar(select(Feedback.text)) == "email saya budi@gmail.com"
    assert_sms_acted_on(rt, "m-nul", was)
    form = {"id": "m-nul\x00", "from": "+6281234567890", "text": "x"}
    assert client.post(f"{BASE}/sms", data=form).status_code == 400  # other fields: refused


HOSTILE_SMS = [
    "LAPOR " + "\U0001f600" * 40,
    "LAPOR",
    "lapor\tatap\r\nSDN 5\x0bbocor",
    "\u202eLAPOR atap bocor",
    "LAPOR ' OR 1=1; DROP TABLE feedback; --",
    "TANYA %s %(x)s {0} {ticket} \\N{BELL}",
    "lpaor atap bocor",
    "SARAM kurang guru",
    "STATUS 9999999999999999999999999999",
    "CEK 1-2-3-4-5-6-6",
    "STATUS \u00b2\u00b3",
    "SKM 443434343",
    "SKM 99999999999",
    "HADIR " + "X" * 300,
    "HADIR {ticket}",
    "INFO \u00b2",
    "INFO PIP",
    "DAFTAR Kualuh Hulu guru",
    "DAFTAR " + "orang tua " * 40,
    "DATA",
    "MULAI",
    "?",
    "1",
    "ya",
    "",
    " \n\t ",
    "x" * 1600,
    "\ufeff\u200b",
    "HAPUS",
    "STOP",  # already opted out by HAPUS: no second confirmation
    "MULAI",
    "STOP",
    "STOP",  # a repeat: no reply
]
SENDERS = {"mobile": "+6281234567890", "landline": "+62614156789", "sender id": "TELKOMSEL"}


@pytest.mark.parametrize("sender", SENDERS.values(), ids=SENDERS.keys())
def test_garbled_commands_are_acted_on_not_stored_alone(client, rt, no_fallback, sender):
    """Each keyword with a garbled, huge, empty or odd argument, from each kind of sender:
    stored and acted on (command, feedback record, reply as the rules say), never the
    webhook's store-it-alone fallback."""
    for n, text in enumerate(HOSTILE_SMS):
        form = {"id": f"hostile-{n}", "from": sender, "to": "1708", "text": text}
        was = snapshot(rt)
        with no_fallback(form):
            resp = client.post(f"{BASE}/sms", data=form)
        assert_handled(rt, f"{BASE}/sms", form, resp, was)
        assert resp.status_code == 200, (form, resp.get_data(as_text=True))


USSD_FREE_TEXT = [
    "\U0001f600 atap bocor \U0001f600",
    "Atap bocor; DROP TABLE feedback;--",
    "%s {ticket} \\N{BELL} %(x)s",
    "\u202eatap bocor parah",
    "\u00e9" * 40,
]


def test_garbled_free_text_in_a_ussd_session_is_filed(client, rt, no_fallback):
    """A suggestion typed with emoji, SQL, format fields, bidi controls or accents: every
    hop is a menu screen and the last one files it (a ticket, the text kept), never the
    database apology."""
    for n, text in enumerate(USSD_FREE_TEXT):
        session, typed = f"ATUid_free{n}", ""
        for key in ("", "2", text, "1"):
            typed = key if typed == "" else f"{typed}*{key}"
            form = {"sessionId": session, "phoneNumber": "+6281234567890", "text": typed}
            with no_fallback(form):
                resp = client.post(f"{BASE}/ussd", data=form)
            screen = resp.get_data(as_text=True)
            assert resp.status_code == 200, (form, screen)
            assert_menu_screen(screen, form)
        assert screen.startswith("END "), (text, screen)
        with rt.sessions() as s:
            fb = s.scalars(select(Feedback).order_by(Feedback.id.desc())).first()
        assert fb is not None and fb.ticket in screen, (text, screen)
        assert (fb.kind, fb.channel, fb.text) == ("suggestion", "ussd", text), text


def test_a_failing_command_is_seen_as_a_fallback(client, rt, no_fallback, monkeypatch):
    """The checks above would see the webhook store an SMS alone (if this fails, the
    fallback's logger or shape changed: adjust FALLBACK_LOGGERS or assert_sms_acted_on)."""

    def broken(*args, **kwargs):
        raise RuntimeError("a command handler broke")

    monkeypatch.setattr("gateway.sms.inbound.dispatch", broken)
    form = {"id": "m-broken", "from": "+6281234567890", "text": "LAPOR atap bocor"}
    was = snapshot(rt)
    with pytest.raises(AssertionError, match="storing it alone"):
        with no_fallback(form):
            assert client.post(f"{BASE}/sms", data=form).status_code == 200
    with pytest.raises(AssertionError):
        assert_sms_acted_on(rt, "m-broken", was)


@pytest.mark.parametrize(
    ("error", "logged"),
    [(OperationalError("SELECT 1", {}, Exception("db down")), "USSD hop failed"),
     (RuntimeError("a menu broke"), "unhandled error on")],
    ids=["database apology", "fast path 503"],
)  # fmt: skip
def test_a_failing_hop_is_seen_as_a_fallback(client, no_fallback, monkeypatch, error, logged):
    def broken(*args, **kwargs):
        raise error

    monkeypatch.setattr("gateway.ussd.hop.handle_hop", broken)
    form = {"sessionId": "ATUid_broken", "phoneNumber": "+6281234567890", "text": ""}
    with pytest.raises(AssertionError, match=logged):
        with no_fallback(form):
            resp = client.post(f"{BASE}/ussd", data=form)
    if resp.status_code == 200:
        with pytest.raises(AssertionError, match="apology"):
            assert_menu_screen(resp.get_data(as_text=True))
    else:
        assert resp.status_code == 503


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
def test_fuzzed_forms_never_cause_a_server_error(client, rt, no_fallback, route, form):
    was = snapshot(rt)
    with no_fallback(route, form):
        resp = client.post(route, data=form)
    assert_handled(rt, route, form, resp, was)


@settings(
    max_examples=FUZZ_EXAMPLES * 2 // 3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(route=st.sampled_from(ROUTES), body=st.binary(max_size=300))
def test_fuzzed_raw_bytes_never_cause_a_server_error(client, rt, no_fallback, route, body):
    rows = row_counts(rt)
    with no_fallback(route, body):
        resp = client.post(route, data=body, content_type=FORM)
    assert resp.status_code < 500, (body, resp.get_data(as_text=True))
    if resp.status_code != 200:
        assert row_counts(rt) == rows, (body, "a refused callback wrote rows")
    elif route.endswith("/ussd"):
        assert_menu_screen(resp.get_data(as_text=True), body)


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
def test_valid_forms_with_fuzzed_fields_never_cause_a_server_error(
    client, rt, no_fallback, route, changes, msg_id
):
    """A valid callback with some fields garbled reaches the deep paths (commands, menus,
    dates, counts): it is refused with nothing written, or answered having done the work
    (an SMS acted on, a menu screen, the event or report stored), never a 5xx and never
    through a fallback."""
    form = {**VALID[route], **changes}
    if route.endswith("/sms") and "id" not in changes:
        form["id"] = str(msg_id)
    was = snapshot(rt)
    with no_fallback(route, form):
        resp = client.post(route, data=form)
    assert_handled(rt, route, form, resp, was)


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
def test_random_key_walks_always_get_a_screen_that_fits(client, no_fallback, walk, retry_at, sid):
    """Whatever a caller types, in any order: every reply is a menu screen (CON/END, not
    the database apology), at most 160 characters, GSM-7 only, and a repeated hop gets the
    same screen."""
    from menus.render import non_gsm_chars

    session, text = f"ATUid_{sid.hex}", ""
    for n, key in enumerate([None, *walk]):
        text = text if key is None else (key if text == "" else f"{text}*{key}")
        form = {"sessionId": session, "phoneNumber": "+6281234567890", "text": text}
        with no_fallback(text):
            resp = client.post(f"{BASE}/ussd", data=form)
        screen = resp.get_data(as_text=True)
        assert resp.status_code == 200, (text, screen)
        assert_menu_screen(screen, text)
        assert len(screen) <= 160 and not non_gsm_chars(screen), (text, screen)
        if n == retry_at:
            with no_fallback(text, "retried"):
                assert client.post(f"{BASE}/ussd", data=form).get_data(as_text=True) == screen
        if screen.startswith("END "):
            break
