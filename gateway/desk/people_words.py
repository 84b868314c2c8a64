"""Words of the contact and data-request pages: the stored codes (a contact's role, a consent
action, an SMS's delivery state...) as the page's reader says them, in the page's language.
Passed to the templates as ``words``; an unknown code is shown as it is."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

ROLES = {
    "orang_tua": _l("parent or guardian"),
    "guru": _l("teacher"),
    "siswa": _l("pupil"),
    "masyarakat": _l("member of the public"),
}
LANGUAGES = {"id": _l("Indonesian"), "en": _l("English")}
CHANNELS = {"sms": "SMS", "ussd": "USSD", "staff": _l("staff")}
CONSENT = {"grant": _l("Agreed to info SMS"), "withdraw": _l("Withdrew consent")}
FEEDBACK_KINDS = {
    "complaint": _l("Report"),
    "suggestion": _l("Suggestion"),
    "question": _l("Question"),
    "other": _l("Other message"),
}
REQUEST_KINDS = {"access": _l("Access (DATA)"), "erasure": _l("Erasure (HAPUS)")}
REQUEST_STATES = {"open": _l("Open"), "done": _l("Done")}
DELIVERY = {
    "queued": _l("waiting to be sent"),
    "sending": _l("being sent"),
    "unknown": _l("sent, not yet confirmed"),
    "sent": _l("sent, no delivery report yet"),
    "delivered": _l("delivered"),
    "failed": _l("failed"),
    "rejected": _l("refused by the provider"),
    "expired": _l("expired undelivered"),
    "cancelled": _l("cancelled, not sent"),
}
TABLES = {
    "role": ROLES,
    "language": LANGUAGES,
    "channel": CHANNELS,
    "consent": CONSENT,
    "feedback_kind": FEEDBACK_KINDS,
    "request_kind": REQUEST_KINDS,
    "request_state": REQUEST_STATES,
    "delivery": DELIVERY,
}


def word(table: str, code: str | None) -> Any:
    """``code`` from ``table`` in the page's language ("-" for None)."""
    if code is None:
        return "-"
    return TABLES[table].get(code, code)
