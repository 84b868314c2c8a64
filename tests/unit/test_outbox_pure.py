"""The pure parts of the outbox: retry backoff, the forward-only status rule, batching."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import combinations_with_replacement, pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.config import Settings
from gateway.models import OutboundKind, OutboundMessage, OutboundStatus
from gateway.outbox.delivery import RANK, apply_status, is_forward
from gateway.outbox.queue import Claimed
from gateway.outbox.results import RetryPolicy
from workers.sms import _requests

S = OutboundStatus
FINAL = [S.DELIVERED, S.FAILED, S.REJECTED, S.EXPIRED, S.CANCELLED]
CHAIN = [S.QUEUED, S.SENDING, S.UNKNOWN, S.SENT]

# --- retry policy ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [
        (0, 0.0),
        (1, 10.0),
        (2, 30.0),
        (3, 120.0),
        (4, 600.0),
        (5, 1800.0),
        (6, 1800.0),
        (40, 1800.0),
    ],
)
def test_default_backoff_per_attempt(attempts: int, seconds: float) -> None:
    """SMS_RETRY_INTERVALS=10,30,120,600,1800: the wait after the n-th try, capped."""
    defaults = Settings()
    policy = RetryPolicy(defaults.sms_max_attempts, defaults.retry_intervals)
    assert policy.delay(attempts) == seconds


def test_backoff_shorter_than_the_attempts_repeats_its_last_interval() -> None:
    policy = RetryPolicy(max_attempts=6, intervals=[5.0, 60.0])
    assert [policy.delay(n) for n in range(7)] == [0.0, 5.0, 60.0, 60.0, 60.0, 60.0, 60.0]


def test_no_attempt_yet_means_no_wait_whatever_the_intervals() -> None:
    assert RetryPolicy(max_attempts=3, intervals=[90.0]).delay(0) == 0.0


# --- forward-only status --------------------------------------------------------------


def test_every_status_has_a_rank() -> None:
    assert set(RANK) == set(OutboundStatus)


@pytest.mark.parametrize(("earlier", "later"), list(pairwise([*CHAIN, S.DELIVERED])))
def test_each_step_of_the_chain_is_forward_and_never_back(earlier: str, later: str) -> None:
    assert is_forward(earlier, later)
    assert not is_forward(later, earlier)


@pytest.mark.parametrize("final", FINAL)
@pytest.mark.parametrize("current", CHAIN)
def test_every_final_state_ends_every_open_one(current: str, final: str) -> None:
    assert is_forward(current, final)
    assert not is_forward(final, current)


@pytest.mark.parametrize(("a", "b"), list(combinations_with_replacement(FINAL, 2)))
def test_a_final_state_is_never_replaced_by_another(a: str, b: str) -> None:
    assert not is_forward(a, b)
    assert not is_forward(b, a)


@pytest.mark.parametrize("current", [*CHAIN, *FINAL])
def test_the_same_state_again_is_not_a_move(current: str) -> None:
    assert not is_forward(current, current)


@pytest.mark.parametrize("word", ["Borked", "", "DELIVERED", "held"])
@pytest.mark.parametrize("current", [S.QUEUED, S.UNKNOWN, S.SENT])
def test_an_unknown_status_word_never_moves_a_row(current: str, word: str) -> None:
    assert not is_forward(current, word)


def _row(status: str) -> OutboundMessage:
    return OutboundMessage(to="+6281234567890", text="Laporan diterima", status=status)


def test_delivery_report_marks_a_sent_message_delivered_with_the_time() -> None:
    row, before = _row(S.SENT), datetime.now(UTC)
    apply_status(row, S.DELIVERED, "Success", None)
    assert (row.status, row.provider_status) == (S.DELIVERED, "Success")
    assert row.delivered_at is not None and before <= row.delivered_at <= datetime.now(UTC)


def test_failure_keeps_the_reason_and_no_delivery_time() -> None:
    row = _row(S.SENT)
    apply_status(row, S.REJECTED, "Rejected", "UserInBlackList")
    assert (row.status, row.failure_reason, row.delivered_at) == (
        S.REJECTED,
        "UserInBlackList",
        None,
    )


def test_a_report_settles_a_send_that_timed_out() -> None:
    row = _row(S.UNKNOWN)
    apply_status(row, S.SENT, "Sent", None)
    assert row.status == S.SENT
    apply_status(row, S.DELIVERED, "Success", None)
    assert row.status == S.DELIVERED


def test_reports_out_of_order_never_undo_delivery() -> None:
    row = _row(S.SENT)
    apply_status(row, S.DELIVERED, "Success", None)
    delivered_at = row.delivered_at
    apply_status(row, S.SENT, "Sent", None)  # late intermediate report
    apply_status(row, S.FAILED, "Failed", "DeliveryFailure")  # a contradicting final one
    assert (row.status, row.provider_status) == (S.DELIVERED, "Success")
    assert (row.failure_reason, row.delivered_at) == (None, delivered_at)


def test_an_unknown_report_is_recorded_raw_and_changes_no_status() -> None:
    row = _row(S.SENT)
    apply_status(row, None, "Borked", None)
    assert (row.status, row.provider_status, row.delivered_at) == (S.SENT, "Borked", None)


def test_a_cancelled_message_stays_cancelled() -> None:
    row = _row(S.CANCELLED)
    apply_status(row, S.DELIVERED, "Success", None)
    assert (row.status, row.delivered_at) == (S.CANCELLED, None)


# --- batching claimed rows into provider requests -------------------------------------


def _claimed(row_id: int, to: str, text: str = "Jadwal rapat komite Senin") -> Claimed:
    return Claimed(row_id, to, text, OutboundKind.BROADCAST.value, None, 0)


def _ids(requests: list[tuple[str, list[Claimed]]]) -> list[tuple[str, list[int]]]:
    return [(text, [r.id for r in rows]) for text, rows in requests]


def test_one_text_is_cut_into_requests_of_at_most_size() -> None:
    rows = [_claimed(i, f"+62812000000{i:02d}") for i in range(1, 6)]
    assert _ids(_requests(rows, 2)) == [
        ("Jadwal rapat komite Senin", [1, 2]),
        ("Jadwal rapat komite Senin", [3, 4]),
        ("Jadwal rapat komite Senin", [5]),
    ]


def test_rows_with_different_texts_never_share_a_request() -> None:
    rows = [
        _claimed(1, "+6281200000001", "Tiket K7Q2M4P diterima"),
        _claimed(2, "+6281200000002", "Jadwal"),
        _claimed(3, "+6281200000003", "Tiket K7Q2M4P diterima"),
        _claimed(4, "+6281200000004", "Jadwal"),
    ]
    assert _ids(_requests(rows, 500)) == [
        ("Tiket K7Q2M4P diterima", [1, 3]),
        ("Jadwal", [2, 4]),
    ]


def test_the_same_number_twice_goes_in_two_requests() -> None:
    """Results come back by number: one number twice in a request could not be told apart."""
    rows = [_claimed(1, "+6281200000001"), _claimed(2, "+6281200000001")]
    rows.append(_claimed(3, "+6281200000002"))
    assert _ids(_requests(rows, 500)) == [
        ("Jadwal rapat komite Senin", [1, 3]),
        ("Jadwal rapat komite Senin", [2]),
    ]


def test_size_one_sends_one_by_one_and_nothing_claimed_sends_nothing() -> None:
    rows = [_claimed(1, "+6281200000001"), _claimed(2, "+6281200000002")]
    assert [len(batch) for _, batch in _requests(rows, 1)] == [1, 1]
    assert _requests([], 500) == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["+6281200000001", "+6281200000002", "+6281200000003"]),
            st.sampled_from(["A", "B"]),
        ),
        max_size=30,
    ),
    st.integers(min_value=1, max_value=5),
)
def test_every_claimed_row_is_sent_once_within_the_limits(
    spec: list[tuple[str, str]], size: int
) -> None:
    rows = [_claimed(i, to, text) for i, (to, text) in enumerate(spec)]
    requests = _requests(rows, size)
    assert sorted(r.id for _, batch in requests for r in batch) == [r.id for r in rows]
    for text, batch in requests:
        assert 1 <= len(batch) <= size
        assert {r.text for r in batch} == {text}
        assert len({r.to for r in batch}) == len(batch)
