"""``/staff/skm``: the SKM results (PermenPANRB 14/2017) for a period, every role may read.

The IKM and grade of the period, overall (or for one service) and per service; a bar per unsur
with its own NRR, value on the 25-100 scale and grade (weak ones say so in words); the
respondents against the Krejcie-Morgan sample; the IKM of the last eight quarters. Every chart
is an SVG image (`gateway.desk.skm_charts`) with its numbers in a table below it and in the
CSV (``/staff/skm.csv``, audited as ``export``); ``/staff/skm/print`` is the same as a report
to print. The numbers are `gateway.citizens.skm_report`'s, as ``GET /api/v1/skm/ikm``'s.

The period picker is one GET form: a named period (``period=2026-Q4``, ``2026-12`` or
``2026``; the current quarter by default) or ``period=custom`` with ``from`` and ``to`` (WIB
days, both included); ``service`` one of the SKM menu's; ``population`` the office's own count
of service users, if it has one (else the citizens who used SMS or USSD in the period).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from flask import Response, abort, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SelectField, StringField
from wtforms.validators import ValidationError

from gateway.citizens import skm_report as report
from gateway.citizens.ikm import NO_RESPONDENTS, Grade, Ikm, round_half_up
from gateway.desk.blueprint import bp, page
from gateway.desk.i18n import current_language
from gateway.desk.login import me
from gateway.desk.skm_charts import bars, number
from gateway.staff import audit
from gateway.staff.render import csv_lines
from gateway.web import db_session

MAX_POPULATION = 1_000_000_000
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
"""A chart's own policy: pygal's ``<style>`` applies, nothing else loads or runs."""
CSV_FIELDS = (
    "section",
    "code",
    "label",
    "from",
    "to",
    "respondents",
    "answers",
    "nrr",
    "value",
    "grade",
    "quality",
)
PARTS = ("unsur", "service", "trend")


def _date(form: FlaskForm, field: Field) -> None:
    if form.period.data != "custom":
        return
    raw = (field.data or "").strip()
    if not raw:
        raise ValidationError(_("Enter the date, or choose a named period."))
    try:
        day = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None or not report.EARLIEST <= day <= report.LATEST:
        raise ValidationError(_("Enter a real date, like 2026-10-01."))


class SkmForm(FlaskForm):  # type: ignore[misc]
    """The period picker (GET, no CSRF token: it changes nothing)."""

    class Meta:
        csrf = False

    period = SelectField(_l("Period"), validate_choice=False)
    start = StringField(_l("From"), name="from", validators=[_date], render_kw={"type": "date"})
    end = StringField(_l("To"), name="to", validators=[_date], render_kw={"type": "date"})
    service = SelectField(_l("Service"), validate_choice=False)
    population = StringField(
        _l("Service users in the period (optional)"),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )

    def validate_period(self, field: Field) -> None:
        if field.data != "custom" and report.named_period(field.data or "") is None:
            raise ValidationError(_("Choose a period from the list."))

    def validate_end(self, field: Field) -> None:
        start, end = _day(self.start.data), _day(field.data)
        if self.period.data == "custom" and start and end and start > end:
            raise ValidationError(_("The end date must be the same as the start date or later."))

    def validate_service(self, field: Field) -> None:
        if field.data and field.data not in report.services():
            raise ValidationError(_("Choose a service from the list."))

    def validate_population(self, field: Field) -> None:
        raw = (field.data or "").strip().replace(".", "").replace(",", "")
        if raw and (not raw.isdecimal() or not 1 <= int(raw) <= MAX_POPULATION):
            raise ValidationError(_("Enter the number of service users, like 1200."))


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


@dataclass(frozen=True)
class Choice:
    """What the form asks for, once valid."""

    name: str  # a period name or "custom"
    period: report.Period
    service: str | None
    population: int | None

    def args(self) -> dict[str, str]:
        """The query string that asks for this again (links, charts, CSV, print)."""
        found = {"period": self.name}
        if self.name == "custom":
            found |= {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()}
        if self.service:
            found["service"] = self.service
        if self.population is not None:
            found["population"] = str(self.population)
        return found

    def with_period(self, name: str) -> dict[str, str]:
        """`args` for the named period ``name`` instead (service and population kept)."""
        found = {k: v for k, v in self.args().items() if k not in ("from", "to")}
        return found | {"period": name}


def _form() -> SkmForm:
    args = request.args.copy()
    dated = bool(args.get("from") or args.get("to"))  # /staff/skm?from=..&to=.. is custom
    args.setdefault("period", "custom" if dated else report.quarter_name(report.today_wib()))
    form = SkmForm(formdata=args)
    if form.period.data != "custom":  # dates count only for custom periods
        form.start.data = form.end.data = ""
    form.period.choices = _period_choices(form.period.data)
    form.service.choices = [("", _("All services"))] + [
        (code, report.service_label(code, current_language()) or code) for code in report.services()
    ]
    return form


def _choice(form: SkmForm) -> Choice | None:
    if not form.validate():
        return None
    name = form.period.data
    if name == "custom":
        period = report.Period(
            date.fromisoformat(form.start.data), date.fromisoformat(form.end.data)
        )
    else:
        found = report.named_period(name)
        assert found is not None
        period = found
    raw = (form.population.data or "").strip().replace(".", "").replace(",", "")
    return Choice(name, period, form.service.data or None, int(raw) if raw else None)


def _period_choices(selected: str | None) -> dict[str, list[tuple[str, str]]]:
    today = report.today_wib()
    quarters = [report.quarter_name(q.start) for q in report.quarters_until(today)][::-1]
    months, day = [], today.replace(day=1)
    for _i in range(12):
        months.append(report.month_name(day))
        day = (day - timedelta(days=1)).replace(day=1)
    years = [f"{today.year - i:04d}" for i in range(5)]
    groups = {"quarter": quarters, "month": months, "year": years}
    kind = report.period_kind(selected or "")
    if kind and selected not in groups[kind]:
        groups[kind].insert(0, str(selected))
    titles = {"quarter": _("Quarter"), "month": _("Month"), "year": _("Year")}
    choices = {
        titles[kind_]: [(name, period_name(name)) for name in names]
        for kind_, names in groups.items()
    }
    choices[_("Other")] = [("custom", _("Custom dates (below)"))]
    return choices


def period_name(name: str) -> str:
    """``Triwulan IV 2026`` / ``Q4 2026``, ``Desember 2026``, ``2026``."""
    found = report.named_period(name)
    if found is None:
        return name
    kind = report.period_kind(name)
    if kind == "quarter":
        n = report.quarter_number(found)
        return str(_("Q%(number)s %(year)s", number=n, roman=ROMAN[n], year=found.start.year))
    if kind == "month":
        return str(format_date(found.start, "MMMM yyyy"))
    return str(found.start.year)


def days(period: report.Period) -> str:
    """``1 Okt 2026 - 31 Des 2026``."""
    return f"{format_date(period.start, 'd MMM yyyy')} – {format_date(period.end, 'd MMM yyyy')}"


def choice_title(choice: Choice) -> str:
    if choice.name == "custom":
        return days(choice.period)
    return period_name(choice.name)


def quarter_label(period: report.Period) -> str:
    return period_name(report.quarter_name(period.start))


def service_name(code: str | None) -> str:
    if code is None:
        return str(_("Not named (SMS)"))
    return report.service_label(code, current_language()) or code


def grade_text(found: Grade | None) -> str:
    """``B Baik`` / ``B Good``; empty for no grade."""
    return f"{found.letter} {found.label(current_language())}" if found else ""


def nrr_text(value: Fraction | None, places: int = 2) -> str:
    return number(round_half_up(value, places), places) if value is not None else "–"


def value_text(value: Decimal | None) -> str:
    return number(value) if value is not None else "–"


def no_ikm_reason(result: Ikm) -> str:
    if result.reason == NO_RESPONDENTS:
        return str(_("No SKM responses in this period yet, so there is no IKM."))
    return str(
        _(
            "No IKM yet: nobody has answered %(unsur)s, and the IKM weighs all nine unsur.",
            unsur=", ".join(result.unanswered),
        )
    )


HELPERS = {
    "num": value_text,
    "nrr": nrr_text,
    "grade_text": grade_text,
    "service_name": service_name,
    "quarter_label": quarter_label,
    "quarter_token": lambda period: report.quarter_name(period.start),
    "days": days,
    "no_ikm_reason": no_ikm_reason,
}


def _overview(choice: Choice) -> report.Overview:
    return report.overview(
        db_session(), choice.period, choice.service, population_count=choice.population
    )


@bp.get("/skm")
@page()
def skm() -> str:
    form = _form()
    choice = _choice(form)
    data = _overview(choice) if choice else None
    return render_template(
        "desk/skm.html",
        form=form,
        choice=choice,
        data=data,
        title=choice_title(choice) if choice else "",
        neighbours=_neighbours(choice) if choice else {},
        lang=current_language(),
        **HELPERS,
    )


@bp.get("/skm/print")
@page()
def skm_print() -> str:
    choice = _choice(_form())
    if choice is None:
        abort(400)
    return render_template(
        "desk/skm_print.html",
        choice=choice,
        data=_overview(choice),
        title=choice_title(choice),
        printed=format_date(report.today_wib(), "d MMMM yyyy"),
        lang=current_language(),
        **HELPERS,
    )


def _neighbours(choice: Choice) -> dict[str, dict[str, str]]:
    """The previous and next period of the same kind (none for custom dates)."""
    kind = report.period_kind(choice.name)
    if kind is None:
        return {}
    before = choice.period.start - timedelta(days=1)
    after = choice.period.end + timedelta(days=1)
    namer = {"quarter": report.quarter_name, "month": report.month_name, "year": _year_name}[kind]
    found = {}
    for key, day in (("previous", before), ("next", after)):
        if report.EARLIEST <= day <= report.LATEST:
            found[key] = choice.with_period(namer(day))
    return found


def _year_name(day: date) -> str:
    return f"{day.year:04d}"


@bp.get("/skm/chart.svg")
@page()
def skm_chart() -> Response:
    choice = _choice(_form())
    chart, size = request.args.get("chart", ""), request.args.get("size", "l")
    if choice is None or chart not in PARTS:
        abort(400)
    labels, values = _chart_data(chart, choice, small=size == "s")
    response = Response(bars(labels, values, size=size), mimetype="image/svg+xml")
    response.headers["Content-Security-Policy"] = SVG_CSP
    return response


SHORT_LABEL = 14
"""A phone chart's labels are cut to this many characters (the table below has them whole)."""


