"""The inbox (`/staff/reports`): who may open it, every filter returning exactly the reports
made for it, the officer's default view, pages that keep the filters, bad filter values
shown beside their field, citizen text escaped, and the CSV (audited, masked for viewers)."""

from __future__ import annotations

import csv
import io
import itertools
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from gateway.common.phone import mask
from gateway.common.tickets import check_digit
from gateway.models import AuditEntry, Contact, Feedback, StaffUser

pytestmark = pytest.mark.integration

INBOX = "/staff/reports"
SMS = "/webhooks/africastalking/sms"
PHONE = "+6281234567890"
NOW = datetime.now(UTC)
_bodies = itertools.count(200_001)
_ids = itertools.count(1)
TICKET = re.compile(r'<a href="/staff/reports/(\d{7})">')


def tickets_in(html: str) -> list[str]:
    return TICKET.findall(html)


def staff_id(rt, name: str) -> int:
    with rt.sessions() as s:
        return s.scalar(select(StaffUser.id).where(StaffUser.name == name))


def add(rt, *, phone: str | None = PHONE, **fields) -> str:
    """One report straight into the database, with what a test needs of it."""
    body = str(next(_bodies))
    ticket = body + check_digit(body)
    values = {
        "kind": "complaint",
        "text": "laporan warga",
        "status": "received",
        "channel": "sms",
        "language": "id",
        "created_at": NOW,
    } | fields
    with rt.sessions.begin() as s:
        contact = None
        if phone:
            contact = s.scalar(select(Contact).where(Contact.phone == phone))
            if contact is None:
                contact = Contact(phone=phone, language="id")
                s.add(contact)
                s.flush()
        s.add(Feedback(ticket=ticket, contact_id=contact.id if contact else None, **values))
    return ticket


def sms_report(client, rt, text: str) -> str:
    form = {"from": PHONE, "to": "1708", "text": text, "id": f"inbox-{next(_ids)}"}
    assert client.post(SMS, data=form).status_code == 200
    with rt.sessions() as s:
        return s.scalar(select(Feedback.ticket).order_by(Feedback.id.desc()))


@pytest.fixture
def reports(rt, staff):
    """Six reports, each telling filters apart; name -> ticket."""
    officer, admin = staff_id(rt, "officer.disdik"), staff_id(rt, "admin.disdik")
    day = timedelta(days=1)
    # Inserted oldest first, as they would arrive: ids rise with time.
    found = {
        "e": add(rt, kind="complaint", category="bos", kecamatan="Na IX-X", status="closed",
                 created_at=NOW - 200 * day, text="pungutan 50% uang_seragam"),
        "d": add(rt, kind="complaint", category="guru", kecamatan="Marbau",
                 school="SDN 7 marbau", status="resolved", assigned_to_id=officer,
                 created_at=NOW - 60 * day, due_at=NOW + 5 * day, text="guru sering bolos"),
        "c": add(rt, kind="question", category="pip", kecamatan="Kualuh Hulu",
                 status="in_progress", assigned_to_id=admin, created_at=NOW - 40 * day,
                 due_at=NOW - 30 * day, text="kapan dana PIP cair"),
        "b": add(rt, kind="suggestion", kecamatan="Aek Kuo", school="SMPN 1 Aek Kuo",
                 status="verified", assigned_to_id=officer, created_at=NOW - 10 * day,
                 due_at=NOW - 2 * day, text="tambah buku bacaan di perpustakaan"),
        "f": add(rt, kind="other", category="lainnya", school="MIS Nurul Iman",
                 status="rejected", created_at=NOW - 2 * day, text="jalan ke sekolah becek"),
        "a": add(rt, kind="complaint", category="sarpras", kecamatan="Marbau",
                 school="SDN 5 Marbau", status="received", created_at=NOW - timedelta(hours=1),
                 due_at=NOW + 3 * day, text="Atap kelas BOCOR kalau hujan"),
    }  # fmt: skip
    return dict(sorted(found.items()))


@pytest.mark.parametrize("role", ["admin", "officer", "viewer"])
def test_every_role_opens_the_inbox(desk, reports, role):
    response = desk(role).get(f"{INBOX}?assigned=anyone")
    assert response.status_code == 200
    assert sorted(tickets_in(response.get_data(as_text=True))) == sorted(reports.values())


def test_signed_out_goes_to_the_login(desk):
    for url in (INBOX, f"{INBOX}.csv"):
        response = desk(None).get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/staff/login?next=")


