"""``/staff/reports``: the inbox. Every report, suggestion and question, newest first, a page
at a time (keyset on id), with the filters of ``GET /api/v1/feedback`` in one GET form, the
count per status, an SLA badge per row and the CSV of the current filters.

The query string is parsed by the API's own parser (`validation.parse_list_query`) and the
rows come from the same services (`staff_ops.list_feedback`, `status_counts`,
`iter_feedback`), so the page and the API never disagree. Without a query string an officer
sees "assigned to me or nobody, open"; an admin or a viewer everything open.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from flask import Response, redirect, render_template, request, stream_with_context, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, Form, SelectField, StringField

from gateway.desk.blueprint import bp, page
from gateway.desk.login import me
from gateway.desk.render import status_label, when
from gateway.errors import InvalidInput
from gateway.feedback import staff_ops as svc
from gateway.models import FeedbackStatus
from gateway.sms import tagging
from gateway.staff import audit, auth, render, validation
from gateway.web import db_session

FILTERS = (
    "q",
    "status",
    "kind",
    "category",
    "kecamatan",
    "school",
    "assigned",
    "open",
    "overdue",
    "from",
    "to",
)
"""The form's fields, in the query string's order."""
MORE = frozenset(FILTERS) - {"q", "assigned", "open"}
"""Filters inside "More filters": the box opens when one of them is set."""
ALL = {"assigned": "anyone"}
"""The query of "Show all": every report (an empty query string is the default view)."""
CSV_FIELDS = (
    "ticket",
    "created_at",
    "kind",
    "category",
    "kecamatan",
    "school",
    "status",
    "due_at",
    "overdue",
    "assigned_to",
    "assignee",
    "channel",
    "anonymous",
    "phone",
    "text",
)
SNIPPET = 100

KIND_LABELS = {
    "complaint": _l("Complaint"),
    "suggestion": _l("Suggestion"),
    "question": _l("Question"),
    "other": _l("Other"),
}
CATEGORY_LABELS = {
    "spmb": _l("SPMB/pupil admission"),
    "ijazah": _l("Diploma & legalisation"),
    "mutasi": _l("Pupil transfer"),
    "pip": _l("PIP/KIP"),
    "bos": _l("BOS funds & levies"),
    "guru": _l("Teachers & school staff"),
    "sarpras": _l("School facilities"),
    "perundungan": _l("Bullying & child safety"),
    "lainnya": _l("Other"),
}
ASSIGNED_LABELS = {
    "anyone": _l("Anyone"),
    "mine_or_nobody": _l("Me or nobody"),
    "me": _l("Me"),
    "nobody": _l("Nobody"),
}
MESSAGES = {
    validation.DAY_FORMAT: _l("Enter a real date as YYYY-MM-DD, for example 2026-11-01."),
    validation.DAY_ORDER: _l("The end date must be the same as or after the start date."),
    validation.OUT_OF_RANGE: _l("Enter a date closer to today."),
    validation.FLAG: _l("Tick the box or leave it empty."),
    validation.SEARCH_TOO_SHORT: _l("Enter at least 3 letters or digits to search, or a ticket."),
}
"""The page's words for the parser's messages (the API answers them in English)."""
FIELD_MESSAGES = {
    "status": _l("Choose a status from the list."),
    "kind": _l("Choose a kind from the list."),
    "category": _l("Choose a category from the list."),
    "kecamatan": _l("Choose a kecamatan from the list."),
    "assigned": _l("Choose from the list whose reports to show."),
    "cursor": _l("This page link is broken. Start again from the first page."),
    "after": _l("This page link is broken. Start again from the first page."),
}


class InboxFilters(Form):  # type: ignore[misc]
    """The filter form (GET, so no CSRF token); its choices are set per request, in the
    page's language. The parser, not this form, decides what is valid."""

    q = StringField(_l("Search the text, or a ticket"))
    status = SelectField(_l("Status"))
    kind = SelectField(_l("Kind"))
    category = SelectField(_l("Category"))
    kecamatan = SelectField(_l("Kecamatan"))
    school = StringField(_l("School"))
    assigned = SelectField(_l("Assigned to"))
    open = BooleanField(_l("Open only (not answered, closed or rejected)"), false_values=("0",))
    overdue = BooleanField(_l("Overdue only"), false_values=("0",))
    received_from = StringField(_l("Received from"), name="from")  # `from`: a Python keyword
    to = StringField(_l("Received until"))


def filter_form(filters: Mapping[str, str]) -> InboxFilters:
    form = InboxFilters(formdata=MultiDict(filters))
    any_ = ("", _("Any"))
    form.status.choices = [any_] + [(s.value, status_label(s.value)) for s in FeedbackStatus]
    form.kind.choices = [any_] + [(k, str(v)) for k, v in KIND_LABELS.items()]
    form.category.choices = [any_] + [(c, str(CATEGORY_LABELS[c])) for c in tagging.CATEGORIES]
    form.kecamatan.choices = [any_] + [(k, k) for k in tagging.KECAMATAN]
    form.assigned.choices = [(k, str(v)) for k, v in ASSIGNED_LABELS.items()]
    return form


def current_filters(role: str) -> dict[str, str]:
    """The filters of this request (empty ones dropped); with no query string at all the
    role's default view. ``assigned`` is always there, so no link of the page is empty."""
    if not request.args:
        return {"assigned": "mine_or_nobody" if role == "officer" else "anyone", "open": "1"}
    found = {name: " ".join(request.args.get(name, "").split()) for name in FILTERS}
    found = {name: value for name, value in found.items() if value}
    found.setdefault("assigned", "anyone")
    return found


