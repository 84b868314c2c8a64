"""Staff side of polls: create, render the SMS, preview its cost, schedule, close."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.common.sms_text import count_segments, encoding, non_gsm7_chars
from gateway.models import Contact, Poll, PollOption
from gateway.polls.options import audience_filter, options_of

LETTERS = "ABCDEFGHI"
FOOTER = {
    "id": "Balas {first}-{last} atau {a}-{z}. Ketik BERHENTI utk berhenti.",
    "en": "Reply {first}-{last} or {a}-{z}. Send BERHENTI to stop.",
}
REMINDER_PREFIX = {"id": "Pengingat: ", "en": "Reminder: "}


@dataclass(frozen=True)
class OptionSpec:
    label: str
    synonyms: tuple[str, ...] = ()
    label_en: str | None = None


@dataclass(frozen=True)
class PollSpec:
    question: str
    options: tuple[OptionSpec, ...]
    kecamatan: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    send_at: datetime | None = None
    close_at: datetime | None = None
    reminder_after_hours: int | None = None
    question_en: str | None = None


@dataclass(frozen=True)
class Preview:
    """What staff see before sending: per language text, segments, cost, warnings."""

    texts: dict[str, str]
    segments: dict[str, int]
    encodings: dict[str, str]
    recipients: int
    estimated_cost: Decimal
    warnings: list[str] = field(default_factory=list)


def create_poll(session: Session, spec: PollSpec, *, created_by_id: int | None = None) -> int:
    poll = Poll(
        question=spec.question,
        question_en=spec.question_en,
        status="draft",
        audience={"kecamatan": list(spec.kecamatan), "role": list(spec.roles)},
        send_at=spec.send_at,
        close_at=spec.close_at,
        reminder_after_hours=spec.reminder_after_hours,
        created_by_id=created_by_id,
    )
    session.add(poll)
    session.flush()
    for position, option in enumerate(spec.options, start=1):
        session.add(
            PollOption(
                poll_id=poll.id,
                position=position,
                label=option.label,
                label_en=option.label_en,
                synonyms=list(option.synonyms),
            )
        )
    session.flush()
    return poll.id


def render_poll_text(poll: Poll, options: list[PollOption], language: str = "id") -> str:
    """The SMS: question, numbered options, how to answer and how to stop."""
    english = language == "en" and bool(poll.question_en) and all(o.label_en for o in options)
    lang = "en" if english else "id"
    question = (poll.question_en if english else poll.question) or poll.question
    lines = [question.strip()]
    for option in options:
        label = (option.label_en if english else option.label) or option.label
        lines.append(f"{option.position}. {label}")
    n = len(options)
    lines.append(FOOTER[lang].format(first=1, last=n, a="A", z=LETTERS[n - 1]))
    return "\n".join(lines)


def text_languages(poll: Poll, options: list[PollOption]) -> list[str]:
    has_en = bool(poll.question_en) and all(o.label_en for o in options)
    return ["id", "en"] if has_en else ["id"]


def count_audience(session: Session, audience: dict[str, list[str]]) -> int:
    return int(
        session.scalar(select(func.count(Contact.id)).where(*audience_filter(audience))) or 0
    )


def preview_poll(session: Session, poll_id: int, *, cost_per_segment: float) -> Preview:
    poll = session.get(Poll, poll_id)
    assert poll is not None
    options = options_of(session, poll_id)
    texts = {lang: render_poll_text(poll, options, lang) for lang in text_languages(poll, options)}
    segments = {lang: count_segments(text) for lang, text in texts.items()}
    warnings = []
    for lang, text in texts.items():
        odd = non_gsm7_chars(text)
        if odd:
            shown = ", ".join(repr(c) for c in odd)
            warnings.append(
                f"[{lang}] teks bukan GSM-7 karena karakter {shown}: dikirim sebagai UCS-2 "
                f"(70 karakter per SMS), {segments[lang]} segmen per penerima"
            )
    recipients = count_audience(session, poll.audience)
    per_recipient = max(segments.values())
    cost = Decimal(str(cost_per_segment)) * recipients * per_recipient
    return Preview(
        texts=texts,
        segments=segments,
        encodings={lang: encoding(text) for lang, text in texts.items()},
        recipients=recipients,
        estimated_cost=cost,
        warnings=warnings,
    )


def schedule_poll(session: Session, poll_id: int, *, now: datetime | None = None) -> Poll | None:
    """draft -> scheduled. Returns the poll (None if unknown); already sent polls stay."""
    poll = session.get(Poll, poll_id, with_for_update=True)
    if poll is None:
        return None
    if poll.status == "draft":
        poll.status = "scheduled"
        if poll.send_at is None or poll.send_at < (now or datetime.now(UTC)):
            poll.send_at = now or datetime.now(UTC)
    return poll


def close_poll(session: Session, poll_id: int) -> Poll | None:
    poll = session.get(Poll, poll_id)
    if poll is not None and poll.status != "closed":
        poll.status = "closed"
        poll.close_at = min(poll.close_at or datetime.now(UTC), datetime.now(UTC))
    return poll
