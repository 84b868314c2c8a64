"""The desk's forms (Flask-WTF): each field's label and message in the request's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):  # type: ignore[misc]
    username = StringField(
        _l("Username"),
        validators=[DataRequired(_l("Enter your username.")), Length(max=80)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=200)],
    )
    next = HiddenField()


class LanguageForm(FlaskForm):  # type: ignore[misc]
    lang = HiddenField()
    next = HiddenField()


class EmptyForm(FlaskForm):  # type: ignore[misc]
    """A button that only needs the CSRF token (logout, confirmations)."""
