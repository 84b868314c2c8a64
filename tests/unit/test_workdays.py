from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from gateway.common.workdays import (
    WIB,
    add_working_days,
    holidays_in,
    is_working_day,
    working_days_between,
)


def wib(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=WIB).astimezone(UTC)


def end_of_day_utc(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 23, 59, 59, tzinfo=WIB).astimezone(UTC)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 8, 17), False),  # Independence Day (Monday)
        (date(2026, 8, 18), True),
        (date(2026, 12, 25), False),  # Christmas (Friday)
        (date(2026, 12, 24), False),  # Christmas cuti bersama
        (date(2026, 3, 20), False),  # Idul Fitri cuti bersama
        (date(2026, 3, 24), False),  # Idul Fitri cuti bersama
        (date(2026, 3, 25), True),
        (date(2026, 11, 28), False),  # a Saturday
        (date(2026, 11, 30), True),  # an ordinary Monday
    ],
)
def test_is_working_day_knows_2026_holidays(day: date, expected: bool) -> None:
    assert is_working_day(day) is expected


def test_holidays_are_cached_per_year() -> None:
    assert holidays_in(2026) is holidays_in(2026)
    assert date(2026, 8, 17) in holidays_in(2026)


def test_three_working_days_from_an_ordinary_monday() -> None:
    assert add_working_days(wib(2026, 11, 30), 3) == end_of_day_utc(2026, 12, 3)


def test_deadline_is_end_of_day_wib_in_utc() -> None:
    due = add_working_days(wib(2026, 11, 30), 1)
    assert due.tzinfo is UTC
    assert due == datetime(2026, 12, 1, 16, 59, 59, tzinfo=UTC)


def test_weekend_is_skipped() -> None:
    # Friday 27 Nov 2026 -> Mon 30, Tue 1, Wed 2
    assert add_working_days(wib(2026, 11, 27), 3) == end_of_day_utc(2026, 12, 2)
    # a report sent on Saturday is due the same Wednesday
    assert add_working_days(wib(2026, 11, 28), 3) == end_of_day_utc(2026, 12, 2)


def test_independence_day_is_skipped() -> None:
    # Fri 14 Aug 2026; Mon 17 Aug is a holiday -> Tue 18, Wed 19, Thu 20
    assert add_working_days(wib(2026, 8, 14), 3) == end_of_day_utc(2026, 8, 20)


def test_idul_fitri_and_cuti_bersama_are_skipped() -> None:
    # Tue 17 Mar 2026; 18-24 Mar are Nyepi, Idul Fitri and joint leave -> 25, 26, 27
    assert add_working_days(wib(2026, 3, 17), 3) == end_of_day_utc(2026, 3, 27)


def test_christmas_week_is_skipped() -> None:
    # Wed 23 Dec 2026; 24 + 25 are off, then the weekend -> Mon 28, Tue 29, Wed 30, Thu 31;
    # Fri 1 Jan 2027 is New Year's Day, so the fifth working day is Mon 4 Jan 2027.
    assert add_working_days(wib(2026, 12, 23), 5) == end_of_day_utc(2027, 1, 4)


def test_late_evening_utc_is_already_the_next_day_in_wib() -> None:
    # 18:00 UTC Sunday = 01:00 WIB Monday 30 Nov: counting starts after Monday
    start = datetime(2026, 11, 29, 18, 0, tzinfo=UTC)
    assert add_working_days(start, 1) == end_of_day_utc(2026, 12, 1)


def test_zero_days_means_end_of_today_or_next_working_day() -> None:
    assert add_working_days(wib(2026, 11, 30), 0) == end_of_day_utc(2026, 11, 30)
    assert add_working_days(wib(2026, 8, 16), 0) == end_of_day_utc(2026, 8, 18)


def test_other_aware_timezones_are_accepted() -> None:
    start = datetime(2026, 11, 30, 12, 0, tzinfo=timezone(timedelta(hours=9)))  # WIT
    assert add_working_days(start, 1) == end_of_day_utc(2026, 12, 1)


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        add_working_days(datetime(2026, 11, 30, 10), 1)


def test_negative_days_are_rejected() -> None:
    with pytest.raises(ValueError):
        add_working_days(wib(2026, 11, 30), -1)


@pytest.mark.parametrize("days", [0, 1, 3, 5, 10, 14, 60])
def test_between_is_the_inverse_of_add(days: int) -> None:
    start = wib(2026, 3, 16)
    assert working_days_between(start, add_working_days(start, days)) == days


def test_between_counts_dates_and_is_signed() -> None:
    assert working_days_between(date(2026, 8, 14), date(2026, 8, 21)) == 4
    assert working_days_between(date(2026, 8, 21), date(2026, 8, 14)) == -4
    assert working_days_between(date(2026, 8, 14), date(2026, 8, 14)) == 0
