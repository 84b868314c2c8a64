"""Helpers for driving USSD sessions through the Africa's Talking webhook in tests."""

from __future__ import annotations

import importlib.util
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from gateway.config import PROJECT_ROOT
from gateway.models import Consultation, Contact, InfoPage, OutboundMessage, Poll, PollOption

USSD = "/webhooks/africastalking/ussd"
EVENTS = "/webhooks/africastalking/ussd/events"
PHONE = "+6281234567890"


def free_port() -> int:
    """A local TCP port nothing listens on (until someone binds it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Dial:
    """One USSD session: ``press`` adds inputs the way Africa's Talking joins them."""

    def __init__(self, client: Any, session_id: str = "ATUid_s1", phone: str = PHONE) -> None:
        self.client, self.session_id, self.phone = client, session_id, phone
        self.text: str | None = None

    def post(self, text: str) -> str:
        form = {
            "sessionId": self.session_id,
            "serviceCode": "*384*1708#",
            "phoneNumber": self.phone,
            "text": text,
            "networkCode": "51010",
        }
        resp = self.client.post(USSD, data=form)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        body: str = resp.get_data(as_text=True)
        assert body.startswith(("CON ", "END ")) and len(body) <= 160, body
        return body

    def start(self) -> str:
        self.text = ""
        return self.post("")

    def press(self, *inputs: str) -> str:
        body = ""
        for value in inputs:
            if self.text is None:
                self.start()
            self.text = value if self.text == "" else f"{self.text}*{value}"
            body = self.post(self.text)
        return body

    def drop(self, status: str = "Incomplete") -> None:
        form = {
            "sessionId": self.session_id,
            "serviceCode": "*384*1708#",
            "phoneNumber": self.phone,
            "status": status,
            "input": self.text or "",
            "hopsCount": "3",
            "durationInMillis": "21000",
        }
        assert self.client.post(EVENTS, data=form).status_code == 200


def seed_info_pages(rt: Any) -> None:
    """The migration's default pages (the test fixtures empty every table between tests)."""
    path = PROJECT_ROOT / "migrations" / "versions" / "0002_info_pages_seed.py"
    spec = importlib.util.spec_from_file_location("seed_0002", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with rt.sessions.begin() as s:
        for topic, lang, title, body in module.PAGES:
            s.add(InfoPage(topic=topic, language=lang, title=title, body=body))


def set_language(rt: Any, lang: str, phone: str = PHONE) -> None:
    with rt.sessions.begin() as s:
        contact = s.scalar(select(Contact).where(Contact.phone == phone))
        if contact is None:
            s.add(Contact(phone=phone, language=lang))
        else:
            contact.language = lang


def add_consultation(rt: Any, code: str = "K25", days: int = 10) -> int:
    with rt.sessions.begin() as s:
        row = Consultation(
            code=code,
            title="Rancangan juknis SPMB",
            title_en="Draft SPMB rules",
            place="Aula Disdik",
            starts_at=datetime.now(UTC) + timedelta(days=days),
        )
        s.add(row)
        s.flush()
        return row.id


def add_poll_sent_to(rt: Any, phone: str = PHONE) -> int:
    """An open poll with two options and the outbox row that sent it to ``phone``."""
    with rt.sessions.begin() as s:
        contact = s.scalar(select(Contact).where(Contact.phone == phone))
        if contact is None:
            contact = Contact(phone=phone)
            s.add(contact)
        poll = Poll(question="Setujukah jam masuk SD 07.30?", question_en="Agree: 07.30?")
        poll.status = "sent"
        s.add(poll)
        s.flush()
        s.add_all(
            [
                PollOption(poll_id=poll.id, position=1, label="Setuju", label_en="Agree"),
                PollOption(poll_id=poll.id, position=2, label="Tidak", label_en="Disagree"),
            ]
        )
        s.add(OutboundMessage(to=phone, text="poll", contact_id=contact.id, poll_id=poll.id))
        return poll.id
