"""Logging for a starting process (the app factory, the worker): level and format, URL
passwords masked on every record, and what the settings warn about.

The mask is installed as the log record factory, so it covers every logger of the process
(ours, gunicorn's, RQ's, SQLAlchemy's) and every handler, including the ones a library adds
after start, not only the handlers that exist when the app is built.
"""

from __future__ import annotations

import logging
from typing import Any

from gateway.config import Settings, mask_url_passwords

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
log = logging.getLogger("suara")


QUIETED = ("alembic.runtime.plugins",)
"""Loggers that speak at INFO on every start without telling an operator anything."""


def start_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level, format=FORMAT)
    for name in QUIETED:
        logging.getLogger(name).setLevel(logging.WARNING)
    install_url_masking()
    for warning in settings.start_warnings():
        log.warning("%s", warning)


class MaskUrlPasswords(logging.Filter):
    """Rewrites `scheme://user:secret@` to `scheme://user:***@` in a record's message and
    traceback. Never drops a record."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: the handler reports it as usual
            return True
        masked = mask_url_passwords(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = mask_url_passwords(self._formatter.formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = mask_url_passwords(record.stack_info)
        return True


class _MaskingRecordFactory:
    def __init__(self, make: Any) -> None:
        self.make = make
        self.mask = MaskUrlPasswords()

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = self.make(*args, **kwargs)
        self.mask.filter(record)
        return record


def install_url_masking() -> None:
    """Mask URL passwords on every record this process creates (idempotent)."""
    current = logging.getLogRecordFactory()
    if not isinstance(current, _MaskingRecordFactory):
        logging.setLogRecordFactory(_MaskingRecordFactory(current))
