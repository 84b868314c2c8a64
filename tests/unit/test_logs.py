"""Every log line of a process started by `start_logging` masks passwords in URLs."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from gateway.config import Settings
from gateway.logs import install_url_masking, start_logging

DSN = "postgresql+psycopg://suara:pg-secret@db:5432/suara"


@pytest.fixture(autouse=True)
def plain_record_factory() -> Iterator[None]:
    """Each test starts without the mask (an app built earlier in the run installs it)."""
    before = logging.getLogRecordFactory()
    logging.setLogRecordFactory(logging.LogRecord)
    yield
    logging.setLogRecordFactory(before)


def test_messages_and_their_arguments_are_masked(caplog):
    install_url_masking()
    log = logging.getLogger("suara.test")
    with caplog.at_level(logging.INFO):
        log.info("database %s, cache %s", DSN, "redis://:rd-secret@redis:6379/0")
        log.warning("connecting to " + DSN)
    assert "secret" not in caplog.text
    assert caplog.messages == [
        "database postgresql+psycopg://suara:***@db:5432/suara, cache redis://:***@redis:6379/0",
        "connecting to postgresql+psycopg://suara:***@db:5432/suara",
    ]


def test_a_traceback_is_masked(caplog):
    install_url_masking()
    try:
        raise ConnectionError(f"could not connect to {DSN}")
    except ConnectionError:
        logging.getLogger("suara.test").exception("start failed")
    assert "ConnectionError: could not connect to postgresql+psycopg://suara:***@db" in caplog.text
    assert "pg-secret" not in caplog.text


def test_a_library_logger_with_its_own_handler_added_later_is_masked():
    """RQ, gunicorn and others set up their own handlers (RQ's when the worker starts, after
    our setup), often not propagating to the root logger."""
    install_url_masking()
    install_url_masking()  # twice is once
    stream = io.StringIO()
    library = logging.getLogger("some.library")
    library.addHandler(logging.StreamHandler(stream))
    library.propagate = False
    try:
        library.error("lost %s", "rediss://worker:rd-secret@redis:6380/1")
    finally:
        library.handlers.clear()
        library.propagate = True
    assert stream.getvalue() == "lost rediss://worker:***@redis:6380/1\n"


def test_a_bad_format_string_does_not_raise_at_the_call():
    """The handler reports it, as logging does without the mask; the caller goes on."""
    install_url_masking()
    make = logging.getLogRecordFactory()
    record = make("suara.test", logging.ERROR, __file__, 1, "%d items", ("many",), None)
    assert (record.msg, record.args) == ("%d items", ("many",))


def test_start_logging_installs_the_mask(caplog):
    logging.getLogger("suara.test").warning("before: %s", DSN)
    start_logging(Settings(webhook_token="t"))
    logging.getLogger("suara.test").warning("after: %s", DSN)
    assert caplog.messages == [
        f"before: {DSN}",
        "after: postgresql+psycopg://suara:***@db:5432/suara",
    ]


def test_start_logging_warns_when_webhooks_take_anyone(caplog):
    with caplog.at_level(logging.WARNING):
        start_logging(Settings())
    assert any("WEBHOOK_TOKEN is unset" in m for m in caplog.messages)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        start_logging(Settings(webhook_token="t"))
    assert not any("WEBHOOK_TOKEN" in m for m in caplog.messages)
