"""SQLAlchemy 2.0 typed models. Data only: no method here does I/O.

Times are stored in UTC (timezone-aware columns); they are shown in WIB.
The schema is created by Alembic (`migrations/`), never by `create_all` outside tests.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

IntPK = Annotated[int, mapped_column(Integer, primary_key=True)]
Phone = Annotated[str, mapped_column(String(20))]


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite drops the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Created = Annotated[
    datetime, mapped_column(UtcDateTime(), default=utcnow, server_default=func.now())
]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class FeedbackKind(enum.StrEnum):
    COMPLAINT = "complaint"
    SUGGESTION = "suggestion"
    QUESTION = "question"
    OTHER = "other"


class FeedbackStatus(enum.StrEnum):
    RECEIVED = "received"
    VERIFIED = "verified"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"


class Channel(enum.StrEnum):
    SMS = "sms"
    USSD = "ussd"
    STAFF = "staff"


class OutboundStatus(enum.StrEnum):
    """Forward-only: queued -> sent -> delivered | failed | rejected | expired.

    `unknown` is an ambiguous send (read timeout after the request left); a delivery
    report settles it. `held` rows wait for quiet hours or a configuration fix.
    """

    QUEUED = "queued"
    SENDING = "sending"
    UNKNOWN = "unknown"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    REJECTED = "rejected"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class OutboundKind(enum.StrEnum):
    TRANSACTIONAL = "transactional"
    BROADCAST = "broadcast"


class Contact(Base):
    """A citizen's number and what they agreed to."""

    __tablename__ = "contacts"

    id: Mapped[IntPK]
    phone: Mapped[Phone] = mapped_column(unique=True)
    language: Mapped[str] = mapped_column(String(2), default="id")
    kecamatan: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[str | None] = mapped_column(String(20))
    subscribed: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_version: Mapped[str | None] = mapped_column(String(20))
    consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    consent_channel: Mapped[str | None] = mapped_column(String(10))
    opted_out_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    provider_blacklisted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # Set when a HAPUS request was carried out: `phone` is then a keyed hash (kept only to
    # honour the opt-out) or, for the row holding the anonymous remainder, a random mark.
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    created_at: Mapped[Created]
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), onupdate=utcnow)


class ConsentEvent(Base):
    """The consent ledger (UU PDP Pasal 22/24): every grant and withdrawal, appended and
    never overwritten (a database trigger refuses UPDATE). `carried_by`: the inbound SMS
    or the USSD session that said it."""

    __tablename__ = "consent_events"
    __table_args__ = (Index("ix_consent_events_contact_at", "contact_id", "at"),)

    id: Mapped[IntPK]
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    action: Mapped[str] = mapped_column(String(10))  # "grant" | "withdraw"
    channel: Mapped[str] = mapped_column(String(10))
    consent_version: Mapped[str | None] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    inbound_message_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    ussd_session_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[Created]


