"""The process-wide parts built from `Settings`: engine, sessions, Redis, sender.

Built in `create_app` for the web tier and in the worker entry for workers; nothing
here connects at import time.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis import Redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from gateway.config import Settings
from gateway.db import make_engine, make_sessionmaker
from gateway.providers import Sender, make_sender


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    redis: Redis
    sender: Sender


def build_runtime(settings: Settings, *, for_worker: bool = False) -> Runtime:
    """The web tier waits briefly on a sick dependency (a hop must answer, a webhook must
    fail fast so the provider retries); workers may wait longer."""
    statement_ms = (
        settings.worker_database_statement_timeout_ms
        if for_worker
        else settings.database_statement_timeout_ms
    )
    engine = make_engine(
        settings.database_url,
        for_worker=for_worker,
        connect_timeout=settings.database_connect_timeout,
        statement_timeout_ms=statement_ms,
    )
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine),
        redis=make_redis(settings, for_worker=for_worker),
        sender=make_sender(settings),
    )


def make_redis(settings: Settings, *, for_worker: bool) -> Redis:
    """A client whose every call waits at most the tier's socket timeout (redis-py retries no
    call; a dropped pooled connection is made again when it is next checked out)."""
    ms = settings.worker_redis_socket_timeout_ms if for_worker else settings.redis_socket_timeout_ms
    return Redis.from_url(
        settings.redis_url,
        socket_connect_timeout=min(ms / 1000, 2.0),
        socket_timeout=ms / 1000,
        health_check_interval=30,
        protocol=2,
    )
