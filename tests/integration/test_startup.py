"""What the entry points do at start, run as processes: `gunicorn wsgi:app` and `python -m
workers` refuse a real provider without `WEBHOOK_TOKEN` in one line naming it; the console
provider starts without one and says so; no password in a URL reaches the output."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from gateway.config import PROJECT_ROOT
from tests.integration.ussd_helpers import free_port

pytestmark = pytest.mark.integration

REFUSAL = "configuration error: WEBHOOK_TOKEN is required with SMS_PROVIDER=africastalking"
REAL_PROVIDER = {"SMS_PROVIDER": "africastalking", "AT_USERNAME": "disdik", "AT_API_KEY": "k"}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("WEBHOOK_TOKEN", "SUARA_ENV")}
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=base | {"LOG_LEVEL": "WARNING"} | env,
        capture_output=True,
        text=True,
        timeout=30,
    )


@pytest.mark.parametrize(
    ("args", "code", "prefix"),
    [
        (["-c", "import wsgi"], 1, "suara:"),
        (["-m", "gunicorn", "--bind", "127.0.0.1:0", "wsgi:app"], 1, "suara:"),
        (["-m", "workers"], 2, "suara worker:"),
    ],
    ids=["wsgi", "gunicorn", "worker"],
)
def test_a_real_provider_without_a_token_does_not_start(args, code, prefix, database_url):
    done = run(args, REAL_PROVIDER | {"DATABASE_URL": database_url})
    assert done.returncode == code, done.stderr
    assert done.stderr.strip().splitlines()[-1] == f"{prefix} {REFUSAL}"


def test_the_worker_on_the_console_provider_warns_and_masks_passwords():
    """Redis refused (nothing listens there): the worker stops, after its start warning."""
    redis_url = f"redis://:rd-secret@127.0.0.1:{free_port()}/0"
    done = run(["-m", "workers"], {"SMS_PROVIDER": "console", "REDIS_URL": redis_url})
    assert done.returncode == 3, done.stderr
    assert "WARNING suara: WEBHOOK_TOKEN is unset" in done.stderr
    assert "Redis is not reachable" in done.stderr and "rd-secret" not in done.stderr
