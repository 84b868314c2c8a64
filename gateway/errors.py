"""One exception class per condition (the rq/exceptions.py style)."""

from __future__ import annotations


class SuaraError(Exception):
    """Base class for Suara's own errors."""


class ConfigError(SuaraError):
    """A configuration value is missing or wrong; the message names the variable."""


class InvalidPayload(SuaraError):
    """A webhook body is malformed; the message says what is wrong (shown to the caller)."""


class InvalidPhoneNumber(SuaraError):
    """A phone number could not be parsed into a valid E.164 number."""


class InvalidInput(SuaraError):
    """Staff input (API, desk or CLI) that cannot be used: one message per faulty field.

    The API answers it ``400 {"errors": {field: message}}``; services raise it too, for a
    request that is well-formed but not possible (an unknown assignee, a forbidden step).
    """

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors
