"""``/staff/staff``: the staff accounts (admins only). Create one (with a desk password; its
API token is shown once), deactivate or reactivate it, reset its password, revoke or rotate
its API token, change its role.

Every change goes through `gateway.staff.account_ops`, as the JSON API's and the CLI's do,
so each one is in the audit log. Nobody can remove the last active admin (the service
refuses; the page says why); an admin taking away their own admin rights ticks a box first.
A new token is in the POST's answer only (``Cache-Control: no-store``): it is never kept,
neither in the flash cookie nor on the server.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import Response, flash, make_response, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound
from wtforms import BooleanField, Field, PasswordField, SelectField, StringField
from wtforms.validators import (
    AnyOf,
    DataRequired,
    EqualTo,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from gateway.desk.blueprint import bp, page
from gateway.desk.forms import EmptyForm
from gateway.desk.login import me
from gateway.desk.render import role_label, when
from gateway.errors import InvalidInput
from gateway.models import StaffUser
from gateway.staff import account_ops, accounts, logins, passwords, render
from gateway.staff.accounts import Issued
from gateway.staff.auth import MAX_EXPIRES_DAYS, ROLES
from gateway.staff.validation import MAX_ID
from gateway.web import db_session

R = TypeVar("R")
NAME_RULE = _l(
    "Use up to 80 letters, digits, dots, dashes or underscores; start with a letter or digit."
)
PASSWORD_LENGTH = _l("Use between %(min)d and %(max)d characters.")
DAYS_RULE = _l("Enter a whole number of days from 1 to %(max)d, or leave it empty.")


class _NoCsrf(FlaskForm):  # type: ignore[misc]
    """The blueprint checks every POST's ``csrf_token`` (`blueprint._check_csrf`); the
    templates carry it with the ``csrf()`` macro, whatever the form's prefix."""

    class Meta:
        csrf = False


def _role_choices() -> list[tuple[str, str]]:
    return [(role, role_label(role)) for role in ROLES]


def _days(_form: FlaskForm, field: Field) -> None:
    text = (field.data or "").strip()
    if text and not (text.isdigit() and len(text) <= 4 and 1 <= int(text) <= MAX_EXPIRES_DAYS):
        raise ValidationError(str(DAYS_RULE) % {"max": MAX_EXPIRES_DAYS})


class NewPasswordForm(_NoCsrf):
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("Enter a password.")),
            Length(passwords.MIN_LENGTH, passwords.MAX_LENGTH, PASSWORD_LENGTH),
        ],
    )
    confirm = PasswordField(
        _l("The password again"),
        validators=[
            DataRequired(_l("Enter the password a second time.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
    )
    fallback = "password"


class CreateForm(NewPasswordForm):
    name = StringField(
        _l("Name"),
        validators=[
            DataRequired(_l("Enter a name for the account.")),
            Regexp(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,79}\Z", message=NAME_RULE),
        ],
    )
    role = SelectField(
        _l("Role"),
        choices=_role_choices,
        validate_choice=False,
        validators=[AnyOf(ROLES, _l("Choose a role."))],
        default="officer",
    )
    expires_days = StringField(_l("API token valid for (days)"), validators=[Optional(), _days])
    fallback = "name"


class RoleForm(_NoCsrf):
    role = SelectField(
        _l("Role"),
        choices=_role_choices,
        validate_choice=False,
        validators=[AnyOf(ROLES, _l("Choose a role."))],
    )
    confirm = BooleanField(_l("Yes, take away my own admin rights"))
    fallback = "role"


class DeactivateForm(_NoCsrf):
    confirm = BooleanField(_l("Yes, deactivate my own account and sign me out"))
    fallback = "confirm"


class RotateForm(_NoCsrf):
    expires_days = StringField(_l("New token valid for (days)"), validators=[Optional(), _days])
    fallback = "expires_days"


def _days_value(field: Field) -> int | None:
    text = (field.data or "").strip()
    return int(text) if text else None


@bp.get("/staff")
@page("admin")
def staff_list() -> str:
    session, now = db_session(), datetime.now(UTC)
    last = logins.last_logins(session)
    rows = [_row(user, now, last.get(user.id)) for user in accounts.list_staff(session)]
    return render_template("desk/staff_list.html", rows=rows)


def _row(user: StaffUser, now: datetime, last_login: datetime | None) -> dict[str, Any]:
    """What the pages show of an account: `render.staff_account`'s token state, its desk
    password and last desk login."""
    return {
        "user": user,
        "token": render.staff_account(user, now=now)["token"],
        "has_password": user.password_hash is not None,
        "last_login_text": when(last_login),
        "created_text": when(user.created_at),
        "role": role_label(user.role),
    }


@bp.route("/staff/new", methods=["GET", "POST"])
@page("admin")
def staff_new() -> ResponseReturnValue:
    form = CreateForm()
    if form.validate_on_submit():
        name = form.name.data.strip()
        issued = _apply(
            form,
            name,
            lambda session: account_ops.create(
                session,
                me().actor(),
                name=name,
                role=form.role.data,
                password=form.password.data,
                expires_days=_days_value(form.expires_days),
            ),
        )
        if issued is not None:
            return _token_page(issued, created=True)
    return render_template("desk/staff_new.html", form=form, min_length=passwords.MIN_LENGTH)


@bp.get("/staff/<int:staff_id>")
@page("admin")
def staff_account(staff_id: int) -> str:
    return _account_page(_user(staff_id))


@bp.post("/staff/<int:staff_id>/role")
@page("admin")
def staff_role(staff_id: int) -> ResponseReturnValue:
    user = _user(staff_id)
    form = RoleForm(prefix="role")
    if not form.validate_on_submit():
        return _account_page(user, role_form=form)
    leaving = user.role == "admin" and form.role.data != "admin"
    if not _confirmed(user, leaving, form.confirm):
        return _account_page(user, role_form=form)
    old, name = user.role, user.name
    changed = _apply(
        form, name, lambda s: account_ops.change_role(s, me().actor(), user, form.role.data)
    )
    if changed is None:
        return _account_page(user, role_form=form)
    if changed:
        flash(
            _("%(name)s is now %(role)s (was %(old)s).")
            % {"name": user.name, "role": role_label(user.role), "old": role_label(old)}
        )
    if user.id == me().staff_id and leaving:
        return redirect(url_for("desk.home"))  # no longer an admin: this page is closed
    return redirect(url_for("desk.staff_account", staff_id=user.id))


@bp.post("/staff/<int:staff_id>/deactivate")
@page("admin")
def staff_deactivate(staff_id: int) -> ResponseReturnValue:
    user = _user(staff_id)
    form = DeactivateForm(prefix="active")
    if not form.validate_on_submit() or not _confirmed(user, user.role == "admin", form.confirm):
        return _account_page(user, deactivate_form=form)
    done = _apply(form, user.name, lambda s: account_ops.set_active(s, me().actor(), user, False))
    if done is None:
        return _account_page(user, deactivate_form=form)
    flash(
        _("%(name)s is deactivated: it can no longer sign in or use its API token.")
        % {"name": user.name}
    )
    if user.id == me().staff_id:
        return redirect(url_for("desk.login"))  # its own sessions ended with it
    return redirect(url_for("desk.staff_account", staff_id=user.id))


@bp.post("/staff/<int:staff_id>/activate")
@page("admin")
def staff_activate(staff_id: int) -> ResponseReturnValue:
    user = _user(staff_id)
    if EmptyForm().validate_on_submit():
        account_ops.set_active(db_session(), me().actor(), user, True)
        db_session().commit()
        flash(_("%(name)s is active again.") % {"name": user.name})
    return redirect(url_for("desk.staff_account", staff_id=user.id))


@bp.post("/staff/<int:staff_id>/password")
@page("admin")
def staff_password(staff_id: int) -> ResponseReturnValue:
    user = _user(staff_id)
    form = NewPasswordForm(prefix="pw")
    if not form.validate_on_submit():
        return _account_page(user, password_form=form)
    ended = _apply(
        form,
        user.name,
        lambda s: account_ops.set_password(s, me().actor(), user, form.password.data),
    )
    if ended is None:
        return _account_page(user, password_form=form)
    if user.id == me().staff_id:
        flash(_("Your password is changed. Sign in with the new one."))
        return redirect(url_for("desk.login"))
    flash(
        _("The password of %(name)s is changed; %(count)d desk session(s) ended.")
        % {"name": user.name, "count": ended}
    )
    return redirect(url_for("desk.staff_account", staff_id=user.id))


@bp.post("/staff/<int:staff_id>/token/rotate")
@page("admin")
def staff_token_rotate(staff_id: int) -> ResponseReturnValue:
    user = _user(staff_id)
    form = RotateForm(prefix="token")
    if not form.validate_on_submit():
        return _account_page(user, rotate_form=form)
    days = _days_value(form.expires_days)
    issued = _apply(
        form,
        user.name,
        lambda s: account_ops.rotate_token(s, me().actor(), user, expires_days=days),
    )
    if issued is None:
        return _account_page(user, rotate_form=form)
    return _token_page(issued, created=False)


@bp.post("/staff/<int:staff_id>/token/revoke")
@page("admin")
def staff_token_revoke(staff_id: int) -> ResponseReturnValue:
    user = _user(staff_id)
    if EmptyForm().validate_on_submit():
        account_ops.revoke_token(db_session(), me().actor(), user)
        db_session().commit()
        flash(_("The API token of %(name)s is revoked: it no longer works.") % {"name": user.name})
    return redirect(url_for("desk.staff_account", staff_id=user.id))


def _apply(form: FlaskForm, name: str, change: Callable[[Session], R]) -> R | None:
    """Make the ``change`` and commit it; when the service refuses, roll back, put its
    message on ``form`` and answer None."""
    session = db_session()
    try:
        result = change(session)
        session.commit()
    except InvalidInput as exc:
        session.rollback()
        _show_refusal(form, exc, name)
        return None
    except IntegrityError:  # a name taken a moment ago by another admin
        session.rollback()
        _show_refusal(form, InvalidInput({"name": accounts.NAME_TAKEN.format(name=name)}), name)
        return None
    return result


def _user(staff_id: int) -> StaffUser:
    user = db_session().get(StaffUser, staff_id) if staff_id <= MAX_ID else None
    if user is None:
        raise NotFound()
    return user


def _confirmed(user: StaffUser, leaving: bool, confirm: BooleanField) -> bool:
    """An admin who takes away their own admin rights (demote, deactivate) ticks the box
    first. When they are the last active admin the service refuses, and says so: no box."""
    if not leaving or user.id != me().staff_id or confirm.data:
        return True
    if not accounts.other_active_admins(db_session(), user):
        return True
    confirm.errors = [
        *confirm.errors,
        _("Tick the box to confirm: you will lose your admin rights."),
    ]
    return False


def _show_refusal(form: FlaskForm, exc: InvalidInput, name: str) -> None:
    """The service's refusal beside the form's field (its ``fallback`` field when the form
    has none of that name), in the page's language when the desk knows the message."""
    known = {
        accounts.LAST_ADMIN: _(
            "This is the last active admin. Make another account admin first, so that "
            "someone can still manage the staff."
        ),
        accounts.NAME_TAKEN.format(name=name): _("An account with this name already exists."),
        accounts.INACTIVE.format(name=name): _("This account is deactivated. Reactivate it first."),
    }
    for field, message in exc.errors.items():
        target = form[field] if field in form else form[form.fallback]
        target.errors = [*target.errors, known.get(message, message)]


def _account_page(user: StaffUser, **failed: FlaskForm) -> str:
    """The account's page; a form that was sent with bad input is shown as it was sent,
    with its messages (``failed``), the others empty."""
    forms: dict[str, FlaskForm] = {
        "role_form": RoleForm(prefix="role", formdata=None, role=user.role),
        "deactivate_form": DeactivateForm(prefix="active", formdata=None),
        "password_form": NewPasswordForm(prefix="pw", formdata=None),
        "rotate_form": RotateForm(prefix="token", formdata=None),
        **failed,
    }
    session = db_session()
    row = _row(user, datetime.now(UTC), logins.last_logins(session).get(user.id))
    is_me = user.id == me().staff_id
    return render_template(
        "desk/staff_account.html",
        row=row,
        user=user,
        is_me=is_me,
        failed=next(iter(failed.values()), None),
        **forms,
    )


def _token_page(issued: Issued, *, created: bool) -> Response:
    """The new token, in this answer only: never stored, never cached."""
    response = make_response(
        render_template("desk/staff_token.html", issued=issued, created=created)
    )
    response.headers["Cache-Control"] = "no-store"
    return response
