import pytest

from gateway.config import Settings
from gateway.errors import ConfigError


def test_defaults_need_no_environment():
    settings = Settings.from_env({})
    assert settings.sms_provider == "console"
    assert settings.database_url.startswith("sqlite:///")
    assert settings.database_url.endswith("instance/suara.db")


def test_africastalking_without_key_names_the_variable():
    with pytest.raises(ConfigError, match="AT_API_KEY"):
        Settings.from_env({"SMS_PROVIDER": "africastalking", "AT_USERNAME": "disdik"})


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"SMS_PROVIDER": "twilio"}, "SMS_PROVIDER"),
        ({"SMS_RATE_PER_SECOND": "fast"}, "SMS_RATE_PER_SECOND"),
        ({"SMS_RATE_PER_SECOND": "-1"}, "SMS_RATE_PER_SECOND"),
        ({"USSD_MAX_CHARS": "500"}, "USSD_MAX_CHARS"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"QUIET_HOURS": "late"}, "QUIET_HOURS"),
        ({"AT_API_BASE_URL": "ftp://x"}, "AT_API_BASE_URL"),
        ({"SUARA_ENV": "production", "WEBHOOK_TOKEN": "t"}, "SECRET_KEY"),
        ({"SUARA_ENV": "production", "SECRET_KEY": "s"}, "WEBHOOK_TOKEN"),
    ],
)
def test_bad_values_are_refused_naming_the_variable(env, variable):
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env(env)


def test_empty_quiet_hours_disables_them():
    assert Settings.from_env({"QUIET_HOURS": ""}).quiet_hours == ""


def test_secrets_never_appear_in_repr_or_description():
    settings = Settings.from_env(
        {"SMS_PROVIDER": "africastalking", "AT_API_KEY": "atsk_secret123", "WEBHOOK_TOKEN": "tok9"}
    )
    assert "atsk_secret123" not in repr(settings)
    assert "tok9" not in repr(settings)
    described = settings.describe()
    assert described["AT_API_KEY"] == "set"
    assert "atsk_secret123" not in str(described)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"REDIS_SOCKET_TIMEOUT_MS": "0"}, "REDIS_SOCKET_TIMEOUT_MS"),  # 0 would not block at all
        ({"WORKER_REDIS_SOCKET_TIMEOUT_MS": "-5"}, "WORKER_REDIS_SOCKET_TIMEOUT_MS"),
        ({"DATABASE_CONNECT_TIMEOUT": "1"}, "DATABASE_CONNECT_TIMEOUT"),  # psycopg would use 2
        ({"DATABASE_STATEMENT_TIMEOUT_MS": "-1"}, "DATABASE_STATEMENT_TIMEOUT_MS"),
        ({"WORKER_DATABASE_STATEMENT_TIMEOUT_MS": "soon"}, "WORKER_DATABASE_STATEMENT_TIMEOUT_MS"),
    ],
)
def test_bad_timeouts_are_refused_naming_the_variable(env, variable):
    with pytest.raises(ConfigError, match=variable):
        Settings.from_env(env)


def test_a_statement_timeout_of_zero_means_none():
    assert (
        Settings.from_env({"DATABASE_STATEMENT_TIMEOUT_MS": "0"}).database_statement_timeout_ms == 0
    )
