"""``GET /api/v1/feedback``'s inbox filters (the desk's inbox shares the parser and the
query): school, assigned (to the token's account), overdue, open, WIB days and moments, a
ticket typed with dashes, the newer-page cursor, and field errors for bad values."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from gateway.common.tickets import check_digit
from gateway.models import Feedback, StaffUser
from tests.integration.test_staff_api import create_staff

pytestmark = pytest.mark.integration

API = "/api/v1/feedback"
NOW = datetime.now(UTC)
DAY = timedelta(days=1)
_bodies = itertools.count(300_001)


@pytest.fixture
def tokens(app):
    return {role: create_staff(app, f"{role}.api", role) for role in ("admin", "officer", "viewer")}


def add(rt, **fields) -> str:
    body = str(next(_bodies))
    ticket = body + check_digit(body)
    values = {"kind": "complaint", "text": "laporan", "status": "received", "channel": "sms"}
    with rt.sessions.begin() as s:
        s.add(Feedback(ticket=ticket, **(values | {"created_at": NOW} | fields)))
    return ticket


def officer_id(rt) -> int:
    with rt.sessions() as s:
        return s.scalar(select(StaffUser.id).where(StaffUser.name == "officer.api"))


def listed(client, token, query) -> list[str]:
    resp = client.get(f"{API}?{query}", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200, resp.json
    return [item["ticket"] for item in resp.json["items"]]


@pytest.fixture
def made(rt, tokens):
    me = officer_id(rt)
    return {  # oldest first, as they would arrive: ids rise with time
        "old_closed": add(rt, status="closed", school="SDN 3 Marbau", created_at=NOW - 90 * DAY),
        "resolved_late": add(rt, status="resolved", assigned_to_id=me, due_at=NOW - DAY,
                             created_at=NOW - 20 * DAY),
        "mine_overdue": add(rt, status="verified", assigned_to_id=me, due_at=NOW - DAY,
                            created_at=NOW - 9 * DAY),
        "nobody_open": add(rt, school="SMPN 2 Aek Kuo", due_at=NOW + 2 * DAY,
                           created_at=NOW - DAY, text="Atap BOCOR"),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("school=marbau", ["old_closed"]),
        ("school=smpn+2", ["nobody_open"]),
        ("assigned=me", ["mine_overdue", "resolved_late"]),
        ("assigned=nobody", ["nobody_open", "old_closed"]),
        ("assigned=mine_or_nobody", ["nobody_open", "mine_overdue", "resolved_late", "old_closed"]),
        ("assigned=anyone", ["nobody_open", "mine_overdue", "resolved_late", "old_closed"]),
        ("overdue=1", ["mine_overdue"]),  # a resolved report is past due_at but not overdue
        ("open=1", ["nobody_open", "mine_overdue"]),
        ("open=0", ["nobody_open", "mine_overdue", "resolved_late", "old_closed"]),
        ("open=1&assigned=me", ["mine_overdue"]),
        ("q=bocor", ["nobody_open"]),
    ],
)
def test_the_inbox_filters_in_the_api(client, tokens, made, query, expected):
    assert listed(client, tokens["officer"], query) == [made[name] for name in expected]


def test_assigned_to_me_is_the_tokens_account(client, tokens, made):
    assert listed(client, tokens["admin"], "assigned=me") == []
    assert listed(client, tokens["officer"], "assigned=me") != []


def test_days_in_wib_and_moments(client, rt, tokens):
    late = add(rt, created_at=datetime(2026, 11, 2, 16, 30, tzinfo=UTC))  # 23:30 WIB, 2 Nov
    after = add(rt, created_at=datetime(2026, 11, 2, 17, 0, tzinfo=UTC))  # 00:00 WIB, 3 Nov
    token = tokens["viewer"]
    assert listed(client, token, "from=2026-11-02&to=2026-11-02") == [late]
    assert listed(client, token, "from=2026-11-03") == [after]
    assert listed(client, token, "until=2026-11-02T17:00:00Z") == [late]
    assert listed(client, token, "since=2026-11-02T17:00:00Z&to=2026-11-03") == [after]


def test_a_ticket_typed_with_dashes_or_spaces(client, rt, tokens):
    ticket = add(rt, text="kapan PIP cair")
    add(rt, text="lain")
    for typed in (
        ticket,
        f"{ticket[:3]}-{ticket[3:]}",
        f"{ticket[:3]}+{ticket[3:]}",
        f"%23{ticket}",
    ):
        assert listed(client, tokens["viewer"], f"q={typed}") == [ticket], typed


def test_older_and_newer_pages(client, rt, tokens):
    made = [add(rt, created_at=NOW - timedelta(minutes=10 - i)) for i in range(5)]
    headers = {"Authorization": f"Bearer {tokens['viewer']}"}
    first = client.get(f"{API}?limit=2", headers=headers).json
    assert [i["ticket"] for i in first["items"]] == made[::-1][:2] and first["newer"] is None
    second = client.get(f"{API}?limit=2&cursor={first['next']}", headers=headers).json
    assert [i["ticket"] for i in second["items"]] == made[::-1][2:4]
    back = client.get(f"{API}?limit=2&after={second['newer']}", headers=headers).json
    assert [i["ticket"] for i in back["items"]] == made[::-1][:2]
    assert back["newer"] is None and back["next"] == first["next"]


def test_bad_inbox_filters_get_field_errors(client, tokens):
    resp = client.get(
        f"{API}?school=x&assigned=all&overdue=maybe&open=2&from=2026-13-45&to=yesterday"
        "&until=soon&cursor=5&after=3",
        headers={"Authorization": f"Bearer {tokens['viewer']}"},
    )
    assert resp.status_code == 400
    assert set(resp.json["errors"]) == {
        "assigned", "overdue", "open", "from", "to", "until", "after",
    }  # fmt: skip
    swapped = client.get(
        f"{API}?from=2026-11-05&to=2026-11-01",
        headers={"Authorization": f"Bearer {tokens['viewer']}"},
    )
    assert swapped.status_code == 400 and set(swapped.json["errors"]) == {"to"}


def test_dates_outside_the_range_are_field_errors_not_500s(client, tokens):
    headers = {"Authorization": f"Bearer {tokens['viewer']}"}
    for query, field in (
        ("from=0001-01-01", "from"),
        ("to=9999-12-31", "to"),
        ("to=9999-12-30", "to"),
    ):
        resp = client.get(f"{API}?{query}", headers=headers)
        assert resp.status_code == 400 and field in resp.json["errors"], query
