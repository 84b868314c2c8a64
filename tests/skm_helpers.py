"""SKM responses made the way citizens make them (the SMS ``SKM`` keyword, the USSD survey)
or through `gateway.citizens.skm.record_skm`, for the SKM API and desk tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from gateway.citizens.skm import record_skm
from gateway.citizens.skm_report import today_wib
from gateway.common.wib import WIB
from gateway.models import Channel, SkmResponse
from tests.integration.ussd_helpers import Dial

SMS = "/webhooks/africastalking/sms"
_ids = itertools.count(1)

WORKED = {
    "sms": "433444433",
    "ussd": "433434433",  # service spmb
    "direct": "332433432",  # service ijazah
    "sms2": "332433322",
}
"""Four respondents whose NRRs are domain.md's worked example: 3.50 3.00 2.50 4.00 3.25 3.50
3.75 2.75 2.50 -> IKM 79.86, B (Baik)."""
WORKED_NRRS = [3.5, 3.0, 2.5, 4.0, 3.25, 3.5, 3.75, 2.75, 2.5]


class WithToken:
    """A test client whose every POST carries the webhooks' ``?token=`` (for an app with a
    real provider, which refuses callbacks without it)."""

    def __init__(self, client: Any, token: str) -> None:
        self.client, self.token = client, token

    def post(self, url: str, **kwargs: Any) -> Any:
        return self.client.post(url, query_string={"token": self.token}, **kwargs)


def sms_skm(client: Any, answers: str, sender: str) -> None:
    form = {"from": sender, "to": "1708", "text": f"SKM {answers}", "id": f"skm-{next(_ids)}"}
    assert client.post(SMS, data=form).status_code == 200


def ussd_skm(client: Any, answers: str, *, service_option: str, phone: str, session: str) -> str:
    """The USSD survey: 5 (SKM), the service's option number, then one digit per unsur; then
    Africa's Talking's end-of-session event."""
    dial = Dial(client, session, phone=phone)
    body = dial.press("5", service_option, *answers)
    dial.drop("Success")
    return body


def direct_skm(rt: Any, answers: str, *, service: str | None = None, complete: bool = True) -> int:
    with rt.sessions.begin() as s:
        record_skm(
            s,
            contact=None,
            answers=[int(a) for a in answers],
            channel=Channel.USSD,
            complete=complete,
            service=service,
        )
        return int(s.scalar(select(SkmResponse.id).order_by(SkmResponse.id.desc())))


def make_worked(client: Any, rt: Any) -> None:
    """`WORKED`, through SMS twice, the USSD survey and `record_skm`."""
    sms_skm(client, WORKED["sms"], "+6281234500001")
    body = ussd_skm(
        client, WORKED["ussd"], service_option="1", phone="+6281234500002", session="ATUid_w"
    )
    assert body.startswith("END "), body
    direct_skm(rt, WORKED["direct"], service="ijazah")
    sms_skm(client, WORKED["sms2"], "+6281234500003")
    with rt.sessions() as s:
        rows = s.execute(select(SkmResponse.answers, SkmResponse.channel, SkmResponse.service))
        assert sorted(rows) == sorted(
            [
                ("433444433", "sms", None),
                ("433434433", "ussd", "spmb"),
                ("332433432", "ussd", "ijazah"),
                ("332433322", "sms", None),
            ]
        )


def at_wib(rt: Any, response_id: int, moment: datetime) -> None:
    """Move a stored response to ``moment`` (a naive time is read as WIB)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=WIB)
    with rt.sessions.begin() as s:
        s.execute(
            update(SkmResponse)
            .where(SkmResponse.id == response_id)
            .values(created_at=moment.astimezone(UTC))
        )


def around_today() -> dict[str, str]:
    """A from/to that holds the responses a test just made (yesterday to tomorrow, WIB)."""
    today = today_wib()
    return {
        "from": (today - timedelta(days=1)).isoformat(),
        "to": (today + timedelta(days=1)).isoformat(),
    }
