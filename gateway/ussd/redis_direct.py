"""The USSD hop's own path to Redis: one connection per thread, outside the client's pool.

A hop reads once (``read``) and writes once without waiting (``send_without_reply``). Going
through ``Redis.execute_command`` and the pool costs more CPU than the round trip itself
(locks, a readiness poll on every checkout, retry and observability wrappers), so each
thread keeps one connection made with the pool's own settings (address, timeouts, health
check), made again after a fork or for another client.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from redis import Redis
from redis.exceptions import ConnectionError, ResponseError

Command = tuple[str | int, ...]

_SKIP_NEXT = b"*3\r\n$6\r\nCLIENT\r\n$5\r\nREPLY\r\n$4\r\nSKIP\r\n"  # CLIENT REPLY SKIP, packed
_local = threading.local()
_SKIP_SUPPORT: dict[int, bool] = {}


def connection(redis: Redis) -> Any:
    """This thread's connection to ``redis``'s server (redis-py's Connection is untyped)."""
    pool: Any = redis.connection_pool
    held = getattr(_local, "held", None)
    if held is None or held[0] is not pool or held[1] != os.getpid():
        if held is not None and held[1] == os.getpid():
            held[2].disconnect()
        held = (pool, os.getpid(), pool.connection_class(**pool.connection_kwargs))
        _local.held = held
    return held[2]


def read(redis: Redis, *command: str | int) -> Any:
    """Send one command and return its reply; a connection the server dropped (restart,
    idle timeout) is made again and the command sent once more. A timeout is not retried:
    a hung server would cost the caller the socket timeout twice."""
    conn = connection(redis)
    try:
        try:
            conn.send_command(*command)
            return conn.read_response()
        except ConnectionError:
            conn.disconnect()
            conn.send_command(*command)
            return conn.read_response()
    except BaseException:
        conn.disconnect()  # never leave a half-read reply on the connection
        raise


def skips_replies(redis: Redis) -> bool:
    """Whether this server lets us use CLIENT REPLY SKIP (asked once per connection pool).

    An ACL without +client or a proxy refuses it; sending it anyway would leave unread
    replies on the connection."""
    key = id(redis.connection_pool)
    if key not in _SKIP_SUPPORT:
        try:
            client: Any = redis  # redis-py's execute_command is untyped
            client.execute_command("CLIENT", "REPLY", "ON")
            _SKIP_SUPPORT[key] = True
        except ResponseError:
            _SKIP_SUPPORT[key] = False
    return _SKIP_SUPPORT[key]


def send_without_reply(redis: Redis, commands: list[Command]) -> None:
    """Write commands with ``CLIENT REPLY SKIP`` before each: no reply comes back, so the
    connection has nothing left to read."""
    conn = connection(redis)
    try:
        packed = b"".join([_SKIP_NEXT + b"".join(conn.pack_command(*cmd)) for cmd in commands])
        conn.send_packed_command([packed])
    except BaseException:
        conn.disconnect()
        raise
