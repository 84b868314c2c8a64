"""Table tests over captured Africa's Talking payloads (courier style), no I/O.

Each row names a file under `tests/fixtures/africastalking/` (the raw body AT posts, or
the body its send API answers) and what a user of Suara should get from it: the neutral
value the rest of the gateway sees, or the refusal and its reason. The payloads come from
`/work/shared/docs/africastalking.md` (AT's own captures and SDK tests, courier,
vumi-africastalking, africastalking-laravel, CHT) plus Indonesian variants of them.
"""

from __future__ import annotations

import json
import re
from dataclasses import fields, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import requests
from africastalking.Service import AfricasTalkingException
from urllib3.exceptions import (
    ConnectTimeoutError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)

from gateway.errors import InvalidPayload
from gateway.providers import (
    InboundSms,
    Outcome,
    RecipientResult,
    ResponseError,
    StatusUpdate,
    UssdEnd,
    UssdRequest,
)
from gateway.providers import africastalking as at

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "africastalking"

SID = "ATUid_0123456789abcdef0123456789abcdef"
PHONE = "+6281234567890"  # the normalised form every Indonesian spelling must reach
SMS_ID = "ec9adc86-51d5-4bc8-8eb0-d8ab0bb53dc3"
DLR_ID = "ATXid_dda018a640edfcc5d2ce455de3e4a6e7"
ARRIVAL = datetime.min.replace(tzinfo=UTC)  # "the time the callback arrived"


class Refused(NamedTuple):
    """The payload is refused with `InvalidPayload`; its message contains `fragment`."""

    fragment: str


class Fails(NamedTuple):
    """The send answer raises `ResponseError(outcome, reason)`, `fragment` in the reason."""

    outcome: Outcome
    fragment: str


def body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def row(name: str, expected: object, *marks: pytest.MarkDecorator) -> Any:
    return pytest.param(name, expected, id=name, marks=marks)


def without_raw(value: Any) -> Any:
    """The parsed value with its `raw` copy of the form emptied (checked separately)."""
    if "raw" in {f.name for f in fields(value)}:
        return replace(value, raw={})
    return value


def check_form(parser: Any, name: str, expected: object) -> None:
    if isinstance(expected, Refused):
        with pytest.raises(InvalidPayload, match=re.escape(expected.fragment)):
            parser(at.parse_form(body(name)))
        return
    assert without_raw(parser(at.parse_form(body(name)))) == expected


# --- USSD session hops ----------------------------------------------------------------


def hop(text: str = "", phone: str = PHONE, network: str | None = None) -> UssdRequest:
    return UssdRequest(SID, phone, "*384*1708#", text, network)


USSD_ROWS = [
    row(
        "ussd/sandbox_first_hop.txt",  # AT's sandbox, captured verbatim
        UssdRequest(
            "ATUid_7c898d72eb11f723ed8ea05ef232f279", "+254739495441", "*384*44135#", "", "99999"
        ),
    ),
    row("ussd/menu_path.txt", hop("1*7*1", network="51010")),
    row(
        "ussd/free_text_utf8.txt",
        hop("1*7*1*1*Atap kelas 3 SDN 112 bocor \u2013 tolong \U0001f64f*parah", network="51010"),
    ),
    row("ussd/typed_star.txt", hop("2**")),  # a typed '*' is kept for the menu to read
    row("ussd/local_0812_number.txt", hop(network="51010")),
    row("ussd/fullwidth_digits.txt", hop()),
    row("ussd/spaced_and_dashed_number.txt", hop()),
    row("ussd/double_zero_prefix.txt", hop()),
    row("ussd/unencoded_plus_indonesian.txt", hop()),  # the bare '+' decodes as a space
    row("ussd/node_sdk_test_body.txt", Refused("field 'phoneNumber'")),  # +1234567890
    row("ussd/no_network_code.txt", hop("3")),
    row("ussd/dialoguss_network_code.txt", hop(network="dialoguss")),  # opaque, not checked
    row(
        "ussd/laravel_text_with_spaces.txt",
        UssdRequest(
            "ATUid_5d3b4c2bc589f4811820a7184eed4df5",
            "+254720123123",
            "*100#",
            "KEY BAR KEY",
            "99999",
        ),
    ),
    row("ussd/nul_in_text.txt", hop("4*budi@gmail.com")),  # GSM-7 0x00 is '@'
    row("ussd/nul_in_session_id.txt", Refused("NUL")),
    row("ussd/empty_body.txt", Refused("field 'sessionId' required")),
    row("ussd/missing_session_id.txt", Refused("field 'sessionId' required")),
    row("ussd/blank_session_id.txt", Refused("field 'sessionId' required")),
    row("ussd/missing_phone.txt", Refused("field 'phoneNumber' required")),
    row("ussd/sender_name_as_phone.txt", Refused("field 'phoneNumber'")),
    row("ussd/session_id_markup.txt", Refused("'sessionId' has unexpected characters")),
    row("ussd/session_id_oversize.txt", Refused("'sessionId' has unexpected characters")),
    row("ussd/text_at_limit.txt", UssdRequest(SID, PHONE, "", "2*" + "a" * 3998)),
    row("ussd/text_oversize.txt", Refused("field 'text' is too long")),
    row("ussd/bad_utf8_percent.txt", Refused("not valid UTF-8")),
    row("ussd/bad_utf8_raw_byte.txt", Refused("not valid UTF-8")),
]


