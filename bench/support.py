"""What the benchmarks share: a throwaway migrated PostgreSQL schema and a free port."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text

from gateway.db import migrate

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def migrated_schema(prefix: str, admin_url: str = PG_ADMIN) -> Iterator[str]:
    """A new schema migrated to head; yields its URL and drops it afterwards, even on error."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    url = f"{admin_url}{'&' if '?' in admin_url else '?'}options=-csearch_path%3D{name}"
    try:
        migrate(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far (Linux /proc); 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            todo += [
                int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()
            ]
        except OSError:
            continue
    return found


def _named(command: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == command:
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


class CpuMeter:
    """CPU seconds spent by the server under test (a process tree), PostgreSQL and Redis
    between `start()` and `stop()`: where each request's cost goes, beside its rate.
    Processes that start or end inside the window count only for the part seen."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.spent: dict[str, float] = {}

    def _groups(self) -> dict[str, list[int]]:
        return {
            "server": _descendants(self.server_pid),
            "postgres": _named("postgres"),
            "redis": _named("redis-server"),
        }

    def _snapshot(self) -> dict[str, dict[int, float]]:
        return {name: {p: _cpu_seconds(p) for p in pids} for name, pids in self._groups().items()}

    def start(self) -> None:
        self._before = self._snapshot()

    def stop(self) -> dict[str, float]:
        after = self._snapshot()
        self.spent = {
            name: sum(cpu - self._before[name].get(pid, 0.0) for pid, cpu in procs.items())
            for name, procs in after.items()
        }
        return self.spent
