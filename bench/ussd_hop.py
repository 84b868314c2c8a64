"""Benchmark: USSD hops through the real webhook vs a bare Flask endpoint, same gunicorn.

Run from the repository root (needs PostgreSQL on 127.0.0.1:5432 db `test` and Redis)::

    python bench/ussd_hop.py [--redis redis://127.0.0.1:6379/7] [--seconds 8]
                             [--levels 16,64,200] [--workers 2] [--threads 4]

It creates its own PostgreSQL schema (migrated, info pages seeded), flushes and uses a spare
Redis db (console SMS provider, nothing leaves the machine) and starts three endpoints under
identical gunicorn settings on 127.0.0.1: the app, a bare Flask endpoint, and the floor
(`floor()`: form, one state read, one state write, a fixed screen, served at the WSGI level
like Suara's hop), which shows how close to bare any design with session state in Redis
gets here. It drives mixed sessions (info browsing, reports, status checks, SKM; a caller
asked whether to continue a dropped session starts afresh) at each concurrency level for a
bounded time, each level on every endpoint in turn, and prints hops/s, p50 and p99 and the
ratios to bare, what the app filed, then the Redis cost of a hop that files nothing:
commands (server-side INFO commandstats delta) and round trips (client-side, counted
in-process on the same code).
Everything it started is stopped and its schema dropped, even on failure.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask, Response  # noqa: E402

from bench.support import free_port, migrated_schema  # noqa: E402

USSD = "/webhooks/africastalking/ussd"

bare = Flask("bare")


@bare.post(USSD)
def bare_hop() -> Response:
    return Response("CON Suara Disdik Labura\n1 Lapor masalah", mimetype="text/plain")


def floor() -> Any:
    """The least a USSD endpoint with session state in Redis does per hop, and nothing else:
    read and parse the form, read the state (one round trip), write it back (no reply
    awaited, through the same per-thread connection as Suara), answer a fixed screen. No
    menu, no database; served at the WSGI level like Suara's hop (`gateway.ussd.fast`).
    Served as `bench.ussd_hop:floor()`; it shows how close to bare such a design can get."""
    from redis import Redis

    from gateway.providers.africastalking import parse_form
    from gateway.ussd import redis_direct

    redis = Redis.from_url(os.environ["REDIS_URL"])
    screen = b"CON Suara Disdik Labura\n1 Lapor masalah"

    def floor_hop(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        form = parse_form(environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"])))
        key = f"ussd:state:{form['sessionId']}"
        redis_direct.read(redis, "MGET", key)
        redis_direct.send_without_reply(redis, [("SET", key, form.get("text", ""), "EX", 300)])
        headers = [("Content-Type", "text/plain"), ("Content-Length", str(len(screen)))]
        start_response("200 OK", headers)
        return [screen]

    return floor_hop


def flask_view() -> Any:
    """Suara with every hop through its Flask view, the USSD fast path left out: run with
    `--app "bench.ussd_hop:flask_view()"` to see what the fast path gains."""
    from wsgi import app

    return app.wsgi_app.flask_wsgi


# ----------------------------------------------------------------------------- sessions


def scripts(rng: random.Random) -> list[str]:
    """One caller's inputs (the text of each hop is built from them)."""
    kind = rng.choice(["info", "info", "report", "status", "skm"])
    if kind == "info":
        return ["4", str(rng.randint(1, 6)), "98", "0", str(rng.randint(1, 6))]
    if kind == "report":
        return ["1", "7", str(rng.randint(1, 8)), "1", "Atap kelas bocor*parah sekali", "1", "1"]
    if kind == "status":
        return ["3", "1234566"]
    return ["5", str(rng.randint(1, 6)), *[str(rng.randint(1, 4)) for _ in range(9)]]


def texts(inputs: list[str]) -> Iterator[str]:
    text = ""
    yield text
    for value in inputs:
        text = value if text == "" else f"{text}*{value}"
        yield text


@functools.cache
def resume_question() -> bytes:
    """The first line of the screen that offers to continue a dropped session."""
    from menus import load_tree

    return load_tree().text("id", "resume.ask").encode()


def next_text(text: str, reply: bytes, keys: list[str]) -> str:
    """The next hop's ``text``: the caller's next key, except that a caller whose last
    session dropped, and who is asked whether to continue it, starts afresh ("2") and
    then plays the script (else the script's keys would answer the wrong screens)."""
    key = "2" if text == "" and resume_question() in reply else keys.pop(0)
    return key if text == "" else f"{text}*{key}"


