"""``/staff/audit``: the audit log (admins only). Every staff action, newest first: who,
what, on what, when (WIB), from where, and the detail; filtered by action, staff member,
target and a range of WIB days (both ends included), a page at a time (keyset on the
entry's id, `audit.entries`). ``/staff/audit.csv`` downloads everything the filter finds
(formula-safe, `gateway.staff.render.csv_lines`); that download is itself audited
(``export``).

The log is append-only: this page only reads it, and nothing anywhere edits or deletes an
entry (the database refuses to).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session, sessionmaker
from wtforms import Field, SelectField, StringField
from wtforms.validators import AnyOf, Length, Optional, Regexp, ValidationError
from wtforms.widgets import DateInput

from gateway.common import wib
from gateway.desk.blueprint import bp, page
from gateway.desk.login import me
from gateway.desk.render import when
from gateway.models import AuditEntry
from gateway.staff import accounts, audit, render
from gateway.web import db_session, runtime

PAGE = 50
EXPORT_CHUNK = 1000
FILTERS = ("action", "staff", "target", "since", "until")
CSV_FIELDS = ("id", "at", "actor", "staff_id", "action", "target", "ip", "detail")
DAY_FORMATS = ("%Y-%m-%d", "%d-%m-%Y")
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)
ISO_MOMENT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00")
BAD_DAY = _l("Enter a real date, for example 31-12-2026.")
ACTION_LABELS = {
    "login": _l("Signed in"),
    "login_failed": _l("Failed sign-in"),
    "logout": _l("Signed out"),
    "status": _l("Changed a status"),
    "reply": _l("Replied by SMS"),
    "assign": _l("Assigned a report"),
    "note": _l("Added an internal note"),
    "retag": _l("Retagged a report"),
    "export": _l("Downloaded data"),
    "view_anonymous": _l("Saw an anonymous reporter's number"),
    "view_contact": _l("Looked up a contact"),
    "staff_create": _l("Created a staff account"),
    "staff_role": _l("Changed a role"),
    "staff_deactivate": _l("Deactivated an account"),
    "staff_activate": _l("Reactivated an account"),
    "staff_password": _l("Set a desk password"),
    "token_rotate": _l("Issued a new API token"),
    "token_revoke": _l("Revoked an API token"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


class DayField(StringField):  # type: ignore[misc]
    """A WIB calendar day, as a date picker sends it (``2026-12-31``) or as typed
    (``31-12-2026``); ``.day`` once validated (None when left empty)."""

    widget = DateInput()
    day: date | None = None

    def pre_validate(self, form: FlaskForm) -> None:
        self.day = None
        text = (self.data or "").strip()
        if not text:
            return
        for fmt in DAY_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            if FIRST_DAY <= parsed <= LAST_DAY:
                self.day = parsed
                return
        raise ValidationError(str(BAD_DAY))


class AuditFilter(FlaskForm):  # type: ignore[misc]
    class Meta:
        csrf = False  # a GET that changes nothing

    action = SelectField(
        _l("Action"),
        validate_choice=False,
        validators=[Optional(), AnyOf(audit.ACTIONS, _l("Choose an action from the list."))],
    )
    staff = SelectField(
        _l("Staff member"),
        validate_choice=False,
        validators=[
            Optional(),
            Regexp(r"\A[0-9]{1,9}\Z", message=_l("Choose a staff member from the list.")),
        ],
    )
    target = StringField(
        _l("Target"),
        validators=[Optional(), Length(max=120, message=_l("Use at most 120 characters."))],
    )
    since = DayField(_l("From"))
    until = DayField(_l("To"))

    def validate_until(self, field: Field) -> None:
        if field.day and self.since.day and field.day < self.since.day:
            raise ValidationError(_("The end date must be on or after the start date."))


@bp.get("/audit")
@page("admin")
def audit_log() -> str:
    form, query = _filter()
    entries: list[dict[str, Any]] = []
    older = None
    if query is not None:
        found = audit.entries(db_session(), query)
        entries = [_shown(entry) for entry in found[:PAGE]]
        older = found[PAGE - 1].id if len(found) > PAGE else None
    return render_template(
        "desk/audit_log.html",
        form=form,
        entries=entries,
        older=older,
        paged=query is not None and query.before_id is not None,
        args=_filter_args(),
    )


@bp.get("/audit.csv")
@page("admin")
def audit_csv() -> ResponseReturnValue:
    form, query = _filter()
    if query is None:
        return audit_log(), 400
    audit.record(db_session(), me().actor(), "export", "audit_log", filter=_filter_args())
    db_session().commit()
    rows = _export_rows(runtime().sessions, replace(query, before_id=None, limit=EXPORT_CHUNK))
    stamp = datetime.now(UTC).astimezone(wib.WIB).strftime("%Y%m%d-%H%M")
    response = Response(render.csv_lines(CSV_FIELDS, rows), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="suara-audit-{stamp}.csv"'
    return response


def _filter() -> tuple[AuditFilter, audit.AuditQuery | None]:
    """The filter as the query string gives it, and the query it makes (None when some
    field is wrong: the form then says which)."""
    form = AuditFilter(formdata=request.args)
    form.action.choices = [("", _("Any action"))] + [(a, action_label(a)) for a in audit.ACTIONS]
    form.staff.choices = [("", _("Anyone"))] + [
        (str(user.id), user.name) for user in accounts.list_staff(db_session())
    ]
    if not form.validate():
        return form, None
    until = form.until.day + timedelta(days=1) if form.until.day else None
    return form, audit.AuditQuery(
        action=form.action.data or None,
        staff_id=int(form.staff.data) if form.staff.data else None,
        target=(form.target.data or "").strip() or None,
        since=_wib_midnight(form.since.day) if form.since.day else None,
        until=_wib_midnight(until) if until else None,
        before_id=_cursor(request.args.get("before", "")),
        limit=PAGE,
    )


def _filter_args() -> dict[str, str]:
    """The filter's non-empty fields, for the links that keep it (next page, CSV)."""
    return {name: request.args[name] for name in FILTERS if request.args.get(name, "").strip()}


