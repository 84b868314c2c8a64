import json
from decimal import Decimal
from typing import Any

import pytest
import requests
from africastalking.Service import AfricasTalkingException

from gateway.providers import Outcome, ResponseError
from gateway.providers.africastalking import (
    classify_exception,
    classify_recipient,
    parse_cost,
    parse_send_response,
)


def _entry(code: int | str, status: str, message_id: str = "ATXid_1", cost: str = "KES 0.8000"):
    return {
        "statusCode": code,
        "number": "+6281234567890",
        "status": status,
        "cost": cost,
        "messageId": message_id,
    }


@pytest.mark.parametrize(
    ("code", "status", "outcome"),
    [
        (100, "Processed", Outcome.ACCEPTED),
        (101, "Success", Outcome.ACCEPTED),
        (102, "Queued", Outcome.ACCEPTED),
        (401, "RiskHold", Outcome.PERMANENT),
        (402, "InvalidSenderId", Outcome.CONFIG_ERROR),
        (403, "InvalidPhoneNumber", Outcome.PERMANENT),
        (404, "UnsupportedNumberType", Outcome.PERMANENT),
        (405, "InsufficientBalance", Outcome.RETRY),
        (406, "UserInBlacklist", Outcome.BLACKLISTED),
        (407, "CouldNotRoute", Outcome.RETRY),
        (409, "DoNotDisturbRejection", Outcome.RETRY),
        (500, "InternalServerError", Outcome.RETRY),
        (501, "GatewayError", Outcome.RETRY),
        (502, "RejectedByGateway", Outcome.RETRY),
        (999, "SomethingNew", Outcome.UNKNOWN),
        ("101", "Success", Outcome.ACCEPTED),
    ],
)
def test_classify_recipient_every_code(code: int | str, status: str, outcome: Outcome) -> None:
    result = classify_recipient(_entry(code, status))
    assert result.outcome is outcome
    assert result.status == status
    assert result.status_code == int(code)
    assert result.number == "+6281234567890"


def test_classify_recipient_falls_back_to_status_name_without_code() -> None:
    entry = _entry(101, "UserInBlacklist")
    del entry["statusCode"]
    result = classify_recipient(entry)
    assert (result.outcome, result.status_code) == (Outcome.BLACKLISTED, None)


def test_failed_recipient_has_no_message_id_and_zero_cost() -> None:
    result = classify_recipient(_entry(403, "InvalidPhoneNumber", message_id="None", cost="0"))
    assert result.message_id is None
    assert (result.cost, result.currency) == (Decimal("0"), None)


def test_accepted_recipient_keeps_id_cost_and_parts() -> None:
    entry = {**_entry(101, "Success", cost="IDR 250.0000"), "messageParts": 2}
    result = classify_recipient(entry)
    assert result.message_id == "ATXid_1"
    assert (result.cost, result.currency, result.parts) == (Decimal("250.0000"), "IDR", 2)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("KES 0.8000", (Decimal("0.8000"), "KES")),
        ("IDR 250.0000", (Decimal("250.0000"), "IDR")),
        ("0", (Decimal("0"), None)),
        ("", (None, None)),
        (None, (None, None)),
        ("KES abc", (None, None)),
        ("KES NaN", (None, None)),
    ],
)
def test_parse_cost(raw: Any, expected: tuple[Decimal | None, str | None]) -> None:
    assert parse_cost(raw) == expected


def _body(recipients: list[dict[str, Any]], message: str = "Sent to 2/2") -> dict[str, Any]:
    return {"SMSMessageData": {"Message": message, "Recipients": recipients}}


@pytest.mark.parametrize("as_text", [False, True], ids=["dict", "str"])
def test_parse_send_response_dict_and_str(as_text: bool) -> None:
    body = _body([_entry(101, "Success"), _entry(406, "UserInBlacklist", "None", "0")])
    results = parse_send_response(json.dumps(body) if as_text else body)
    assert [r.outcome for r in results] == [Outcome.ACCEPTED, Outcome.BLACKLISTED]


@pytest.mark.parametrize(
    ("raw", "outcome"),
    [
        (_body([], "InvalidSenderId"), Outcome.CONFIG_ERROR),
        (json.dumps(_body([], "InvalidSenderId")), Outcome.CONFIG_ERROR),
        (_body([], "InsufficientBalance"), Outcome.RETRY),
        (_body([], "InvalidPhoneNumber"), Outcome.PERMANENT),
        (_body([], "Sent to 0/1 Total Cost: 0"), Outcome.RETRY),
        (_body([], ""), Outcome.RETRY),
        ("<html>bad gateway</html>", Outcome.UNKNOWN),
        ("[]", Outcome.UNKNOWN),
        ({"unexpected": 1}, Outcome.UNKNOWN),
        ({"SMSMessageData": {"Recipients": "nope"}}, Outcome.UNKNOWN),
        ({"SMSMessageData": {"Recipients": [1, 2]}}, Outcome.UNKNOWN),
    ],
)
def test_parse_send_response_request_level_failures(raw: Any, outcome: Outcome) -> None:
    with pytest.raises(ResponseError) as caught:
        parse_send_response(raw)
    assert caught.value.outcome is outcome
    assert caught.value.reason


@pytest.mark.parametrize(
    ("exc", "outcome"),
    [
        (requests.exceptions.ConnectTimeout("connect timed out"), Outcome.RETRY),
        (requests.exceptions.ConnectionError("Name or service not known"), Outcome.RETRY),
        (requests.exceptions.SSLError("handshake failure"), Outcome.RETRY),
        (requests.exceptions.ReadTimeout("read timed out"), Outcome.UNKNOWN),
        (
            requests.exceptions.ConnectionError("('Connection aborted.', RemoteDisconnected())"),
            Outcome.UNKNOWN,
        ),
        (AfricasTalkingException("The supplied authentication is invalid"), Outcome.CONFIG_ERROR),
        (AfricasTalkingException("Too Many Requests"), Outcome.RETRY),
        (AfricasTalkingException("Request throttled, slow down"), Outcome.RETRY),
        (AfricasTalkingException("rate limit exceeded"), Outcome.RETRY),
        (
            AfricasTalkingException("The request contains bad syntax or cannot be fulfilled"),
            Outcome.PERMANENT,
        ),
        # without a status, a body that proves no refusal may have been processed
        (AfricasTalkingException("Internal Server Error"), Outcome.UNKNOWN),
        (AfricasTalkingException(""), Outcome.UNKNOWN),
        (requests.exceptions.MissingSchema("no scheme"), Outcome.CONFIG_ERROR),
        (requests.exceptions.ChunkedEncodingError("broken body"), Outcome.UNKNOWN),
        (RuntimeError("surprise"), Outcome.UNKNOWN),
    ],
)
def test_classify_exception(exc: BaseException, outcome: Outcome) -> None:
    got, reason = classify_exception(exc)
    assert got is outcome
    assert reason


def test_classify_exception_keeps_provider_text_as_reason() -> None:
    assert classify_exception(AfricasTalkingException("Too  Many\nRequests")) == (
        Outcome.RETRY,
        "Too Many Requests",
    )
