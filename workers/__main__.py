"""Worker entry: `python -m workers`. Reads settings once, then runs RQ.

Transactional messages (confirmations, status replies) are listed first, so RQ
always takes them before broadcasts.
"""

from __future__ import annotations

import logging
import sys

from redis.exceptions import RedisError
from rq import Queue, Worker

from gateway.config import Settings
from gateway.errors import ConfigError
from gateway.queueing import QUEUES
from workers.context import configure


def main() -> int:
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"suara worker: configuration error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    rt = configure(settings)
    try:
        rt.redis.ping()
    except RedisError as exc:
        print(f"suara worker: Redis is not reachable ({exc}); start it first", file=sys.stderr)
        return 3
    import workers.sms  # noqa: F401  preload job code before forking

    queues = [Queue(name, connection=rt.redis) for name in QUEUES]
    Worker(queues, connection=rt.redis).work(with_scheduler=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
