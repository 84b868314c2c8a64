"""USSD hops over real HTTP through gunicorn, as Africa's Talking sends them: the fast path
in front of Flask sees gunicorn's own request objects (keep-alive, chunked bodies)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from gateway.config import PROJECT_ROOT
from gateway.models import Feedback
from tests.integration.ussd_helpers import free_port

pytestmark = pytest.mark.e2e

TOKEN = "s3cret-token"
USSD = f"/webhooks/africastalking/ussd?token={TOKEN}"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def hop(session_id: str, text: str) -> str:
    return urlencode({"sessionId": session_id, "phoneNumber": "+6281234567890", "text": text})


@pytest.fixture
def server(app, settings) -> Iterator[int]:
    """gunicorn serving `wsgi:app` on the test database and Redis db (cleaned by `app`)."""
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "SMS_PROVIDER": "console",
        "WEBHOOK_TOKEN": TOKEN,
        "LOG_LEVEL": "WARNING",
    }
    cmd = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--threads", "2"]
    proc = subprocess.Popen([*cmd, "wsgi:app"], cwd=PROJECT_ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                assert proc.poll() is None, "gunicorn exited"
                time.sleep(0.1)
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(15)


def test_a_report_walk_over_one_keep_alive_connection(server, rt):
    conn = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    text, screens = "", []
    for key in ["", "1", "7", "2", "SDN 1*Aek Kanopan", "Atap bocor", "1", "1"]:
        text = key if text == "" else f"{text}*{key}"
        conn.request("POST", USSD, hop("ATUid_http", text), FORM)
        resp = conn.getresponse()
        body = resp.read().decode()
        assert resp.status == 200 and resp.getheader("Content-Type") == "text/plain; charset=utf-8"
        assert int(resp.getheader("Content-Length", "0")) == len(body.encode())
        screens.append(body)
    conn.close()
    assert all(s.startswith("CON ") for s in screens[:-1]), screens
    assert screens[-1].startswith("END ") and "tiket" in screens[-1]
    with rt.sessions() as s:
        school = s.scalar(select(Feedback.school))
        assert school == "SDN 1*Aek Kanopan"  # free text keeps its star
        assert s.scalar(select(func.count()).select_from(Feedback)) == 1


def test_get_chunked_and_plain_posts_give_the_same_screen(server):
    def ask(method: str, body: object = None, path: str = USSD) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
        chunked = not isinstance(body, str | None)
        conn.request(method, path, body, FORM, encode_chunked=chunked)  # type: ignore[arg-type]
        resp = conn.getresponse()
        found = resp.status, resp.read().decode()
        conn.close()
        return found

    posted = ask("POST", hop("ATUid_p", ""))
    assert posted[0] == 200 and posted[1].startswith("CON ")
    assert ask("GET", path=f"{USSD}&{hop('ATUid_g', '')}") == posted
    assert ask("POST", iter([hop("ATUid_c", "").encode()])) == posted  # chunked: no length


def test_refusals_over_http(server):
    for path, body, status in [
        ("/webhooks/africastalking/ussd?token=wrong", hop("ATUid_t", ""), 403),
        (USSD, "sessionId=ATUid_t&text=", 400),
        (USSD, "text=" + "A" * 60_000, 413),
    ]:
        conn = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
        conn.request("POST", path, body, FORM)
        assert conn.getresponse().status == status, path
        conn.close()
