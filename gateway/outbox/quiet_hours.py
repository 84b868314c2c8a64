"""Quiet hours for broadcasts, evaluated in WIB (Asia/Jakarta).

Pure. ``QUIET_HOURS`` is ``"HH:MM-HH:MM"`` (start inclusive, end exclusive, local
WIB time); a window whose start is after its end crosses midnight ("21:00-07:00").
An empty string disables quiet hours. Transactional messages ignore this entirely;
only broadcasts consult it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from gateway.common.wib import WIB

_SPEC = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily local window in which broadcasts wait; ``start=None`` means disabled."""

    start: time | None = None
    end: time | None = None

    @property
    def enabled(self) -> bool:
        return self.start is not None and self.end is not None

    def is_quiet(self, now_utc: datetime) -> bool:
        """True when a broadcast must not be delivered at this instant."""
        if self.start is None or self.end is None:
            return False
        local = _to_wib(now_utc).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, now_utc: datetime) -> datetime:
        """The earliest instant (UTC) at or after ``now_utc`` when broadcasts may go out."""
        if self.end is None or not self.is_quiet(now_utc):
            return now_utc.astimezone(UTC)
        local = _to_wib(now_utc)
        day = local.date()
        if local.time() >= self.end:  # in the evening part of a window crossing midnight
            day += timedelta(days=1)
        return _at(day, self.end)

    def __str__(self) -> str:
        if self.start is None or self.end is None:
            return ""
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def held_notice(quiet: QuietHours, start_utc: datetime) -> tuple[datetime, str] | None:
    """When a broadcast starting at ``start_utc`` waits for quiet hours to end: the instant
    it goes out and what the staff are told ("held until 07:00 WIB by quiet hours
    (21:00-07:00)"); None when it goes at once."""
    if not quiet.is_quiet(start_utc):
        return None
    until = quiet.next_allowed(start_utc)
    local, started = _to_wib(until), _to_wib(start_utc)
    day = "" if local.date() == started.date() else f" on {local:%d-%m-%Y}"
    return until, f"held until {local:%H:%M} WIB{day} by quiet hours ({quiet})"


def _to_wib(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("quiet hours need a timezone-aware datetime (UTC)")
    return moment.astimezone(WIB)


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=WIB).astimezone(UTC)


def _clock(hours: str, minutes: str, spec: str) -> time:
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise ValueError(f"QUIET_HOURS={spec!r}: {hours}:{minutes} is not a time of day")
    return time(h, m)


def parse_quiet_hours(spec: str) -> QuietHours:
    """Parse ``QUIET_HOURS`` such as "21:00-07:00"; "" (or blanks) disables it."""
    if not spec.strip():
        return QuietHours()
    match = _SPEC.match(spec)
    if match is None:
        raise ValueError(
            f"QUIET_HOURS={spec!r} is invalid: expected HH:MM-HH:MM in WIB, "
            "e.g. 21:00-07:00, or empty to disable"
        )
    start = _clock(match[1], match[2], spec)
    end = _clock(match[3], match[4], spec)
    if start == end:
        raise ValueError(f"QUIET_HOURS={spec!r} is invalid: start and end are the same")
    return QuietHours(start, end)
