"""``/staff/skm``: every role reads it, the signed-out are sent to the login; its numbers are
the API's for responses the test makes through SMS, USSD and `record_skm`; weak unsur say so;
the period picker's errors; the sample; the charts, the CSV (audited) and the printable report."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, time

import pytest
from sqlalchemy import select

from gateway.citizens.skm_report import quarter_of, today_wib
from gateway.models import AuditEntry
from tests.desk_helpers import ROLES, create_staff, post_form
from tests.skm_helpers import around_today, at_wib, direct_skm, make_worked

pytestmark = pytest.mark.integration

PAGE = "/staff/skm"
ALL = ["/staff/skm", "/staff/skm/print", "/staff/skm/chart.svg?chart=unsur", "/staff/skm.csv"]
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def custom(**extra):
    return {"period": "custom", **around_today(), **extra}


def html_of(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:800]
    return response.get_data(as_text=True)


def text_of(html):
    """The page's words without tags, spaces squeezed (what a reader sees)."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def rows_of(html, table_id):
    """The cells of each body row of table ``table_id``, as text."""
    table = html[html.index(f'id="{table_id}"') :]
    body = table[table.index("<tbody>") : table.index("</tbody>")]
    return [
        [text_of(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.DOTALL)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL)
    ]


def id_number(value):
    """The API's 79.86 as the Indonesian page writes it: 79,86."""
    return f"{value:.2f}".replace(".", ",")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_page_and_its_charts_csv_and_print(desk, role):
    client = desk(role)
    for url in ALL:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    html = html_of(client.get(PAGE))
    assert "<h1>Survei Kepuasan Masyarakat (SKM)</h1>" in html
    assert 'href="/staff/skm"' in html  # in the menu


def test_signed_out_is_sent_to_the_login(desk):
    client = desk(None)
    for url in ALL:
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_the_default_period_is_the_current_quarter(desk):
    quarter = quarter_of(today_wib())
    n = (quarter.start.month - 1) // 3 + 1
    html = html_of(desk("viewer").get(PAGE))
    assert f"Triwulan {ROMAN[n]} {quarter.start.year}" in text_of(html)
    assert f'<option selected value="{quarter.start.year}-Q{n}">' in html
    assert "Belum ada jawaban SKM pada periode ini, jadi belum ada IKM." in text_of(html)


def test_from_and_to_without_a_period_are_custom_dates(desk):
    html = html_of(
        desk("viewer").get(PAGE, query_string={"from": "2026-10-05", "to": "2026-10-20"})
    )
    assert "5 Okt 2026 – 20 Okt 2026" in text_of(html)
    assert '<option selected value="custom">' in html


def test_the_page_shows_the_apis_numbers(app, client, rt, desk, staff):
    make_worked(client, rt)
    bearer = {"Authorization": f"Bearer {staff['viewer']}"}
    api = client.get("/api/v1/skm/ikm", query_string=around_today(), headers=bearer).get_json()
    html = html_of(desk("officer").get(PAGE, query_string=custom()))
    words = text_of(html)
    assert api["ikm"] == 79.86
    assert f"{id_number(api['ikm'])} B Baik" in words
    assert re.search(rf'id="skm-respondents">{api["respondents"]}<', html)
    rows = rows_of(html, "skm-unsur-table")
    assert len(rows) == 9
    for row, unsur in zip(rows, api["unsur"], strict=True):
        assert row[0].startswith(f"{unsur['code']} ") and unsur["label"] in row[0]
        assert row[1] == str(unsur["answers"])
        assert row[2] == id_number(unsur["nrr"])
        assert row[3] == id_number(unsur["nrr"] * 25)


def test_weak_unsur_say_so_in_words_not_only_colour(client, rt, desk):
    make_worked(client, rt)
    rows = rows_of(html_of(desk("viewer").get(PAGE, query_string=custom())), "skm-unsur-table")
    weak = [row[0].split()[0] for row in rows if "perlu perbaikan" in row[4]]
    assert weak == ["U2", "U3", "U8", "U9"]  # 75.00 C, 62.50 D, 68.75 C, 62.50 D
    grades = {row[0].split()[0]: row[4] for row in rows}
    assert grades["U3"] == "D Tidak Baik perlu perbaikan"
    assert grades["U4"] == "A Sangat Baik"