def test_newest_first_and_each_row_says_what_an_officer_needs(desk, rt, reports):
    html = desk("officer").get(f"{INBOX}?assigned=anyone").get_data(as_text=True)
    order = ["a", "f", "b", "c", "d", "e"]  # by arrival, newest first
    assert tickets_in(html) == [reports[name] for name in order]
    row = html[html.index(f"/staff/reports/{reports['b']}") :].split("</tr>")[0]
    for shown in (
        "Saran",  # kind, in Indonesian (the default language)
        "Aek Kuo",
        "SMPN 1 Aek Kuo",
        "Diverifikasi",
        "officer.disdik",
        "tambah buku bacaan di perpustakaan",
        "WIB",
    ):
        assert shown in row, shown
    assert re.search(r'class="badge overdue">terlambat \d+ hari kerja<', row)
    row_a = html[html.index(f"/staff/reports/{reports['a']}") :].split("</tr>")[0]
    assert re.search(r'class="badge due">\d+ hari kerja lagi<', row_a)
    assert "Sarana-prasarana sekolah" in row_a
    row_e = html[html.index(f"/staff/reports/{reports['e']}") :].split("</tr>")[0]
    assert "badge" not in row_e  # closed: no deadline


def test_long_texts_are_cut_to_about_a_hundred_characters(desk, rt, staff):
    ticket = add(rt, text="kata " * 60 + "AKHIR")
    html = desk("officer").get(INBOX).get_data(as_text=True)
    row = html[html.index(f"/staff/reports/{ticket}") :].split("</tr>")[0]
    assert "AKHIR" not in row and "kata kata" in row and "…" in row


FILTERS = [
    ("status=verified", "b"),
    ("kind=question", "c"),
    ("category=pip", "c"),
    ("kecamatan=Marbau", "ad"),
    ("kecamatan=merbau", "ad"),  # as people spell it
    ("school=marbau", "ad"),
    ("school=SMPN", "b"),
    ("assigned=me", "bd"),
    ("assigned=nobody", "aef"),
    ("assigned=mine_or_nobody", "abdef"),
    ("assigned=anyone", "abcdef"),
    ("overdue=1", "bc"),
    ("open=1", "abc"),
    ("q=bocor", "a"),
    ("q=50%25", "e"),  # LIKE's wildcards are taken literally
    ("q=uang_seragam", "e"),
    ("q=nothing+like+this", ""),
    ("status=in_progress&kecamatan=Kualuh+Hulu&category=pip", "c"),
    ("kecamatan=Marbau&open=1", "a"),
    ("assigned=me&overdue=1", "b"),
    ("kind=complaint&school=sdn&assigned=nobody", "a"),
]


@pytest.mark.parametrize(("query", "expected"), FILTERS)
def test_each_filter_returns_exactly_its_reports(desk, reports, query, expected):
    args = query if "assigned=" in query else f"{query}&assigned=anyone"
    html = desk("officer").get(f"{INBOX}?{args}").get_data(as_text=True)
    assert sorted(tickets_in(html)) == sorted(reports[name] for name in expected)


def test_dates_are_days_in_wib_both_inclusive(desk, rt, staff):
    late = add(rt, created_at=datetime(2026, 11, 2, 16, 30, tzinfo=UTC))  # 23:30 WIB, 2 Nov
    next_day = add(rt, created_at=datetime(2026, 11, 2, 17, 0, tzinfo=UTC))  # 00:00 WIB, 3 Nov
    early = add(rt, created_at=datetime(2026, 10, 31, 17, 0, tzinfo=UTC))  # 00:00 WIB, 1 Nov
    get = lambda qs: sorted(  # noqa: E731
        tickets_in(desk("viewer").get(f"{INBOX}?assigned=anyone&{qs}").get_data(as_text=True))
    )
    assert get("from=2026-11-02&to=2026-11-02") == [late]
    assert get("from=2026-11-03") == [next_day]
    assert get("to=2026-11-01") == [early]
    assert get("from=2026-11-01&to=2026-11-03") == sorted([late, next_day, early])
    assert get("to=2026-10-31") == []


def test_a_ticket_is_found_as_people_type_it(desk, reports):
    ticket = reports["c"]
    for typed in (ticket, f"{ticket[:3]}-{ticket[3:]}", f"{ticket[:3]} {ticket[3:]}", f"#{ticket}",
                  f"tiket {ticket}", f"TIKET {ticket[:3]}-{ticket[3:]}"):  # fmt: skip
        html = desk("officer").get(INBOX, query_string={"q": typed}).get_data(as_text=True)
        assert tickets_in(html) == [ticket], typed
    wrong = ticket[:-1] + str((int(ticket[-1]) + 1) % 10)  # a typo: the check digit fails
    html = desk("officer").get(INBOX, query_string={"q": wrong}).get_data(as_text=True)
    assert tickets_in(html) == []


