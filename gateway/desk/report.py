"""``/staff/reports/<ticket>``: one report, its whole thread in time order, and what an
officer does with it: reply by SMS, change the status (each step sends its status SMS, as
the API does), assign, add an internal note (never sent), correct the tags.

Every action is a POST that goes through `gateway.staff.casework` (the same audited
services as the JSON API), then redirects back with a message; bad input shows the page
again with the message beside the field and what was typed kept. Viewers read only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from gateway.common import tickets
from gateway.common.sms_text import count_segments, encoding, to_gsm7
from gateway.desk.blueprint import EDIT, bp, page
from gateway.desk.login import me
from gateway.desk.render import status_label
from gateway.desk.report_forms import AssignForm, NoteForm, ReplyForm, RetagForm, StatusForm
from gateway.errors import InvalidInput
from gateway.feedback import staff_ops as svc
from gateway.feedback.lifecycle import TRANSITIONS, can_notify
from gateway.feedback.thread import Entry, staff_names, thread
from gateway.models import Feedback, FeedbackStatus
from gateway.outbox.enqueue import enqueue_sends
from gateway.sms.tagging import CATEGORIES, KECAMATAN
from gateway.staff import audit, casework
from gateway.staff.validation import MAX_REPLY_SEGMENTS, parse_reply, parse_status_change
from gateway.web import db_session, runtime

KINDS = {
    "complaint": _l("Complaint"),
    "suggestion": _l("Suggestion"),
    "question": _l("Question"),
    "other": _l("Other"),
}
CATEGORY_LABELS = {
    "spmb": _l("Admissions (SPMB)"),
    "ijazah": _l("Diplomas and legalisation"),
    "mutasi": _l("Pupil transfers"),
    "pip": _l("PIP / KIP aid"),
    "bos": _l("BOS funds and levies"),
    "guru": _l("Teachers and staff"),
    "sarpras": _l("School buildings and facilities"),
    "perundungan": _l("Bullying and child safety"),
    "lainnya": _l("Other"),
}
CHANNELS = {"sms": _l("SMS"), "ussd": _l("USSD"), "staff": _l("Entered by staff")}
DELIVERY = {
    "queued": _l("Queued"),
    "sending": _l("Sending"),
    "unknown": _l("Unknown: the provider's answer was lost"),
    "sent": _l("Sent to the network"),
    "delivered": _l("Delivered to the phone"),
    "failed": _l("Failed"),
    "rejected": _l("Refused by the network"),
    "expired": _l("Expired before delivery"),
    "cancelled": _l("Cancelled"),
}
EDIT_FIELDS = {
    "category": _l("Category"),
    "kecamatan": _l("Kecamatan"),
    "school": _l("School"),
    "assigned_to": _l("Assigned to"),
}
NOBODY = ""
_STATUSES = [s.value for s in FeedbackStatus]


def _(text: str, **variables: Any) -> str:
    """`flask_babel.gettext`, typed."""
    return str(gettext(text, **variables))


class FormError(Exception):
    """Input a service refused, as messages for the page's fields."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class Done:
    message: str
    outbound_ids: tuple[int, ...] = ()
    warnings: tuple[str, ...] = ()


Action = Callable[[Session, Feedback, Any], Done]


@bp.get("/reports/<ticket>")
@page()
def report(ticket: str) -> ResponseReturnValue:
    return _show(ticket)


@bp.post("/reports/<ticket>/reply")
@page(*EDIT)
def report_reply(ticket: str) -> ResponseReturnValue:
    return _act(ticket, "reply", ReplyForm(), _reply)


@bp.post("/reports/<ticket>/status")
@page(*EDIT)
def report_status(ticket: str) -> ResponseReturnValue:
    return _act(ticket, "status", StatusForm(), _status)


@bp.post("/reports/<ticket>/assign")
@page(*EDIT)
def report_assign(ticket: str) -> ResponseReturnValue:
    return _act(ticket, "assign", AssignForm(), _assign)


@bp.post("/reports/<ticket>/note")
@page(*EDIT)
def report_note(ticket: str) -> ResponseReturnValue:
    return _act(ticket, "note", NoteForm(), _note)


@bp.post("/reports/<ticket>/retag")
@page(*EDIT)
def report_retag(ticket: str) -> ResponseReturnValue:
    return _act(ticket, "retag", RetagForm(), _retag)


