"""Bad networks: drops and resume, repeated hops, lost Redis state, garbage input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gateway.models import Feedback, OutboundMessage, SkmResponse, UssdSession
from tests.integration.ussd_helpers import USSD, Dial, add_consultation

pytestmark = pytest.mark.integration

SKM_START = ("5", "1", "3", "4")


def skm_rows(rt):
    with rt.sessions() as s:
        rows = s.scalars(select(SkmResponse).order_by(SkmResponse.id)).all()
        return [(r.answers, r.complete, r.ussd_session_id) for r in rows]


def test_dropped_survey_is_kept_incomplete_and_resumed_to_one_complete_row(client, rt):
    first = Dial(client, "ATUid_drop")
    first.press(*SKM_START)
    first.drop("Incomplete")
    assert skm_rows(rt) == [("34", False, "ATUid_drop")]
    again = Dial(client, "ATUid_redial")
    assert "Sesi Anda sebelumnya terputus" in again.start()
    assert "3/9" in again.press("1")
    assert again.press("4", "4", "3", "4", "4", "3", "4").startswith("END ")
    assert skm_rows(rt) == [("344434434", True, "ATUid_redial")]
    with rt.sessions() as s:
        assert s.scalar(select(UssdSession.status).where(UssdSession.session_id == "ATUid_drop"))


def test_starting_over_keeps_the_partial_answers_and_shows_the_main_menu(client, rt):
    Dial(client, "ATUid_drop").press(*SKM_START)  # no event at all: the hop left no END
    again = Dial(client, "ATUid_redial")
    again.start()
    assert "1 Lapor masalah" in again.press("2")
    assert skm_rows(rt) == [("34", False, "ATUid_drop")]
    assert "Sesi Anda" not in Dial(client, "ATUid_third").start()


def test_resumed_report_keeps_everything_typed_before_the_drop(client, rt):
    Dial(client, "ATUid_drop").press("1", "5", "2", "SDN 112233 Aek Kanopan")
    again = Dial(client, "ATUid_redial")
    again.start()
    again.press("1")
    body = again.press("Dana BOS dipotong kepala sekolah", "1", "1")
    assert "nomor tiket" in body
    with rt.sessions() as s:
        fb = s.scalar(select(Feedback))
        assert fb is not None and (fb.category, fb.school) == ("bos", "SDN 112233 Aek Kanopan")
        assert fb.ussd_session_id == "ATUid_redial"


def test_a_finished_session_is_not_offered_for_resuming(client, rt):
    Dial(client, "ATUid_done").press("9", "1")
    assert "Sesi Anda" not in Dial(client, "ATUid_next").start()


def test_repeated_hops_give_the_identical_body_and_no_second_record(client, rt):
    add_consultation(rt)
    dial = Dial(client)
    dial.press("7", "1")
    final_text = f"{dial.text}*1"
    bodies = {dial.post(final_text) for _ in range(3)}
    assert len(bodies) == 1 and bodies.pop().startswith("END ")
    middle = dial.post("7")
    assert middle == dial.post("7")
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(OutboundMessage)) == 2


def test_free_text_keeps_its_stars(client, rt):
    body = Dial(client).press("2", "Nilai *rapor* anak saya 7*8 salah", "1")
    assert "tiket" in body
    with rt.sessions() as s:
        assert s.scalar(select(Feedback.text)) == "Nilai *rapor* anak saya 7*8 salah"


def test_state_flushed_mid_session_still_files_the_report(client, rt):
    dial = Dial(client)
    dial.press("1", "7", "3", "1")
    rt.redis.flushdb()
    assert dial.press("Atap kelas 3 bocor sejak Oktober").startswith("CON ")
    body = dial.press("1", "1")
    assert "nomor tiket" in body
    with rt.sessions() as s:
        fb = s.scalar(select(Feedback))
        assert fb is not None and (fb.category, fb.kecamatan) == ("sarpras", "Kualuh Hilir")
    rt.redis.flushdb()
    assert dial.post(dial.text or "") == body  # the retry after a flush files nothing new
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Feedback)) == 1


GARBAGE = [
    "***",
    "*",
    "99*99*99",
    "0*0*0*0",
    "00*00",
    "98*98*98*98*97*97*97",
    "abc",
    "1*" + "x" * 900,
    "3*12345678901234567890",
    "3*%%%",
    "\u00e9\u00e8\U0001f600",
    "5*1*9*9*9",
    "6*1*1*1",
    "7*1*1*1",
    " ",
]


@pytest.mark.parametrize("text", GARBAGE)
def test_garbage_input_never_fails(client, text):
    body = Dial(client).post(text)
    assert body.startswith(("CON ", "END "))


def test_garbage_after_a_real_start_reasks(client):
    dial = Dial(client)
    dial.start()
    for text in ["x", "x*\u00e9", "x*\u00e9*00", "x*\u00e9*00*98"]:
        assert dial.post(text).startswith("CON ")


def test_unparseable_hop_is_a_400_not_a_500(client):
    resp = client.post(USSD, data={"sessionId": "ATUid_x", "text": ""})
    assert resp.status_code == 400


def test_state_is_saved_with_one_round_trip_when_the_server_refuses_client_reply(client, rt):
    """Behind an ACL or proxy that refuses CLIENT, saving falls back to a plain pipeline
    and the connection stays in step (no stray replies)."""
    from gateway.ussd import redis_direct

    redis_direct._SKIP_SUPPORT[id(rt.redis.connection_pool)] = False
    try:
        first = Dial(client, "ATUid_acl").press("4")
        assert first.startswith("CON ")
        again = Dial(client, "ATUid_acl").post("4")  # a retry: answered from saved state
        assert again == first
        assert rt.redis.get("ussd:state:ATUid_acl") is not None
    finally:
        redis_direct._SKIP_SUPPORT.pop(id(rt.redis.connection_pool), None)


def test_only_hops_that_need_the_database_open_a_session(client, rt, monkeypatch):
    dial = Dial(client, "ATUid_lazy")
    dial.start()  # a first hop may look up the caller's language
    opened: list[int] = []
    sessions = rt.sessions
    monkeypatch.setattr(rt, "sessions", lambda: opened.append(1) or sessions())
    dial.press("1", "7")  # static menus: nothing to read, nothing to file
    assert opened == []
    dial.press("1", "1", "Atap bocor", "1", "1")  # the report is filed
    assert opened


def test_a_connection_the_server_dropped_is_made_again_without_losing_the_state(client, rt, caplog):
    from gateway.ussd import redis_direct

    dial = Dial(client, "ATUid_killed")
    expected = Dial(client, "ATUid_fresh").press("4", "1")
    dial.press("4")
    rt.redis.client_kill_filter(_id=redis_direct.read(rt.redis, "CLIENT", "ID"))
    assert dial.press("1") == expected
    assert "unreadable" not in caplog.text


def test_a_redis_server_that_stops_answering_reads_as_lost_state_within_the_timeout(caplog):
    """The hop's own connection keeps the client's socket timeout: a hung server costs one
    timeout per try, then the hop goes on as if the state were lost."""
    import contextlib
    import socket
    import threading
    import time

    from redis import Redis

    from gateway.ussd.state import Loaded, RedisStore

    def answer_handshakes_only(conn: socket.socket) -> None:
        with conn:
            while data := conn.recv(65536):
                if b"MGET" not in data:
                    conn.sendall(b"+OK\r\n" * data.count(b"CLIENT"))

    def serve(listener: socket.socket) -> None:
        with contextlib.suppress(OSError):  # the listener closed
            while True:
                conn, _ = listener.accept()
                threading.Thread(target=answer_handshakes_only, args=(conn,), daemon=True).start()

    found: list[Loaded] = []
    with socket.create_server(("127.0.0.1", 0)) as listener:
        threading.Thread(target=serve, args=(listener,), daemon=True).start()
        redis = Redis(port=listener.getsockname()[1], socket_timeout=0.2, protocol=2)
        store = RedisStore(redis, 10)
        started = time.monotonic()
        hop = threading.Thread(target=lambda: found.append(store.load("s", "+62", first=False)))
        hop.start()
        hop.join(5)  # a socket without a timeout would wait here forever
        took = time.monotonic() - started
    assert found == [Loaded()]
    assert "USSD state unreadable" in caplog.text
    assert 0.2 <= took < 2
