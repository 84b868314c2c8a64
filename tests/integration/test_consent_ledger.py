"""The consent ledger: every grant and withdrawal by SMS and USSD, appended, never
overwritten, and the consent that stood for a contact at any moment."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DatabaseError

from gateway.citizens.consent import CONSENT_VERSION, consent_at
from gateway.models import ConsentEvent, Contact, InboundMessage
from tests.integration.ussd_helpers import PHONE, Dial

pytestmark = pytest.mark.integration

SMS = "/webhooks/africastalking/sms"
_ids = itertools.count(1)


def sms(client, body: str) -> str:
    message_id = f"consent-{next(_ids)}"
    form = {"from": PHONE, "to": "1708", "text": body, "id": message_id}
    assert client.post(SMS, data=form).status_code == 200
    return message_id


def ledger(rt):
    with rt.sessions() as s:
        return list(s.scalars(select(ConsentEvent).order_by(ConsentEvent.id)))


def inbound_id(rt, message_id: str) -> int:
    with rt.sessions() as s:
        found = s.scalar(
            select(InboundMessage.id).where(InboundMessage.provider_message_id == message_id)
        )
        assert found is not None
        return found


def contact_id(rt) -> int:
    with rt.sessions() as s:
        found = s.scalar(select(Contact.id).where(Contact.phone == PHONE))
        assert found is not None
        return found


def test_sms_grants_and_withdrawals_are_appended_with_the_message_that_carried_them(client, rt):
    daftar = sms(client, "DAFTAR Marbau guru")
    stop = sms(client, "STOP")
    mulai = sms(client, "MULAI")
    rows = ledger(rt)
    assert [(r.action, r.channel, r.inbound_message_id) for r in rows] == [
        ("grant", "sms", inbound_id(rt, daftar)),
        ("withdraw", "sms", inbound_id(rt, stop)),
        ("grant", "sms", inbound_id(rt, mulai)),
    ]
    assert {r.consent_version for r in rows} == {CONSENT_VERSION}
    assert rows[0].at < rows[1].at < rows[2].at
    assert {r.contact_id for r in rows} == {contact_id(rt)}


def test_hapus_is_a_withdrawal_in_the_ledger(client, rt):
    sms(client, "DAFTAR")
    hapus = sms(client, "HAPUS")
    last = ledger(rt)[-1]
    assert (last.action, last.inbound_message_id) == ("withdraw", inbound_id(rt, hapus))


def test_ussd_grants_and_withdrawals_carry_their_session(client, rt):
    Dial(client, "ATUid_sub").press("8", "1", "6", "2", "1")
    Dial(client, "ATUid_unsub").press("8", "2", "1")
    rows = ledger(rt)
    assert [(r.action, r.channel, r.ussd_session_id, r.inbound_message_id) for r in rows] == [
        ("grant", "ussd", "ATUid_sub", None),
        ("withdraw", "ussd", "ATUid_unsub", None),
    ]


def test_consent_at_tells_what_stood_at_any_moment(client, rt):
    sms(client, "DAFTAR")
    sms(client, "STOP")
    Dial(client, "ATUid_again").press("8", "1", "6", "2", "1")
    grant, withdraw, regrant = ledger(rt)
    cid = contact_id(rt)
    tick = timedelta(microseconds=1)
    with rt.sessions() as s:
        assert consent_at(s, cid, grant.at - tick) is None  # before any consent
        standing = consent_at(s, cid, grant.at)
        assert standing is not None
        assert (standing.channel, standing.version, standing.granted_at) == (
            "sms",
            CONSENT_VERSION,
            grant.at,
        )
        assert standing.inbound_message_id == grant.inbound_message_id
        assert consent_at(s, cid, withdraw.at - tick) == standing
        assert consent_at(s, cid, withdraw.at) is None  # withdrawn
        assert consent_at(s, cid, regrant.at - tick) is None
        later = consent_at(s, cid, regrant.at + timedelta(days=30))
        assert later is not None and (later.channel, later.ussd_session_id) == (
            "ussd",
            "ATUid_again",
        )


def test_a_repeated_stop_is_recorded_but_the_first_withdrawal_stands(client, rt):
    sms(client, "DAFTAR")
    sms(client, "STOP")
    sms(client, "STOP")
    assert [r.action for r in ledger(rt)] == ["grant", "withdraw", "withdraw"]
    with rt.sessions() as s:
        assert consent_at(s, contact_id(rt), ledger(rt)[-1].at) is None


def test_the_ledger_refuses_to_be_overwritten(client, rt):
    sms(client, "DAFTAR")
    before = ledger(rt)
    with pytest.raises(DatabaseError, match="append-only"):
        with rt.sessions.begin() as s:
            s.execute(update(ConsentEvent).values(action="withdraw"))
    with pytest.raises(DatabaseError, match="append-only"):
        with rt.engine.begin() as conn:
            conn.execute(text("UPDATE consent_events SET at = created_at"))
    after = ledger(rt)
    assert [(r.id, r.action, r.at) for r in after] == [(r.id, r.action, r.at) for r in before]