def _act(ticket: str, name: str, form: FlaskForm, action: Action) -> ResponseReturnValue:
    """Validate, act through one audited service, commit, enqueue, redirect back; or show
    the page again with the form's errors."""
    session = db_session()
    try:
        with session.begin():
            feedback = _feedback(session, ticket)
            _choices(session, feedback, form)
            if not form.validate_on_submit():
                raise FormError({})
            nul = {f.name: _("Remove the NUL character.") for f in form if "\x00" in str(f.data)}
            if nul:
                raise FormError(nul)
            done = action(session, feedback, form)
    except FormError as exc:
        for field_name, message in exc.errors.items():
            form[field_name].errors = [*form[field_name].errors, message]
        return _show(ticket, failed=(name, form))
    enqueue_sends(runtime().redis, done.outbound_ids)
    flash(done.message, "success")
    for warning in done.warnings:
        flash(warning, "warning")
    return redirect(url_for("desk.report", ticket=ticket))


def _reply(session: Session, feedback: Feedback, form: ReplyForm) -> Done:
    prefix = svc.reply_prefix(feedback)
    typed = form.text.data or ""
    try:
        text = parse_reply({"text": typed}, prefix)
    except InvalidInput:
        raise FormError({"text": _reply_problem(typed, prefix)}) from None
    try:
        outbound_id = casework.reply(session, _actor(), feedback, text)
    except InvalidInput:
        raise FormError({"text": _("This citizen cannot get SMS about this report.")}) from None
    sms = f"{prefix} {text.text}"
    segments = count_segments(sms)
    message = _(
        "Reply queued: %(num)d SMS (%(encoding)s) to the citizen.",
        num=segments,
        encoding=encoding(sms),
    )
    changed = _("Text changed to fit the GSM-7 SMS alphabet: check it below.")
    warnings = (changed,) if text.normalised else ()
    return Done(message, (outbound_id,), warnings)


def _reply_problem(typed: str, prefix: str) -> str:
    """Why `parse_reply` refused ``typed``, in the page's language."""
    cleaned = " ".join(to_gsm7(typed).split())
    if not typed.strip():
        return _("Enter the text of the SMS.")
    if not cleaned:
        return _("Nothing is left once the characters an SMS cannot carry are removed.")
    return _(
        "Too long: %(num)d SMS. A reply may be at most %(max)d SMS, the ticket prefix included.",
        num=count_segments(f"{prefix} {cleaned}"),
        max=MAX_REPLY_SEGMENTS,
    )


def _status(session: Session, feedback: Feedback, form: StatusForm) -> Done:
    body = {"status": form.status.data, "note": form.note.data or None, "notify": form.notify.data}
    try:
        change = parse_status_change(body)
    except InvalidInput as exc:
        raise FormError(_status_problems(exc.errors, feedback.status, body["status"])) from None
    try:
        done = casework.change_status(session, _actor(), feedback, change)
    except InvalidInput as exc:
        raise FormError(_status_problems(exc.errors, feedback.status, change.status)) from None
    label = status_label(done.to_status)
    if done.outbound_ids:
        message = _("Status changed to %(status)s. The status SMS is queued.", status=label)
    elif change.notify:
        message = _(
            "Status changed to %(status)s. No SMS: this citizen cannot get SMS about it.",
            status=label,
        )
    else:
        message = _("Status changed to %(status)s. No SMS was sent, as chosen.", status=label)
    return Done(message, done.outbound_ids)


def _status_problems(errors: dict[str, str], current: str, target: object) -> dict[str, str]:
    found: dict[str, str] = {}
    if "status" in errors:
        found["status"] = (
            _(
                "A report that is %(current)s cannot become %(target)s.",
                current=status_label(current),
                target=status_label(str(target)),
            )
            if target in _STATUSES
            else _("Choose the new status.")
        )
    if "note" in errors:
        found["note"] = (
            _("Say where the citizen should go instead: a rejection needs a note.")
            if target == FeedbackStatus.REJECTED
            else _("The note is too long.")
        )
    return found


def _assign(session: Session, feedback: Feedback, form: AssignForm) -> Done:
    if form.me.data:
        assignee: int | None = me().staff_id
    elif form.assigned_to.data in (None, NOBODY):
        assignee = None
    elif str(form.assigned_to.data).isdecimal():
        assignee = int(form.assigned_to.data)
    else:
        raise FormError({"assigned_to": _("Choose someone from the list.")})
    if assignee == feedback.assigned_to_id:
        return Done(_("Nothing changed."))
    try:
        casework.correct(session, _actor(), feedback, {"assigned_to": assignee})
    except InvalidInput:
        raise FormError({"assigned_to": _("Choose someone from the list.")}) from None
    if assignee is None:
        return Done(_("Nobody is assigned now."))
    name = staff_names(session, {assignee}).get(assignee, "")
    return Done(_("Assigned to %(name)s.", name=name))


def _note(session: Session, feedback: Feedback, form: NoteForm) -> Done:
    casework.add_note(session, _actor(), feedback, form.note.data.strip())
    return Done(_("Note added. It is not sent to the citizen."))