def test_the_service_filter_and_the_table_per_service(client, rt, desk, staff):
    make_worked(client, rt)
    page = desk("viewer")
    html = html_of(page.get(PAGE, query_string=custom()))
    rows = {row[0]: row[1:] for row in rows_of(html, "skm-service-table")}
    assert rows["SPMB (penerimaan murid)"] == ["1", "86,11", "B Baik"]
    assert rows["Legalisir ijazah"] == ["1", "75,00", "C Kurang Baik"]
    assert rows["Mutasi siswa"] == ["0", "–", "–"]
    assert rows["Tidak disebut (SMS)"] == ["2", "79,17", "B Baik"]  # 28.5 / 9 x 25
    spmb = html_of(page.get(PAGE, query_string=custom(service="spmb")))
    assert "86,11 B Baik" in text_of(spmb)
    assert re.search(r'id="skm-respondents">1<', spmb)
    api = client.get(
        "/api/v1/skm/ikm",
        query_string={**around_today(), "service": "spmb"},
        headers={"Authorization": f"Bearer {staff['viewer']}"},
    ).get_json()
    assert id_number(api["ikm"]) == "86,11"


def test_the_trend_has_eight_quarters_each_with_its_own_ikm(rt, desk):
    this = quarter_of(today_wib())
    last = quarter_of(date.fromordinal(this.start.toordinal() - 1))
    at_wib(rt, direct_skm(rt, "444444444"), datetime.combine(this.start, time(0)))
    at_wib(rt, direct_skm(rt, "222222222"), datetime.combine(last.end, time(23, 59)))
    html = html_of(desk("viewer").get(PAGE))
    rows = rows_of(html, "skm-trend-table")
    assert len(rows) == 8
    assert rows[-1][1:] == ["1", "100,00", "A Sangat Baik"]
    assert rows[-2][1:] == ["1", "50,00", "D Tidak Baik"]
    assert all(row[1:] == ["0", "–", "–"] for row in rows[:-2])


def test_respondents_against_the_krejcie_morgan_sample(client, rt, desk):
    make_worked(client, rt)  # three numbers used SMS or USSD
    page = desk("viewer")
    words = text_of(html_of(page.get(PAGE, query_string=custom())))
    assert "3 (Krejcie–Morgan, untuk populasi 3)" in words
    assert "warga yang memakai SMS atau USSD pada periode ini" in words
    assert "Cukup: sampel tercapai." in words
    words = text_of(html_of(page.get(PAGE, query_string=custom(population="1000"))))
    assert "278 (Krejcie–Morgan, untuk populasi 1000)" in words
    assert "Belum cukup: perlu 274 responden lagi." in words
    assert "diisi oleh Anda" in words


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        ({"period": "2026-Q7"}, "period", "Pilih periode dari daftar."),
        ({"period": "custom", "from": "", "to": "2026-12-31"}, "from", "Isi tanggalnya"),
        ({"period": "custom", "from": "2026-02-30", "to": "2026-12-31"}, "from", "Isi tanggal"),
        (
            {"period": "custom", "from": "2026-12-31", "to": "2026-10-01"},
            "to",
            "Tanggal akhir harus sama dengan tanggal awal atau sesudahnya.",
        ),
        ({"service": "sekolah"}, "service", "Pilih layanan dari daftar."),
        ({"population": "banyak"}, "population", "Isi jumlah pengguna layanan"),
    ],
)
def test_a_bad_choice_is_named_beside_its_field_and_kept(desk, args, field, message):
    html = html_of(desk("viewer").get(PAGE, query_string=args))
    assert 'class="error-summary"' in html and f'href="#{field}"' in html
    assert re.search(rf'id="{field}-error">{re.escape(message)}', html)
    assert "skm-unsur-table" not in html  # no numbers for a choice that is not one
    for name, value in args.items():
        if value and name not in ("period", "service"):  # a select keeps only its options
            assert f'value="{value}"' in html


