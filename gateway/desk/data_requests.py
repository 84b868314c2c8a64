"""``/staff/data-requests`` (admins only, like ``GET /api/v1/data-requests``): the UU PDP
requests citizens made by SMS, DATA (access) and HAPUS (erasure), newest first, with the
3 x 24 hour clock, their state and what was done (`gateway.citizens.outcomes`).

The rows come from ``rights.list_requests``, the API's own service, with the API's filter
values (`gateway.staff.validation.DATA_REQUEST_STATUSES`), so the page and the API never
disagree. The API has no action on a request (DATA is answered at once, HAPUS is carried
out by a worker job), so neither has the page.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, ValidationError
from wtforms.fields.choices import SelectChoice

from gateway.citizens import outcomes
from gateway.citizens.rights import list_requests
from gateway.desk import people_words
from gateway.desk.blueprint import bp, page
from gateway.staff.validation import DATA_REQUEST_STATUSES
from gateway.web import db_session

PAGE = 30
"""Requests per page (a done erasure's card is about 1.5 KB: 30 stay well inside the
page budget)."""


class StateField(SelectField):  # type: ignore[misc]
    def pre_validate(self, form: FlaskForm) -> None:
        if self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(_l("Choose a state from the list."))


class RequestFilterForm(FlaskForm):  # type: ignore[misc]
    """A GET form (no CSRF token: it changes nothing)."""

    class Meta:
        csrf = False

    status = StateField(
        _l("State"),
        choices=[SelectChoice("", _l("All"))]
        + [SelectChoice(s, people_words.REQUEST_STATES[s]) for s in DATA_REQUEST_STATUSES],
        default="",
    )


@bp.get("/data-requests")
@page("admin")
def data_requests() -> ResponseReturnValue:
    form = RequestFilterForm(request.args)
    status = (form.status.data or None) if form.validate() else None
    before = request.args.get("before", type=int)
    before = before if before is not None and before > 0 else None
    now = datetime.now(UTC)
    rows = list_requests(db_session(), status=status, limit=PAGE + 1, before=before)
    shown = outcomes.outcomes(db_session(), rows[:PAGE], now=now)
    older = shown[-1].id if len(rows) > PAGE else None
    return render_template(
        "desk/data_requests.html",
        form=form,
        requests=shown,
        older=older,
        status=status,
        counts=outcomes.open_counts(db_session(), now=now),
        word=people_words.word,
    )