def _retag(session: Session, feedback: Feedback, form: RetagForm) -> Done:
    errors: dict[str, str] = {}
    category = form.category.data or None
    if category is not None and category not in CATEGORIES:
        errors["category"] = _("Choose a category from the list.")
    kecamatan = form.kecamatan.data or None
    if kecamatan is not None and kecamatan not in KECAMATAN:
        errors["kecamatan"] = _("Choose a kecamatan from the list.")
    if errors:
        raise FormError(errors)
    wanted = {"category": category, "kecamatan": kecamatan, "school": form.school.data.strip()}
    wanted["school"] = wanted["school"] or None
    changes = {k: v for k, v in wanted.items() if getattr(feedback, k) != v}
    if not changes:
        return Done(_("Nothing changed."))
    casework.correct(session, _actor(), feedback, changes)
    return Done(_("Tags saved."))


def _show(ticket: str, failed: tuple[str, FlaskForm] | None = None) -> str:
    session = db_session()
    with session.begin():  # an admin's look at an anonymous number is audited
        item = _find(session, ticket)
        fb = item.feedback
        casework.record_view(session, _actor(), me().role, fb)
        entries = thread(session, fb.id)
        forms = _forms(fb, failed)
        for form in forms.values():
            _choices(session, fb, form)
        names = staff_names(session, {fb.assigned_to_id, *(e.staff_id for e in entries)})
    return render_template(
        "desk/report.html",
        item=item,
        fb=fb,
        entries=entries,
        forms=forms,
        failed=failed[1] if failed else None,
        assignee=names.get(fb.assigned_to_id) if fb.assigned_to_id else None,
        can_notify=can_notify(fb),
        prefix=svc.reply_prefix(fb),
        max_segments=MAX_REPLY_SEGMENTS,
        kinds=KINDS,
        categories=CATEGORY_LABELS,
        channels=CHANNELS,
        delivery=DELIVERY,
        edit_line=lambda entry: _edit_line(entry, names),
    )


def _forms(feedback: Feedback, failed: tuple[str, FlaskForm] | None) -> dict[str, FlaskForm]:
    """The page's forms, empty (defaults), except the one that failed: as it was sent."""
    forms: dict[str, FlaskForm] = {
        "reply": ReplyForm(formdata=None),
        "status": StatusForm(formdata=None),
        "assign": AssignForm(formdata=None, assigned_to=str(feedback.assigned_to_id or NOBODY)),
        "note": NoteForm(formdata=None),
        "retag": RetagForm(
            formdata=None,
            category=feedback.category or "",
            kecamatan=feedback.kecamatan or "",
            school=feedback.school or "",
        ),
    }
    if failed is not None:
        forms[failed[0]] = failed[1]
    return forms


def _choices(session: Session, feedback: Feedback, form: FlaskForm) -> None:
    if isinstance(form, StatusForm):
        allowed = sorted(TRANSITIONS[FeedbackStatus(feedback.status)], key=_STATUSES.index)
        form.status.choices = [(s.value, status_label(s.value)) for s in allowed]
    elif isinstance(form, AssignForm):
        people = [(str(u.id), u.name) for u in svc.assignees(session)]
        form.assigned_to.choices = [(NOBODY, _("Nobody")), *people]
    elif isinstance(form, RetagForm):
        form.category.choices = [("", _("Not set"))] + [
            (c, str(CATEGORY_LABELS.get(c, c))) for c in CATEGORIES
        ]
        form.kecamatan.choices = [("", _("Not set"))] + [(k, k) for k in KECAMATAN]


def _edit_line(entry: Entry, names: dict[int, str]) -> str:
    """An edit event's note (``field: old -> new``) in words."""
    name, _sep, rest = (entry.text or "").partition(": ")
    old, arrow, new = rest.partition(" -> ")
    if name not in EDIT_FIELDS or not arrow:
        return entry.text or ""

    def shown(value: str) -> str:
        if value == "-":
            return _("not set")
        if name == "assigned_to" and value.isdecimal():
            return names.get(int(value), value)
        if name == "category":
            return str(CATEGORY_LABELS.get(value, value))
        return value

    return _(
        "%(field)s: %(old)s → %(new)s", field=EDIT_FIELDS[name], old=shown(old), new=shown(new)
    )


def _find(session: Session, ticket: str) -> svc.FeedbackItem:
    item = svc.find_feedback(session, ticket) if tickets.is_valid(ticket) else None
    if item is None:
        raise NotFound()
    return item


def _feedback(session: Session, ticket: str) -> Feedback:
    return _find(session, ticket).feedback


def _actor() -> audit.Actor:
    return me().actor()