@pytest.mark.parametrize(("name", "expected"), USSD_ROWS)
def test_ussd_hop(name: str, expected: UssdRequest | Refused) -> None:
    check_form(at.parse_ussd, name, expected)


# --- USSD end-of-session notifications ------------------------------------------------


def ended(status: str, phone: str = PHONE, **values: Any) -> UssdEnd:
    return UssdEnd(SID, phone, values.pop("service_code", ""), status, **values)


LARAVEL_END = UssdEnd(
    "ATUid_5d3b4c2bc589f4811820a7184eed4df5",
    "+254720123123",
    "*100#",
    "Incomplete",
    network_code="99999",
    input="KEY BAR KEY",
    last_app_response="CON Enter your Acc No.",
    hops_count=2,
    duration_ms=15000,
    cost="10",
)

USSD_END_ROWS = [
    row(
        "ussd_end/success_full.txt",
        ended(
            "Success",
            service_code="*384*1708#",
            network_code="51010",
            input="1*7*1*1*Atap bocor*1",
            last_app_response="END Terima kasih. Nomor tiket K7Q2M4P",
            hops_count=6,
            duration_ms=42100,
            cost="IDR 250.0000",
        ),
    ),
    row("ussd_end/laravel_incomplete.txt", LARAVEL_END),
    row(
        "ussd_end/laravel_empty_input.txt",
        replace(LARAVEL_END, input="", hops_count=None, duration_ms=None, cost=None),
    ),
    row(
        "ussd_end/failed_leading_space.txt",
        ended(
            "Failed",
            service_code="*384*1708#",
            network_code="51010",
            input="",
            # the column is trimmed; the raw form keeps the space that failed the hop
            last_app_response="CON Menu",
            error_message="Response should start with a CON or an END",
            hops_count=1,
            duration_ms=800,
            cost="KES 0.10",
        ),
    ),
    # an event is evidence of a session: kept even when the number is unusable
    row("ussd_end/missing_phone.txt", ended("Success", phone="", service_code="*384*1708#")),
    row("ussd_end/invalid_phone.txt", ended("Incomplete", phone="")),
    row("ussd_end/local_0812_number.txt", ended("Incomplete")),
    row("ussd_end/counts_not_numbers.txt", ended("Success")),
    row("ussd_end/counts_overflow.txt", ended("Success")),
    row(
        "ussd_end/last_app_response_oversize.txt",
        ended("Success", last_app_response=("END " + "x" * 5000)[: at.MAX_FIELD]),
    ),
    row(
        "ussd_end/nul_in_input.txt",
        ended("Success", input="4*budi@gmail.com"),
    ),
    row("ussd_end/missing_session_id.txt", Refused("field 'sessionId' required")),
    row("ussd_end/bad_utf8.txt", Refused("not valid UTF-8")),
]


