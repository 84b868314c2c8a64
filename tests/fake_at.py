"""A local fake of Africa's Talking's SMS send API, answering like the real one.

By default every recipient is accepted (201, statusCode 101). Fault injection, all
off by default: `fail_every` (every Nth request refused with `fail_with`, HTTP 500 by
default; nothing is sent), `throttle_every` (429 on every Mth), `timeout_once` (the next
request is taken, then answered only after that many seconds: the SDK sees a ReadTimeout
although the SMS went), `lost_answer_once` (the next request is taken, and a proxy in
front answers it with that status, e.g. nginx's 502 or 504: the SMS went all the same),
`auth_error` (401), per-number `statuses`, and `latency`. `accepted` lists every (number,
messageId) the fake took, so a test can check that nobody got a message twice;
`delivery_reports()` builds the forms AT would post back.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from werkzeug import Request, Response
from werkzeug.http import HTTP_STATUS_CODES

PROXY_PAGE = "<html><head><title>{status} {reason}</title></head><body>nginx</body></html>"


@dataclass
class FakeAfricasTalking:
    """Records every send request; answers 201 with one entry per recipient.

    `content_type` defaults to the charset form that makes SDK 2.0.3 return a `str`.
    """

    content_type: str = "application/json; charset=utf-8"
    requests: list[dict[str, object]] = field(default_factory=list)
    statuses: dict[str, tuple[int, str]] = field(default_factory=dict)
    fail_every: int = 0
    fail_with: tuple[int, str] = (500, "Internal Server Error")
    throttle_every: int = 0
    timeout_once: float = 0.0
    lost_answer_once: int = 0
    auth_error: bool = False
    latency: float = 0.0
    accepted: list[tuple[str, str]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handler(self, request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs(request.get_data(as_text=True)).items()}
        with self._lock:
            self.requests.append({"form": form, "headers": dict(request.headers)})
            n = len(self.requests)
            fault = self._fault(n)
            if fault is not None:
                return fault
            recipients = [self._recipient(number) for number in form.get("to", "").split(",")]
            sleep, self.timeout_once = self.timeout_once, 0.0
            lost, self.lost_answer_once = self.lost_answer_once, 0
        if self.latency or sleep:
            time.sleep(self.latency + sleep)
        if lost:
            page = PROXY_PAGE.format(status=lost, reason=HTTP_STATUS_CODES[lost])
            return self._answer(n, lost, page, content_type="text/html")
        body = {
            "SMSMessageData": {
                "Message": f"Sent to {len(recipients)}/{len(recipients)}",
                "Recipients": recipients,
            }
        }
        return self._answer(n, 201, json.dumps(body), content_type=self.content_type)

    def _answer(self, n: int, status: int, text: str, content_type: str = "text/plain") -> Response:
        self.requests[n - 1]["status"] = status
        return Response(text, status=status, content_type=content_type)

    def _fault(self, n: int) -> Response | None:
        if self.auth_error:
            return self._answer(n, 401, "The supplied authentication is invalid")
        if self.fail_every and n % self.fail_every == 0:
            return self._answer(n, *self.fail_with)
        if self.throttle_every and n % self.throttle_every == 0:
            return self._answer(n, 429, "Too Many Requests")
        return None

    def _recipient(self, number: str) -> dict[str, object]:
        code, status = self.statuses.get(number, (101, "Success"))
        ok = code in (100, 101, 102)
        message_id = f"ATXid_{next(self._ids):032x}" if ok else "None"
        if ok:
            self.accepted.append((number, message_id))
        return {
            "statusCode": code,
            "number": number,
            "status": status,
            "cost": "IDR 250.0000" if ok else "0",
            "messageId": message_id,
            "messageParts": 1,
        }

    def delivery_reports(self, status: str = "Success") -> list[dict[str, str]]:
        """The delivery-report forms AT would post for every accepted message."""
        return [
            {"id": message_id, "status": status, "phoneNumber": number, "networkCode": "51010"}
            for number, message_id in self.accepted
        ]