def test_an_officers_default_view_is_mine_or_nobody_and_open(desk, reports):
    html = desk("officer").get(INBOX).get_data(as_text=True)
    assert sorted(tickets_in(html)) == sorted([reports["a"], reports["b"]])
    assert '<option selected value="mine_or_nobody">' in html
    assert re.search(r'id="open" name="open" value="1" checked', html)


@pytest.mark.parametrize("role", ["admin", "viewer"])
def test_admins_and_viewers_default_to_everything_open(desk, reports, role):
    html = desk(role).get(INBOX).get_data(as_text=True)
    assert sorted(tickets_in(html)) == sorted(reports[n] for n in "abc")


def test_show_all_shows_every_report(desk, reports):
    html = desk("officer").get(INBOX).get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)">Tampilkan semua laporan</a>', html).group(1)
    every = desk("officer").get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert sorted(tickets_in(every)) == sorted(reports.values())


def test_the_count_per_status_leaves_out_the_status_filter(desk, reports):
    html = desk("officer").get(f"{INBOX}?status=verified&kecamatan=Marbau").get_data(as_text=True)
    counts = dict(
        re.findall(r'<li><a href="[^"]*status=(\w+)[^"]*"[^>]*>[^<]+<strong>(\d+)</strong>', html)
    )
    assert counts == {"received": "1", "verified": "0", "in_progress": "0", "resolved": "1",
                      "closed": "0", "rejected": "0"}  # fmt: skip
    link = re.search(r'<a href="([^"]*status=resolved[^"]*)"', html).group(1).replace("&amp;", "&")
    assert parse_qs(urlsplit(link).query)["kecamatan"] == ["Marbau"]
    assert tickets_in(desk("officer").get(link).get_data(as_text=True)) == [reports["d"]]


def test_pages_keep_the_filters_both_ways(desk, rt, staff):
    start = NOW - timedelta(days=1)
    marbau = [
        add(rt, kecamatan="Marbau", created_at=start + timedelta(minutes=i)) for i in range(55)
    ]
    for i in range(5):
        add(rt, kecamatan="Aek Kuo", created_at=start + timedelta(minutes=i, seconds=30))
    client = desk("officer")
    first = client.get(f"{INBOX}?kecamatan=Marbau&assigned=anyone").get_data(as_text=True)
    assert tickets_in(first) == marbau[::-1][:50]
    older = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    assert {"kecamatan": ["Marbau"], "assigned": ["anyone"]}.items() <= parse_qs(
        urlsplit(older).query
    ).items()
    second = client.get(older).get_data(as_text=True)
    assert tickets_in(second) == marbau[::-1][50:]
    assert 'rel="next"' not in second
    newer = re.search(r'<a href="([^"]+)" rel="prev">', second).group(1).replace("&amp;", "&")
    assert "kecamatan=Marbau" in newer
    back = client.get(newer).get_data(as_text=True)
    assert tickets_in(back) == marbau[::-1][:50]
    assert 'rel="prev"' not in back


