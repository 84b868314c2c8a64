"""Benchmark: SMS ingest.

(a) `keywords.parse` throughput on the test corpus, one core.
(b) End-to-end webhook ingest through gunicorn on PostgreSQL: Suara's
    POST /webhooks/africastalking/sms (store, parse, record, queue the reply, enqueue the
    send job) against a bare Flask endpoint that inserts one row per request into the
    same database, served with the same gunicorn settings, in the same run. Beside each
    rate it prints where a request's CPU goes: the gunicorn workers, PostgreSQL, Redis
    and the load generator (Linux /proc accounting over the timed window).
(c) The floor: a third endpoint that does only the writes any in-request filing of a
    report needs (see `floor_app`), same settings, same run: how close to the bare
    endpoint this design can come here at all.

Run from the repository root (PostgreSQL on 127.0.0.1:5432 db `test`, Redis on 6379):
    python bench/sms_ingest.py [--seconds 10] [--max-requests 20000] [--workers 2]

It talks to 127.0.0.1 only, uses its own PostgreSQL schema (created, migrated, dropped)
and Redis db 12 (flushed before and after), starts and stops its own gunicorn processes,
and bounds every loop in count and in time.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from keyword_parse import load_texts, run  # noqa: E402

from bench.support import CpuMeter, free_port, migrated_schema  # noqa: E402
from gateway.sms.keywords import parse  # noqa: E402

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/12"
HOST = "127.0.0.1"
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
SUARA_PATH = "/webhooks/africastalking/sms"
BARE_PATH = "/sms"


# --- (b) the bare endpoint, served by gunicorn as `sms_ingest:bare_app()` -----------------


def bare_app() -> object:
    """One INSERT per request into `bench_rows`, same engine settings as Suara."""
    from flask import Flask, request
    from sqlalchemy import text

    from gateway.db import make_engine

    engine = make_engine(os.environ["DATABASE_URL"])
    app = Flask("bare")
    insert = text("INSERT INTO bench_rows (sender, body) VALUES (:sender, :body)")

    @app.post(BARE_PATH)
    def receive() -> str:
        with engine.begin() as conn:
            conn.execute(insert, {"sender": request.form["from"], "body": request.form["text"]})
        return "OK"

    @app.get("/healthz")
    def health() -> str:
        return "ok"

    return app


# --- (c) the floor: the least an in-request filing can do, as `sms_ingest:floor_app()` ------


def floor_app() -> object:
    """What any webhook that files a report inside the request must do at the least, with
    nothing else: find or add the contact, store the raw text (deduplicated), add the
    report under a fresh ticket and its first status event, add the reply row under the
    hourly cap, commit, enqueue the send job. Cached Core statements on one connection:
    no ORM, no command dispatch, no tagging, no catalogue. Every text is filed as a report.
    It shows how close to the bare endpoint in-request filing can come on this machine."""
    from datetime import UTC, datetime, timedelta

    from flask import Flask, request
    from redis import Redis
    from sqlalchemy import bindparam, func, insert, select
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    from gateway.common import tickets
    from gateway.db import make_engine, table_of
    from gateway.feedback.lifecycle import first_deadline
    from gateway.models import Contact, Feedback, FeedbackEvent, InboundMessage, OutboundMessage
    from gateway.outbox.enqueue import enqueue_sends

    engine = make_engine(os.environ["DATABASE_URL"])
    redis = Redis.from_url(os.environ["REDIS_URL"])
    contacts, inbound, feedback = table_of(Contact), table_of(InboundMessage), table_of(Feedback)
    events, outbound = table_of(FeedbackEvent), table_of(OutboundMessage)
    find_contact = select(contacts.c.id).where(contacts.c.phone == bindparam("phone"))
    add_contact = (
        pg_insert(contacts)
        .on_conflict_do_nothing(index_elements=["phone"])
        .returning(contacts.c.id)
    )
    store = (
        pg_insert(inbound)
        .on_conflict_do_nothing(index_elements=["provider", "provider_message_id"])
        .returning(inbound.c.id)
    )
    file = pg_insert(feedback).on_conflict_do_nothing(index_elements=["ticket"])
    file = file.returning(feedback.c.id)
    add_event = insert(events)
    recent = select(func.count(outbound.c.id)).where(
        outbound.c.to == bindparam("to"), outbound.c.created_at >= bindparam("since")
    )
    columns = ["to", "text", "contact_id", "feedback_id", "inbound_message_id"]
    row = select(*(bindparam(c, type_=outbound.c[c].type) for c in columns))
    capped = row.where(recent.scalar_subquery() < bindparam("at_most"))
    reply = insert(outbound).from_select(columns, capped).returning(outbound.c.id)

    app = Flask("floor")

    @app.post(BARE_PATH)
    def receive() -> str:
        phone, text, now = request.form["from"], request.form["text"], datetime.now(UTC)
        with engine.begin() as conn:
            contact_id = conn.scalar(find_contact, {"phone": phone})
            contact_id = contact_id or conn.scalar(add_contact, {"phone": phone})
            raw = {"provider": "africastalking", "provider_message_id": request.form["id"]}
            raw |= {"sender": phone, "receiver": request.form["to"], "text": text}
            raw |= {"received_at": now, "contact_id": contact_id, "command": "report"}
            raw |= {"raw": request.form.to_dict()}
            inbound_id = conn.scalar(store, raw)
            report = {"kind": "complaint", "text": text, "channel": "sms", "status": "received"}
            report |= {"contact_id": contact_id, "inbound_message_id": inbound_id}
            report |= {"due_at": first_deadline(now), "language": "id"}
            feedback_id = None
            while feedback_id is None:
                ticket = tickets.new_ticket()
                feedback_id = conn.scalar(file, {**report, "ticket": ticket})
            event = {"feedback_id": feedback_id, "kind": "status", "to_status": "received"}
            conn.execute(add_event, event)
            answer = {"to": phone, "text": f"Laporan diterima. Tiket {ticket}."}
            answer |= {"contact_id": contact_id, "feedback_id": feedback_id}
            answer |= {"inbound_message_id": inbound_id, "at_most": 1_000_000}
            reply_id = conn.scalar(reply, {**answer, "since": now - timedelta(hours=1)})
        enqueue_sends(redis, [reply_id] if reply_id else [])
        return "OK"

    @app.get("/healthz")
    def health() -> str:
        return "ok"

    return app


# --- schema, servers, load ----------------------------------------------------------------


@contextmanager
def bench_schema() -> Iterator[str]:
    """A migrated throwaway schema plus the bare endpoint's own table."""
    from sqlalchemy import create_engine, text

    with migrated_schema("bench_sms", PG_ADMIN_URL) as url:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "CREATE TABLE bench_rows (id serial PRIMARY KEY, "
                    "sender varchar(40) NOT NULL, body text NOT NULL, "
                    "created_at timestamptz NOT NULL DEFAULT now())"
                )
            )
        engine.dispose()
        yield url


