"""``/staff/contacts``: find a citizen by number, typed as people type it (``0812-3456-7890``,
``+62 812…``, ``62812…``), and ``/staff/contacts/<id>``: the citizen's page (their number as
the role may see it, profile, reports, consent history, poll answers, RSVPs and data
requests; `gateway.citizens.profile`).

Every role may look; a viewer reads the number masked, also after searching by the whole
number. Anonymous reports are listed for admins only (beside the number they would name the
reporter), and each one an admin is shown is audited as ``view_anonymous``. Every view of a
contact is audited as ``view_contact``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.exceptions import NotFound
from wtforms import StringField, ValidationError
from wtforms.validators import DataRequired, Length

from gateway.citizens import profile
from gateway.common.phone import MAX_INPUT, try_normalize
from gateway.desk import people_words
from gateway.desk.blueprint import bp, page
from gateway.desk.login import me
from gateway.staff import audit
from gateway.web import db_session


class ContactSearchForm(FlaskForm):  # type: ignore[misc]
    """A GET form (no CSRF token: it changes nothing)."""

    class Meta:
        csrf = False

    phone = StringField(
        _l("Phone number"),
        validators=[
            DataRequired(_l("Enter the citizen's phone number.")),
            Length(max=MAX_INPUT, message=_l("Enter a phone number like 0812 3456 7890.")),
        ],
    )
    e164: str | None = None

    def validate_phone(self, field: StringField) -> None:
        self.e164 = try_normalize(field.data or "")
        if self.e164 is None:
            raise ValidationError(_l("Enter a phone number like 0812 3456 7890."))


@bp.get("/contacts")
@page()
def contacts() -> ResponseReturnValue:
    form = ContactSearchForm(request.args)
    not_found = False
    if "phone" in request.args and form.validate() and form.e164:
        found = profile.find_contact(db_session(), form.e164)
        if found is not None:
            return redirect(url_for("desk.contact", contact_id=found))
        not_found = True
    return render_template("desk/contacts.html", form=form, not_found=not_found)


@bp.get("/contacts/<int:contact_id>")
@page()
def contact(contact_id: int) -> ResponseReturnValue:
    admin = me().is_admin
    with db_session().begin():
        found = profile.contact_profile(
            db_session(), contact_id, with_anonymous=admin, now=datetime.now(UTC)
        )
        if found is None:
            raise NotFound("no such contact")
        actor = me().actor()
        audit.record(db_session(), actor, "view_contact", str(contact_id))
        for report in found.reports:
            if report.anonymous:
                audit.record(db_session(), actor, "view_anonymous", report.ticket, via="contact")
    return render_template(
        "desk/contact.html", contact=found, word=people_words.word, now=datetime.now(UTC)
    )
