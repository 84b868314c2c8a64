"""What the desk's templates call: WIB times, status labels in the page's language, phone
numbers as the signed-in role may see them, the SLA badge, versioned static URLs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from gateway.common import texts, wib
from gateway.common.workdays import working_days_between
from gateway.desk.blueprint import asset
from gateway.desk.i18n import current_language
from gateway.feedback.lifecycle import FINISHED
from gateway.staff.auth import shown_phone


def when(moment: datetime | None) -> str:
    """``03-12-2026 14:05 WIB``; empty for None."""
    return f"{wib.date_time(moment)} WIB" if moment is not None else ""


def status_label(status: str | None) -> str:
    if not status:
        return ""
    if status in texts.STATUS_LABELS:
        return texts.label(texts.STATUS_LABELS, status, current_language())
    return status


def phone_for_me(phone: str | None, anonymous: bool = False) -> str | None:
    """The number as the signed-in staff member may see it (None: not shown)."""
    role = current_user.role if current_user.is_authenticated else "viewer"
    return shown_phone(role, phone, anonymous=anonymous)


def sla(status: str, due_at: datetime | None, now: datetime | None = None) -> dict[str, Any]:
    """``{"state": "overdue"|"due"|"none", "days": n}``: overdue by ``n`` working days, or
    due in ``n`` (0: today)."""
    now = now or datetime.now(UTC)
    if due_at is None or status in FINISHED:
        return {"state": "none", "days": 0}
    if now > due_at:
        return {"state": "overdue", "days": max(1, working_days_between(due_at, now))}
    return {"state": "due", "days": working_days_between(now, due_at)}


NAV = (
    ("desk.home", _l("Overview"), None),
    ("desk.inbox", _l("Inbox"), None),
    ("desk.contacts", _l("Contacts"), None),
    ("desk.skm", _l("SKM"), None),
    ("desk.data_requests", _l("Data requests"), "admin"),
    ("desk.staff_list", _l("Staff"), "admin"),
    ("desk.audit_log", _l("Audit log"), "admin"),
)
"""The menu: endpoint, label, role needed (None: every role)."""
ROLE_LABELS = {"admin": _l("admin"), "officer": _l("officer"), "viewer": _l("viewer")}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def nav() -> list[tuple[str, Any]]:
    """The menu entries the signed-in staff member may open (endpoint, label)."""
    views = current_app.view_functions
    role = current_user.role if current_user.is_authenticated else None
    return [
        (endpoint, label)
        for endpoint, label, needs in NAV
        if endpoint in views and (needs is None or role == needs)
    ]


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(when=when, status_label=status_label, role_label=role_label)
    app.jinja_env.globals.update(
        asset=asset, nav=nav, phone_for_me=phone_for_me, sla=sla, current_language=current_language
    )
