"""Shared set-up for outbox and poll tests: contacts, a poll, the fake's settings."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select

from gateway.config import Settings
from gateway.models import Contact, OutboundMessage
from gateway.outbox.enqueue import FANOUT_JOB, enqueue_poll_job
from gateway.polls.admin import OptionSpec, PollSpec, create_poll, schedule_poll
from gateway.runtime import Runtime

WEBHOOK_TOKEN = "s3cret-token"  # a real provider needs one (the app refuses to start without)
FINAL = {"sent", "delivered", "failed", "unknown", "cancelled"}


class CallbackClient(FlaskClient):
    """Calls the webhooks as Africa's Talking does: the callback URLs configured there carry
    ``?token=WEBHOOK_TOKEN``. A path that has a query string already is left alone."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        path = args[0] if args and isinstance(args[0], str) else ""
        if path.startswith("/webhooks/") and "?" not in path:
            kwargs["query_string"] = {"token": WEBHOOK_TOKEN} | kwargs.get("query_string", {})
        return super().open(*args, **kwargs)


def callback_client(app: Flask) -> FlaskClient:
    app.test_client_class = CallbackClient
    return app.test_client()


def phone(i: int) -> str:
    return f"+6281200{i:06d}"


def add_contacts(rt: Runtime, n: int, **fields: object) -> None:
    rows = [
        {
            "phone": phone(i),
            "subscribed": True,
            "language": "id",
            "kecamatan": "Aek Kuo" if i % 2 else "Kualuh Hulu",
            "role": "orang_tua" if i % 3 else "guru",
            "created_at": datetime.now(UTC),
            **fields,
        }
        for i in range(n)
    ]
    with rt.sessions.begin() as s:
        s.execute(insert(Contact), rows)


def start_poll(rt: Runtime, **spec: object) -> int:
    base: dict[str, object] = {
        "question": "Apakah jadwal sekolah baru sudah jelas?",
        "options": (OptionSpec("Ya", ("setuju",)), OptionSpec("Tidak", ("belum",))),
    }
    with rt.sessions.begin() as s:
        poll_id = create_poll(s, PollSpec(**(base | spec)))  # type: ignore[arg-type]
        schedule_poll(s, poll_id)
    enqueue_poll_job(rt.redis, FANOUT_JOB, poll_id)
    return poll_id


def at_settings(settings: Settings, base_url: str, **extra: object) -> Settings:
    base: dict[str, object] = {
        "sms_provider": "africastalking",
        "at_username": "disdiklabura",
        "at_api_key": "atsk_test_key_123",
        "at_api_base_url": base_url,
        "webhook_token": WEBHOOK_TOKEN,
        "quiet_hours": "",
        "sms_retry_intervals": "0",
        "sms_sweep_grace_seconds": 0,
        "at_timeout_seconds": 0.5,
    }
    return settings.with_overrides(**(base | extra))


def rows(rt: Runtime) -> list[OutboundMessage]:
    with rt.sessions() as s:
        return list(s.scalars(select(OutboundMessage).order_by(OutboundMessage.id)))


def check_accounted(rt: Runtime, accepted: list[tuple[str, str]]) -> Counter[str]:
    """Every row final and explained; the fake took each number at most once."""
    taken = Counter(number for number, _ in accepted)
    assert all(count == 1 for count in taken.values()), taken.most_common(3)
    statuses: Counter[str] = Counter()
    for row in rows(rt):
        statuses[row.status] += 1
        assert row.status in FINAL, (row.id, row.status)
        if row.status in ("sent", "delivered"):
            assert taken[row.to] == 1
        if row.status == "failed":
            assert row.failure_reason and taken[row.to] == 0
        if row.status == "unknown":
            assert row.last_error
    return statuses