@pytest.mark.parametrize(("name", "expected"), USSD_END_ROWS)
def test_ussd_end(name: str, expected: UssdEnd | Refused) -> None:
    check_form(at.parse_ussd_end, name, expected)


# --- incoming SMS ---------------------------------------------------------------------


def inbound(text: str, sender: str = PHONE, **values: Any) -> InboundSms:
    values.setdefault("receiver", "1708")
    values.setdefault("received_at", datetime(2026, 11, 28, 6, 4, 45, tzinfo=UTC))
    phone = values.pop("sender_phone", sender)
    return InboundSms("africastalking", SMS_ID, sender, phone, text=text, **values)


COURIER_SMS = inbound(
    "Msg",
    "+254791541111",
    receiver="21512",
    received_at=datetime(2017, 5, 3, 6, 4, 45, tzinfo=UTC),
    link_id="03090445075804249226",
)

SMS_ROWS = [
    row("sms/courier_iso_date.txt", COURIER_SMS),
    row("sms/courier_space_date.txt", COURIER_SMS),  # zone-less: UTC
    row("sms/zoneless_iso_date.txt", COURIER_SMS),
    row(
        "sms/courier_short_date.txt",  # courier refuses it; read leniently here
        replace(COURIER_SMS, link_id=None, received_at=datetime(2017, 5, 3, 6, 4, tzinfo=UTC)),
    ),
    row(
        "sms/lapor_indonesia.txt",
        inbound("LAPOR guru kelas 4 SDN 3 Aek Kanopan sering tidak hadir", network_code="51010"),
    ),
    row("sms/local_0812_sender.txt", inbound("INFO")),
    row("sms/fullwidth_sender.txt", inbound("INFO")),
    # a sender name is kept but has no phone: nothing is ever sent back to it
    row(
        "sms/alphanumeric_sender.txt", inbound("Promo pulsa murah", "TSEL-INFO", sender_phone=None)
    ),
    row("sms/courier_sender_mtn.txt", replace(COURIER_SMS, sender="MTN", sender_phone=None)),
    row("sms/sender_markup.txt", Refused("field 'from' is not a phone number or sender id")),
    row("sms/empty_body.txt", Refused("field 'id' required")),
    row("sms/missing_text.txt", Refused("field 'text' required")),
    row("sms/missing_from.txt", Refused("field 'from' required")),
    row("sms/empty_text.txt", inbound("")),
    row("sms/text_with_reserved_characters.txt", inbound("TANYA 1+1=2 & diskon 50%?")),
    row("sms/utf8_text.txt", inbound("SARAN Terima kasih Bu Guru \U0001f64f \u2014 caf\u00e9")),
    row("sms/long_concatenated.txt", inbound("LAPOR " + "atap bocor " * 139)),
    row("sms/nul_in_text.txt", inbound("DAFTAR budi@gmail.com")),
    row("sms/nul_in_sender.txt", Refused("NUL")),
    row("sms/bad_utf8.txt", Refused("not valid UTF-8")),
    row("sms/missing_date.txt", inbound("INFO", received_at=ARRIVAL)),
    row("sms/unreadable_date.txt", inbound("INFO", received_at=ARRIVAL)),
    row("sms/id_markup.txt", Refused("field 'id' has unexpected characters")),
    row("sms/id_oversize.txt", Refused("field 'id' has unexpected characters")),
]


@pytest.mark.parametrize(("name", "expected"), SMS_ROWS)
def test_incoming_sms(name: str, expected: InboundSms | Refused) -> None:
    if isinstance(expected, InboundSms) and expected.received_at == ARRIVAL:
        before = datetime.now(UTC)
        parsed = at.parse_sms(at.parse_form(body(name)))
        assert before <= parsed.received_at <= datetime.now(UTC)
        assert without_raw(replace(parsed, received_at=ARRIVAL)) == expected
        return
    check_form(at.parse_sms, name, expected)


# --- delivery reports -----------------------------------------------------------------


