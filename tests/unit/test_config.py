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


AT_ENV = {"SMS_PROVIDER": "africastalking", "AT_USERNAME": "disdik", "AT_API_KEY": "atsk_k"}


def test_a_real_provider_without_a_webhook_token_is_refused_in_one_line():
    with pytest.raises(ConfigError) as refused:
        Settings.from_env(AT_ENV)
    assert str(refused.value) == "WEBHOOK_TOKEN is required with SMS_PROVIDER=africastalking"
    with pytest.raises(ConfigError, match="WEBHOOK_TOKEN"):  # settings built in code too
        Settings.from_env(AT_ENV | {"WEBHOOK_TOKEN": "t"}).with_overrides(webhook_token="")
    assert Settings.from_env(AT_ENV | {"WEBHOOK_TOKEN": "t"}).start_warnings() == []


def test_only_the_console_provider_runs_without_a_token_and_it_says_so():
    warnings = Settings.from_env({}).start_warnings()
    assert len(warnings) == 1 and "WEBHOOK_TOKEN is unset" in warnings[0]
    assert Settings.from_env({"WEBHOOK_TOKEN": "t"}).start_warnings() == []


def test_create_app_refuses_a_real_provider_without_a_token():
    """Settings built in code skip `from_env`; the factory holds them to the same rule, before
    it connects to anything (this tier refuses network connections)."""
    from gateway import create_app
    from gateway.runtime import Runtime

    with pytest.raises(ConfigError, match="WEBHOOK_TOKEN"):
        create_app(Settings(sms_provider="africastalking", at_api_key="atsk_k"))
    unchecked = Settings(sms_provider="africastalking", at_api_key="atsk_k")
    runtime = Runtime(unchecked, None, None, None, None)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="WEBHOOK_TOKEN"):  # the views read the runtime's
        create_app(Settings(), runtime=runtime)


@pytest.mark.parametrize(
    "url",
    [
        "https://api.africastalking.com/version1",
        "https://proxy.disdik.example:8443",
        "http://127.0.0.1:8080/version1",
        "http://localhost:8080",
        "http://[::1]:8080/version1",
    ],
)
def test_the_api_base_url_is_https_or_loopback(url):
    assert Settings.from_env({"AT_API_BASE_URL": url}).at_api_base_url == url


@pytest.mark.parametrize(
    "url",
    [
        "http://api.africastalking.com/version1",
        "http://10.0.0.5:8080",
        "http://127.0.0.1.nip.example/version1",
        "http://localhost@evil.example/version1",
        "http://[::1",
        "https://",
        "ftp://api.africastalking.com",
    ],
)
def test_a_plain_http_api_base_url_off_this_machine_is_refused(url):
    with pytest.raises(ConfigError, match="AT_API_BASE_URL must be an https:// URL"):
        Settings.from_env({"AT_API_BASE_URL": url})


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            "postgresql+psycopg://suara:s3cr/t@x@db:5432/suara?sslmode=require",
            "postgresql+psycopg://suara:***@db:5432/suara?sslmode=require",
        ),
        ("redis://:hunter2@redis:6379/0", "redis://:***@redis:6379/0"),
        (
            "db at postgresql://u:p@h/d, cache rediss://u:q@r:6380",
            "db at postgresql://u:***@h/d, cache rediss://u:***@r:6380",
        ),
        ("redis://redis:6379/0 and sqlite:////app/instance/suara.db", None),
        ("postgresql://suara@db/suara (no password)", None),
    ],
)
def test_passwords_in_urls_are_masked(text, masked):
    from gateway.config import mask_url_passwords

    assert mask_url_passwords(text) == (masked or text)


def test_the_description_masks_url_passwords():
    described = Settings.from_env(
        {"DATABASE_URL": "postgresql://suara:pg-pass@db/suara", "REDIS_URL": "redis://:rd-pass@r/0"}
    ).describe()
    assert described["DATABASE_URL"] == "postgresql://suara:***@db/suara"
    assert described["REDIS_URL"] == "redis://:***@r/0"


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
