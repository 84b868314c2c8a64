"""Engine and session factory. A session per request (web) and per job (worker).

Workers fork per job (RQ's default), so the worker engine uses `NullPool`: no pooled
connection is ever carried across a fork.
"""

from __future__ import annotations

from functools import cache, partial
from typing import Any

from sqlalchemy import Engine, Insert, Table, create_engine, event, make_url
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

SQLITE_BUSY_MS = 30000
"""SQLite's wait for a lock when no statement timeout is set."""


def make_engine(
    database_url: str,
    *,
    for_worker: bool = False,
    connect_timeout: int | None = None,
    statement_timeout_ms: int = 0,
) -> Engine:
    """``connect_timeout`` (seconds) bounds making a connection, ``statement_timeout_ms`` each
    statement (0: no bound), so a sick database answers the caller an error instead of
    holding it. On SQLite the statement timeout is the busy timeout (a lock's wait)."""
    kwargs: dict[str, Any] = {}
    if database_url.startswith("sqlite"):
        busy_ms = statement_timeout_ms or SQLITE_BUSY_MS
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": busy_ms / 1000}
    else:
        kwargs["connect_args"] = _pg_timeouts(database_url, connect_timeout, statement_timeout_ms)
    if for_worker:
        kwargs["poolclass"] = NullPool
    elif not database_url.startswith("sqlite"):
        kwargs.update(pool_pre_ping=True, pool_size=5, max_overflow=5)
    # hide_parameters: a database error in a log must not carry citizens' numbers or texts
    engine = create_engine(database_url, hide_parameters=True, **kwargs)
    if database_url.startswith("sqlite"):
        event.listen(engine, "connect", partial(_sqlite_pragmas, busy_ms))
    return engine


def _pg_timeouts(
    database_url: str, connect_timeout: int | None, statement_ms: int
) -> dict[str, Any]:
    """psycopg's ``connect_timeout`` and the server-side ``statement_timeout``, sent with the
    connection's startup packet (no extra round trip) after any ``options`` of the URL."""
    args: dict[str, Any] = {}
    if connect_timeout:
        args["connect_timeout"] = connect_timeout
    if statement_ms:
        given = make_url(database_url).query.get("options", ())
        options = [given] if isinstance(given, str) else list(given)
        args["options"] = " ".join([*options, f"-c statement_timeout={statement_ms}"])
    return args


def _sqlite_pragmas(busy_ms: int, dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
    cur.close()


_GONE_CLASSES = ("08", "53", "57")
"""SQLSTATE classes of a database that is gone or too busy: connection exception,
insufficient resources (too many connections), operator intervention (statement timeout,
shutdown). A client-side connection failure (refused, timed out, lost) has no SQLSTATE."""
_SQLITE_BUSY = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED: a lock held past the busy timeout


def database_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database could not be reached or did not answer in time
    (connect or statement timeout, a lost connection, a lock held too long), not that a
    statement was wrong: trying again at once would only wait again."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    sqlite_code = getattr(exc.orig, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return sqlite_code & 0xFF in _SQLITE_BUSY
    state = getattr(exc.orig, "sqlstate", None)
    return isinstance(exc, OperationalError) and (state is None or state[:2] in _GONE_CLASSES)


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
