"""Worker entry: `python -m workers`. Reads settings once, then runs RQ.

Transactional messages (confirmations, status replies) are listed first, so RQ
always takes them before broadcasts.
"""

from __future__ import annotations

import sys

from redis.exceptions import RedisError
from rq import Queue, Worker

from gateway.config import Settings, mask_url_passwords
from gateway.errors import ConfigError
from gateway.logs import start_logging
from gateway.outbox.enqueue import QUEUES
from workers.context import configure
from workers.sweeper import sweep_if_due


def main() -> int:
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"suara worker: configuration error: {exc}", file=sys.stderr)
        return 2
    start_logging(settings)
    rt = configure(settings)
    try:
        rt.redis.ping()
    except RedisError as exc:
        reason = mask_url_passwords(str(exc))
        print(f"suara worker: Redis is not reachable ({reason}); start it first", file=sys.stderr)
        return 3
    import workers.erasure  # noqa: F401  preload job code before forking
    import workers.lifecycle  # noqa: F401
    import workers.polls  # noqa: F401
    import workers.sms  # noqa: F401

    queues = [Queue(name, connection=rt.redis) for name in QUEUES]
    worker = SweepingWorker(
        queues, connection=rt.redis, maintenance_interval=settings.sms_sweep_interval_seconds
    )
    worker.work(with_scheduler=True, logging_level=settings.log_level)
    return 0


class SweepingWorker(Worker):
    """An RQ worker whose maintenance loop also runs the outbox sweeper.

    Maintenance runs in the parent process between jobs and at least every
    `dequeue_timeout` seconds when idle; the sweep lock makes one sweep per interval.
    """

    @property
    def dequeue_timeout(self) -> int:
        return max(1, min(self.worker_ttl - 15, int(self.maintenance_interval)))

    def run_maintenance_tasks(self) -> None:
        super().run_maintenance_tasks()  # type: ignore[no-untyped-call]
        sweep_if_due()


if __name__ == "__main__":
    sys.exit(main())
