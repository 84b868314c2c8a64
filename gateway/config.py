"""Settings read once from the environment (12-factor) and validated at start.

`Settings.from_env()` is called in `create_app` and in the worker entry point and
nowhere else. A wrong or missing value raises `ConfigError` whose message names the
variable; secrets are never part of any message or repr, and passwords in URLs are masked
wherever a value is shown (`describe`, `mask_url_passwords`).

Webhook auth fails closed: a real provider (anything but `console`) needs `WEBHOOK_TOKEN`.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from gateway.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'instance' / 'suara.db'}"
PROVIDERS = ("console", "africastalking")
SECRET_FIELDS = frozenset({"at_api_key", "webhook_token", "secret_key", "erasure_salt"})
_QUIET_RE = re.compile(r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$")
# `scheme://user:password@host`. A password may hold `/`, `?`, `#` or `@` unescaped (SQLAlchemy
# reads it to the first `@`, urllib to the last), so the mask runs to the last `@` before a
# space or quote: it may hide more than the password, never less.
_URL_PASSWORD_RE = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*://[^:/?#@\s]*):[^\s'\"<>]*@")
NO_TOKEN_WARNING = (
    "WEBHOOK_TOKEN is unset: the webhooks accept callbacks from anyone "
    "(allowed only with SMS_PROVIDER=console, for development)"
)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    redis_url: str = "redis://localhost:6379/0"
    redis_socket_timeout_ms: int = 300  # web tier: a hung Redis costs a hop this much
    worker_redis_socket_timeout_ms: int = 5000
    database_connect_timeout: int = 2  # seconds; 2 is the PostgreSQL client's minimum
    database_statement_timeout_ms: int = 5000  # web tier; 0 = none (SQLite: busy timeout)
    worker_database_statement_timeout_ms: int = 60000
    sms_provider: str = "console"
    at_username: str = "sandbox"
    at_api_key: str = field(default="", repr=False)
    at_sender_id: str = ""
    at_short_code: str = ""
    at_api_base_url: str = ""
    at_timeout_seconds: float = 10.0
    webhook_token: str = field(default="", repr=False)
    ussd_service_code: str = "*384*1708#"
    ussd_max_chars: int = 160
    ussd_resume_minutes: int = 10
    sms_rate_per_second: float = 0.0
    sms_batch_size: int = 500
    sms_cost_per_segment: float = 0.0
    sms_replies_per_hour: int = 5
    sms_max_attempts: int = 5  # tries per row for retryable failures, then `failed`
    sms_retry_intervals: str = "10,30,120,600,1800"  # backoff seconds after try 1, 2, ...
    sms_sweep_interval_seconds: int = 60  # how often one worker sweeps the outbox
    sms_sweep_grace_seconds: int = 300  # a `queued` row untouched this long is re-enqueued
    sms_stale_sending_minutes: int = 10  # a `sending` row this old lost its worker
    poll_fanout_chunk: int = 1000  # contacts per fan-out transaction
    quiet_hours: str = "21:00-07:00"
    secret_key: str = field(default="", repr=False)
    erasure_salt: str = field(default="", repr=False)  # keys an erased number's hash
    environment: str = "development"
    staff_idle_minutes: int = 30  # a desk session ends after this long without a request
    trusted_proxies: int = 0  # proxies in front that set X-Forwarded-For (Caddy: 1)
    log_level: str = "INFO"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f.name.upper())
            if raw is None or raw.strip() == "" and f.name != "quiet_hours":
                continue
            values[f.name] = _coerce(f.name, f.type, raw.strip())
        if "environment" not in values and env.get("SUARA_ENV"):
            values["environment"] = env["SUARA_ENV"].strip()
        settings = cls(**values)
        settings.validate()
        return settings

    def with_overrides(self, **changes: Any) -> Settings:
        settings = replace(self, **changes)
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.sms_provider not in PROVIDERS:
            raise ConfigError(f"SMS_PROVIDER must be one of {', '.join(PROVIDERS)}")
        if self.sms_provider == "africastalking":
            if not self.at_api_key:
                raise ConfigError("SMS_PROVIDER=africastalking needs AT_API_KEY")
            if not self.at_username:
                raise ConfigError("SMS_PROVIDER=africastalking needs AT_USERNAME")
        if self.sms_provider != "console" and not self.webhook_token:
            raise ConfigError(f"WEBHOOK_TOKEN is required with SMS_PROVIDER={self.sms_provider}")
        if self.at_api_base_url and not _secure_or_local(self.at_api_base_url):
            raise ConfigError(
                "AT_API_BASE_URL must be an https:// URL (http:// only to 127.0.0.1, ::1 or "
                "localhost)"
            )
        if not self.database_url.startswith(("sqlite", "postgresql")):
            raise ConfigError("DATABASE_URL must be a sqlite:// or postgresql:// URL")
        if not self.redis_url.startswith(("redis://", "rediss://", "unix://")):
            raise ConfigError("REDIS_URL must be a redis:// URL")
        if not 40 <= self.ussd_max_chars <= 182:
            raise ConfigError("USSD_MAX_CHARS must be between 40 and 182")
        _check_positive("USSD_RESUME_MINUTES", self.ussd_resume_minutes, allow_zero=True)
        _check_positive("SMS_RATE_PER_SECOND", self.sms_rate_per_second, allow_zero=True)
        _check_positive("SMS_BATCH_SIZE", self.sms_batch_size)
        _check_positive("TRUSTED_PROXIES", self.trusted_proxies, allow_zero=True)
        _check_positive("STAFF_IDLE_MINUTES", self.staff_idle_minutes)
        _check_positive("SMS_REPLIES_PER_HOUR", self.sms_replies_per_hour, allow_zero=True)
        _check_positive("AT_TIMEOUT_SECONDS", self.at_timeout_seconds)
        _check_positive("SMS_MAX_ATTEMPTS", self.sms_max_attempts)
        _check_positive("SMS_SWEEP_INTERVAL_SECONDS", self.sms_sweep_interval_seconds)
        _check_positive("SMS_SWEEP_GRACE_SECONDS", self.sms_sweep_grace_seconds, allow_zero=True)
        _check_positive("SMS_STALE_SENDING_MINUTES", self.sms_stale_sending_minutes)
        _check_positive("POLL_FANOUT_CHUNK", self.poll_fanout_chunk)
        _check_positive("REDIS_SOCKET_TIMEOUT_MS", self.redis_socket_timeout_ms)
        _check_positive("WORKER_REDIS_SOCKET_TIMEOUT_MS", self.worker_redis_socket_timeout_ms)
        if self.database_connect_timeout < 2:
            raise ConfigError("DATABASE_CONNECT_TIMEOUT must be 2 seconds or more")
        for name in ("database_statement_timeout_ms", "worker_database_statement_timeout_ms"):
            _check_positive(name.upper(), getattr(self, name), allow_zero=True)
        try:
            intervals = self.retry_intervals
        except ValueError:
            raise ConfigError("SMS_RETRY_INTERVALS must be seconds separated by commas") from None
        if not intervals or any(i < 0 for i in intervals):
            raise ConfigError("SMS_RETRY_INTERVALS must be seconds (0 or more) separated by commas")
        if self.quiet_hours and not _QUIET_RE.match(self.quiet_hours):
            raise ConfigError("QUIET_HOURS must look like 21:00-07:00 (or be empty)")
        if self.environment == "production":
            if not self.secret_key:
                raise ConfigError("SECRET_KEY is required when SUARA_ENV=production")
            if not self.webhook_token:
                raise ConfigError("WEBHOOK_TOKEN is required when SUARA_ENV=production")

    @property
    def erasure_key(self) -> bytes:
        """The key of the salted hash an erased number is kept as (to honour its opt-out):
        ERASURE_SALT, else SECRET_KEY. Changing it forgets which numbers were erased."""
        return (self.erasure_salt or self.secret_key).encode()

    @property
    def retry_intervals(self) -> list[float]:
        """Backoff before attempt n+1 is `retry_intervals[min(n, len) - 1]` seconds."""
        return [float(part) for part in self.sms_retry_intervals.split(",") if part.strip()]

    def describe(self) -> dict[str, str]:
        """Values for logs: secrets replaced by whether they are set, URL passwords masked."""
        out = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name.upper()] = (
                ("set" if value else "unset")
                if f.name in SECRET_FIELDS
                else mask_url_passwords(str(value))
            )
        return out

    def start_warnings(self) -> list[str]:
        """What a process should say when it starts with these settings."""
        return [] if self.webhook_token else [NO_TOKEN_WARNING]


def mask_url_passwords(text: str) -> str:
    """`scheme://user:secret@host` becomes `scheme://user:***@host`, anywhere in `text`."""
    if "://" not in text:
        return text
    return _URL_PASSWORD_RE.sub(r"\1:***@", text)


def _secure_or_local(url: str) -> bool:
    """An https:// URL, or an http:// one to this machine (a local fake or proxy)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    if not host:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and _is_loopback(host)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _coerce(name: str, type_name: Any, raw: str) -> Any:
    env_name = name.upper()
    try:
        if type_name in ("int", int):
            return int(raw)
        if type_name in ("float", float):
            return float(raw)
    except ValueError:
        raise ConfigError(f"{env_name} must be a number, got {raw[:20]!r}") from None
    return raw


def _check_positive(name: str, value: float, *, allow_zero: bool = False) -> None:
    if value < 0 or (value == 0 and not allow_zero):
        raise ConfigError(f"{name} must be {'zero or more' if allow_zero else 'positive'}")
