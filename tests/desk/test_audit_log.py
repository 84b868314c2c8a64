"""The Audit log page (admins only): newest first, a page at a time, filtered by action,
staff member, target and WIB days; a CSV of the filter, itself audited; nothing edits it."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from gateway.common.wib import WIB
from gateway.models import AuditEntry, StaffUser
from gateway.staff import audit
from tests.desk_helpers import ROLES, fresh_token

pytestmark = pytest.mark.integration

AUDIT = "/staff/audit"
CSV = "/staff/audit.csv"


def add(rt, *entries: dict) -> None:
    """Entries as the services write them, at chosen moments (appending is allowed)."""
    with rt.sessions.begin() as s:
        for entry in entries:
            s.add(AuditEntry(**{"actor": "someone", "action": "status", "detail": {}, **entry}))


def staff_id(rt, name: str) -> int:
    with rt.sessions() as s:
        return s.scalar(select(StaffUser.id).where(StaffUser.name == name))


def targets(html: str) -> list[str]:
    """The targets of the rows on the page, top to bottom."""
    return re.findall(r'data-label="Sasaran"><a href="[^"]*">([^<]*)</a>', html)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize("role", [*ROLES, None])
@pytest.mark.parametrize("path", [AUDIT, CSV])
def test_only_an_admin_reads_the_audit_log(desk, role, path):
    response = desk(role).get(path)
    if role is None:
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    elif role == "admin":
        assert response.status_code == 200
    else:
        assert response.status_code == 403


def test_each_row_says_who_what_target_when_where_and_detail(desk, rt):
    admin = staff_id(rt, "admin.disdik")
    add(
        rt,
        {
            "at": at("2026-03-10T02:30:00"),
            "staff_id": admin,
            "actor": "admin.disdik",
            "action": "staff_role",
            "target": "officer.disdik",
            "ip": "10.1.2.3",
            "detail": {"old": "officer", "new": "viewer"},
        },
    )
    html = (
        desk("admin").get(AUDIT, query_string={"target": "officer.disdik"}).get_data(as_text=True)
    )
    row = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    assert "10-03-2026 09:30 WIB" in row  # 02:30 UTC
    assert ">admin.disdik</a>" in row and "Mengubah peran" in row
    assert ">officer.disdik</a>" in row and "10.1.2.3" in row
    assert "new: viewer" in row and "old: officer" in row


def test_newest_first_a_page_at_a_time_without_gaps_or_repeats(desk, rt):
    add(rt, *({"target": f"T-{n:03d}"} for n in range(120)))
    client = desk("admin")
    seen: list[str] = []
    url = f"{AUDIT}?action=status"
    for _page in range(5):
        html = client.get(url).get_data(as_text=True)
        seen += targets(html)
        older = re.search(r'href="([^"]+)" rel="next"', html)
        if older is None:
            break
        url = older.group(1).replace("&amp;", "&")
        assert "action=status" in url  # the filter is kept
    assert seen == [f"T-{n:03d}" for n in reversed(range(120))]


def test_filters_return_exactly_the_entries_made(desk, rt):
    admin, officer = staff_id(rt, "admin.disdik"), staff_id(rt, "officer.disdik")
    add(
        rt,
        {"staff_id": admin, "action": "token_revoke", "target": "A-revoke"},
        {"staff_id": officer, "action": "reply", "target": "A-reply"},
        {"staff_id": officer, "action": "status", "target": "A-status"},
        {"staff_id": admin, "action": "status", "target": "A-status"},
    )
    client = desk("admin")

    def found(**query: str) -> list[str]:
        response = client.get(AUDIT, query_string=query)
        assert response.status_code == 200
        return targets(response.get_data(as_text=True))

    assert found(action="token_revoke") == ["A-revoke"]
    assert found(action="reply") == ["A-reply"]
    assert found(staff=str(officer)) == ["A-status", "A-reply"]
    assert found(target="A-status") == ["A-status", "A-status"]
    assert found(target="A-status", staff=str(admin)) == ["A-status"]
    assert found(target="nothing-like-it") == []
    assert "Tidak ada catatan yang cocok" in client.get(
        AUDIT, query_string={"target": "nothing-like-it"}
    ).get_data(as_text=True)


def test_a_day_range_is_wib_days_both_ends_included(desk, rt):
    add(
        rt,
        {"at": at("2026-03-09T16:59:59"), "target": "D-before"},  # 9 Mar 23:59:59 WIB
        {"at": at("2026-03-09T17:00:00"), "target": "D-first"},  # 10 Mar 00:00 WIB
        {"at": at("2026-03-11T16:59:59"), "target": "D-last"},  # 11 Mar 23:59:59 WIB
        {"at": at("2026-03-11T17:00:00"), "target": "D-after"},  # 12 Mar 00:00 WIB
    )
    client = desk("admin")
    for since, until in (("2026-03-10", "2026-03-11"), ("10-03-2026", "11-03-2026")):
        query = {"action": "status", "since": since, "until": until}
        assert targets(client.get(AUDIT, query_string=query).get_data(as_text=True)) == [
            "D-last",
            "D-first",
        ]
    one_day = {"action": "status", "since": "2026-03-12", "until": "2026-03-12"}
    assert targets(client.get(AUDIT, query_string=one_day).get_data(as_text=True)) == ["D-after"]
    up_to = {"action": "status", "until": "2026-03-09"}
    assert targets(client.get(AUDIT, query_string=up_to).get_data(as_text=True)) == ["D-before"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"since": "2026-02-31"}, "since", "Isi tanggal yang benar"),
        ({"until": "kemarin"}, "until", "Isi tanggal yang benar"),
        ({"since": "0001-01-01"}, "since", "Isi tanggal yang benar"),
        ({"since": "2026-03-10", "until": "2026-03-01"}, "until", "Tanggal akhir harus sama"),
        ({"action": "drop_table"}, "action", "Pilih tindakan dari daftar."),
        ({"staff": "abc"}, "staff", "Pilih staf dari daftar."),
        ({"target": "x" * 121}, "target", "Gunakan paling banyak 120 karakter."),
    ],
)
def test_a_bad_filter_is_named_beside_its_field_and_kept(desk, query, field, message):
    response = desk("admin").get(AUDIT, query_string=query)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'href="#{field}"' in html
    beside = re.search(rf'<small class="error" id="{field}-error">([^<]+)</small>', html)
    assert beside and message in beside.group(1)
    typed = query[field]
    if field not in ("action", "staff"):
        assert f'value="{typed}"' in html
    assert "<tbody>" not in html  # no entries under a filter that does not hold
    assert desk("admin").get(CSV, query_string=query).status_code == 400


def test_the_csv_has_the_filter_and_is_audited_as_an_export(desk, rt):
    add(
        rt,
        {"action": "reply", "target": "=HYPERLINK(1)", "ip": "10.0.0.1"},
        {"action": "reply", "target": "C-2", "detail": {"segments": 2}},
        {"action": "status", "target": "C-other"},
    )
    client = desk("admin")
    response = client.get(CSV, query_string={"action": "reply"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["target"] for r in rows] == ["C-2", "'=HYPERLINK(1)"]  # formula-safe
    assert rows[0]["detail"] == '{"segments": 2}' and rows[1]["ip"] == "10.0.0.1"
    assert rows[0]["at"].endswith("+07:00")
    with rt.sessions() as s:
        [export] = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
    assert export.actor == "admin.disdik" and export.target == "audit_log"
    assert export.detail == {"filter": {"action": "reply"}}


def test_the_csv_holds_every_entry_of_the_filter_not_one_page(desk, rt):
    add(rt, *({"action": "note", "target": f"N-{n}"} for n in range(1205)))
    response = desk("admin").get(CSV, query_string={"action": "note"})
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 1205 and len({r["id"] for r in rows}) == 1205
    assert rows[0]["target"] == "N-1204" and rows[-1]["target"] == "N-0"


def test_staff_actions_on_the_desk_land_in_the_log(desk, rt):
    desk("officer")  # a login
    client = desk("admin")
    html = client.get(AUDIT, query_string={"action": "login"}).get_data(as_text=True)
    assert "officer.disdik" in html and "admin.disdik" in html
    created = client.get(AUDIT, query_string={"action": "staff_create"}).get_data(as_text=True)
    assert targets(created) == ["viewer.disdik", "officer.disdik", "admin.disdik"]  # by the CLI
    assert created.count(">cli<") == 3


def test_xss_shaped_actors_targets_and_details_are_escaped(desk, rt):
    payload = '<img src=x onerror="alert(1)">'
    with rt.sessions.begin() as s:
        audit.record(
            s, audit.Actor(None, payload, "10.0.0.9"), "login_failed", payload, why=payload
        )
    html = desk("admin").get(AUDIT).get_data(as_text=True)
    assert payload not in html and 'onerror="alert' not in html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in html


def test_nothing_edits_or_deletes_an_entry(desk, rt):
    client = desk("admin")
    token = fresh_token(client, AUDIT)
    with rt.sessions() as s:
        before = s.scalar(select(func.count()).select_from(AuditEntry))
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(AUDIT, data={"csrf_token": token})
        assert response.status_code == 405, method
    assert client.get(f"{AUDIT}/1/delete").status_code == 404
    with rt.sessions() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_an_entry_of_today_is_found_by_todays_wib_date(desk, rt):
    moment = datetime.now(UTC) - timedelta(minutes=1)
    add(rt, {"at": moment, "target": "today"})
    today = moment.astimezone(WIB).strftime("%Y-%m-%d")
    query = {"action": "status", "since": today, "until": today}
    assert targets(desk("admin").get(AUDIT, query_string=query).get_data(as_text=True)) == ["today"]
