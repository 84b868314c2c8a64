"""Benchmark: CPU per USSD hop in one process, by session kind, without HTTP or gunicorn.

Run from the repository root (needs PostgreSQL on 127.0.0.1:5432 db `test` and Redis)::

    python bench/ussd_cpu.py [--hops 4000] [--redis redis://127.0.0.1:6379/7]

Plays the same mixed sessions as `bench/ussd_hop.py` (64 callers' numbers) straight into
WSGI callables and prints the process CPU time per hop for:

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
from bench.ussd_hop import USSD, bare, floor, scripts, texts  # noqa: E402

KINDS = {"4": "info", "1": "report", "3": "status", "5": "skm"}
Wsgi = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def bodies(count: int, kind: str, seed: int) -> list[bytes]:
    """Whole sessions' hops until ``count`` (``kind``: one session kind, or ``mix``)."""
    rng, found = random.Random(seed), []
    while len(found) < count:
        inputs = scripts(rng)
        if kind != "mix" and KINDS[inputs[0]] != kind:
            continue
        sid, phone = f"ATUid_{uuid.uuid4().hex}", f"+62812{rng.randint(0, 63):08d}"
        for text in texts(inputs):
            found.append(urlencode({"sessionId": sid, "phoneNumber": phone, "text": text}).encode())
    return found


def play(app: Wsgi, hops: list[bytes]) -> float:
    """CPU seconds of this process to answer ``hops``."""

    def start_response(status: str, headers: list[tuple[str, str]], exc: Any = None) -> None:
        assert status.startswith("200"), status

    started = time.process_time()
    for body in hops:
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
        reply = app(environ, start_response)
        for _ in reply:
            pass
        getattr(reply, "close", lambda: None)()
    return time.process_time() - started


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
                play(endpoint, bodies(200, kind, next(seeds)))  # warm-up
                runs = []
                for _ in range(opts.rounds):
                    hops = bodies(opts.hops, kind, next(seeds))
                    runs.append(play(endpoint, hops) / len(hops))
                cells.append(f"{min(runs) * 1e6:10.0f}")
            print(f"{kind:8} | " + " | ".join(cells))
    Redis.from_url(opts.redis).flushdb()


if __name__ == "__main__":
    main()
