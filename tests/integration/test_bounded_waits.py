"""A sick Redis or PostgreSQL must not hang a caller: the USSD hop answers within 1 s, a
webhook whose database is unreachable answers 5xx within the connect timeout (so Africa's
Talking retries). The faults come from `tests.faultproxy.FaultProxy` in front of the real
servers; the statement timeout is met with a real lock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine

from gateway.config import Settings
from gateway.models import Feedback, InboundMessage, OutboundMessage
from gateway.outbox.enqueue import TRANSACTIONAL_QUEUE
from gateway.runtime import build_runtime
from gateway.ussd.hop import SORRY
from tests.faultproxy import FaultProxy
from tests.integration.ussd_helpers import PHONE, Dial
from workers.sweeper import sweep

pytestmark = pytest.mark.integration

SMS = "/webhooks/africastalking/sms"
REPORT = ("1", "7", "1", "1", "Atap kelas 3 SDN 112 bocor*parah", "1", "1")
BOUND = 1.0  # seconds: a hop, or an SMS webhook, with a sick server
SLOW_WAIT_MS = 500
"""The Redis socket timeout and the statement timeout of these tests: a caller that waits on
the sick server once answers within `BOUND`, one that waits twice does not."""


@pytest.fixture
def redis_proxy(redis_url: str) -> Iterator[FaultProxy]:
    url = urlsplit(redis_url)
    proxy = FaultProxy(url.hostname or "127.0.0.1", url.port or 6379).start()
    yield proxy
    proxy.close()


@pytest.fixture
def pg_proxy(database_url: str) -> Iterator[FaultProxy]:
    if not database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL fault")
    url = urlsplit(database_url)
    proxy = FaultProxy(url.hostname or "127.0.0.1", url.port or 5432).start()
    yield proxy
    proxy.close()


def via(url: str, proxy: FaultProxy) -> str:
    """``url`` with its host and port replaced by the proxy's."""
    parts = urlsplit(url)
    user = parts.netloc.rpartition("@")[0]
    netloc = f"{user}@127.0.0.1:{proxy.port}" if user else f"127.0.0.1:{proxy.port}"
    return urlunsplit(parts._replace(netloc=netloc))


@pytest.fixture
def redis_via_proxy(make_app: Any, settings: Settings, redis_proxy: FaultProxy) -> Any:
    redis_url = via(settings.redis_url, redis_proxy)
    return make_app(
        settings.with_overrides(redis_url=redis_url, redis_socket_timeout_ms=SLOW_WAIT_MS)
    )


@pytest.fixture
def db_via_proxy(make_app: Any, settings: Settings, pg_proxy: FaultProxy) -> Any:
    app = make_app(settings.with_overrides(database_url=via(settings.database_url, pg_proxy)))
    app.extensions["suara"].engine.dispose()  # the hang starts before a connection is pooled
    return app


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


def screens(client: Any, inputs: tuple[str, ...]) -> list[str]:
    """The screens a healthy session shows for ``inputs``, one per press."""
    dial = Dial(client, "ATUid_healthy", phone="+6281299990000")
    dial.start()
    return [dial.press(value) for value in inputs]


def sms(client: Any, body: str, msg_id: str = "ec9adc86-51d5-4bc8-8eb0-d8ab0bb53dc3") -> Any:
    form = {"from": PHONE, "to": "1708", "text": body, "date": "2026-11-28 06:04:45", "id": msg_id}
    return client.post(SMS, data=form)


def count(rt: Any, model: Any) -> int:
    with rt.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def direct(redis_url: str) -> Iterator[Redis]:
    """Redis itself, not through the proxy."""
    client = Redis.from_url(redis_url)
    yield client
    client.close()


def test_a_hop_with_redis_hung_answers_within_a_second_by_replaying_text(
    redis_via_proxy: Any, redis_proxy: FaultProxy
) -> None:
    client = redis_via_proxy.test_client()
    expected = screens(client, ("1", "7"))
    dial = Dial(client)
    dial.press("1")
    redis_proxy.hang()
    body, took = timed(lambda: dial.press("7"))
    assert (body, took < BOUND) == (expected[1], True), took
    fresh = Dial(client, "ATUid_new", phone="+6281277770000")
    body, took = timed(fresh.start)
    assert body.startswith("CON Suara Disdik Labura") and took < BOUND, took


def test_a_final_hop_with_redis_hung_files_once_and_the_sweeper_sends_later(
    make_app: Any, settings: Settings, redis_proxy: FaultProxy, direct: Redis
) -> None:
    app = make_app(
        settings.with_overrides(
            redis_url=via(settings.redis_url, redis_proxy),
            redis_socket_timeout_ms=SLOW_WAIT_MS,
            sms_sweep_grace_seconds=0,
        )
    )
    rt, dial = app.extensions["suara"], Dial(app.test_client())
    dial.press(*REPORT[:-1])
    redis_proxy.hang()
    body, took = timed(lambda: dial.press(REPORT[-1]))
    assert body.startswith("END Terima kasih. Laporan diterima, nomor tiket ")
    assert took < BOUND, took
    assert (count(rt, Feedback), count(rt, OutboundMessage)) == (1, 1)
    queue = Queue(TRANSACTIONAL_QUEUE, connection=direct)
    assert queue.count == 0  # the row waits in the outbox, not in a lost enqueue
    redis_proxy.forward()
    sweep()
    assert queue.count == 1