def test_the_default_view_keeps_its_filters_on_the_next_page(desk, rt, staff):
    for i in range(52):
        add(rt, created_at=NOW - timedelta(minutes=i))
    add(rt, status="closed", created_at=NOW - timedelta(days=3))
    first = desk("officer").get(INBOX).get_data(as_text=True)
    older = re.search(r'<a href="([^"]+)" rel="next">', first).group(1).replace("&amp;", "&")
    query = parse_qs(urlsplit(older).query)
    assert query["assigned"] == ["mine_or_nobody"] and query["open"] == ["1"]
    assert len(tickets_in(desk("officer").get(older).get_data(as_text=True))) == 2


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("from=2026-13-45", "from", "Isi tanggal yang benar dengan format TTTT-BB-HH"),
        ("to=kemarin", "to", "Isi tanggal yang benar dengan format TTTT-BB-HH"),
        ("from=2026-11-05&to=2026-11-01", "to", "Tanggal akhir harus sama dengan"),
        ("status=done", "status", "Pilih status dari daftar."),
        ("kecamatan=Medan", "kecamatan", "Pilih kecamatan dari daftar."),
        ("assigned=everybody", "assigned", "Pilih dari daftar"),
        ("overdue=yes", "overdue", "Centang kotaknya atau biarkan kosong."),
        ("q=ab", "q", "Isi paling sedikit 3 huruf atau angka"),
    ],
)
def test_a_bad_filter_value_is_named_beside_its_field(desk, reports, query, field, message):
    response = desk("officer").get(f"{INBOX}?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    beside = re.search(rf'<small class="error" id="{field}-error">([^<]+)</small>', html)
    assert beside and message in beside.group(1)
    assert f'href="#{field}"' in html  # the error summary links to the field
    assert tickets_in(html) == []


def test_a_bad_page_link_says_so(desk, reports):
    html = desk("officer").get(f"{INBOX}?cursor=abc").get_data(as_text=True)
    assert "Tautan halaman ini rusak" in html


def test_what_the_officer_typed_is_kept(desk, reports):
    html = (
        desk("officer")
        .get(f"{INBOX}?q=atap+kelas&school=SDN+5&from=2026-13-45")
        .get_data(as_text=True)
    )
    for kept in ('value="atap kelas"', 'value="SDN 5"', 'value="2026-13-45"'):
        assert kept in html


def test_a_kecamatan_spelt_as_people_do_is_shown_as_understood(desk, reports):
    html = desk("officer").get(f"{INBOX}?kecamatan=merbau").get_data(as_text=True)
    assert '<option selected value="Marbau">' in html
    assert sorted(tickets_in(html)) == sorted([reports["a"], reports["d"]])


XSS = ("<script>alert(1)</script>", '"><img src=x onerror=alert(2)>')


def test_citizen_text_is_escaped(client, desk, rt, staff):
    for payload in XSS:
        sms_report(client, rt, f"LAPOR {payload} atap bocor")
    add(rt, school='"><img src=x onerror=alert(3)>', text="sekolah")
    html = desk("officer").get(f"{INBOX}?assigned=anyone").get_data(as_text=True)
    main = html[html.index("<main>") :]
    assert "<script>alert" not in main and "<img" not in main
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in main
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in main
    searched = desk("officer").get(INBOX, query_string={"q": XSS[1], "school": XSS[0]})
    assert "<img" not in searched.get_data(as_text=True).split("<main>")[1]
    assert "<script>alert" not in searched.get_data(as_text=True).split("<main>")[1]


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_csv_follows_the_filters_and_is_audited(desk, rt, reports):
    client = desk("officer")
    html = client.get(f"{INBOX}?kecamatan=Marbau&assigned=anyone").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)" download>', html).group(1).replace("&amp;", "&")
    assert link.startswith("/staff/reports.csv?")
    rows = read_csv(client.get(link))
    assert sorted(r["ticket"] for r in rows) == sorted([reports["a"], reports["d"]])
    assert {r["phone"] for r in rows} == {"'" + PHONE}  # whole for an officer, formula-safe
    assert {r["assignee"] for r in rows} == {"", "officer.disdik"}
    with rt.sessions() as s:
        entry = s.scalar(select(AuditEntry).where(AuditEntry.action == "export"))
    assert entry.actor == "officer.disdik" and entry.target == "feedback"
    assert entry.detail["filters"] == {"kecamatan": "Marbau", "assigned": "anyone"}


def test_the_csv_masks_numbers_for_viewers_and_shows_anonymous_ones_only_to_admins(desk, rt, staff):
    plain = add(rt, text="biasa")
    hidden = add(rt, text="rahasia", anonymous=True)
    seen = {}
    for role in ("admin", "officer", "viewer"):
        rows = read_csv(desk(role).get(f"{INBOX}.csv?assigned=anyone"))
        seen[role] = {r["ticket"]: r["phone"] for r in rows}
    assert seen["admin"] == {plain: "'" + PHONE, hidden: "'" + PHONE}
    assert seen["officer"] == {plain: "'" + PHONE, hidden: ""}
    assert seen["viewer"] == {plain: "'" + mask(PHONE), hidden: ""}
    with rt.sessions() as s:
        exports = s.scalars(select(AuditEntry.actor).where(AuditEntry.action == "export")).all()
    assert sorted(exports) == ["admin.disdik", "officer.disdik", "viewer.disdik"]


def test_the_csv_of_the_default_view_is_the_default_view(desk, reports):
    rows = read_csv(desk("officer").get(f"{INBOX}.csv"))
    assert sorted(r["ticket"] for r in rows) == sorted([reports["a"], reports["b"]])


def test_the_page_and_the_api_agree(client, desk, rt, staff, reports):
    token = staff["officer"]
    for query, _expected in FILTERS:
        args = query if "assigned=" in query else f"{query}&assigned=anyone"
        page = tickets_in(desk("officer").get(f"{INBOX}?{args}").get_data(as_text=True))
        api = client.get(f"/api/v1/feedback?{args}", headers={"Authorization": f"Bearer {token}"})
        assert [i["ticket"] for i in api.json["items"]] == page, query


def test_the_page_fits_a_phone_and_the_budget(desk, reports):
    client = desk("officer")
    html = client.get(f"{INBOX}?assigned=anyone").get_data(as_text=True)
    assert "data-label=" in html  # the rows become cards below 48rem (desk.css)
    weight = len(html.encode())
    for path in re.findall(r'(?:href|src)="(/staff/static/[^"]+)"', html):
        with client.get(path.replace("&amp;", "&")) as asset:
            weight += len(asset.data)
    assert weight <= 100 * 1024, weight
