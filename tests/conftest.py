"""Shared fixtures.

Unit tests need none of these. Integration tests get a real database (a throwaway
PostgreSQL schema by default, or SQLite when TEST_DATABASE_URL=sqlite:///…) migrated
with Alembic, and a real Redis database index that is flushed before each test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pytest_httpserver import HTTPServer
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, SimpleWorker
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from gateway import create_app
from gateway.citizens.info import clear_info_cache
from gateway.config import Settings, mask_url_passwords
from gateway.db import migrate
from gateway.models import Base
from gateway.outbox.enqueue import QUEUES
from gateway.runtime import Runtime, build_runtime
from tests.fake_at import FakeAfricasTalking
from workers import context

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    configured = os.environ.get("TEST_DATABASE_URL", "")
    if configured.startswith("sqlite"):
        path = tmp_path_factory.mktemp("db") / "suara-test.db"
        url = f"sqlite:///{path}"
        migrate(url)
        yield url
        return
    admin_url = configured or PG_ADMIN_URL
    schema = f"suara_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, connect_args={"connect_timeout": 3})
    try:
        admin.connect().close()
    except OperationalError:
        shown = mask_url_passwords(admin_url)
        pytest.exit(
            f"PostgreSQL is not reachable at {shown} (the tests use user postgres, database "
            "test): start it, set TEST_DATABASE_URL, or run `make test-sqlite`",
            returncode=3,
        )
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in admin_url else "?"
    url = f"{admin_url}{sep}options=-csearch_path%3D{schema}"
    try:
        migrate(url)
        yield url
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    except RedisError:
        pytest.exit(
            f"Redis is not reachable at {mask_url_passwords(url)}: start it "
            "(redis-server --daemonize yes) or set TEST_REDIS_URL",
            returncode=3,
        )
    return url


@pytest.fixture
def settings(database_url: str, redis_url: str) -> Settings:
    """Quiet hours off: a test must not pass by day and fail by night (21:00-07:00 WIB).
    Tests of quiet hours set their own window around the current time."""
    return Settings(
        database_url=database_url, redis_url=redis_url, sms_replies_per_hour=100, quiet_hours=""
    )


@pytest.fixture
def make_app(database_url: str, redis_url: str) -> Iterator[object]:
    """Build an app (and the matching worker runtime) for given settings."""
    built: list[Runtime] = []

    def factory(settings: Settings) -> Flask:
        web = build_runtime(settings)
        worker = build_runtime(settings, for_worker=True)
        built.extend([web, worker])
        context.configure(runtime=worker)
        _clean(web)
        app = create_app(settings, runtime=web)
        app.config["TESTING"] = True
        return app

    yield factory
    for rt in built:
        rt.engine.dispose()
        rt.redis.close()


def _clean(rt: Runtime) -> None:
    clear_info_cache()
    rt.redis.flushdb()
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with rt.engine.begin() as conn:
        if rt.engine.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:  # the append-only triggers refuse DELETE: lift them for the wipe
            triggers = conn.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            ).all()
            for name, _sql in triggers:
                conn.execute(text(f"DROP TRIGGER {name}"))
            for name in tables:
                conn.execute(text(f"DELETE FROM {name}"))
            for _name, sql in triggers:
                conn.execute(text(sql))


@pytest.fixture
def app(make_app: object, settings: Settings) -> Flask:
    return make_app(settings)  # type: ignore[operator]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def rt(app: Flask) -> Runtime:
    runtime: Runtime = app.extensions["suara"]
    return runtime


def run_jobs(redis: Redis) -> None:
    """Run every queued job in this process, the way a worker would (burst mode)."""
    queues = [Queue(name, connection=redis) for name in QUEUES]
    SimpleWorker(queues, connection=redis).work(burst=True, logging_level="WARNING")


@pytest.fixture
def fake_at(httpserver: HTTPServer) -> FakeAfricasTalking:
    """A local fake Africa's Talking send API (tests/fake_at.py) on pytest-httpserver."""
    fake = FakeAfricasTalking()
    httpserver.expect_request("/version1/messaging", method="POST").respond_with_handler(
        fake.handler
    )
    return fake


FIXTURES = Path(__file__).parent / "fixtures"


# The browser tier's one Chromium for the whole run (tests/browser/, tests/desk/*_browser.py):
# one Playwright per process, or a second `sync_playwright()` fails inside the first's loop.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    path = chromium_path()
    if path is None:
        message = "Debian's chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("SUARA_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