def _cursor(text: str) -> int | None:
    return int(text) if text.isdigit() and 0 < len(text) <= 9 else None


def _wib_midnight(day: date) -> datetime:
    """The moment a WIB day begins, in UTC."""
    return datetime.combine(day, time(), tzinfo=wib.WIB).astimezone(UTC)


def _shown(entry: AuditEntry) -> dict[str, Any]:
    """An entry as the page shows it: its time in WIB, its action in words."""
    detail: Mapping[str, Any] = entry.detail or {}
    return {
        "when": when(entry.at),
        "staff_id": entry.staff_id,
        "actor": entry.actor,
        "action": entry.action,
        "label": action_label(entry.action),
        "target": entry.target,
        "ip": entry.ip,
        "detail": [(k, _value(v)) for k, v in sorted(detail.items()) if v is not None],
    }


def _value(value: object) -> str:
    """A detail's value in words: yes/no, a moment in WIB, else as it was recorded."""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, str) and ISO_MOMENT.fullmatch(value):
        return when(datetime.fromisoformat(value))
    return str(value)


def _export_rows(
    sessions: sessionmaker[Session], query: audit.AuditQuery
) -> Iterator[dict[str, Any]]:
    """Every entry the query finds, newest first, a chunk at a time (memory stays flat)."""
    with sessions() as session:
        while True:
            found = audit.entries(session, query)
            for entry in found[: query.limit]:
                yield {
                    "id": entry.id,
                    "at": entry.at.astimezone(wib.WIB).isoformat(timespec="seconds"),
                    "actor": entry.actor,
                    "staff_id": entry.staff_id,
                    "action": entry.action,
                    "target": entry.target,
                    "ip": entry.ip,
                    "detail": json.dumps(entry.detail or {}, ensure_ascii=False, sort_keys=True),
                }
            if len(found) <= query.limit:
                return
            query = replace(query, before_id=found[query.limit - 1].id)
