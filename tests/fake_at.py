"""A local fake of Africa's Talking's SMS send API, answering like the real one."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from urllib.parse import parse_qs

from werkzeug import Request, Response


@dataclass
class FakeAfricasTalking:
    """Records every send request; answers 201 with one entry per recipient.

    `content_type` defaults to the charset form that makes SDK 2.0.3 return a `str`.
    """

    content_type: str = "application/json; charset=utf-8"
    requests: list[dict[str, object]] = field(default_factory=list)
    statuses: dict[str, tuple[int, str]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def handler(self, request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs(request.get_data(as_text=True)).items()}
        self.requests.append({"form": form, "headers": dict(request.headers)})
        recipients = []
        for number in form.get("to", "").split(","):
            code, status = self.statuses.get(number, (101, "Success"))
            ok = code in (100, 101, 102)
            recipients.append(
                {
                    "statusCode": code,
                    "number": number,
                    "status": status,
                    "cost": "IDR 250.0000" if ok else "0",
                    "messageId": f"ATXid_{next(self._ids):032x}" if ok else "None",
                    "messageParts": 1,
                }
            )
        body = {
            "SMSMessageData": {
                "Message": f"Sent to {len(recipients)}/{len(recipients)}",
                "Recipients": recipients,
            }
        }
        return Response(json.dumps(body), status=201, content_type=self.content_type)
