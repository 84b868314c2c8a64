"""Fixtures of the integration tests that only they need."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

FALLBACK_LOGGERS = ("suara", "suara.webhooks", "suara.ussd")
"""The loggers (and their children) through which the gateway says at ERROR that it fell
back instead of doing the work: the SMS webhook storing a message alone ("acting on SMS
%s failed; storing it alone", suara.webhooks), the USSD hop's database apology ("USSD hop
failed for %s", suara.ussd), the fast path's and the app's 503 ("unhandled error on %s",
suara). Adjust the names here when a logger is renamed; `test_hostile_input` has tests
that fail if a fallback goes unseen."""


def _fallback_record(record: logging.LogRecord) -> bool:
    if record.levelno < logging.ERROR:
        return False
    return any(
        record.name == name or record.name.startswith(f"{name}.") for name in FALLBACK_LOGGERS
    )


def _describe(record: logging.LogRecord) -> str:
    text = f"{record.name}: {record.getMessage()}"
    if record.exc_info and record.exc_info[1] is not None:
        exc = record.exc_info[1]
        text += f" ({type(exc).__name__}: {exc})"
    return text


class NoFallback:
    """``with no_fallback(*context): ...`` fails when the block logged a fallback.

    Only the records logged inside the block count, so it works per example in a
    hypothesis test (whose `caplog` lives across examples)."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self._caplog = caplog

    @contextmanager
    def __call__(self, *context: object) -> Iterator[None]:
        start = len(self._caplog.records)
        yield
        fallbacks = [_describe(r) for r in self._caplog.records[start:] if _fallback_record(r)]
        assert not fallbacks, (context, fallbacks)


@pytest.fixture
def no_fallback(caplog: pytest.LogCaptureFixture) -> NoFallback:
    caplog.set_level(logging.ERROR)
    return NoFallback(caplog)
