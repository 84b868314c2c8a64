"""Benchmark: a poll fanned out to 10,000 and 100,000 subscribers, then 20,000 throttled.

Everything is local: a fake Africa's Talking (tests/fake_at.py, 20 ms latency) on
127.0.0.1, PostgreSQL in a throwaway schema (created, migrated, dropped), Redis on a
spare database index (flushed before and after), and TWO `python -m workers` processes.

Run from the repository root (a few minutes):
    python bench/poll_fanout.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
                                [--redis redis://127.0.0.1:6379/9] [--sizes 10000,100000]
                                [--throttled 20000] [--rate 500]

For each run it prints: time from `send` to the last recipient accepted, provider
requests, peak RSS of each worker (main process and its largest job child), and
lost/duplicated recipients checked from the fake's received numbers against the outbox.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from redis import Redis  # noqa: E402
from sqlalchemy import create_engine, func, insert, select  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402
from werkzeug import Request  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from bench.support import migrated_schema  # noqa: E402
from gateway.models import Contact, OutboundMessage  # noqa: E402
from gateway.outbox.enqueue import enqueue_fan_out  # noqa: E402
from gateway.polls.admin import OptionSpec, PollSpec, create_poll, schedule_poll  # noqa: E402
from tests.fake_at import FakeAfricasTalking  # noqa: E402

BATCH = 500
DEADLINE = 600.0
STALL = 20.0


@dataclass
class Run:
    label: str
    recipients: int
    seconds: float
    requests: int
    rss_mb: list[tuple[float, float]]
    lost: int
    duplicated: int
    rate: float | None = None


class TimedFake(FakeAfricasTalking):
    """The test fake, plus the arrival time and size of every request."""

    arrivals: list[tuple[float, int]]

    def handler(self, request: Request):  # type: ignore[no-untyped-def]
        response = super().handler(request)
        self.arrivals.append((time.monotonic(), len(request.form.get("to", "").split(","))))
        return response


def start_fake() -> tuple[TimedFake, object, str]:
    fake = TimedFake(latency=0.02)
    fake.arrivals = []
    server = make_server("127.0.0.1", 0, Request.application(fake.handler), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake, server, f"http://127.0.0.1:{server.server_port}/version1"


def seed(url: str, total: int) -> None:
    """`total` subscribers: the first 10,000 in kecamatan A, the next 10,000 in B, rest C."""
    engine = create_engine(url)
    with engine.begin() as conn:
        for start in range(0, total, 10_000):
            rows = [
                {
                    "phone": f"+62813{i:08d}",
                    "subscribed": True,
                    "language": "id",
                    "kecamatan": "A" if i < 10_000 else "B" if i < 20_000 else "C",
                    "role": "orang_tua",
                }
                for i in range(start, min(total, start + 10_000))
            ]
            conn.execute(insert(Contact), rows)
    engine.dispose()


def rss_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Workers:
    """Two `python -m workers` processes, and a sampler of their peak RSS."""

    def __init__(self, env: dict[str, str]) -> None:
        self.procs = [
            subprocess.Popen(
                [sys.executable, "-m", "workers"], cwd=ROOT, env=env, start_new_session=True
            )
            for _ in range(2)
        ]
        self.peaks = {p.pid: [0, 0] for p in self.procs}  # main, largest child (kB)
        self._stop = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            for proc in self.procs:
                peak = self.peaks[proc.pid]
                peak[0] = max(peak[0], rss_kb(proc.pid, "VmHWM:"))
                for child in children(proc.pid):
                    peak[1] = max(peak[1], rss_kb(child, "VmHWM:"))
            time.sleep(0.02)

    def stop(self) -> list[tuple[float, float]]:
        self._stop.set()
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        return [(m / 1024, c / 1024) for m, c in self.peaks.values()]


def run_poll(
    label: str, url: str, redis: Redis, fake: TimedFake, env: dict[str, str], audience: list[str]
) -> Run:
    engine = create_engine(url)
    sessions = sessionmaker(engine, expire_on_commit=False)
    with sessions.begin() as s:
        expected = s.scalar(
            select(func.count(Contact.id)).where(
                *([Contact.kecamatan.in_(audience)] if audience else [])
            )
        )
    fake.accepted.clear()
    fake.arrivals.clear()
    fake.requests.clear()
    workers = Workers(env)
    time.sleep(2.0)  # let both workers start and register
    spec = PollSpec(
        question="Apakah jadwal masuk sekolah pukul 07.30 sudah tepat?",
        options=(OptionSpec("Ya", ("setuju",)), OptionSpec("Tidak")),
        kecamatan=tuple(audience),
    )
    t0 = time.monotonic()
    with sessions.begin() as s:
        poll_id = create_poll(s, spec)
        poll = schedule_poll(s, poll_id)
        assert poll is not None
        send_at = poll.send_at
    enqueue_fan_out(redis, poll_id, send_at=send_at)
    last_progress, seen = time.monotonic(), 0
    while len(fake.accepted) < expected and time.monotonic() - t0 < DEADLINE:
        time.sleep(0.01)
        if len(fake.accepted) != seen:
            last_progress, seen = time.monotonic(), len(fake.accepted)
        elif time.monotonic() - last_progress > STALL:
            print(f"{label}: no progress for {STALL:.0f} s, giving up", file=sys.stderr)
            break
    seconds = (fake.arrivals[-1][0] if fake.arrivals else time.monotonic()) - t0
    time.sleep(1.0)  # let the last results be recorded
    rss = workers.stop()
    with sessions.begin() as s:
        sent = set(
            s.scalars(
                select(OutboundMessage.to).where(
                    OutboundMessage.poll_id == poll_id, OutboundMessage.status == "sent"
                )
            )
        )
        rows = s.scalar(select(func.count()).where(OutboundMessage.poll_id == poll_id))
    taken = Counter(number for number, _ in fake.accepted)
    duplicated = sum(n - 1 for n in taken.values() if n > 1)
    lost = expected - len(set(taken) & sent) + (rows - expected if rows != expected else 0)
    engine.dispose()
    rate = None
    if env.get("SMS_RATE_PER_SECOND", "0") != "0" and len(fake.arrivals) > 1:
        first, last = fake.arrivals[0][0], fake.arrivals[-1][0]
        rate = (sum(n for _, n in fake.arrivals) - fake.arrivals[0][1]) / (last - first)
    return Run(label, expected, seconds, len(fake.requests), rss, lost, duplicated, rate)


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/9")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--throttled", type=int, default=20_000)
    ap.add_argument("--rate", type=float, default=500.0)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    redis = Redis.from_url(args.redis)
    redis.flushdb()
    fake, server, base_url = start_fake()
    runs: list[Run] = []
    try:
        with migrated_schema("bench_poll", args.pg) as url:
            runs = measure(args, url, redis, fake, base_url, sizes)
    finally:
        server.shutdown()  # type: ignore[attr-defined]
        redis.flushdb()
    print_table(runs)
    return 0


def measure(
    args: argparse.Namespace, url: str, redis: Redis, fake: Any, base_url: str, sizes: list[int]
) -> list[Run]:
    runs: list[Run] = []
    seed(url, max(sizes + [args.throttled]))
    env = os.environ | {
        "DATABASE_URL": url,
        "REDIS_URL": args.redis,
        "SMS_PROVIDER": "africastalking",
        "AT_USERNAME": "disdiklabura",
        "AT_API_KEY": "bench-key",
        "WEBHOOK_TOKEN": "bench-token",  # a real provider does not start without one
        "AT_API_BASE_URL": base_url,
        "QUIET_HOURS": "",
        "SMS_BATCH_SIZE": str(BATCH),
        "SMS_RATE_PER_SECOND": "0",
        "LOG_LEVEL": "WARNING",
    }
    for size in sizes:
        audience = ["A"] if size == 10_000 else ["A", "B"] if size == 20_000 else []
        runs.append(run_poll(f"{size:,} unthrottled", url, redis, fake, env, audience))
        redis.flushdb()
    if args.throttled:
        env_t = env | {"SMS_RATE_PER_SECOND": str(args.rate)}
        label = f"{args.throttled:,} at {args.rate:g}/s"
        runs.append(run_poll(label, url, redis, fake, env_t, ["A", "B"]))
    return runs


def print_table(runs: list[Run]) -> None:
    print()
    print(
        "| run | recipients | send -> last accepted | provider requests "
        "| peak RSS worker 1 (main / job) | peak RSS worker 2 (main / job) "
        "| lost | duplicated | measured rate |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in runs:
        w = [f"{m:.0f} / {c:.0f} MB" for m, c in r.rss_mb]
        rate = f"{r.rate:.1f}/s" if r.rate else "-"
        print(
            f"| {r.label} | {r.recipients:,} | {r.seconds:.1f} s | {r.requests} | {w[0]} "
            f"| {w[1]} | {r.lost} | {r.duplicated} | {rate} |"
        )


if __name__ == "__main__":
    sys.exit(main())
