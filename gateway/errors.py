"""One exception class per condition (the rq/exceptions.py style)."""


class SuaraError(Exception):
    """Base class for Suara's own errors."""


class ConfigError(SuaraError):
    """A configuration value is missing or wrong; the message names the variable."""


class InvalidPayload(SuaraError):
    """A webhook body is malformed; the message says what is wrong (shown to the caller)."""


class InvalidPhoneNumber(SuaraError):
    """A phone number could not be parsed into a valid E.164 number."""


class UnknownProvider(SuaraError):
    """No provider is registered under that name."""


class RetryableSendError(SuaraError):
    """Sending failed in a way that may succeed later (connect error, 429, 5xx)."""


class PermanentSendError(SuaraError):
    """Sending failed and retrying cannot help (bad number, blacklisted, bad request)."""


class ProviderConfigError(SuaraError):
    """The provider refused our credentials or sender id; stop sending until fixed."""
