"""`python -m gateway.devcheck`: tell a newcomer what is missing before `make run` starts."""

from __future__ import annotations

import sys

from redis import Redis
from redis.exceptions import RedisError

from gateway.config import Settings
from gateway.errors import ConfigError


def main() -> int:
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"suara: configuration error: {exc}", file=sys.stderr)
        return 2
    try:
        Redis.from_url(settings.redis_url, socket_connect_timeout=2).ping()
    except RedisError:
        print(
            f"suara: Redis is not reachable at {settings.redis_url}.\n"
            "  Start it, e.g.: redis-server --daemonize yes --port 6379 --save ''\n"
            "  (Debian/Ubuntu: sudo apt-get install redis-server), or set REDIS_URL.",
            file=sys.stderr,
        )
        return 3
    print(
        f"suara: database {settings.database_url.split('@')[-1]}, provider {settings.sms_provider}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