@contextmanager
def gunicorn(target: str, env: dict[str, str], workers: int) -> Iterator[tuple[int, CpuMeter]]:
    port = free_port()
    cmd = [GUNICORN, "--bind", f"{HOST}:{port}", "--workers", str(workers)]
    cmd += ["--worker-class", "sync", "--log-level", "warning", "--chdir", str(ROOT), target]
    path = os.pathsep.join([str(ROOT), str(ROOT / "bench")])
    proc = subprocess.Popen(cmd, env={**os.environ, **env, "PYTHONPATH": path}, cwd=ROOT)
    try:
        wait_ready(port, proc)
        yield port, CpuMeter(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not become ready")


def client_loop(
    args: tuple[int, str, int, float, int, list[str], int],
) -> tuple[int, int, float]:
    """POST form-encoded SMS callbacks until `count` or `deadline`; (ok, errors, CPU s)."""
    port, path, count, deadline, seed, texts, senders = args
    rng = random.Random(seed)
    cpu = time.process_time()
    ok = errors = 0
    for n in range(count):
        if time.monotonic() > deadline:
            break
        sender = f"+62812{10**7 + rng.randrange(senders)}"
        form = {"from": sender, "to": "1708", "text": rng.choice(texts), "id": f"b-{seed}-{n}"}
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        try:
            conn.request("POST", path, urlencode(form),
                         {"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
            response = conn.getresponse()
            response.read()
            ok, errors = (ok + 1, errors) if response.status == 200 else (ok, errors + 1)
        except OSError:
            errors += 1
        finally:
            conn.close()
    return ok, errors, time.process_time() - cpu


def measure(
    server: tuple[int, CpuMeter], path: str, options: argparse.Namespace, texts: list[str]
) -> tuple[float, dict[str, float]]:
    """Requests/s over the timed run, and CPU milliseconds per request by process group."""
    port, meter = server
    seeds = itertools.count(random.randrange(1_000_000))
    warm = time.monotonic() + 2
    with multiprocessing.Pool(options.clients) as pool:
        warmup = [(port, path, 50, warm, next(seeds), texts, options.senders)] * options.clients
        pool.map(client_loop, [(*w[:4], next(seeds), *w[5:]) for w in warmup])
        per_client = options.max_requests // options.clients
        started = time.monotonic()
        deadline = started + options.seconds
        jobs = [
            (port, path, per_client, deadline, next(seeds), texts, options.senders)
            for _ in range(options.clients)
        ]
        meter.start()
        results = pool.map(client_loop, jobs)
        spent = meter.stop()
        elapsed = time.monotonic() - started
    ok = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    if errors:
        print(f"  {path}: {errors} failed requests")
    spent["clients"] = sum(r[2] for r in results)
    per_request = {name: seconds * 1000 / max(ok, 1) for name, seconds in spent.items()}
    return ok / elapsed, per_request


def cpu_seconds(texts: list[str]) -> float:
    """CPU time of this process for one parse round (robust to other load)."""
    started = time.process_time()
    for text in texts:
        parse(text)
    return time.process_time() - started


def flush_redis() -> None:
    from redis import Redis

    Redis.from_url(REDIS_URL).flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=200_000, help="parse benchmark size")
    parser.add_argument("--seconds", type=float, default=10.0, help="per ingest run")
    parser.add_argument("--max-requests", type=int, default=20_000, help="per ingest run")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument(
        "--senders", type=int, default=2000, help="distinct citizen numbers (10**8 = all new)"
    )
    options = parser.parse_args()

    corpus = load_texts()
    texts = (corpus * (options.messages // len(corpus) + 1))[: options.messages]
    random.Random(4).shuffle(texts)
    run(texts[:10_000])
    wall = min(run(texts) for _ in range(5))
    cpu = min(cpu_seconds(texts) for _ in range(5))
    print(f"(a) keywords.parse, {len(corpus)} corpus messages, {len(texts)} per round, best of 5:")
    print(f"    {len(texts) / cpu:,.0f} messages/s of CPU time on one core")
    print(
        f"    {len(texts) / wall:,.0f} messages/s wall clock (other load on the machine lowers it)"
    )

    short = [t for t in corpus if t.strip()][:200]
    flush_redis()
    with bench_schema() as url:
        env = {"DATABASE_URL": url, "REDIS_URL": REDIS_URL, "SMS_PROVIDER": "console"}
        env |= {"SMS_REPLIES_PER_HOUR": "1000000", "LOG_LEVEL": "WARNING", "WEBHOOK_TOKEN": ""}
        with gunicorn("sms_ingest:bare_app()", env, options.workers) as server:
            bare, bare_cpu = measure(server, BARE_PATH, options, short)
        with gunicorn("wsgi:app", env, options.workers) as server:
            suara, suara_cpu = measure(server, SUARA_PATH, options, short)
        with gunicorn("sms_ingest:floor_app()", env, options.workers) as server:
            floor, floor_cpu = measure(server, BARE_PATH, options, short)
    flush_redis()
    print(f"(b) gunicorn --workers {options.workers} (sync), {options.clients} client processes, "
          f"PostgreSQL, {options.seconds:.0f} s per run, {options.senders} senders:")  # fmt: skip
    print(f"    bare insert endpoint: {bare:,.0f} requests/s")
    print(f"    Suara SMS webhook:    {suara:,.0f} requests/s")
    print(f"    ratio: {suara / bare:.2f} x (target >= 0.6)")
    print(f"    (c) floor of in-request filing: {floor:,.0f} requests/s, {floor / bare:.2f} x bare")
    print("    CPU ms per request   gunicorn  postgres  redis  clients   total")
    for name, cpu in (("bare", bare_cpu), ("Suara", suara_cpu), ("floor (c)", floor_cpu)):
        parts = [cpu[k] for k in ("server", "postgres", "redis", "clients")]
        cells = "".join(f"{v:>9.2f}" for v in parts)
        print(f"    {name:<19}{cells}{sum(parts):>8.2f}")


if __name__ == "__main__":
    main()
