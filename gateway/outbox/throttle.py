"""A recipients-per-second limit shared by every worker on every machine, kept in Redis.

GCRA (the generic cell rate algorithm, a token bucket stored as one timestamp):
Redis keeps the *theoretical arrival time* (TAT) of the next free token in
microseconds of Redis server time. One Lua script reads the clock with ``TIME``,
reserves ``n`` tokens by moving the TAT forward and answers how long the caller
must wait before using them. Because the script runs atomically on the server and
uses the server clock, any number of processes share one limit and their own clocks
do not matter (the wait is a duration).

Reservations are made in the future: a request larger than the burst is always
granted, the caller just sleeps longer. Callers are served in the order their
reservations reach Redis.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

DEFAULT_KEY = "suara:throttle:sms"

# KEYS[1]: the TAT key. ARGV: n, interval_us, burst_us, max_wait_us (-1: no limit).
# Returns {granted (0|1), wait_us}. Nothing is reserved when not granted.
_GCRA_LUA = """
local n = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local max_wait = tonumber(ARGV[4])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local new_tat = tat + n * interval
local wait = new_tat - burst - now
if wait < 0 then wait = 0 end
if max_wait >= 0 and wait > max_wait then
  return {0, math.ceil(wait)}
end
local ttl_ms = math.ceil((new_tat - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', ttl_ms)
return {1, math.ceil(wait)}
"""


class ThrottleTimeout(Exception):
    """Acquiring would take longer than ``max_wait``; no tokens were reserved."""

    def __init__(self, wait: float, max_wait: float) -> None:
        super().__init__(f"throttle needs {wait:.3f}s, more than max_wait={max_wait:.3f}s")
        self.wait = wait
        self.max_wait = max_wait


class RecipientThrottle:
    """Limit recipients per second across processes.

    ``rate_per_second <= 0`` means unthrottled: ``acquire`` returns at once and
    never touches Redis. ``burst`` (tokens, default one second's worth and at
    least 1) is how many recipients may go at once after an idle period.
    """

    def __init__(
        self,
        redis_client: Any,
        rate_per_second: float,
        key: str = DEFAULT_KEY,
        burst: float | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if burst is not None and burst <= 0:
            raise ValueError("burst must be positive")
        self.rate = float(rate_per_second)
        self.key = key
        self.burst = burst if burst is not None else max(1.0, self.rate)
        self._sleep = sleep
        self._script = redis_client.register_script(_GCRA_LUA) if self.enabled else None

    @property
    def enabled(self) -> bool:
        return self.rate > 0 and math.isfinite(self.rate)

    def acquire(self, n: int, *, max_wait: float | None = None) -> float:
        """Block until ``n`` recipient tokens are ours; return the seconds waited.

        With ``max_wait``, raise :class:`ThrottleTimeout` (reserving nothing)
        instead of waiting longer than that.
        """
        if n < 0:
            raise ValueError("n must not be negative")
        if n == 0 or self._script is None:
            return 0.0
        wait = self._reserve(n, max_wait)
        if wait > 0:
            self._sleep(wait)
        return wait

    def _reserve(self, n: int, max_wait: float | None) -> float:
        interval_us = 1_000_000 / self.rate
        max_wait_us = -1 if max_wait is None else max(0, round(max_wait * 1_000_000))
        assert self._script is not None
        granted, wait_us = self._script(
            keys=[self.key],
            args=[n, repr(interval_us), repr(self.burst * interval_us), max_wait_us],
        )
        wait = int(wait_us) / 1_000_000
        if not int(granted):
            raise ThrottleTimeout(wait, max_wait if max_wait is not None else 0.0)
        return wait
