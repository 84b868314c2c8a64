"""The SKM page in a real browser: the API's numbers on the page, charts that load as images
(and draw, under the CSP), no horizontal scroll at 360 px, the page weight, the printable
report; screenshots at 1366 and 360 px."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from gateway.citizens.skm_report import quarter_of, quarters_until, today_wib
from tests.browser.conftest import LAPTOP, PHONE
from tests.browser.pages import PAGE_BUDGET, Weigher, sign_in
from tests.desk_helpers import create_staff
from tests.outbox_helpers import WEBHOOK_TOKEN
from tests.skm_helpers import WithToken, at_wib, direct_skm, make_worked

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PASSWORD = "a long password 1"


def seed(live):
    """The worked example this quarter (SMS, USSD, `record_skm`), and a few answers in each
    of the five quarters before, so the trend has bars."""
    make_worked(WithToken(live.app.test_client(), WEBHOOK_TOKEN), live.rt)
    history = ["223232232", "333232333", "333333333", "433343433", "344344344"]
    for quarter, answers in zip(quarters_until(today_wib())[-6:-1], history, strict=True):
        middle = datetime.combine(quarter.start + timedelta(days=40), time(10))
        for _ in range(2):
            at_wib(live.rt, direct_skm(live.rt, answers, service="mutasi"), middle)


def api_answer(live, token):
    quarter = quarter_of(today_wib())
    client = live.app.test_client()
    response = client.get(
        "/api/v1/skm/ikm",
        query_string={"from": quarter.start.isoformat(), "to": quarter.end.isoformat()},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    return response.get_json()


@pytest.mark.parametrize(
    ("viewport", "javascript", "name"),
    [(LAPTOP, True, "laptop"), (PHONE, False, "phone-nojs")],
)
def test_an_officer_reads_the_skm_page(browser, live, viewport, javascript, name):
    token = create_staff(live.app, "rina", "officer", PASSWORD)
    seed(live)
    api = api_answer(live, token)
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text))
    sign_in(page, live.url, "rina", PASSWORD)
    weigher = Weigher(page)
    page.goto(f"{live.url}/staff/skm")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "Survei Kepuasan Masyarakat (SKM)"
    big = page.locator(".skm-big").inner_text()
    assert f"{api['ikm']:.2f}".replace(".", ",") in big and "B Baik" in big
    assert page.locator("#skm-respondents").inner_text() == str(api["respondents"])
    cells = page.locator("#skm-unsur-table tbody tr td:nth-child(3)").all_inner_texts()
    assert cells == [f"{u['nrr']:.2f}".replace(".", ",") for u in api["unsur"]]
    weak = page.locator("#skm-unsur-table tr.weak th").all_inner_texts()
    assert [w.split()[0] for w in weak] == ["U2", "U3", "U8", "U9"]
    trend = page.locator("#skm-trend-table tbody tr td:nth-child(3)").all_inner_texts()
    assert trend[-6:] == ["58,33", "69,44", "75,00", "83,33", "91,67", "79,86"]
    for image in page.locator("img.chart").all():
        assert image.evaluate("i => i.complete && i.naturalWidth > 0"), image.get_attribute("src")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert weigher.total <= PAGE_BUDGET, weigher.sizes
    assert not [e for e in errors if "Content Security Policy" in e], errors
    live.shot(page, f"skm-{name}")
    print(f"SKM page weight at {name}: {weigher.total} bytes")

    weigher.reset()
    page.click("text=Laporan untuk dicetak")
    page.wait_for_load_state("networkidle")
    assert "Laporan Survei Kepuasan Masyarakat (SKM)" in page.locator("h1").inner_text()
    footer = page.locator(".report-table tfoot").first.inner_text()
    assert "79,86" in footer and "B Baik" in footer
    assert page.locator("[data-print]").is_visible() is javascript
    assert weigher.total <= PAGE_BUDGET, weigher.sizes
    print(f"SKM printable report weight at {name}: {weigher.total} bytes")
    live.shot(page, f"skm-print-{name}")
    if javascript:
        page.emulate_media(media="print")
        assert not page.locator("body > header").is_visible()
        live.shot(page, "skm-print-media")
    context.close()


def test_choosing_a_date_switches_to_custom_and_a_bad_range_is_named(browser, live):
    create_staff(live.app, "rina", "officer", PASSWORD)
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    sign_in(page, live.url, "rina", PASSWORD)
    page.goto(f"{live.url}/staff/skm")
    page.click("details.skm-more summary")
    page.fill("#from", "2026-12-31")
    page.fill("#to", "2026-10-01")
    page.dispatch_event("#to", "change")
    assert page.input_value("#period") == "custom"
    page.click("form.skm-picker button[type=submit]")
    assert "Tanggal akhir harus sama" in page.locator("#to-error").inner_text()
    assert page.input_value("#from") == "2026-12-31"
    live.shot(page, "skm-bad-range")
    context.close()
