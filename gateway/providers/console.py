"""Development provider: sends nothing; logs (number masked) and accepts every message."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from gateway.common.phone import mask
from gateway.providers import Outcome, RecipientResult

log = logging.getLogger("suara.console")


class ConsoleSender:
    name = "console"

    def send_sms(self, text: str, recipients: Sequence[str]) -> list[RecipientResult]:
        results = []
        for number in recipients:
            log.info("console SMS to %s: %s", mask(number), text)
            results.append(
                RecipientResult(
                    number=number,
                    outcome=Outcome.ACCEPTED,
                    message_id=f"console-{uuid.uuid4().hex}",
                    cost=None,
                    currency=None,
                    status="Success",
                    status_code=100,
                )
            )
        return results
