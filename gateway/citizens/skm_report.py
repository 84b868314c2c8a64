"""SKM results for staff: what the responses of a period add up to. The arithmetic is
`gateway.citizens.ikm`'s; this module reads the database. The staff API
(``GET /api/v1/skm/ikm``) and the desk page (``/staff/skm``) both call `ikm_for`, so they never
disagree.

- A period is a range of calendar days in WIB, both ends included: from 00:00 WIB of its first
  day to 00:00 WIB of the day after its last (`Period.utc_bounds`).
- Every stored response counts, from SMS (``SKM 443434343``, no service named) and USSD (the
  service chosen first) alike; an incomplete one (a dropped USSD survey) counts for the unsur
  it answered (`gateway.citizens.ikm.tally`). One response is one respondent, as a paper
  questionnaire is: a citizen who answers twice counts twice.
- Services are the SKM menu's (``menus/trees/labura.yaml``, ``skm.service``); an SMS response
  has none (``None``: "not named").
- The population a sample is measured against (`population`): the distinct citizens who used
  the gateway in the period (sent an SMS, had a USSD session, answered the SKM). That is the
  group the survey can reach; an office with its own count of service users (from its
  register) gives that instead on the desk page.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Integer, case, cast, func, or_, select, union
from sqlalchemy.orm import Session

from gateway.citizens.ikm import COUNT, SCORES, Ikm, Tally, compute, krejcie_morgan
from gateway.common.wib import WIB
from gateway.errors import InvalidInput
from gateway.models import Contact, InboundMessage, SkmResponse, UssdSession
from menus import Tree, load_tree
from menus.types import MenuNode

EARLIEST = date(1, 1, 2)
LATEST = date(9999, 12, 30)
"""The days a period may name: their WIB midnights are moments in every backend's range."""
TREND_QUARTERS = 8


@dataclass(frozen=True)
class Period:
    """Calendar days ``start`` to ``end`` in WIB, both included."""

    start: date
    end: date

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[from, until): 00:00 WIB of ``start`` to 00:00 WIB of the day after ``end``
        (within `EARLIEST`..`LATEST`, whose midnights every backend can hold)."""
        first, last = max(self.start, EARLIEST), min(self.end, LATEST)
        low = datetime.combine(first, time(0), WIB).astimezone(UTC)
        high = datetime.combine(last + timedelta(days=1), time(0), WIB).astimezone(UTC)
        return low, high

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def quarter_of(day: date) -> Period:
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return Period(first, _month_end(date(first.year, first.month + 2, 1)))


def month_of(day: date) -> Period:
    return Period(day.replace(day=1), _month_end(day))


def year_of(day: date) -> Period:
    return Period(date(day.year, 1, 1), date(day.year, 12, 31))


def quarter_number(period: Period) -> int:
    return (period.start.month - 1) // 3 + 1


def quarters_until(day: date, count: int = TREND_QUARTERS) -> list[Period]:
    """The ``count`` quarters ending with the one holding ``day``, oldest first."""
    quarters = [quarter_of(day)]
    while len(quarters) < count and quarters[-1].start > date.min:
        quarters.append(quarter_of(quarters[-1].start - timedelta(days=1)))
    return quarters[::-1]


def today_wib(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(WIB).date()


_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_YEAR = re.compile(r"(\d{4})")


def named_period(name: str) -> Period | None:
    """``2026-Q4``, ``2026-12`` or ``2026`` as a `Period`; None for anything else."""
    found = _QUARTER.fullmatch(name) or _MONTH.fullmatch(name) or _YEAR.fullmatch(name)
    if found is None or int(name[:4]) < 1:
        return None
    year = int(name[:4])
    if found.re is _QUARTER:
        return quarter_of(date(year, 3 * int(found[2]), 1))
    if found.re is _MONTH:
        return month_of(date(year, int(found[2]), 1))
    return year_of(date(year, 1, 1))


def quarter_name(day: date) -> str:
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def month_name(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def period_kind(name: str) -> str | None:
    """``quarter``, ``month`` or ``year`` for a valid period name."""
    if named_period(name) is None:
        return None
    return "quarter" if "Q" in name else "month" if "-" in name else "year"


def _month_end(day: date) -> date:
    if day.month == 12:
        return date(day.year, 12, 31)
    return date(day.year, day.month + 1, 1) - timedelta(days=1)


@functools.cache
def _tree() -> Tree:
    return load_tree()


@functools.cache
def _service_options() -> tuple[tuple[str, str], ...]:
    node = _tree().nodes["skm.service"]
    assert isinstance(node, MenuNode)
    return tuple((option.value, option.label) for option in node.options)


def services() -> tuple[str, ...]:
    """The service codes citizens pick from in the USSD survey, in menu order."""
    return tuple(code for code, _label in _service_options())


def service_label(code: str | None, language: str = "id") -> str | None:
    """The service's name as the USSD menu shows it; None for an unknown code or for none."""
    labels = dict(_service_options())
    if code not in labels:
        return None
    return str(_tree().text(language, labels[code]))


@dataclass(frozen=True)
class IkmQuery:
    period: Period
    service: str | None = None


