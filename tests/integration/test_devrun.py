"""`make run`'s runner (`python -m gateway.devrun`) as a newcomer meets it, run as a real
process: a busy port is named before anything starts, a missing Redis is started for the run
(or the command that installs it is printed), and Ctrl-C ends everything with status 0."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import RedisError

from gateway.config import PROJECT_ROOT
from gateway.db import migrate
from tests.integration.ussd_helpers import free_port

pytestmark = pytest.mark.integration


def devrun(env: dict[str, str], **kwargs: object) -> subprocess.Popen[str]:
    base = {k: v for k, v in os.environ.items() if k not in ("WEBHOOK_TOKEN", "SUARA_ENV")}
    return subprocess.Popen(
        [sys.executable, "-m", "gateway.devrun"],
        cwd=PROJECT_ROOT,
        env=base | {"LOG_LEVEL": "WARNING", "WEB_CONCURRENCY": "1"} | env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
        **kwargs,  # type: ignore[arg-type]
    )


def finished(env: dict[str, str]) -> tuple[int, str]:
    process = devrun(env)
    out, _ = process.communicate(timeout=30)
    return process.returncode, out


def test_a_busy_port_is_named_with_the_way_out(redis_url):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out = finished({"PORT": str(port), "REDIS_URL": redis_url})
    assert code == 4, out
    assert f"port {port} is already in use" in out and f"make run PORT={port + 10}" in out
    assert "starting" not in out


def test_without_redis_installed_it_prints_the_install_command_and_the_port(tmp_path):
    port = free_port()
    bare = tmp_path / "bin"
    bare.mkdir()
    os.symlink(sys.executable, bare / "python")
    code, out = finished(
        {"PORT": str(free_port()), "REDIS_URL": f"redis://127.0.0.1:{port}/0", "PATH": str(bare)}
    )
    assert code == 3, out
    assert "apt-get install -y redis-server" in out and f"port {port}" in out


def test_a_config_error_is_one_line():
    code, out = finished({"SMS_PROVIDER": "nexmo"})
    assert code == 2 and out.strip() == (
        "suara: configuration error: SMS_PROVIDER must be one of console, africastalking"
    )


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def _redis_up(port: int) -> bool:
    try:
        return bool(Redis(port=port, socket_connect_timeout=0.5).ping())
    except RedisError:
        return False


def test_it_starts_its_own_redis_serves_and_stops_cleanly_on_ctrl_c(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'suara.db'}"
    migrate(db)
    web, redis_port = free_port(), free_port()
    process = devrun(
        {
            "PORT": str(web),
            "DATABASE_URL": db,
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        }
    )
    try:
        deadline = time.monotonic() + 40
        while not _answers(f"http://127.0.0.1:{web}/healthz"):
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "the gateway did not come up"
            time.sleep(0.3)
        assert _redis_up(redis_port)
        time.sleep(1)  # the worker is up too
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C reaches the whole foreground group
        out, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 0, out
    assert "starting one for this run" in out and "suara: stopped" in out
    assert "curl -s -X POST" in out and "/webhooks/africastalking/sms" in out
    assert not _redis_up(redis_port)
    assert not _answers(f"http://127.0.0.1:{web}/healthz")
