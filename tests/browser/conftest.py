"""The browser tier: the desk served over real HTTP (werkzeug in a thread, on PostgreSQL or
SQLite and Redis as every integration test), driven by Debian's `chromium` through
Playwright, with outbound SMS going through the real SDK to the fake Africa's Talking.

Chromium is found on PATH (`apt-get install -y chromium`; `.ci/run` installs it). Without
it the tier is skipped with the reason, unless ``SUARA_REQUIRE_BROWSER=1`` (CI sets it), which
makes a missing browser a failure. Screenshots go to ``SUARA_SCREENSHOTS`` (default
``instance/screenshots``); the run prints the folder at the end.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from gateway.runtime import Runtime
from tests.fake_at import FakeAfricasTalking
from tests.outbox_helpers import at_settings

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("SUARA_SCREENSHOTS") or ROOT / "instance" / "screenshots")
PHONE = {"width": 360, "height": 640}
LAPTOP = {"width": 1366, "height": 768}
_taken: list[Path] = []


@dataclass
class LiveDesk:
    url: str
    app: Flask
    rt: Runtime
    fake_at: FakeAfricasTalking

    def shot(self, page: object, name: str) -> Path:
        """A full-page screenshot named ``name`` in the screenshot folder."""
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
        _taken.append(path)
        return path


@pytest.fixture
def live(make_app, settings, httpserver, fake_at) -> Iterator[LiveDesk]:  # type: ignore[no-untyped-def]
    """The app with Africa's Talking pointed at the fake, served on a free local port."""
    app = make_app(at_settings(settings, httpserver.url_for("/version1")))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveDesk(
            f"http://127.0.0.1:{server.server_port}", app, app.extensions["suara"], fake_at
        )
    finally:
        server.shutdown()
        thread.join(5)


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    if _taken:
        terminalreporter.write_line(f"desk screenshots ({len(_taken)}): {SHOTS}")
