from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gateway.outbox.quiet_hours import QuietHours, parse_quiet_hours

NIGHT = parse_quiet_hours("21:00-07:00")
LUNCH = parse_quiet_hours("12:00-13:30")


def wib(hour: int, minute: int = 0, day: int = 10) -> datetime:
    """A UTC instant given as WIB wall-clock time (WIB = UTC+7, no DST)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


@pytest.mark.parametrize(
    ("spec", "start", "end"),
    [
        ("21:00-07:00", time(21), time(7)),
        (" 9:05 - 17:45 ", time(9, 5), time(17, 45)),
        ("00:00-06:00", time(0), time(6)),
    ],
)
def test_parse_valid(spec: str, start: time, end: time) -> None:
    assert parse_quiet_hours(spec) == QuietHours(start, end)


@pytest.mark.parametrize("spec", ["", "   "])
def test_empty_disables(spec: str) -> None:
    quiet = parse_quiet_hours(spec)
    assert not quiet.enabled
    assert not quiet.is_quiet(wib(23))
    assert quiet.next_allowed(wib(23)) == wib(23)


@pytest.mark.parametrize(
    "spec", ["21:00", "21-07", "25:00-07:00", "21:60-07:00", "9pm-7am", "07:00-07:00", "a-b"]
)
def test_parse_invalid_names_the_setting(spec: str) -> None:
    with pytest.raises(ValueError, match="QUIET_HOURS"):
        parse_quiet_hours(spec)


@pytest.mark.parametrize(
    ("now", "quiet", "allowed"),
    [
        (wib(20, 59), False, wib(20, 59)),
        (wib(21, 0), True, wib(7, 0, day=11)),
        (wib(23, 30), True, wib(7, 0, day=11)),
        (wib(0, 0), True, wib(7, 0)),
        (wib(6, 59), True, wib(7, 0)),
        (wib(7, 0), False, wib(7, 0)),
        (wib(12, 0), False, wib(12, 0)),
    ],
)
def test_window_crossing_midnight(now: datetime, quiet: bool, allowed: datetime) -> None:
    assert NIGHT.is_quiet(now) is quiet
    assert NIGHT.next_allowed(now) == allowed


@pytest.mark.parametrize(
    ("now", "quiet", "allowed"),
    [
        (wib(11, 59), False, wib(11, 59)),
        (wib(12, 0), True, wib(13, 30)),
        (wib(13, 29), True, wib(13, 30)),
        (wib(13, 30), False, wib(13, 30)),
        (wib(23, 0), False, wib(23, 0)),
    ],
)
def test_window_within_a_day(now: datetime, quiet: bool, allowed: datetime) -> None:
    assert LUNCH.is_quiet(now) is quiet
    assert LUNCH.next_allowed(now) == allowed


def test_evaluated_in_wib_not_utc() -> None:
    # 15:00 UTC is 22:00 WIB: quiet, although 15:00 is daytime in UTC.
    assert NIGHT.is_quiet(datetime(2026, 3, 10, 15, 0, tzinfo=UTC))


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        NIGHT.is_quiet(datetime(2026, 3, 10, 15, 0))


def test_str_round_trips() -> None:
    assert str(NIGHT) == "21:00-07:00"
    assert str(parse_quiet_hours("")) == ""


instants = st.datetimes(
    min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
)


@given(instants, st.sampled_from([NIGHT, LUNCH, parse_quiet_hours("23:15-00:45")]))
def test_next_allowed_is_not_quiet_and_not_in_the_past(now: datetime, quiet: QuietHours) -> None:
    allowed = quiet.next_allowed(now)
    assert allowed >= now
    assert not quiet.is_quiet(allowed)
    assert allowed - now < timedelta(days=1)
    assert allowed.tzinfo is UTC


def test_the_held_notice_names_the_time_and_the_day_when_it_is_another():
    from gateway.outbox.quiet_hours import held_notice

    evening = datetime(2026, 12, 3, 14, 30, tzinfo=UTC)  # 21:30 WIB
    until, text = held_notice(NIGHT, evening)
    assert until == datetime(2026, 12, 4, 0, 0, tzinfo=UTC)  # 07:00 WIB
    assert text == "held until 07:00 WIB on 04-12-2026 by quiet hours (21:00-07:00)"
    early = datetime(2026, 12, 3, 22, 0, tzinfo=UTC)  # 05:00 WIB on the 4th
    assert held_notice(NIGHT, early)[1] == "held until 07:00 WIB by quiet hours (21:00-07:00)"
    assert held_notice(NIGHT, datetime(2026, 12, 3, 5, 0, tzinfo=UTC)) is None  # 12:00 WIB