def report(raw_status: str, status: str | None, **values: Any) -> StatusUpdate:
    values.setdefault("provider_message_id", DLR_ID)
    return StatusUpdate("africastalking", raw_status=raw_status, status=status, **values)


DELIVERY_ROWS = [
    row("delivery/courier_success.txt", report("Success", "delivered")),
    row("delivery/courier_expired.txt", report("Expired", "expired")),
    # an unknown word is accepted and kept raw, never a 4xx (AT would retry, then drop it)
    row("delivery/courier_borked.txt", report("Borked", None)),
    row("delivery/missing_status.txt", report("", None)),
    row("delivery/sent.txt", report("Sent", "sent", phone=PHONE)),
    row("delivery/submitted.txt", report("Submitted", "sent", phone=PHONE)),
    row("delivery/buffered.txt", report("Buffered", "sent", phone=PHONE)),
    row(
        "delivery/rejected_blacklist.txt",
        report("Rejected", "rejected", failure_reason="UserInBlackList", phone=PHONE),
    ),
    row(
        "delivery/failed_delivery_failure.txt",
        report("Failed", "failed", failure_reason="DeliveryFailure", phone=PHONE),
    ),
    row(
        "delivery/laravel_misspelt_reason.txt",  # AT's own spelling, kept as sent
        report(
            "Failed",
            "failed",
            provider_message_id="ATXid_520e732ea1191c1f03a7d9bea3a91006",
            failure_reason="NotNetworkSubcriber",
            phone="+254720123123",
        ),
    ),
    row("delivery/absent_subscriber.txt", report("AbsentSubscriber", "failed", phone=PHONE)),
    row("delivery/padded_status.txt", report("Success", "delivered", phone=PHONE)),
    row("delivery/local_0812_phone.txt", report("Success", "delivered", phone=PHONE)),
    row("delivery/missing_id.txt", Refused("field 'id' required")),
    row("delivery/id_markup.txt", Refused("field 'id' has unexpected characters")),
    row("delivery/bad_utf8.txt", Refused("not valid UTF-8")),
]


@pytest.mark.parametrize(("name", "expected"), DELIVERY_ROWS)
def test_delivery_report(name: str, expected: StatusUpdate | Refused) -> None:
    check_form(at.parse_status, name, expected)


# --- what the raw copy keeps ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "field", "value"),
    [
        ("ussd_end/laravel_incomplete.txt", "retryCount", "0"),  # unknown fields: kept
        ("ussd_end/success_full.txt", "hopsMetadata", "menu|report|confirm"),
        ("ussd_end/failed_leading_space.txt", "lastAppResponse", " CON Menu"),
        ("sms/lapor_indonesia.txt", "cost", "IDR 0"),
        ("sms/unreadable_date.txt", "date", "kemarin"),
        ("delivery/rejected_blacklist.txt", "networkCode", "51010"),
    ],
)
def test_raw_form_keeps_what_was_sent(name: str, field: str, value: str) -> None:
    parser = {"ussd_end": at.parse_ussd_end, "sms": at.parse_sms, "delivery": at.parse_status}
    parsed = parser[name.split("/")[0]](at.parse_form(body(name)))
    assert parsed.raw[field] == value


# --- send API answers -----------------------------------------------------------------


def result(
    number: str,
    outcome: Outcome,
    status: str,
    code: int | None,
    message_id: str | None = None,
    cost: str = "0",
    parts: int | None = None,
) -> RecipientResult:
    currency, _, amount = cost.rpartition(" ")
    return RecipientResult(
        number, outcome, message_id, Decimal(amount), currency or None, status, code, parts
    )