def _chart_data(
    chart: str, choice: Choice, *, small: bool
) -> tuple[list[str], list[Decimal | None]]:
    session, lang = db_session(), current_language()
    if chart == "unsur":
        result = report.ikm_for(session, choice.period, choice.service)
        return (
            [
                e.unsur.code if small else f"{e.unsur.code} {e.unsur.short_label(lang)}"
                for e in result.elements
            ],
            [e.value for e in result.elements],
        )
    if chart == "service":
        rows = report.by_service(session, choice.period)
        names = [service_name(r.service) for r in rows]
        if small:
            names = [n if len(n) <= SHORT_LABEL else f"{n[: SHORT_LABEL - 1]}…" for n in names]
        return names, [r.result.ikm for r in rows]
    quarters = report.trend(session, choice.period.end, choice.service)
    labels = [(short_quarter if small else quarter_label)(q.period) for q in quarters]
    return labels, [q.result.ikm for q in quarters]


def short_quarter(period: report.Period) -> str:
    """``TW IV 2026`` / ``Q4 2026``."""
    n = report.quarter_number(period)
    return str(_("Q%(number)s/%(year)s", number=n, roman=ROMAN[n], year=period.start.year))


@bp.get("/skm.csv")
@page()
def skm_csv() -> Response:
    choice = _choice(_form())
    part = request.args.get("part") or None
    if choice is None or (part is not None and part not in PARTS):
        abort(400)
    data = _overview(choice)
    rows = list(csv_rows(data, part))
    audit.record(db_session(), me().actor(), "export", "skm", part=part or "all", **choice.args())
    db_session().commit()
    name = f"skm-{choice.period.start}-{choice.period.end}"
    if choice.service:
        name += f"-{choice.service}"
    headers = {"Content-Disposition": f"attachment; filename={name}.csv"}
    return Response(csv_lines(CSV_FIELDS, rows), mimetype="text/csv", headers=headers)


