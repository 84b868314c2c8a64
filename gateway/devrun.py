"""`python -m gateway.devrun` (what `make run` runs after installing and migrating): check
what a newcomer's machine lacks, then start the gateway and a worker (the `Procfile`, under
honcho) on the embedded default.

- A busy port is reported before anything starts, with the way out (`make run PORT=8010`).
- Redis: when `REDIS_URL` points at this machine and nothing answers there, a local
  `redis-server` is started for the run (data under ``instance/redis/``, nothing saved) and
  stopped with the rest; when none is installed, the one command that installs it is printed.
- Ctrl-C stops web, worker and that Redis, and the run ends with status 0, so `make` reports
  no error.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from redis import Redis
from redis.exceptions import RedisError

from gateway.config import PROJECT_ROOT, Settings, mask_url_passwords
from gateway.errors import ConfigError

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", ""})
INSTALL_REDIS = "sudo apt-get install -y redis-server   (macOS: brew install redis)"


def say(message: str) -> None:
    print(f"suara: {message}", file=sys.stderr, flush=True)


def port_busy(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def redis_answers(url: str) -> bool:
    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except RedisError:
        return False


def start_local_redis(url: str, instance: Path) -> subprocess.Popen[bytes] | None:
    """A `redis-server` of this run's own on the URL's port, or None (with the reason said)
    when the URL is not on this machine or no redis-server is installed."""
    parts = urlsplit(url)
    port = parts.port or 6379
    shown = mask_url_passwords(url)
    if (parts.hostname or "") not in LOCAL_HOSTS or parts.scheme != "redis":
        say(f"Redis is not reachable at {shown}. Start it there, or set REDIS_URL.")
        return None
    server = shutil.which("redis-server")
    if server is None:
        say(f"Redis is not reachable at {shown}, and redis-server is not installed.")
        say(f"  Install it: {INSTALL_REDIS}")
        say(f"  (or start one on port {port}, or set REDIS_URL), then make run again.")
        return None
    data = instance / "redis"
    data.mkdir(parents=True, exist_ok=True)
    say(f"Redis is not running on port {port}: starting one for this run (data in {data})")
    args = [server, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(data)]
    args += ["--save", "", "--appendonly", "no", "--logfile", str(data / "redis.log")]
    process = subprocess.Popen(args)
    for _ in range(50):
        if redis_answers(url):
            return process
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.terminate()
    say(f"redis-server did not start on port {port}; see {data / 'redis.log'}")
    return None


def banner(port: int) -> None:
    base = f"http://127.0.0.1:{port}"
    print(f"\nSuara is starting on {base}  (Ctrl-C stops everything)")
    print(f"Staff desk: {base}/staff/  (first account: docs/desk.md)")
    print("Dial the USSD menu:")
    print(
        f"  curl -s -X POST {base}/webhooks/africastalking/ussd -d sessionId=demo1 "
        "-d serviceCode='*384*1708%23' -d phoneNumber=%2B6281234567890 -d text="
    )
    print("Send an SMS report:")
    print(
        f"  curl -s -X POST {base}/webhooks/africastalking/sms -d from=%2B6281234567890 "
        "-d to=1708 -d id=demo-sms-1 -d 'text=LAPOR atap kelas SDN 1 Aek Kanopan bocor'"
    )
    print(flush=True)


def main() -> int:
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        say(f"configuration error: {exc}")
        return 2
    port = int(os.environ.get("PORT") or 8000)
    if port_busy("127.0.0.1", port):
        say(f"port {port} is already in use (another Suara, or another program).")
        say(f"  Start on a free one: make run PORT={port + 10}")
        return 4
    redis: subprocess.Popen[bytes] | None = None
    if not redis_answers(settings.redis_url):
        redis = start_local_redis(settings.redis_url, PROJECT_ROOT / "instance")
        if redis is None:
            return 3
    say(f"database {mask_url_passwords(settings.database_url)}, provider {settings.sms_provider}")
    for warning in settings.start_warnings():
        say(f"warning: {warning}")
    banner(port)
    env = {**os.environ, "SUARA_BIND": f"127.0.0.1:{port}"}
    honcho = [str(Path(sys.executable).with_name("honcho")), "start", "-f", "Procfile"]
    runner = subprocess.Popen(honcho, cwd=PROJECT_ROOT, env=env)
    try:
        code = runner.wait()
    except KeyboardInterrupt:  # Ctrl-C: honcho stops web and worker; wait for it
        code = _wait_after_interrupt(runner)
    finally:
        if redis is not None:
            redis.terminate()
            redis.wait(10)
    return code


def _wait_after_interrupt(runner: subprocess.Popen[bytes]) -> int:
    try:
        runner.wait(20)
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        runner.send_signal(signal.SIGTERM)
        runner.wait(10)
    print("\nsuara: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
