"""The words corpus (tests/fixtures/sms_words.yaml) through the real pipeline: each message
posted to the SMS webhook, and what was stored checked against the corpus: the category a
filed message got (untagged ones filed too), and the poll option an answer counted for (or
the question which one it meant)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from sqlalchemy import select

from gateway.models import (
    Contact,
    Feedback,
    InboundMessage,
    OutboundMessage,
    Poll,
    PollAnswer,
    PollOption,
)
from tests.unit.test_sms_words import DATA, MESSAGES

pytestmark = pytest.mark.integration

SMS = "/webhooks/africastalking/sms"
_ids = itertools.count(1)
FILED_CASES = [c for c in MESSAGES if "category" in c and c.get("kind") != "status"]
POLL_CASES = [c for c in MESSAGES if "poll" in c]


def post(client, text, phone):
    form = {"from": phone, "to": "1708", "text": text, "id": f"words-{next(_ids)}"}
    assert client.post(SMS, data=form).status_code == 200


def test_every_filed_message_gets_the_corpus_category(client, rt):
    phone = "+6281200000001"
    wrong = []
    for case in FILED_CASES:
        post(client, case["text"], phone)
        with rt.sessions() as s:
            inbound = s.scalar(select(InboundMessage.id).order_by(InboundMessage.id.desc()))
            fb = s.scalar(select(Feedback).where(Feedback.inbound_message_id == inbound))
        if fb is None or fb.category != case["category"]:
            wrong.append((case["text"], case["category"], fb.category if fb else "not filed"))
    assert wrong == []


def send_poll(rt, spec: list[dict[str, Any]], phone: str) -> None:
    with rt.sessions.begin() as s:
        contact = Contact(phone=phone, subscribed=True)
        poll = Poll(question="?", status="open")
        s.add_all([contact, poll])
        s.flush()
        s.add_all(
            PollOption(
                poll_id=poll.id,
                position=i,
                label=o["label"],
                label_en=o.get("label_en"),
                synonyms=o.get("synonyms", []),
            )
            for i, o in enumerate(spec, 1)
        )
        s.add(
            OutboundMessage(
                to=phone, text="?", kind="broadcast", poll_id=poll.id, contact_id=contact.id
            )
        )


def test_every_poll_answer_counts_for_the_corpus_option(client, rt):
    wrong = []
    for number, case in enumerate(POLL_CASES):
        phone = f"+62813{number:08d}"
        send_poll(rt, DATA["polls"][case["poll"]], phone)
        post(client, case["text"], phone)
        with rt.sessions() as s:
            counted = s.scalar(
                select(PollOption.position)
                .join(PollAnswer, PollAnswer.option_id == PollOption.id)
                .join(Contact, Contact.id == PollAnswer.contact_id)
                .where(Contact.phone == phone)
            )
            said = s.scalar(
                select(OutboundMessage.text)
                .where(OutboundMessage.to == phone, OutboundMessage.poll_id.is_(None))
                .order_by(OutboundMessage.id.desc())
            )
        expected = case.get("option")
        found: Any = counted
        if isinstance(expected, list) and counted is None:  # asked which, naming each
            asked = said is not None and "maksud Anda" in said
            found = expected if asked and all(f"{p} (" in said for p in expected) else said
        if found != expected:
            wrong.append((case["text"], expected, found))
    assert wrong == []
