"""Gunicorn settings read from ./gunicorn.conf.py: validate configuration once, in the
master, so a wrong value stops the server with one clear line instead of a boot loop."""

import sys

from gateway.config import Settings
from gateway.errors import ConfigError


def on_starting(server: object) -> None:
    try:
        Settings.from_env()
    except ConfigError as exc:
        sys.exit(f"suara: configuration error: {exc}")


# The request line without its query string: callback URLs carry `?token=<WEBHOOK_TOKEN>`
# and a USSD GET carries the caller's number, neither belongs in a log.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)s'