SEND_ROWS = [
    row(
        "send/vumi_sent.json",
        [
            result(
                "+254978345",
                Outcome.ACCEPTED,
                "Success",
                101,
                "ATXid_d4e696eaebb289503ea89cfd9ce280a3",
                "KES 0.8000",
            )
        ],
    ),
    row(
        "send/processed_with_parts.json",
        [
            result(
                "+254711000111",
                Outcome.ACCEPTED,
                "Success",
                100,
                "ATXid_03cb5ecf11ce748794c0f9a85c276259",
                "KES 0.8000",
                parts=1,
            )
        ],
    ),
    row(
        "send/queued_enqueue.json",
        [
            result(
                PHONE,
                Outcome.ACCEPTED,
                "Queued",
                102,
                "ATXid_5b1c0e5d7e2f4a5e8b0f7d3c2a1e9f00",
                "IDR 250.0000",
                parts=2,
            )
        ],
    ),
    # opted out at AT: no message id to wait on ("None" is not an id)
    row(
        "send/blacklisted.json",
        [result("+2547214141xx", Outcome.BLACKLISTED, "UserInBlacklist", 406)],
    ),
    row(
        "send/mixed_batch.json",
        [
            result(PHONE, Outcome.ACCEPTED, "Success", 101, "ATXid_a1", "IDR 250.0000"),
            result("+6281200000000", Outcome.PERMANENT, "InvalidPhoneNumber", 403),
            result("+6281311112222", Outcome.RETRY, "InsufficientBalance", 405),
        ],
    ),
    row("send/risk_hold.json", [result(PHONE, Outcome.PERMANENT, "RiskHold", 401)]),
    # a code nobody knows may still have gone: keep its id for the report, never resend
    row(
        "send/unknown_status_code.json",
        [result(PHONE, Outcome.UNKNOWN, "SomethingNew", 999, "ATXid_b2", "IDR 250.0000")],
    ),
    row(
        "send/status_code_as_string.json",
        [result("+254711000111", Outcome.ACCEPTED, "Success", 101, "ATXid_c3", "KES 0.8000")],
    ),
    row(
        "send/legacy_could_not_send.json",
        [result("+254711000111", Outcome.UNKNOWN, "Could Not Send", None)],
    ),
    row("send/invalid_sender_id.json", Fails(Outcome.CONFIG_ERROR, "InvalidSenderId")),
    row("send/sent_to_zero.json", Fails(Outcome.RETRY, "Sent to 0/1")),
    row("send/no_recipients_no_message.json", Fails(Outcome.RETRY, "no recipients")),
    row("send/subscription_answer.json", Fails(Outcome.UNKNOWN, "no SMSMessageData")),
    row("send/recipients_not_a_list.json", Fails(Outcome.UNKNOWN, "not a list")),
    row("send/json_array.json", Fails(Outcome.UNKNOWN, "not an object")),
    row("send/html_page.txt", Fails(Outcome.UNKNOWN, "not JSON")),
]


def _send_variants() -> list[Any]:
    """SDK 2.0.3 hands over a dict only for `Content-Type: application/json` exactly;
    with `; charset=utf-8` it returns the body as a str. Both must read the same."""
    variants = []
    for param in SEND_ROWS:
        name, expected = param.values
        forms = ["str"] + (["dict"] if name.endswith(".json") else [])
        variants += [pytest.param(name, expected, form, id=f"{name}-{form}") for form in forms]
    return variants


@pytest.mark.parametrize(("name", "expected", "form"), _send_variants())
def test_send_answer(name: str, expected: list[RecipientResult] | Fails, form: str) -> None:
    text = body(name).decode("utf-8")
    raw = json.loads(text) if form == "dict" else text
    if isinstance(expected, Fails):
        with pytest.raises(ResponseError) as caught:
            at.parse_send_response(raw)
        assert caught.value.outcome is expected.outcome
        assert expected.fragment in caught.value.reason
        return
    assert at.parse_send_response(raw) == expected


# --- what the SDK raises --------------------------------------------------------------


