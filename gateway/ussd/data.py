"""The menus engine's ``DataSource`` over the database, and the web's input validators.

Read-only: open polls sent to the caller, upcoming consultations, info pages and one status
line per ticket. Times are shown in WIB. A status line never shows the report's text or the
reporter's number, and only answers for tickets filed from the caller's own number.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from gateway.common import texts, tickets
from gateway.models import (
    Consultation,
    Contact,
    Feedback,
    InfoPage,
    OutboundMessage,
    Poll,
    PollOption,
)
from gateway.polls.answers import is_open
from menus import Choice, Validator

WIB = ZoneInfo("Asia/Jakarta")
MAX_CONSULTATIONS = 8
MAX_POLLS = 8
MONTHS = {
    "id": "Jan Feb Mar Apr Mei Jun Jul Agu Sep Okt Nov Des".split(),
    "en": "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(),
}


def wib_label(when: datetime, lang: str) -> str:
    """``12 Des 09.00`` (id) / ``12 Dec 09:00`` (en), in WIB."""
    local = when.astimezone(WIB)
    month = MONTHS.get(lang, MONTHS["id"])[local.month - 1]
    sep = ":" if lang == "en" else "."
    return f"{local.day} {month} {local.hour:02d}{sep}{local.minute:02d}"


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
POLL_OPTIONS = (
    select(PollOption)
    .where(PollOption.poll_id == bindparam("poll_id"))
    .order_by(PollOption.position)
)
UPCOMING = (
    select(Consultation)
    .where(Consultation.starts_at > bindparam("now"))
    .order_by(Consultation.starts_at)
    .limit(MAX_CONSULTATIONS)
)
INFO_PAGES = select(InfoPage).where(InfoPage.topic == bindparam("topic"))
TICKET_STATUS = (
    select(Feedback.status, Feedback.created_at, Feedback.updated_at)
    .join(Contact, Contact.id == Feedback.contact_id)
    .where(Feedback.ticket == bindparam("ticket"), Contact.phone == bindparam("phone"))
)

INFO_CACHE_SECONDS = 60.0
_INFO_CACHE: dict[tuple[str, str], tuple[float, str | None]] = {}


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
        """Info page text, cached in the process for `INFO_CACHE_SECONDS`: pages change
        when staff edit them, callers read them on every hop of a paged screen."""
        now = time.monotonic()
        cached = _INFO_CACHE.get((topic, lang))
        if cached is not None and now - cached[0] < INFO_CACHE_SECONDS:
            return cached[1]
        text = self._text(topic, lang)
        _INFO_CACHE[topic, lang] = (now, text)
        return text

    def _text(self, topic: str, lang: str) -> str | None:
        pages = {
            page.language: page.body for page in self.session.scalars(INFO_PAGES, {"topic": topic})
        }
        return pages.get(lang) or pages.get("id")

    def status(self, ticket: str, *, phone: str, lang: str) -> str | None:
        number = tickets.clean(ticket)
        if not tickets.is_valid(number):
            return None
        row = self.session.execute(TICKET_STATUS, {"ticket": number, "phone": phone}).first()
        if row is None:
            return None
        status, created, updated = row
        day = (updated or created).astimezone(WIB).strftime("%d-%m-%Y")
        return f"{texts.label(texts.STATUS_LABELS, status, lang)} ({day})"


def consultation_label(row: Consultation, lang: str) -> str:
    title = (lang == "en" and row.title_en) or row.title
    return f"{title}, {wib_label(row.starts_at, lang)} WIB, {row.place}"


def clear_info_cache() -> None:
    """Forget cached info pages (after staff edit them, and between tests)."""
    _INFO_CACHE.clear()