def csv_rows(data: report.Overview, part: str | None = None) -> Iterator[dict[str, Any]]:
    """The page's numbers, one line each: the IKM (``ikm``), the nine unsur, each service,
    each quarter of the trend. ``nrr`` is on the 1-4 scale (four decimals), ``value`` on the
    25-100 scale."""
    lang = current_language()
    period = data.period
    if part in (None, "unsur"):
        yield _line(
            "ikm",
            None,
            service_name(data.service) if data.service else _("All services"),
            period,
            data.result,
        )
        for e in data.result.elements:
            found = e.grade
            yield {
                "section": "unsur",
                "code": e.unsur.code,
                "label": e.unsur.label(lang),
                "from": period.start.isoformat(),
                "to": period.end.isoformat(),
                "respondents": data.result.respondents,
                "answers": e.answers,
                "nrr": _plain(e.nrr, 4),
                "value": _plain(e.value, 2),
                "grade": found.letter if found else "",
                "quality": found.label(lang) if found else "",
            }
    if part in (None, "service"):
        for row in data.services:
            yield _line("service", row.service or "", service_name(row.service), period, row.result)
    if part in (None, "trend"):
        for q in data.trend:
            yield _line(
                "quarter",
                report.quarter_name(q.period.start),
                quarter_label(q.period),
                q.period,
                q.result,
            )


def _line(
    section: str, code: str | None, label: str, period: report.Period, result: Ikm
) -> dict[str, Any]:
    found = result.grade
    lang = current_language()
    return {
        "section": section,
        "code": code or "",
        "label": label,
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "respondents": result.respondents,
        "answers": sum(e.answers for e in result.elements),
        "nrr": _plain(result.index, 4),
        "value": _plain(result.ikm, 2),
        "grade": found.letter if found else "",
        "quality": found.label(lang) if found else "",
    }


def _plain(value: Fraction | Decimal | None, places: int) -> str:
    return str(round_half_up(value, places)) if value is not None else ""
