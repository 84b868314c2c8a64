"""`python -m gateway.devcheck`: tell a newcomer what is missing before `make run` starts."""

from __future__ import annotations

import sys

from redis import Redis
from redis.exceptions import AuthenticationError, RedisError

from gateway.config import Settings, mask_url_passwords
from gateway.errors import ConfigError


def main() -> int:
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        print(f"suara: configuration error: {exc}", file=sys.stderr)
        return 2
    try:
        Redis.from_url(settings.redis_url, socket_connect_timeout=2).ping()
    except AuthenticationError:
        redis_url = mask_url_passwords(settings.redis_url)
        print(f"suara: Redis at {redis_url} refused the password in REDIS_URL", file=sys.stderr)
        return 3
    except RedisError:
        print(
            f"suara: Redis is not reachable at {mask_url_passwords(settings.redis_url)}.\n"
            "  Start it, e.g.: redis-server --daemonize yes --port 6379 --save ''\n"
            "  (Debian/Ubuntu: sudo apt-get install redis-server), or set REDIS_URL.",
            file=sys.stderr,
        )
        return 3
    database = mask_url_passwords(settings.database_url)
    print(f"suara: database {database}, provider {settings.sms_provider}")
    for warning in settings.start_warnings():
        print(f"suara: warning: {warning}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
