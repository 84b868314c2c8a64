"""The USSD hop served in front of Flask: the same answers, and Flask keeps every refusal."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select
from werkzeug.test import Client, EnvironBuilder, run_wsgi_app

from gateway.models import Feedback
from gateway.ussd import hop
from gateway.ussd.fast import UssdFastPath
from gateway.ussd.hop import SORRY
from tests.integration.ussd_helpers import USSD, Dial, free_port

pytestmark = pytest.mark.integration
FORM = "application/x-www-form-urlencoded"

WALKS = [
    ("4", "1", "98", "0", "2"),  # info pages, paging and back
    ("3", "1234567"),  # a ticket with a wrong check digit
    ("5", "1", "3", "4", "9"),  # the survey, then an impossible answer
    ("9", "2", "4"),  # English, then the info menu
    ("1", "7", "2", "00"),  # half a report, then home
]


class Handed:
    """Flask behind the fast path, remembering which requests reached it."""

    def __init__(self, app: Any) -> None:
        self.flask = app.wsgi_app.flask_wsgi
        self.paths: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        self.paths.append(environ["PATH_INFO"])
        return self.flask(environ, start_response)


@pytest.fixture
def handed(app):
    return Handed(app)


@pytest.fixture
def fast(app, handed):
    return Client(UssdFastPath(app, handed))


def test_the_app_serves_hops_through_the_fast_path(app):
    assert isinstance(app.wsgi_app, UssdFastPath)


@pytest.mark.parametrize("walk", WALKS)
def test_a_walk_gets_the_same_screens_as_through_flask(app, fast, handed, walk):
    flask_only = Client(handed.flask)
    mine = Dial(fast, "ATUid_fast", "+6281211110001")
    theirs = Dial(flask_only, "ATUid_flask", "+6281211110002")
    assert mine.start() == theirs.start()
    for key in walk:
        assert mine.press(key) == theirs.press(key)
    assert handed.paths == []  # the fast path answered every hop itself


def test_a_report_is_filed_and_its_database_session_given_back(fast, rt, handed):
    body = Dial(fast, "ATUid_report").press("1", "7", "2", "SDN 1", "Atap bocor", "1", "1")
    assert body.startswith("END ") and "tiket" in body
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Feedback)) == 1
    assert rt.engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert handed.paths == []


@pytest.mark.parametrize(
    ("request_kwargs", "status"),
    [
        ({"data": {"sessionId": "ATUid_x", "text": ""}}, 400),  # no phoneNumber
        ({"data": b"sessionId=ATUid_x&phoneNumber=%2B6281234567890&text=%FF"}, 400),
        ({"data": "text=" + "A" * 60_000}, 413),
        ({"method": "PUT", "data": {"sessionId": "ATUid_x"}}, 405),
        ({"method": "HEAD"}, 400),  # Flask answers HEAD as the GET it allows
    ],
)
def test_refusals_come_from_flask_with_the_body_intact(fast, handed, request_kwargs, status):
    kwargs = {"method": "POST", "content_type": FORM}
    resp = fast.open(USSD, **(kwargs | request_kwargs))
    assert resp.status_code == status
    assert handed.paths == [USSD]


def test_a_body_shorter_than_announced_is_a_400(fast, handed):
    builder = EnvironBuilder(path=USSD, method="POST", data=b"sessionId=ATUid_x", content_type=FORM)
    environ = builder.get_environ()
    environ["CONTENT_LENGTH"] = "500"
    assert fast.open(environ).status_code == 400
    assert handed.paths == [USSD]


def test_a_caller_gone_mid_body_is_a_400(app, handed):
    class Broken:
        def read(self, *_: Any) -> bytes:
            raise OSError("connection reset by peer")

    environ = EnvironBuilder(path=USSD, method="POST", data=b"x" * 80).get_environ()
    environ["wsgi.input"] = Broken()
    statuses: list[str] = []
    b"".join(UssdFastPath(app, handed)(environ, lambda status, *_: statuses.append(status)))
    assert statuses == ["400 BAD REQUEST"]
    assert handed.paths == [USSD]


def test_a_chunked_body_without_length_is_left_to_flask(fast, handed):
    builder = EnvironBuilder(path=USSD, method="POST", data=b"sessionId=ATUid_x&text=")
    environ = builder.get_environ()
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True
    resp = fast.open(environ)
    assert resp.status_code == 400 and "phoneNumber" in resp.get_data(as_text=True)
    assert handed.paths == [USSD]


def test_a_get_hop_is_answered_like_a_post(fast, handed):
    resp = fast.get(USSD, query_string={"sessionId": "ATUid_g", "phoneNumber": "+6281234567890"})
    assert resp.status_code == 200 and resp.get_data(as_text=True).startswith("CON ")
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert handed.paths == []


def test_the_token_is_checked_before_anything_is_read(make_app, settings):
    app = make_app(settings.with_overrides(webhook_token="right-token"))
    handed = Handed(app)
    fast = Client(UssdFastPath(app, handed))
    form = {"sessionId": "ATUid_t", "phoneNumber": "+6281234567890", "text": ""}
    assert fast.post(USSD, data=form).status_code == 403
    assert fast.post(USSD + "?token=wrong", data=form).status_code == 403
    assert fast.post(USSD + "?token=right-token&token=wrong", data=form).status_code == 200
    assert fast.post(USSD + "?token=wrong&token=right-token", data=form).status_code == 403
    assert handed.paths == [USSD, USSD, USSD]


def test_a_database_that_is_down_gets_the_apology_not_an_error(make_app, settings):
    app = make_app(settings)
    app.extensions["suara"].sessions.configure(bind=_unreachable_engine())
    resp = app.test_client().post(
        USSD, data={"sessionId": "ATUid_db", "phoneNumber": "+6281234567890", "text": ""}
    )  # a first hop from an unknown number reads the caller's language
    assert resp.status_code == 200
    assert resp.get_data(as_text=True) == f"END {SORRY}"


def test_an_unexpected_error_is_logged_and_answered_503(client, monkeypatch, caplog):

    def broken_tree() -> None:
        raise RuntimeError("menu file unreadable")

    monkeypatch.setattr(hop, "tree", broken_tree)
    with caplog.at_level(logging.ERROR):
        resp = client.post(
            USSD, data={"sessionId": "ATUid_boom", "phoneNumber": "+6281234567890", "text": "4"}
        )
    assert resp.status_code == 503
    assert "unhandled error on /webhooks/africastalking/ussd" in caplog.text
    assert "menu file unreadable" in caplog.text


def test_hops_are_counted_under_the_views_name(client):
    def answered() -> float:
        labels = {"endpoint": "webhooks.receive_ussd", "status": "200"}
        return REGISTRY.get_sample_value("suara_webhook_requests_total", labels) or 0.0

    before = answered()
    Dial(client, "ATUid_m").press("4", "1")
    assert answered() == before + 3


def _unreachable_engine() -> Any:
    from sqlalchemy import create_engine

    return create_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test")


def chunked_environ(body: bytes) -> dict[str, Any]:
    """What gunicorn hands over for `Transfer-Encoding: chunked`: no length, an ended stream.
    (Run directly: `Client.open` would rebuild it with a length.)"""
    environ = EnvironBuilder(path=USSD, method="POST", data=body, content_type=FORM).get_environ()
    del environ["CONTENT_LENGTH"]
    environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    environ["wsgi.input_terminated"] = True
    return environ


def test_a_chunked_hop_is_answered_here_and_one_over_the_cap_gets_flasks_413(app, handed):
    fast = UssdFastPath(app, handed)
    hop_body = b"sessionId=ATUid_c&phoneNumber=%2B6281234567890&text=&pad="
    body, status, _ = run_wsgi_app(fast, chunked_environ(hop_body), buffered=True)
    assert status == "200 OK" and b"".join(body).startswith(b"CON ")
    assert handed.paths == []
    oversized = hop_body + b"A" * (48 * 1024 + 1 - len(hop_body))
    assert run_wsgi_app(fast, chunked_environ(oversized), buffered=True)[1].startswith("413 ")
    assert handed.paths == [USSD]


def test_a_caller_gone_mid_chunked_body_is_a_400(app, handed):
    class Broken:
        def read(self, *_: Any) -> bytes:
            raise OSError("connection reset by peer")

    environ = chunked_environ(b"")
    environ["wsgi.input"] = Broken()
    assert run_wsgi_app(UssdFastPath(app, handed), environ, buffered=True)[1] == "400 BAD REQUEST"