class InboundMessage(Base):
    """Every SMS a citizen sent, stored raw before anything else happens."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("provider", "provider_message_id"),)

    id: Mapped[IntPK]
    provider: Mapped[str] = mapped_column(String(30))
    provider_message_id: Mapped[str] = mapped_column(String(100))
    sender: Mapped[str] = mapped_column(String(40))
    receiver: Mapped[str] = mapped_column(String(40), default="")
    text: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
    network_code: Mapped[str | None] = mapped_column(String(20))
    link_id: Mapped[str | None] = mapped_column(String(100))
    raw: Mapped[dict[str, Any]]
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    command: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[Created]


class Feedback(Base):
    """A report, suggestion or question, followed to its answer."""

    __tablename__ = "feedback"

    id: Mapped[IntPK]
    ticket: Mapped[str] = mapped_column(String(12), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    category: Mapped[str | None] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=FeedbackStatus.RECEIVED.value)
    channel: Mapped[str] = mapped_column(String(10))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    notify: Mapped[bool] = mapped_column(Boolean, default=True)
    kecamatan: Mapped[str | None] = mapped_column(String(40))
    school: Mapped[str | None] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(2), default="id")
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    inbound_message_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    # One record per USSD session: a retried final hop cannot file twice.
    ussd_session_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    consultation_id: Mapped[int | None] = mapped_column(ForeignKey("consultations.id"))
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[Created]
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), onupdate=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # When the citizen last answered in the thread ("citizen answered" on the desk);
    # cleared when staff reply or change the status (`gateway.feedback.threads`).
    citizen_answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)

    __table_args__ = (Index("ix_feedback_status_created", "status", "created_at"),)


class FeedbackEvent(Base):
    """History of a feedback record: status changes, notes, messages."""

    __tablename__ = "feedback_events"

    id: Mapped[IntPK]
    feedback_id: Mapped[int] = mapped_column(ForeignKey("feedback.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    outbound_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_messages.id"))
    # The SMS a citizen_reply came in.
    inbound_message_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    created_at: Mapped[Created]


class OutboundMessage(Base):
    """The outbox: every SMS Suara sends is a row here before any job exists."""

    __tablename__ = "outbound_messages"
    __table_args__ = (
        Index("ix_outbound_status_kind", "status", "kind"),
        Index("ix_outbound_provider_message_id", "provider_message_id"),
        # The hourly reply cap counts a number's recent rows (`queue_capped_reply`).
        Index("ix_outbound_to_created_at", "to", "created_at"),
        UniqueConstraint("poll_id", "contact_id", "purpose"),
    )

    id: Mapped[IntPK]
    to: Mapped[Phone]
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20), default=OutboundKind.TRANSACTIONAL.value)
    status: Mapped[str] = mapped_column(String(20), default=OutboundStatus.QUEUED.value)
    provider: Mapped[str | None] = mapped_column(String(30))
    provider_message_id: Mapped[str | None] = mapped_column(String(100))
    provider_status: Mapped[str | None] = mapped_column(String(40))
    failure_reason: Mapped[str | None] = mapped_column(String(100))
    cost: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    currency: Mapped[str | None] = mapped_column(String(3))
    segments: Mapped[int] = mapped_column(Integer, default=1)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    not_before: Mapped[datetime | None] = mapped_column(UtcDateTime())
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    feedback_id: Mapped[int | None] = mapped_column(ForeignKey("feedback.id"), index=True)
    inbound_message_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    poll_id: Mapped[int | None] = mapped_column(ForeignKey("polls.id"), index=True)
    # "poll" or "poll_reminder": one row per (poll, contact, purpose), so a fan-out run
    # twice adds nobody twice.
    purpose: Mapped[str | None] = mapped_column(String(20))
    # One row per key (e.g. "ussd:<session>:info:<topic>"): an action run again queues
    # nothing more (`outbox.queue.queue_capped_reply`'s `key`).
    idempotency_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    # When a job was last expected to pick the row up (the sweeper's clock).
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=utcnow)
    # queued -> sending; then set just before the provider is called. A `sending` row
    # without `provider_called_at` was never sent and may safely go back to `queued`.
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    provider_called_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[Created]
    updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), onupdate=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class DeliveryReport(Base):
    """Every delivery report as it arrived, known status or not."""

    __tablename__ = "delivery_reports"

    id: Mapped[IntPK]
    provider: Mapped[str] = mapped_column(String(30))
    provider_message_id: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(40))
    failure_reason: Mapped[str | None] = mapped_column(String(100))
    outbound_id: Mapped[int | None] = mapped_column(ForeignKey("outbound_messages.id"))
    raw: Mapped[dict[str, Any]]
    received_at: Mapped[Created]


class UssdSession(Base):
    """One USSD session, upserted from hops and the end-of-session event."""

    __tablename__ = "ussd_sessions"

    id: Mapped[IntPK]
    session_id: Mapped[str] = mapped_column(String(100), unique=True)
    phone: Mapped[Phone]
    service_code: Mapped[str] = mapped_column(String(40), default="")
    network_code: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str | None] = mapped_column(String(20))
    input: Mapped[str | None] = mapped_column(Text)
    last_app_response: Mapped[str | None] = mapped_column(Text)
    error_message: Mapped[str | None] = mapped_column(Text)
    hops_count: Mapped[int | None] = mapped_column(Integer)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    cost: Mapped[str | None] = mapped_column(String(30))
    raw: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[Created]
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class StaffUser(Base):
    """A Disdik staff account; its API token is stored hashed (sha256). A token may expire
    (`token_expires_at`) and be revoked (`token_revoked_at`; the hash stays, so a refused
    token is counted as revoked, until a rotation replaces it)."""

    __tablename__ = "staff_users"

    id: Mapped[IntPK]
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    token_revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    password_hash: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[Created]


class Poll(Base):
    """An SMS poll: draft -> scheduled -> sending (fan-out) -> open -> closed."""

    __tablename__ = "polls"

    id: Mapped[IntPK]
    question: Mapped[str] = mapped_column(Text)
    question_en: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    send_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    close_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reminder_after_hours: Mapped[int | None] = mapped_column(Integer)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[Created]
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class PollOption(Base):
    __tablename__ = "poll_options"
    __table_args__ = (UniqueConstraint("poll_id", "position"),)

    id: Mapped[IntPK]
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(80))
    label_en: Mapped[str | None] = mapped_column(String(80))
    synonyms: Mapped[list[Any]] = mapped_column(JSON, default=list)


class PollAnswer(Base):
    """One row per answer; the latest per (poll, contact) counts, earlier ones are kept."""

    __tablename__ = "poll_answers"

    id: Mapped[IntPK]
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id"), index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    option_id: Mapped[int] = mapped_column(ForeignKey("poll_options.id"))
    channel: Mapped[str] = mapped_column(String(10))
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    inbound_message_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id"))
    created_at: Mapped[Created]


class Consultation(Base):
    """A public consultation / town-hall meeting citizens can RSVP to (HADIR <code>)."""

    __tablename__ = "consultations"

    id: Mapped[IntPK]
    code: Mapped[str] = mapped_column(String(12), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    title_en: Mapped[str | None] = mapped_column(String(120))
    place: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[Created]


class Rsvp(Base):
    __tablename__ = "rsvps"
    __table_args__ = (UniqueConstraint("consultation_id", "contact_id"),)

    id: Mapped[IntPK]
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    channel: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[Created]


class InfoPage(Base):
    """Service information text, edited by staff, one row per topic and language."""

    __tablename__ = "info_pages"
    __table_args__ = (UniqueConstraint("topic", "language"),)

    id: Mapped[IntPK]
    topic: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[Created]


class SkmResponse(Base):
    """One satisfaction-survey response (PermenPANRB 14/2017); answers as digits 1-4."""

    __tablename__ = "skm_responses"

    id: Mapped[IntPK]
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    service: Mapped[str | None] = mapped_column(String(20))
    answers: Mapped[str] = mapped_column(String(9))
    complete: Mapped[bool] = mapped_column(Boolean, default=False)
    channel: Mapped[str] = mapped_column(String(10))
    ussd_session_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_at: Mapped[Created]


class DataRequest(Base):
    """A UU PDP data-subject request (access or erasure) with its deadline."""

    __tablename__ = "data_requests"

    id: Mapped[IntPK]
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="open")
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[Created]
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class DeskSession(Base):
    """A staff member's login to the desk: the browser's cookie holds a random token, this
    row its hash. Ended at logout, after `STAFF_IDLE_MINUTES` without a request, or when the
    account is deactivated or its password reset (``ended_at``; the row stays)."""

    __tablename__ = "desk_sessions"

    id: Mapped[IntPK]
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[Created]
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class AuditEntry(Base):
    """The staff audit log: who did what, when, from where. Appended, never changed (a
    database trigger refuses UPDATE and DELETE). ``actor`` keeps the name as it was."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_action_at", "action", "at"),)

    id: Mapped[IntPK]
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(120))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(45))
