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

from gateway.app import MAX_BODY_BYTES
from gateway.config import PROJECT_ROOT
from gateway.models import Feedback, InboundMessage
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


def chunked_post(port: int, path: str, body: bytes, chunk: int = 4096) -> tuple[int, str]:
    """POST `body` with `Transfer-Encoding: chunked` (no Content-Length), `chunk` bytes each."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    parts = (body[i : i + chunk] for i in range(0, len(body), chunk))
    conn.request("POST", path, parts, FORM, encode_chunked=True)
    resp = conn.getresponse()
    found = resp.status, resp.read().decode()
    conn.close()
    return found


def padded(form: dict[str, str], size: int, field: str = "text") -> bytes:
    """The form with a last `field` that brings the encoded body to exactly `size` bytes."""
    body = urlencode(form | {field: ""})
    return (body + "A" * (size - len(body))).encode()


SMS_FORM = {"from": "+6281234567890", "to": "1708", "date": "2026-11-28 06:04:45", "id": "ATX1"}
HOP_FORM = {"sessionId": "ATUid_cap", "phoneNumber": "+6281234567890", "text": ""}
ROUTES = ["ussd", "ussd/events", "sms", "sms/delivery"]


def test_chunked_bodies_over_the_cap_are_refused_on_every_webhook_not_cut(server, rt):
    """Werkzeug alone reads a chunked body up to the cap and drops the rest silently."""
    for route in ROUTES:
        path = f"/webhooks/africastalking/{route}?token={TOKEN}"
        status, text = chunked_post(server, path, padded(SMS_FORM | HOP_FORM, 60_000))
        assert status == 413, (route, text)
    over = padded(HOP_FORM, MAX_BODY_BYTES + 1, field="pad")  # a field the hop ignores
    assert chunked_post(server, USSD, over)[0] == 413  # the fast path: one byte is too many
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(InboundMessage)) == 0


def test_chunked_bodies_up_to_the_cap_are_taken_whole(server, rt):
    status, screen = chunked_post(server, USSD, padded(HOP_FORM, MAX_BODY_BYTES, field="pad"))
    assert status == 200 and screen.startswith("CON ")
    body = padded(SMS_FORM, MAX_BODY_BYTES)
    path = f"/webhooks/africastalking/sms?token={TOKEN}"
    assert chunked_post(server, path, body, chunk=1000) == (200, "OK")
    with rt.sessions() as s:
        stored = s.scalar(select(InboundMessage.text))
    assert stored is not None and len(stored) == MAX_BODY_BYTES - len(urlencode(SMS_FORM)) - 6
