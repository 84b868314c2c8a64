from datetime import UTC, datetime

import pytest

from gateway.common.sms_text import count_segments, is_gsm7
from gateway.feedback.lifecycle import (
    FINISHED,
    TRANSITIONS,
    can_move,
    first_deadline,
    is_acknowledgement,
    is_overdue,
    next_deadline,
    status_notice,
)
from gateway.models import Feedback

# Friday 27 Nov 2026, 10:00 WIB
FRIDAY = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        ("received", "verified", True),
        ("received", "rejected", True),
        ("received", "resolved", False),
        ("received", "closed", False),
        ("verified", "in_progress", True),
        ("verified", "resolved", True),
        ("in_progress", "resolved", True),
        ("in_progress", "verified", False),
        ("resolved", "closed", True),
        ("resolved", "in_progress", True),
        ("closed", "in_progress", False),
        ("rejected", "verified", False),
        ("received", "bogus", False),
        ("bogus", "verified", False),
    ],
)
def test_transition_table(current, target, allowed):
    assert can_move(current, target) is allowed


def test_closed_and_rejected_are_final():
    assert not TRANSITIONS["closed"] and not TRANSITIONS["rejected"]


def test_verify_deadline_is_three_working_days_end_of_day_wib():
    # Friday -> Mon, Tue, Wed: Wednesday 2 Dec 23:59:59 WIB
    assert first_deadline(FRIDAY) == datetime(2026, 12, 2, 16, 59, 59, tzinfo=UTC)


def test_deadlines_per_status():
    assert next_deadline("verified", FRIDAY, None) == datetime(2026, 12, 4, 16, 59, 59, tzinfo=UTC)
    kept = datetime(2026, 12, 1, tzinfo=UTC)
    assert next_deadline("in_progress", FRIDAY, kept) == kept
    assert next_deadline("resolved", FRIDAY, kept) == datetime(2026, 12, 11, 16, 59, 59, tzinfo=UTC)
    assert next_deadline("closed", FRIDAY, kept) is None
    assert next_deadline("rejected", FRIDAY, kept) is None


def test_overdue_only_while_open():
    past = datetime(2026, 11, 1, tzinfo=UTC)
    assert is_overdue("received", past, FRIDAY)
    assert is_overdue("in_progress", past, FRIDAY)
    assert not is_overdue("received", None, FRIDAY)
    assert not is_overdue("received", FRIDAY, FRIDAY)
    for status in FINISHED:
        assert not is_overdue(status, past, FRIDAY)


@pytest.mark.parametrize("status", ["verified", "in_progress", "resolved", "closed", "rejected"])
@pytest.mark.parametrize("language", ["id", "en"])
def test_status_notice_is_one_sms_without_note(status, language):
    text = status_notice(Feedback(ticket="1234567", language=language), status, None)
    assert "1234567" in text and is_gsm7(text) and count_segments(text) == 1


def test_rejection_note_is_appended_cleaned_and_capped_at_two_sms():
    fb = Feedback(ticket="1234567", language="id")
    text = status_notice(fb, "rejected", "Silakan ke “Dinas PUPR” — " + "x" * 400)
    assert text.startswith("Disdik Labura: tiket 1234567 bukan wewenang")
    assert '"Dinas PUPR" -' in text and is_gsm7(text) and count_segments(text) == 2


@pytest.mark.parametrize("text", ["ok", "Terima kasih pak 🙏", "makasih bu", "OKE.", "trims"])
def test_thanks_are_acknowledgements(text):
    assert is_acknowledgement(text)


@pytest.mark.parametrize("text", ["belum diperbaiki", "ok tapi atap masih bocor", ""])
def test_disputes_are_not_acknowledgements(text):
    assert not is_acknowledgement(text)
