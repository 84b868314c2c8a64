"""The project files one request crosses, in the order it first enters each one.

Run from the repository root (needs Redis; the database is a throwaway SQLite file)::

    python bench/path_files.py [--all]

Two requests, each sent through the app as served (``wsgi``-style, the USSD fast path in
front of Flask) after a warm-up, with a profiler recording which files of ``gateway/``,
``menus/`` and ``workers/`` run code for that one request:

- **USSD hop**: the last hop of a report (the one that files it and queues its confirmation);
- **incoming SMS**: ``LAPOR …`` from a new number (stored, filed, reply queued).

It talks HTTP-level inputs only, so the same script measures any layout of the code. By
default files that only supply data types (``models.py``, ``config.py``, ``errors.py``,
``__init__.py``) are left out; ``--all`` lists them too.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PLUMBING = {"models.py", "config.py", "errors.py", "__init__.py"}
USSD = "/webhooks/africastalking/ussd"
SMS = "/webhooks/africastalking/sms"
REPORT = ["1", "7", "3", "1", "Atap kelas bocor", "1", "1"]


def crossed(call: Any, keep_all: bool) -> list[str]:
    seen: list[str] = []

    def profile(frame: FrameType, event: str, _arg: object) -> None:
        if event != "call":
            return
        path = Path(frame.f_code.co_filename)
        try:
            rel = path.resolve().relative_to(ROOT)
        except ValueError:
            return
        if rel.parts[0] not in ("gateway", "menus", "workers"):
            return
        if not keep_all and rel.name in PLUMBING:
            return
        name = str(rel)
        if name not in seen:
            seen.append(name)

    sys.setprofile(profile)
    try:
        call()
    finally:
        sys.setprofile(None)
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="also list data-only files")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/8")
    args = parser.parse_args()

    from redis import Redis

    from gateway import create_app
    from gateway.config import Settings
    from gateway.db import migrate

    Redis.from_url(args.redis).flushdb()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/paths.db"
        migrate(url)
        app = create_app(Settings(database_url=url, redis_url=args.redis, quiet_hours=""))
        client = app.test_client()

        def hop(session: str, phone: str, inputs: list[str]) -> Any:
            text = "*".join(inputs)
            form = {"sessionId": session, "serviceCode": "*384*1708#", "phoneNumber": phone}
            return lambda: client.post(USSD, data={**form, "text": text})

        def sms(number: str, msg_id: str) -> Any:
            form = {"from": number, "to": "1708", "text": "LAPOR atap bocor", "id": msg_id}
            return lambda: client.post(SMS, data=form)

        for warm in range(2):  # first calls import and build statements; measure the third
            phone = f"+62812000000{warm}"
            for n in range(len(REPORT) + 1):
                hop(f"warm{warm}", phone, REPORT[:n])()
            sms(f"+62813000000{warm}", f"warm-{warm}")()
        phone = "+628120000009"
        for n in range(len(REPORT)):
            hop("measured", phone, REPORT[:n])()
        paths = {
            "USSD hop (the report's last hop)": crossed(hop("measured", phone, REPORT), args.all),
            "incoming SMS (LAPOR from a new number)": crossed(
                sms("+628130000009", "measured"), args.all
            ),
        }
    for title, files in paths.items():
        print(f"{title}: {len(files)} files")
        for i, name in enumerate(files, 1):
            print(f"  {i:2d}. {name}")


if __name__ == "__main__":
    main()
