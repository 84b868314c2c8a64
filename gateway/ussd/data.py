"""The menus engine's ``DataSource`` over the database, and the web's input validators.

Read-only: open polls sent to the caller, upcoming consultations, info pages
(``citizens.info``) and one status line per ticket (``feedback.status``: only for tickets
filed from the caller's own number, never the report's text). Times are shown in WIB.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from gateway.citizens.info import info_text
from gateway.common import texts, tickets, wib
from gateway.feedback.status import status_for_filer
from gateway.models import Consultation, Contact, OutboundMessage, Poll
from gateway.polls.answers import is_open
from gateway.polls.options import POLL_OPTIONS
from menus import Choice, Validator

MAX_CONSULTATIONS = 8
MAX_POLLS = 8


def ticket_validator(value: str, params: Mapping[str, int]) -> str | None:
    """The Damm check digit refuses a mistyped ticket before any lookup."""
    return None if tickets.is_valid(tickets.clean(value)) else "err.ticket"


VALIDATORS: Mapping[str, Validator] = {"ticket": ticket_validator}


# Statements are built once: building one per call costs more CPU than running it.
_SENT_POLLS = (
    select(OutboundMessage.poll_id)
    .join(Contact, Contact.id == OutboundMessage.contact_id, isouter=True)
    .where(OutboundMessage.poll_id.is_not(None))
    .where((OutboundMessage.to == bindparam("phone")) | (Contact.phone == bindparam("phone")))
)
POLLS_SENT_TO = (
    select(Poll).where(Poll.id.in_(_SENT_POLLS)).order_by(Poll.id.desc()).limit(MAX_POLLS)
)
UPCOMING = (
    select(Consultation)
    .where(Consultation.starts_at > bindparam("now"))
    .order_by(Consultation.starts_at)
    .limit(MAX_CONSULTATIONS)
)


class DbData:
    """A ``menus.DataSource`` reading through the session ``sessions`` gives (called only
    when a read is needed: the hop's ``ussd.OnDemand`` opens it on first use)."""

    def __init__(self, sessions: Callable[[], Session], now: datetime | None = None) -> None:
        self._sessions = sessions
        self.now = now

    @property
    def session(self) -> Session:
        return self._sessions()

    def _now(self) -> datetime:
        return self.now or datetime.now(UTC)

    def options(self, provider: str, *, phone: str, lang: str, key: str = "") -> Sequence[Choice]:
        if provider == "polls":
            return self._polls(phone, lang)
        if provider == "poll_options":
            return self._poll_options(key, lang)
        if provider == "consultations":
            return self._consultations(lang)
        raise KeyError(provider)

    def _polls(self, phone: str, lang: str) -> list[Choice]:
        polls = self.session.scalars(POLLS_SENT_TO, {"phone": phone})
        now = self._now()
        return [
            Choice(str(p.id), (lang == "en" and p.question_en) or p.question)
            for p in polls
            if is_open(p, now)
        ]

    def _poll_options(self, poll_id: str, lang: str) -> list[Choice]:
        if not poll_id.isdecimal():
            return []
        options = self.session.scalars(POLL_OPTIONS, {"poll_id": int(poll_id)})
        return [Choice(str(o.position), (lang == "en" and o.label_en) or o.label) for o in options]

    def _consultations(self, lang: str) -> list[Choice]:
        upcoming = self.session.scalars(UPCOMING, {"now": self._now()})
        return [Choice(c.code, consultation_label(c, lang)) for c in upcoming]

    def text(self, topic: str, lang: str) -> str | None:
        return info_text(self.session, topic, lang)

    def status(self, ticket: str, *, phone: str, lang: str) -> str | None:
        found = status_for_filer(self.session, ticket, phone=phone)
        if found is None:
            return None
        label = texts.label(texts.STATUS_LABELS, found.status, lang)
        return f"{label} ({wib.day(found.updated_at)})"


def consultation_label(row: Consultation, lang: str) -> str:
    title = (lang == "en" and row.title_en) or row.title
    return f"{title}, {wib.short_label(row.starts_at, lang)} WIB, {row.place}"