@bp.get("/reports")
@page()
def inbox() -> ResponseReturnValue:
    user = me()
    filters = current_filters(user.role)
    paging = {k: request.args[k] for k in ("cursor", "after") if request.args.get(k)}
    try:
        query = validation.parse_list_query(
            filters | paging, staff_id=user.staff_id, min_search=validation.MIN_SEARCH
        )
    except InvalidInput as exc:
        form = filter_form(filters)
        errors = _field_errors(form, exc.errors)
        return render_template(
            "desk/inbox.html", form=form, filters=filters, errors=errors, page=None, more_open=True
        )
    if query.kecamatan:  # as the parser understood it ("merbau" is Marbau)
        filters["kecamatan"] = query.kecamatan
    now = datetime.now(UTC)
    admin = auth.sees_anonymous_phone(user.role)
    found = svc.list_feedback(db_session(), query, admin=admin, now=now)
    counts = svc.status_counts(db_session(), query, admin=admin, now=now)
    names = svc.staff_names(db_session(), (i.feedback.assigned_to_id for i in found.items))
    total = svc.matching(counts, query)
    return render_template(
        "desk/inbox.html",
        form=filter_form(filters),
        filters=filters,
        errors=[],
        page=found,
        names=names,
        now=now,
        total=total,
        total_text=format_number(total),
        counts=[(s, n, _link(filters, status=s, open=None)) for s, n in counts.items()],
        newer=_link(filters, after=found.newer) if found.newer else None,
        older=_link(filters, cursor=found.next) if found.next else None,
        csv=_url("desk.inbox_csv", filters),
        show_all=_url("desk.inbox", ALL),
        active=_active(filters),
        more_open=any(name in MORE for name in filters),
        when=when,
        statuses={s: status_label(s) for s in counts},
        kinds={k: str(v) for k, v in KIND_LABELS.items()},
        categories={k: str(v) for k, v in CATEGORY_LABELS.items()},
    )


@bp.get("/reports.csv")
@page()
def inbox_csv() -> ResponseReturnValue:
    """Every report of the current filters as CSV (numbers as the role may see them),
    recorded in the audit log as ``export``."""
    user = me()
    filters = current_filters(user.role)
    try:
        query = validation.parse_list_query(
            filters, staff_id=user.staff_id, min_search=validation.MIN_SEARCH
        )
    except InvalidInput:
        return redirect(_url("desk.inbox", filters))
    with db_session().begin():
        audit.record(db_session(), user.actor(), "export", "feedback", filters=filters)
    now = datetime.now(UTC)
    admin, role = auth.sees_anonymous_phone(user.role), user.role

    def rows() -> Iterator[dict[str, Any]]:
        names: dict[int, str] = {}
        for item in svc.iter_feedback(db_session(), query, admin=admin, now=now):
            row = render.feedback_item(item, now=now, role=role)
            assignee = item.feedback.assigned_to_id
            if assignee is not None and assignee not in names:
                names |= svc.staff_names(db_session(), [assignee])
            yield row | {"assignee": names.get(assignee) if assignee else None}

    lines = render.csv_lines(CSV_FIELDS, rows())
    filename = f"laporan-{now.strftime('%Y%m%d-%H%M')}.csv"
    headers = {"Content-Disposition": f"attachment; filename={filename}"}
    return Response(stream_with_context(lines), mimetype="text/csv", headers=headers)


def _link(filters: Mapping[str, str], **changes: str | None) -> str:
    """The inbox with ``filters`` changed (None drops one)."""
    merged = {**filters, **changes}
    return _url("desk.inbox", {k: v for k, v in merged.items() if v})


def _url(endpoint: str, args: Mapping[str, str]) -> str:
    values: dict[str, Any] = dict(args)
    return url_for(endpoint, **values)


def _field_errors(form: InboxFilters, errors: Mapping[str, str]) -> list[tuple[str | None, str]]:
    """Each parser error as the page says it, set beside its field; (field id, message)."""
    found: list[tuple[str | None, str]] = []
    fields = {f.name: f for f in form}
    order = list(fields)
    for name, english in sorted(errors.items(), key=lambda e: _position(order, e[0])):
        message = str(MESSAGES.get(english) or FIELD_MESSAGES.get(name) or _("Check this value."))
        field = fields.get(name)
        if field is not None:
            field.errors = [message]
        found.append((field.id if field is not None else None, message))
    return found


def _position(order: list[str], name: str) -> int:
    return order.index(name) if name in order else len(order)


def _active(filters: Mapping[str, str]) -> list[str]:
    """The filters in force, in words, for the line above the list."""
    words: list[str] = []
    for name, value in filters.items():
        if name == "q":
            words.append(_("text or ticket “%(q)s”", q=value))
        elif name == "status":
            words.append(status_label(value))
        elif name == "kind":
            words.append(str(KIND_LABELS.get(value, value)))
        elif name == "category":
            words.append(str(CATEGORY_LABELS.get(value, value)))
        elif name in ("kecamatan",):
            words.append(value)
        elif name == "school":
            words.append(_("school “%(school)s”", school=value))
        elif name == "assigned" and value != "anyone":
            words.append(_("assigned to: %(who)s", who=str(ASSIGNED_LABELS.get(value, value))))
        elif name == "open":
            words.append(_("open"))
        elif name == "overdue":
            words.append(_("overdue"))
        elif name == "from":
            words.append(_("from %(day)s", day=value))
        elif name == "to":
            words.append(_("until %(day)s", day=value))
    return words