def drive(port: int, sessions: int, seconds: float, think: float = 0.0) -> tuple[int, list[float]]:
    """``sessions`` concurrent callers, each dialling again until time is up. ``think``: the
    mean pause between a screen and the caller's next key (0 = hammer the server)."""
    deadline = time.monotonic() + seconds
    latencies: list[float] = []
    lock = threading.Lock()

    def caller(n: int) -> None:
        rng = random.Random(n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        phone = f"+62812{n:08d}"
        if think:  # callers dial in over time, not all in the same millisecond
            time.sleep(rng.uniform(0, 2 * think))
        while time.monotonic() < deadline:
            sid, keys, text = f"ATUid_{uuid.uuid4().hex}", scripts(rng), ""
            while True:
                body = urlencode({"sessionId": sid, "phoneNumber": phone, "text": text})
                if think:  # an idle keep-alive connection is closed by the server
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                started = time.perf_counter()
                conn.request("POST", USSD, body, {"Content-Type": FORM})
                reply = conn.getresponse().read()
                mine.append(time.perf_counter() - started)
                if not reply.startswith(b"CON") or not keys or time.monotonic() >= deadline:
                    break
                text = next_text(text, reply, keys)
                if think:
                    time.sleep(rng.uniform(0.5 * think, 1.5 * think))
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(sessions)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 30)
    return int(len(latencies) / (time.monotonic() - started)), latencies


FORM = "application/x-www-form-urlencoded"


# ----------------------------------------------------------------------------- setup


@contextmanager
def gunicorn(target: str, env: dict[str, str], opts: argparse.Namespace) -> Iterator[int]:
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers"]
    cmd += [str(opts.workers), "--threads", str(opts.threads), "--log-level", "warning", target]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env})
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()


Row = tuple[int, float, float]  # hops/s, p50 ms, p99 ms


def measure(ports: dict[str, int], levels: list[int], seconds: float) -> dict[str, dict[int, Row]]:
    """Each level on every endpoint in turn (app, bare, floor, then the next level), so a
    machine that slows down or speeds up during the run skews all three alike."""
    for port in ports.values():
        drive(port, 4, 1.0)  # warm-up
    found: dict[str, dict[int, Row]] = {name: {} for name in ports}
    for level in levels:
        for name, port in ports.items():
            rate, lat = drive(port, level, seconds)
            ms = sorted(x * 1000 for x in lat)
            found[name][level] = (rate, statistics.median(ms), ms[int(len(ms) * 0.99) - 1])
    return found


def paced(port: int, opts: argparse.Namespace) -> tuple[float, float, int]:
    """Latency when callers take time to read and type, as real ones do (p50, p99, hops)."""
    seconds = max(opts.seconds, 6 * opts.think)
    _, lat = drive(port, opts.think_sessions, seconds, think=opts.think)
    ms = sorted(x * 1000 for x in lat)
    return statistics.median(ms), ms[max(0, int(len(ms) * 0.99) - 1)], len(ms)


# ----------------------------------------------------------------------------- Redis cost


def redis_commands(redis_url: str, port: int, hops: int) -> float:
    """Server-side commands per non-filing hop (info browsing), INFO itself excluded."""
    from redis import Redis

    r = Redis.from_url(redis_url)

    def total() -> int:
        stats = r.info("commandstats")
        return sum(int(v["calls"]) for k, v in stats.items() if k not in ("cmdstat_info",))

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    before, done = total(), 0
    while done < hops:
        sid = f"ATUid_{uuid.uuid4().hex}"
        for text in texts(["4", "1", "98", "0", "2"]):
            body = urlencode({"sessionId": sid, "phoneNumber": "+6281299990000", "text": text})
            conn.request("POST", USSD, body, {"Content-Type": FORM})
            conn.getresponse().read()
            done += 1
    calls = total() - before
    r.close()
    return calls / done


