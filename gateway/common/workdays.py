"""Working-day deadlines in WIB (Asia/Jakarta), as SP4N-LAPOR! counts them.

Pure helpers, no I/O. A working day is Monday to Friday, minus Indonesian public holidays
*and* the government joint leave days (cuti bersama) from the ``holidays`` package
(categories ``public`` and ``government``): Disdik offices are closed on both.

Counting rule (``add_working_days``): the day a report arrives never counts; day 1 is the
next working day after it (in WIB), and the deadline is the *end* of the n-th working day,
23:59:59 WIB, returned as an aware UTC datetime. A report received on Friday evening or on
Saturday with 3 working days is therefore due on Wednesday 23:59:59 WIB (16:59:59 UTC).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays

from gateway.common.wib import WIB

HOLIDAY_CATEGORIES = ("public", "government")
_END_OF_DAY = time(23, 59, 59)
_ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=32)
def holidays_in(year: int) -> frozenset[date]:
    """The Indonesian public holidays and joint leave days of one year (cached per year)."""
    calendar = holidays.country_holidays("ID", years=year, categories=HOLIDAY_CATEGORIES)
    return frozenset(calendar.keys())


def is_working_day(day: date) -> bool:
    """True for Monday-Friday that is neither a public holiday nor cuti bersama."""
    if isinstance(day, datetime):
        day = _wib_date(day)
    return day.weekday() < 5 and day not in holidays_in(day.year)


def add_working_days(start: datetime, days: int) -> datetime:
    """The deadline `days` working days after `start`: 23:59:59 WIB of that day, in UTC.

    `start` must be timezone-aware. `days=0` means "by the end of today", or of the next
    working day when `start` falls on a weekend or holiday.
    """
    if days < 0:
        raise ValueError("days must be >= 0")
    day = _wib_date(start)
    if days == 0:
        while not is_working_day(day):
            day += _ONE_DAY
    counted = 0
    while counted < days:
        day += _ONE_DAY
        if is_working_day(day):
            counted += 1
    return datetime.combine(day, _END_OF_DAY, WIB).astimezone(UTC)


def working_days_between(start: date | datetime, end: date | datetime) -> int:
    """Working days in the half-open WIB range (start, end]; negative when end < start.

    Consistent with `add_working_days`: working_days_between(s, add_working_days(s, n)) == n.
    Aware datetimes are converted to their WIB calendar date first.
    """
    first, last = _as_wib_date(start), _as_wib_date(end)
    if last < first:
        return -working_days_between(last, first)
    count = 0
    day = first
    while day < last:
        day += _ONE_DAY
        if is_working_day(day):
            count += 1
    return count


def _as_wib_date(value: date | datetime) -> date:
    return _wib_date(value) if isinstance(value, datetime) else value


def _wib_date(moment: datetime) -> date:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware (store UTC)")
    return moment.astimezone(WIB).date()
