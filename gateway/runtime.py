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
    engine = make_engine(settings.database_url, for_worker=for_worker)
    redis = Redis.from_url(
        settings.redis_url,
        socket_connect_timeout=2,
        socket_timeout=5,
        health_check_interval=30,
        protocol=2,
    )
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine),
        redis=redis,
        sender=make_sender(settings),
    )
