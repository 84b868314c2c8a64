"""A USSD session belongs to its session id *and* its phone: a hop (or an end-of-session
event) that carries a known session id from another number neither sees nor changes it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gateway.models import Contact, Feedback, SkmResponse
from tests.integration.ussd_helpers import Dial

pytestmark = pytest.mark.integration

OWNER = "+6281234567890"
OTHER = "+6281399998888"
REFUSED = "END Maaf, sesi ini bukan milik nomor Anda"


def state(rt, session_id: str) -> bytes | None:
    raw: bytes | None = rt.redis.get(f"ussd:state:{session_id}")
    return raw


def count(rt, model) -> int:
    with rt.sessions() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_a_hop_from_another_number_does_not_get_the_sessions_screen(client, rt):
    owner = Dial(client, "ATUid_own", phone=OWNER)
    filed = owner.press("2", "Tolong tambah guru kelas 3", "1")
    assert "tiket" in filed
    stranger = Dial(client, "ATUid_own", phone=OTHER)
    replayed = stranger.post(owner.text or "")  # the final hop again: a retry to the owner
    assert replayed.startswith(REFUSED) and "tiket" not in replayed
    assert stranger.post("2").startswith(REFUSED)
    assert owner.post(owner.text or "") == filed  # the owner's retry still gets its reply


def test_a_hop_from_another_number_leaves_the_owners_session_as_it_was(client, rt):
    owner = Dial(client, "ATUid_own", phone=OWNER)
    owner.press("2")
    before = state(rt, "ATUid_own")
    stranger = Dial(client, "ATUid_own", phone=OTHER)
    assert stranger.post("2*Jalan rusak").startswith(REFUSED)
    assert stranger.post("2*Jalan rusak*1").startswith(REFUSED)
    assert state(rt, "ATUid_own") == before
    assert "tiket" in owner.press("Atap bocor", "1")
    with rt.sessions() as s:
        texts = list(s.scalars(select(Feedback.text)))
        phones = list(s.scalars(select(Contact.phone)))
    assert texts == ["Atap bocor"] and phones == [OWNER]


def test_an_end_event_from_another_number_records_nothing_for_it(client, rt):
    owner = Dial(client, "ATUid_skm", phone=OWNER)
    owner.press("5", "1", "3", "4")
    Dial(client, "ATUid_skm", phone=OTHER).drop("Incomplete")
    assert count(rt, SkmResponse) == 0
    owner.drop("Incomplete")
    with rt.sessions() as s:
        row = s.scalar(select(SkmResponse))
        owner_id = s.scalar(select(Contact.id).where(Contact.phone == OWNER))
    assert row is not None and (row.answers, row.contact_id) == ("34", owner_id)
