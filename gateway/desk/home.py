"""``/staff/``: where a login lands. For now, the count of reports per status (each a link
into the inbox) and the way to each page; the overview with charts comes with issue 14."""

from __future__ import annotations

from flask import render_template
from sqlalchemy import func, select

from gateway.desk.blueprint import bp, page
from gateway.models import Feedback, FeedbackStatus
from gateway.web import db_session


@bp.get("/")
@page()
def home() -> str:
    rows = (
        db_session().execute(select(Feedback.status, func.count()).group_by(Feedback.status)).all()
    )
    counts = {status: count for status, count in rows}
    statuses = [(s.value, counts.get(s.value, 0)) for s in FeedbackStatus]
    return render_template("desk/home.html", statuses=statuses)
