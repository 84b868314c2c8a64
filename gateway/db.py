"""Engine and session factory. A session per request (web) and per job (worker).

Workers fork per job (RQ's default), so the worker engine uses `NullPool`: no pooled
connection is ever carried across a fork.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Engine, Insert, Table, create_engine, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool


def make_engine(database_url: str, *, for_worker: bool = False) -> Engine:
    kwargs: dict[str, Any] = {}
    if database_url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    if for_worker:
        kwargs["poolclass"] = NullPool
    elif not database_url.startswith("sqlite"):
        kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=5)
    # hide_parameters: a database error in a log must not carry citizens' numbers or texts
    engine = create_engine(database_url, hide_parameters=True, **kwargs)
    if database_url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def table_of(model: Any) -> Table:
    """The Core table behind a mapped class (for Core statements on hot paths)."""
    table: Table = model.__table__
    return table


def ignoring_insert(session: Session, table: Table, *keys: str) -> Insert:
    """A reusable Core `INSERT … ON CONFLICT (keys) DO NOTHING RETURNING id` for `table`, on
    PostgreSQL and SQLite alike: one round trip instead of a SELECT, a savepoint and an
    INSERT. Without `keys`, a clash on any unique key is ignored. Built once per dialect
    and table; execute it with the row as parameters (no ORM bulk-insert machinery, which
    is most of the CPU of a one-row insert)."""
    return _ignoring_insert(session.get_bind().dialect.name, table, keys)


@cache
def _ignoring_insert(dialect: str, table: Table, keys: tuple[str, ...]) -> Insert:
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(table).on_conflict_do_nothing(index_elements=list(keys) or None)
    return stmt.returning(table.c.id)


def migrate(database_url: str, revision: str = "head") -> None:
    """Apply the Alembic migrations to `database_url` (operators, tests and benchmarks)."""
    from alembic import command
    from alembic.config import Config

    from gateway.config import PROJECT_ROOT

    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.attributes["database_url"] = database_url
    command.upgrade(cfg, revision)
