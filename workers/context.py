"""The worker process's runtime, built once in the worker entry (or by tests).

A job run by a bare `rq worker` builds it from the environment on first use.
The engine uses NullPool, so nothing pooled crosses RQ's fork.
"""

from __future__ import annotations

from gateway.config import Settings
from gateway.runtime import Runtime, build_runtime

_runtime: Runtime | None = None


def configure(settings: Settings | None = None, *, runtime: Runtime | None = None) -> Runtime:
    global _runtime
    _runtime = runtime or build_runtime(settings or Settings.from_env(), for_worker=True)
    return _runtime


def current() -> Runtime:
    return _runtime if _runtime is not None else configure()