NON_2XX_ROWS = [
    # (HTTP status as the SDK's request step saw it, or None: the SDK's bare exception)
    row("send/http_401.txt", (401, Outcome.CONFIG_ERROR, "The supplied authentication is invalid")),
    row("send/http_400.txt", (400, Outcome.PERMANENT, "bad syntax")),
    row("send/http_429.txt", (429, Outcome.RETRY, "Too Many Requests")),
    # a proxy's 502/504: the request had left and may have been processed
    row("send/http_502_nginx.txt", (502, Outcome.UNKNOWN, "502 Bad Gateway")),
    row("send/http_504_nginx.txt", (504, Outcome.UNKNOWN, "504 Gateway Time-out")),
    row("send/http_500.txt", (500, Outcome.UNKNOWN, "HTTP 500: Internal Server Error")),
    row("send/http_empty.txt", (503, Outcome.UNKNOWN, "empty body")),
    row("send/http_408.txt", (408, Outcome.RETRY, "Request Timeout")),  # the body never arrived
]
NO_STATUS_ROWS = [
    pytest.param(name, (None, outcome, fragment), id=f"{name}-no-status")
    for name, outcome, fragment in [
        ("send/http_401.txt", Outcome.CONFIG_ERROR, "authentication is invalid"),
        ("send/http_429.txt", Outcome.RETRY, "Too Many Requests"),
        ("send/http_400.txt", Outcome.PERMANENT, "bad syntax"),
        ("send/http_502_nginx.txt", Outcome.UNKNOWN, "502 Bad Gateway"),
        ("send/http_empty.txt", Outcome.UNKNOWN, "empty body"),
    ]
]


@pytest.mark.parametrize(("name", "expected"), NON_2XX_ROWS + NO_STATUS_ROWS)
def test_non_2xx_answer(name: str, expected: tuple[int | None, Outcome, str]) -> None:
    """Only an answer that proves nothing was taken is retried; a 5xx may mean "sent"."""
    status, outcome, fragment = expected
    text = body(name).decode("utf-8")
    exc = AfricasTalkingException(text) if status is None else at.HttpAnswerError(status, text)
    got, reason = at.classify_exception(exc)
    assert got is outcome
    assert fragment in reason


URL = "/version1/messaging"
POOL = "HTTPSConnectionPool(host='api.africastalking.com', port=443)"


def _refused() -> requests.exceptions.ConnectionError:
    reason = NewConnectionError(
        None, "Failed to establish a new connection: [Errno 111] Connection refused"
    )
    return requests.exceptions.ConnectionError(MaxRetryError(None, URL, reason))


@pytest.mark.parametrize(
    ("exc", "outcome"),
    [
        pytest.param(
            requests.exceptions.ConnectTimeout(
                MaxRetryError(
                    None,
                    URL,
                    ConnectTimeoutError(None, "Connection timed out. (connect timeout=3.05)"),
                )
            ),
            Outcome.RETRY,
            id="connect-timeout",
        ),
        pytest.param(_refused(), Outcome.RETRY, id="connection-refused"),
        pytest.param(
            requests.exceptions.ReadTimeout(
                ReadTimeoutError(None, URL, f"{POOL}: Read timed out. (read timeout=9.05)")
            ),
            Outcome.UNKNOWN,
            id="read-timeout",
        ),
        pytest.param(
            requests.exceptions.ConnectionError(
                ProtocolError("Connection aborted.", ConnectionResetError(104, "reset by peer"))
            ),
            Outcome.UNKNOWN,
            id="reset-after-the-request-left",
        ),
    ],
)
def test_transport_error_as_requests_raises_it(exc: BaseException, outcome: Outcome) -> None:
    assert at.classify_exception(exc)[0] is outcome


def test_sdk_refusing_a_number_before_sending_is_not_maybe_sent() -> None:
    """SDK 2.0.3 raises ValueError('Invalid phone number: …') before any I/O."""
    outcome, reason = at.classify_exception(ValueError("Invalid phone number: 0812345"))
    assert (outcome, "not sent" in reason) == (Outcome.PERMANENT, True)


# --- the fixtures themselves ----------------------------------------------------------


def test_every_fixture_is_in_a_table() -> None:
    tables = [USSD_ROWS, USSD_END_ROWS, SMS_ROWS, DELIVERY_ROWS, SEND_ROWS, NON_2XX_ROWS]
    named = {param.values[0] for table in tables for param in table}
    on_disk = {
        str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*") if p.suffix in {".txt", ".json"}
    }
    assert on_disk == named