def parse_query(args: Mapping[str, str]) -> IkmQuery:
    """``from``, ``to`` (YYYY-MM-DD, WIB, both included) and an optional ``service``; an
    `InvalidInput` naming each wrong field otherwise."""
    errors: dict[str, str] = {}
    start = _day(args, "from", errors)
    end = _day(args, "to", errors)
    if start and end and start > end:
        errors["to"] = "must be the same day as from or later"
    service = args.get("service") or None
    if service is not None and service not in services():
        errors["service"] = f"unknown service; one of {', '.join(services())}"
    if errors or start is None or end is None:
        raise InvalidInput(errors)
    return IkmQuery(Period(start, end), service)


def _day(args: Mapping[str, str], name: str, errors: dict[str, str]) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        errors[name] = "required: a date YYYY-MM-DD (WIB)"
        return None
    try:
        day = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        errors[name] = "expected a date YYYY-MM-DD, e.g. 2026-10-01"
    elif not EARLIEST <= day <= LATEST:
        errors[name] = f"outside the range {EARLIEST} to {LATEST}"
        day = None
    return day


def _scores() -> list[Any]:
    columns: list[Any] = []
    for i in range(1, COUNT + 1):
        digit = func.substr(SkmResponse.answers, i, 1)
        score = case((digit.in_(list(SCORES)), cast(digit, Integer)), else_=None)
        columns += [func.sum(score), func.count(score)]
    answered = or_(
        *(func.substr(SkmResponse.answers, i, 1).in_(list(SCORES)) for i in range(1, COUNT + 1))
    )
    columns.append(func.count(case((answered, 1), else_=None)))
    return columns


def tallies_by_service(
    session: Session, period: Period, service: str | None = None
) -> dict[str | None, Tally]:
    """Each service's tally in ``period`` (None: responses that named none, i.e. SMS)."""
    low, high = period.utc_bounds()
    query = (
        select(SkmResponse.service, *_scores())
        .where(SkmResponse.created_at >= low, SkmResponse.created_at < high)
        .group_by(SkmResponse.service)
    )
    if service is not None:
        query = query.where(SkmResponse.service == service)
    found: dict[str | None, Tally] = {}
    for row in session.execute(query):
        values = [int(value or 0) for value in tuple(row)[1:]]
        found[row[0]] = Tally(tuple(values[0:-1:2]), tuple(values[1:-1:2]), values[-1])
    return found


def period_tally(session: Session, period: Period, service: str | None = None) -> Tally:
    return sum(tallies_by_service(session, period, service).values(), Tally())


def ikm_for(session: Session, period: Period, service: str | None = None) -> Ikm:
    """The IKM of ``period`` (one ``service``, or all), with each unsur's NRR."""
    return compute(period_tally(session, period, service))


@dataclass(frozen=True)
class ServiceResult:
    service: str | None
    result: Ikm


def by_service(session: Session, period: Period) -> list[ServiceResult]:
    """One result per menu service (in menu order, with no responses too), then "not named"
    (SMS) when there are such responses."""
    tallies = tallies_by_service(session, period)
    rows = [ServiceResult(code, compute(tallies.get(code, Tally()))) for code in services()]
    if None in tallies:
        rows.append(ServiceResult(None, compute(tallies[None])))
    return rows


@dataclass(frozen=True)
class QuarterResult:
    period: Period
    result: Ikm


def trend(
    session: Session, day: date, service: str | None = None, quarters: int = TREND_QUARTERS
) -> list[QuarterResult]:
    """The IKM of each of the ``quarters`` quarters up to the one holding ``day``."""
    return [
        QuarterResult(quarter, ikm_for(session, quarter, service))
        for quarter in quarters_until(day, quarters)
    ]


@dataclass(frozen=True)
class Overview:
    """Everything the desk's SKM page shows for one period (and service)."""

    period: Period
    service: str | None
    result: Ikm
    services: list[ServiceResult]
    trend: list[QuarterResult]
    population: int
    population_entered: bool

    @property
    def sample(self) -> int:
        """The Krejcie-Morgan minimum of respondents for `population`."""
        return krejcie_morgan(self.population)

    @property
    def missing(self) -> int:
        """How many more respondents the sample needs (0: enough)."""
        return max(0, self.sample - self.result.respondents)


def overview(
    session: Session,
    period: Period,
    service: str | None = None,
    *,
    population_count: int | None = None,
) -> Overview:
    """The period's IKM (`ikm_for`, as the API), each service's, the trend of the quarters
    up to its end, and the respondents' population: ``population_count`` when the office
    gives it, else the citizens who used the gateway in the period (`population`)."""
    return Overview(
        period=period,
        service=service,
        result=ikm_for(session, period, service),
        services=by_service(session, period),
        trend=trend(session, period.end, service),
        population=population_count
        if population_count is not None
        else population(session, period),
        population_entered=population_count is not None,
    )


def population(session: Session, period: Period) -> int:
    """Distinct citizens (by number) who used the gateway in ``period``: who sent an SMS,
    whose USSD session ended in it (Africa's Talking's end-of-session record), or who
    answered the SKM."""
    low, high = period.utc_bounds()
    phones = union(
        select(InboundMessage.sender.label("phone")).where(
            InboundMessage.received_at >= low, InboundMessage.received_at < high
        ),
        select(UssdSession.phone.label("phone")).where(
            UssdSession.created_at >= low, UssdSession.created_at < high
        ),
        select(Contact.phone.label("phone"))
        .join(SkmResponse, SkmResponse.contact_id == Contact.id)
        .where(SkmResponse.created_at >= low, SkmResponse.created_at < high),
    ).subquery()
    return int(session.scalar(select(func.count()).select_from(phones)) or 0)