def test_the_charts_are_svg_images_without_script_under_their_own_policy(client, rt, desk):
    make_worked(client, rt)
    page = desk("viewer")
    for chart in ("unsur", "service", "trend"):
        for size in ("l", "s"):
            response = page.get("/staff/skm/chart.svg", query_string=custom(chart=chart, size=size))
            assert response.status_code == 200 and response.mimetype == "image/svg+xml"
            assert response.headers["Content-Security-Policy"] == (
                "default-src 'none'; style-src 'unsafe-inline'"
            )
            svg = response.get_data(as_text=True)
            assert "<script" not in svg and "kozea.github.io" not in svg
    unsur = page.get("/staff/skm/chart.svg", query_string=custom(chart="unsur")).get_data(
        as_text=True
    )
    assert "62,50 D" in unsur and "U3 Waktu (lemah)" in unsur and "U4 Biaya<" in unsur
    assert page.get("/staff/skm/chart.svg", query_string={"chart": "pie"}).status_code == 400
    html = html_of(page.get(PAGE))
    assert html.count("/staff/skm/chart.svg?") == 6  # three charts, a phone and a laptop size
    assert "<svg" not in html and "style=" not in html


def test_the_csv_has_every_number_and_is_audited(client, rt, desk):
    make_worked(client, rt)
    response = desk("viewer").get("/staff/skm.csv", query_string=custom())
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment; filename=skm-" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    ikm = rows[0]
    assert (ikm["section"], ikm["label"], ikm["respondents"]) == ("ikm", "Semua layanan", "4")
    assert (ikm["value"], ikm["grade"], ikm["quality"], ikm["nrr"]) == (
        "79.86",
        "B",
        "Baik",
        "3.1944",
    )
    unsur = [r for r in rows if r["section"] == "unsur"]
    assert [(r["code"], r["nrr"], r["value"], r["grade"]) for r in unsur][:3] == [
        ("U1", "3.5000", "87.50", "B"),
        ("U2", "3.0000", "75.00", "C"),
        ("U3", "2.5000", "62.50", "D"),
    ]
    assert len([r for r in rows if r["section"] == "service"]) == 7  # six services + SMS
    assert len([r for r in rows if r["section"] == "quarter"]) == 8
    part = desk("admin").get("/staff/skm.csv", query_string=custom(part="trend"))
    assert {r["section"] for r in csv.DictReader(io.StringIO(part.get_data(as_text=True)))} == {
        "quarter"
    }
    with rt.sessions() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
        assert [(e.actor, e.target, e.detail["part"]) for e in entries] == [
            ("viewer.disdik", "skm", "all"),
            ("admin.disdik", "skm", "trend"),
        ]
        assert entries[0].detail["period"] == "custom"


def test_the_printable_report_has_what_the_periodic_report_needs(client, rt, desk):
    make_worked(client, rt)
    html = html_of(desk("officer").get("/staff/skm/print", query_string=custom()))
    words = text_of(html)
    for expected in (
        "Laporan Survei Kepuasan Masyarakat (SKM)",
        "Dinas Pendidikan (Disdik) Kabupaten Labuhanbatu Utara",
        "Periode",
        "Responden 4",
        "U1 Persyaratan 4 3,50 0,389 87,50 B Baik",  # NRR tertimbang: 3 decimals
        "U3 Waktu Penyelesaian 4 2,50 0,278 62,50 D Tidak Baik (perlu perbaikan)",
        "IKM (skala 1–4): jumlah NRR tertimbang 3,194",
        "IKM unit pelayanan (× 25) 79,86 B Baik",
        "Kepala Dinas Pendidikan",
    ):
        assert expected in words, expected
    assert "data-print hidden" in html  # the button shows only with JS


def test_in_english_the_numbers_use_a_decimal_point(client, rt, desk):
    make_worked(client, rt)
    page = desk("officer")
    assert post_form(page, "/staff/lang", {"lang": "en"}).status_code == 302
    words = text_of(html_of(page.get(PAGE, query_string=custom())))
    assert "79.86 B Good" in words and "Public satisfaction survey (SKM)" in words
    assert "U3 Time Completion time" in words and "needs improvement" in words


def test_a_viewer_cannot_post_to_the_page(app, desk):
    create_staff(app, "extra.viewer", "viewer", "viewer-pass-1234")
    response = post_form(desk("viewer"), PAGE, {}, page=PAGE)
    assert response.status_code == 405  # the page changes nothing: no POST at all