def redis_round_trips(db_url: str, redis_url: str) -> tuple[float, float]:
    """Client-side (round trips, writes) per non-filing hop, counted in-process on the same
    code. A round trip is a write whose reply the hop waits for (a pipeline is one); a
    write sent with CLIENT REPLY SKIP is a write but no round trip: nothing is awaited.
    One session is played before counting: connecting (handshake, the one-time CLIENT
    probe) happens once per worker thread, not per hop."""
    from redis.connection import Connection

    from gateway import create_app
    from gateway.config import Settings

    app = create_app(Settings(database_url=db_url, redis_url=redis_url))
    client, counts, pending = app.test_client(), [0, 0], [False]
    for text in texts(["4", "1", "98", "0", "2"]):
        client.post(
            USSD, data={"sessionId": "ATUid_warm", "phoneNumber": "+6281299990001", "text": text}
        )
    send, read = Connection.send_packed_command, Connection.read_response

    def counting_send(self: Connection, *args: Any, **kwargs: Any) -> Any:
        counts[1] += 1
        pending[0] = True
        return send(self, *args, **kwargs)

    def counting_read(self: Connection, *args: Any, **kwargs: Any) -> Any:
        if pending[0]:
            counts[0] += 1
            pending[0] = False
        return read(self, *args, **kwargs)

    Connection.send_packed_command = counting_send  # type: ignore[method-assign]
    Connection.read_response = counting_read  # type: ignore[method-assign]
    hops = 0
    try:
        for n in range(20):
            for text in texts(["4", "1", "98", "0", "2"]):
                form = {"sessionId": f"ATUid_rt{n}", "phoneNumber": "+6281299990001", "text": text}
                client.post(USSD, data=form)
                hops += 1
    finally:
        Connection.send_packed_command = send  # type: ignore[method-assign]
        Connection.read_response = read  # type: ignore[method-assign]
    return counts[0] / hops, counts[1] / hops


def filed_rows(db_url: str) -> str:
    """What the app's hops wrote: proof that the mix filed reports and surveys."""
    from sqlalchemy import create_engine, func, select

    from gateway.models import Feedback, SkmResponse

    engine = create_engine(db_url)
    with engine.connect() as conn:
        reports = conn.scalar(select(func.count()).select_from(Feedback))
        surveys = conn.scalar(select(func.count()).where(SkmResponse.complete.is_(True)))
    engine.dispose()
    return f"{reports} reports, {surveys} complete surveys"


# ----------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--app", default="wsgi:app", help="what gunicorn serves as the app")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--levels", default="16,64,200")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--think", type=float, default=2.0, help="mean think time, seconds")
    parser.add_argument("--think-sessions", type=int, default=64)
    opts = parser.parse_args()
    levels = [int(x) for x in opts.levels.split(",")]
    from redis import Redis

    Redis.from_url(opts.redis).flushdb()
    with migrated_schema("bench_ussd") as db_url:
        env = {"DATABASE_URL": db_url, "REDIS_URL": opts.redis, "SMS_PROVIDER": "console"}
        env |= {"WEBHOOK_TOKEN": "", "LOG_LEVEL": "WARNING"}
        with (
            gunicorn(opts.app, env, opts) as app_port,
            gunicorn("bench.ussd_hop:bare", env, opts) as bare_port,
            gunicorn("bench.ussd_hop:floor()", env, opts) as floor_port,
        ):
            ports = {"app": app_port, "bare": bare_port, "floor": floor_port}
            rows = measure(ports, levels, opts.seconds)
            app_think = paced(app_port, opts)
            bare_think = paced(bare_port, opts)
            commands = redis_commands(opts.redis, app_port, 200)
        app_rows, bare_rows, floor_rows = rows["app"], rows["bare"], rows["floor"]
        filed = filed_rows(db_url)  # before the in-process count adds its own
        trips, sent = redis_round_trips(db_url, opts.redis)
    Redis.from_url(opts.redis).flushdb()
    print(f"app {opts.app}; gunicorn --workers {opts.workers} --threads {opts.threads},", end=" ")
    print(f"{opts.seconds:g} s/level")
    print(
        "sessions | app hops/s  p50 ms  p99 ms | bare hops/s  p50 ms  p99 ms | ratio"
        " | floor hops/s  p99 ms  ratio"
    )
    for level in levels:
        (a, a50, a99), (b, b50, b99) = app_rows[level], bare_rows[level]
        print(
            f"{level:8} | {a:11} {a50:7.1f} {a99:7.1f} | {b:11} {b50:7.1f} {b99:7.1f} |"
            f" {a / b:5.2f} | {floor_rows[level][0]:12} {floor_rows[level][2]:7.1f}"
            f" {floor_rows[level][0] / b:6.2f}"
        )
    print(
        f"{opts.think_sessions} sessions, ~{opts.think:g} s think time between keys:"
        f" app p50 {app_think[0]:.1f} ms p99 {app_think[1]:.1f} ms ({app_think[2]} hops) |"
        f" bare p50 {bare_think[0]:.1f} ms p99 {bare_think[1]:.1f} ms"
    )
    print(f"Filed through the app during the run: {filed}")
    print(f"Redis per non-filing hop, in-process: {trips:.2f} round trips, {sent:.2f} writes")
    print(f"Redis commands per non-filing hop, server-wide INFO commandstats: {commands:.2f}")
    print("  (server-wide: includes other clients of the same Redis server, if any)")


if __name__ == "__main__":
    main()
