"""Benchmark: CPU per USSD hop in one process, by session kind, without HTTP or gunicorn.

Run from the repository root (needs PostgreSQL on 127.0.0.1:5432 db `test` and Redis)::

    python bench/ussd_cpu.py [--hops 4000] [--redis redis://127.0.0.1:6379/7]

Plays the same mixed sessions as `bench/ussd_hop.py` (64 callers' numbers, one session after
another, a caller asked to continue a dropped session starting afresh) straight into WSGI
callables and prints the process CPU time per hop for:

- **app**: `wsgi:app` as served (the USSD fast path in front of Flask);
- **flask view**: the same app with the fast path left out (every hop through Flask);
- **floor** and **bare**: the endpoints of `bench/ussd_hop.py`.

It shows where a hop's cost is (the gunicorn benchmark adds the server and the clients);
the database and Redis servers' own CPU is not counted. Schema and Redis db are throwaway.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support import migrated_schema  # noqa: E402
from bench.ussd_hop import USSD, bare, floor, next_text, scripts  # noqa: E402

KINDS = {"4": "info", "1": "report", "3": "status", "5": "skm"}
Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


Call = tuple[str, str, list[str]]  # session id, phone, the script's keys


def sessions(count: int, kind: str, seed: int) -> list[Call]:
    """Sessions of one kind (or ``mix``) with about ``count`` hops in all."""
    rng, found, hops = random.Random(seed), [], 0
    while hops < count:
        keys = scripts(rng)
        if kind != "mix" and KINDS[keys[0]] != kind:
            continue
        found.append((f"ATUid_{uuid.uuid4().hex}", f"+62812{rng.randint(0, 63):08d}", keys))
        hops += len(keys) + 1
    return found


def play(app: Wsgi, calls: list[Call]) -> float:
    """CPU seconds per hop of this process to play ``calls`` the way `bench/ussd_hop.py`
    does (building each hop's form counts too, alike for every endpoint)."""

    def start_response(status: str, headers: list[tuple[str, str]], exc: Any = None) -> None:
        assert status.startswith("200"), status

    hops, started = 0, time.process_time()
    for session_id, phone, script in calls:
        keys, text = list(script), ""
        while True:
            form = {"sessionId": session_id, "phoneNumber": phone, "text": text}
            body = urlencode(form).encode()
            environ = {
                "REQUEST_METHOD": "POST",
                "PATH_INFO": USSD,
                "QUERY_STRING": "",
                "SERVER_NAME": "bench",
                "SERVER_PORT": "80",
                "SERVER_PROTOCOL": "HTTP/1.1",
                "CONTENT_TYPE": "application/x-www-form-urlencoded",
                "CONTENT_LENGTH": str(len(body)),
                "wsgi.url_scheme": "http",
                "wsgi.input": io.BytesIO(body),
                "wsgi.errors": sys.stderr,
                "wsgi.multithread": True,
                "wsgi.multiprocess": True,
                "wsgi.run_once": False,
            }
            answer = app(environ, start_response)
            reply = b"".join(answer)
            getattr(answer, "close", lambda: None)()
            hops += 1
            if not reply.startswith(b"CON") or not keys:
                break
            text = next_text(text, reply, keys)
    return (time.process_time() - started) / hops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--hops", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3, help="best of this many")
    opts = parser.parse_args()
    from redis import Redis

    os.environ["REDIS_URL"] = opts.redis  # for the floor endpoint
    Redis.from_url(opts.redis).flushdb()
    with migrated_schema("bench_ussd_cpu") as db_url:
        from gateway import create_app
        from gateway.config import Settings

        settings = Settings(database_url=db_url, redis_url=opts.redis, webhook_token="")
        app = create_app(settings.with_overrides(log_level="WARNING"))
        endpoints: dict[str, Wsgi] = {
            "app": app,
            "flask view": app.wsgi_app.flask_wsgi,  # type: ignore[attr-defined]
            "floor": floor(),
            "bare": bare,
        }
        print(f"CPU microseconds per hop, in-process, best of {opts.rounds} x {opts.hops} hops")
        print(f"{'kind':8} | " + " | ".join(f"{name:>10}" for name in endpoints))
        seeds = iter(range(1, 10_000))
        for kind in ("mix", "info", "report", "status", "skm"):
            cells = []
            for endpoint in endpoints.values():
                play(endpoint, sessions(200, kind, next(seeds)))  # warm-up
                runs = [
                    play(endpoint, sessions(opts.hops, kind, next(seeds)))
                    for _ in range(opts.rounds)
                ]
                cells.append(f"{min(runs) * 1e6:10.0f}")
            print(f"{kind:8} | " + " | ".join(cells))
    Redis.from_url(opts.redis).flushdb()


if __name__ == "__main__":
    main()
