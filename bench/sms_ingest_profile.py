"""Profile the SMS webhook in process and count its SQL statements and Redis commands.

Runs N POSTs through Flask's test client against a throwaway PostgreSQL schema (created,
migrated, dropped) and Redis db 12 (flushed), with the texts of `bench/sms_ingest.py`:
    python bench/sms_ingest_profile.py [--requests 500] [--senders 2000] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from keyword_parse import load_texts  # noqa: E402
from sms_ingest import REDIS_URL, SUARA_PATH, bench_schema, flush_redis  # noqa: E402
from sqlalchemy import event  # noqa: E402

from gateway import create_app  # noqa: E402
from gateway.config import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--senders", type=int, default=2000)
    parser.add_argument("--profile", action="store_true", help="print the top cProfile rows")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key")
    parser.add_argument("--rows", type=int, default=45, help="cProfile rows shown")
    options = parser.parse_args()
    texts = [t for t in load_texts() if t.strip()][:200]
    rng = random.Random(7)
    flush_redis()
    with bench_schema() as url:
        settings = Settings(database_url=url, redis_url=REDIS_URL, sms_replies_per_hour=1_000_000)
        app = create_app(settings)
        client = app.test_client()
        rt = app.extensions["suara"]
        statements: Counter[str] = Counter()

        def count(_c: Any, _cur: Any, stmt: str, *_a: Any) -> None:
            statements[stmt.split(None, 1)[0].upper()] += 1

        event.listen(rt.engine, "before_cursor_execute", count)
        redis_calls = Counter[str]()
        original = rt.redis.execute_command
        pipe_cls = type(rt.redis.pipeline())
        original_pipe = pipe_cls.execute

        def counted(*args: Any, **kw: Any) -> Any:
            redis_calls["round trips"] += 1
            return original(*args, **kw)

        def counted_pipe(self: Any, *args: Any, **kw: Any) -> Any:
            redis_calls["round trips"] += 1
            return original_pipe(self, *args, **kw)

        rt.redis.execute_command = counted
        pipe_cls.execute = counted_pipe

        def post(n: int) -> None:
            form = {
                "from": f"+62812{10**7 + rng.randrange(options.senders)}",
                "to": "1708",
                "text": rng.choice(texts),
                "id": f"p-{n}",
            }
            assert client.post(SUARA_PATH, data=form).status_code == 200

        for n in range(50):  # warm up: imports, caches, pool
            post(-n - 1)
        statements.clear()
        redis_calls.clear()
        profiler = cProfile.Profile()
        started, cpu_started = time.perf_counter(), time.process_time()
        if options.profile:
            profiler.enable()
        for n in range(options.requests):
            post(n)
        profiler.disable()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        pipe_cls.execute = original_pipe
        rt.engine.dispose()
    flush_redis()
    per = options.requests
    total = sum(statements.values())
    print(f"{per} requests in {elapsed:.2f} s ({per / elapsed:.0f}/s in process, one thread)")
    print(f"    {1000 * cpu / per:.2f} ms of this process's CPU per request (web side only)")
    print(f"{total / per:.2f} SQL statements per request")
    for verb, n in statements.most_common():
        print(f"    {verb:<10} {n / per:.2f}")
    print(f"    Redis round trips per request: {redis_calls['round trips'] / per:.2f}")
    if options.profile:
        stats = pstats.Stats(profiler).sort_stats(options.sort)
        stats.print_stats(options.rows)


if __name__ == "__main__":
    main()