def test_an_sms_with_redis_hung_is_answered_within_a_second_and_its_reply_kept(
    redis_via_proxy: Any, redis_proxy: FaultProxy
) -> None:
    client, rt = redis_via_proxy.test_client(), redis_via_proxy.extensions["suara"]
    redis_proxy.hang()
    resp, took = timed(lambda: sms(client, "LAPOR kursi kelas 2 patah"))
    assert (resp.status_code, took < BOUND) == (200, True), took
    with rt.sessions() as s:
        assert s.scalars(select(OutboundMessage.status)).all() == ["queued"]


def test_a_redis_dropping_connections_mid_session_then_back_loses_nothing(
    redis_via_proxy: Any, redis_proxy: FaultProxy, direct: Redis
) -> None:
    client, rt = redis_via_proxy.test_client(), redis_via_proxy.extensions["suara"]
    expected = screens(client, REPORT)
    dial = Dial(client)
    dial.press(*REPORT[:2])
    redis_proxy.drop()
    body, took = timed(lambda: dial.press(REPORT[2]))
    assert (body, took < BOUND) == (expected[2], True), took
    redis_proxy.forward()
    assert [dial.press(value) for value in REPORT[3:-1]] == expected[3:-1]
    assert direct.exists(f"ussd:state:{dial.session_id}")
    assert dial.press(REPORT[-1]).startswith("END Terima kasih. Laporan diterima")
    assert count(rt, Feedback) == 2  # the healthy session's and this one's
    assert Queue(TRANSACTIONAL_QUEUE, connection=direct).count == 2


def test_a_redis_slower_than_the_timeout_counts_as_hung_and_its_late_reply_is_dropped(
    redis_via_proxy: Any, redis_proxy: FaultProxy
) -> None:
    client = redis_via_proxy.test_client()
    expected = screens(client, REPORT[:4])
    dial = Dial(client)
    dial.press(REPORT[0])
    redis_proxy.slow(1.0)
    body, took = timed(lambda: dial.press(REPORT[1]))
    assert (body, took < BOUND) == (expected[1], True), took
    redis_proxy.forward()
    assert [dial.press(value) for value in REPORT[2:4]] == expected[2:4]


def test_an_sms_with_postgresql_hung_answers_503_within_the_connect_timeout(
    db_via_proxy: Any, pg_proxy: FaultProxy, settings: Settings
) -> None:
    client, rt = db_via_proxy.test_client(), db_via_proxy.extensions["suara"]
    pg_proxy.hang()
    resp, took = timed(lambda: sms(client, "LAPOR atap bocor"))
    assert resp.status_code == 503
    assert took < settings.database_connect_timeout + 0.5, took
    pg_proxy.forward()
    assert sms(client, "LAPOR atap bocor").status_code == 200  # Africa's Talking's retry
    assert count(rt, InboundMessage) == 1


def test_a_hop_with_postgresql_hung_answers_the_apology_within_the_connect_timeout(
    db_via_proxy: Any, pg_proxy: FaultProxy, settings: Settings
) -> None:
    pg_proxy.hang()
    body, took = timed(Dial(db_via_proxy.test_client()).start)  # a new caller: language?
    assert body == f"END {SORRY}"
    assert took < settings.database_connect_timeout + 0.5, took


class TableLock:
    """Holds a write lock on ``inbound_messages`` from another connection until released
    (or ``hold`` seconds pass, so a gateway without a statement timeout fails, not hangs)."""

    def __init__(self, database_url: str, hold: float = 3.0) -> None:
        self.engine: Engine = create_engine(database_url)
        self.hold, self.locked, self.released = hold, threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TableLock:
        self.thread.start()
        assert self.locked.wait(5)
        return self

    def __exit__(self, *_exc: object) -> None:
        self.released.set()
        self.thread.join()
        self.engine.dispose()

    def _run(self) -> None:
        with self.engine.connect() as conn:
            if self.engine.dialect.name == "postgresql":
                conn.execute(text("LOCK TABLE inbound_messages IN ACCESS EXCLUSIVE MODE"))
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # SQLite: the one writer lock
            self.locked.set()
            self.released.wait(self.hold)
            conn.rollback()


def test_an_sms_waiting_on_a_lock_past_the_statement_timeout_answers_503(
    make_app: Any, settings: Settings
) -> None:
    app = make_app(settings.with_overrides(database_statement_timeout_ms=SLOW_WAIT_MS))
    client, rt = app.test_client(), app.extensions["suara"]
    with TableLock(settings.database_url):
        resp, took = timed(lambda: sms(client, "LAPOR atap bocor"))
    assert (resp.status_code, took < BOUND) == (503, True), took
    assert sms(client, "LAPOR atap bocor").status_code == 200  # Africa's Talking's retry
    assert (count(rt, InboundMessage), count(rt, Feedback)) == (1, 1)


@pytest.mark.parametrize(("for_worker", "expected"), [(False, 300), (True, 90000)])
def test_workers_may_wait_longer_on_a_statement_than_web_requests(
    settings: Settings, for_worker: bool, expected: int
) -> None:
    rt = build_runtime(
        settings.with_overrides(
            database_statement_timeout_ms=300, worker_database_statement_timeout_ms=90000
        ),
        for_worker=for_worker,
    )
    with rt.engine.connect() as conn:
        if rt.engine.dialect.name == "postgresql":
            shown = conn.exec_driver_sql("SHOW statement_timeout").scalar()
            assert shown == ("300ms" if expected == 300 else "90s")
        else:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == expected
    rt.engine.dispose()
    rt.redis.close()
