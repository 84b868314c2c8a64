"""The forms of one report's page (Flask-WTF): reply, status, assign, note, retag.

Field names are a contract (browser tests rely on them); ids are set where two forms of the
page share a name (``note``). Choices are filled in by the view; what a service refuses
comes back as a field error through `errors_from`.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from gateway.staff.validation import MAX_NOTE

MAX_REPLY_CHARS = 1000
MAX_SCHOOL = 120


class ReplyForm(FlaskForm):  # type: ignore[misc]
    text = TextAreaField(
        _l("Your reply"),
        id="reply-text",
        validators=[
            DataRequired(_l("Enter the text of the SMS.")),
            Length(max=MAX_REPLY_CHARS, message=_l("The SMS text is too long.")),
        ],
    )


class StatusForm(FlaskForm):  # type: ignore[misc]
    status = SelectField(
        _l("New status"),
        id="status-status",
        validate_choice=False,
        validators=[DataRequired(_l("Choose the new status."))],
    )
    note = TextAreaField(
        _l("Note for the citizen (optional)"),
        id="status-note",
        validators=[Length(max=MAX_NOTE, message=_l("The note is too long."))],
    )
    notify = BooleanField(_l("Send the citizen the status SMS"), id="status-notify", default=True)


class AssignForm(FlaskForm):  # type: ignore[misc]
    assigned_to = SelectField(_l("Assigned to"), id="assign-to", validate_choice=False)
    me = BooleanField()
    """Set by the "Assign to me" button."""


class NoteForm(FlaskForm):  # type: ignore[misc]
    note = TextAreaField(
        _l("Internal note"),
        id="note-text",
        validators=[
            DataRequired(_l("Enter the note.")),
            Length(max=MAX_NOTE, message=_l("The note is too long.")),
        ],
    )


class RetagForm(FlaskForm):  # type: ignore[misc]
    category = SelectField(_l("Category"), id="retag-category", validate_choice=False)
    kecamatan = SelectField(_l("Kecamatan"), id="retag-kecamatan", validate_choice=False)
    school = StringField(
        _l("School"),
        id="retag-school",
        validators=[Length(max=MAX_SCHOOL, message=_l("The school name is too long."))],
    )
