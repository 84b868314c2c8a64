"""The contacts and data-requests pages in a real browser: found by a number typed with
dashes, at laptop and phone width, with JS off, within the page budget, no horizontal scroll
at 360 px, and hostile citizen text that never runs."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tests.browser.conftest import LAPTOP, PHONE
from tests.browser.pages import PAGE_BUDGET, Weigher, sign_in
from tests.conftest import run_jobs
from tests.desk_helpers import create_staff
from tests.outbox_helpers import callback_client

pytestmark = [pytest.mark.integration, pytest.mark.browser]

NUMBER = "+6281234567890"
HOSTILE = [
    '<script>window.__xss=1;alert("x")</script>',
    '<img src=x onerror="window.__xss=1">',
    "<svg onload=window.__xss=1>",
]
_ids = itertools.count(1)


def citizen(live: Any, text: str) -> None:
    client = callback_client(live.app)
    form = {"from": NUMBER, "to": "1708", "text": text, "id": f"browser-{next(_ids)}"}
    assert client.post("/webhooks/africastalking/sms", data=form).status_code == 200
    run_jobs(live.rt.redis)


@pytest.mark.parametrize(
    ("viewport", "javascript", "name"),
    [(LAPTOP, True, "laptop"), (PHONE, False, "phone-nojs")],
)
def test_an_admin_finds_a_citizen_and_reads_the_data_requests(
    browser, live, viewport, javascript, name
):
    create_staff(live.app, "admin.disdik", "admin", "a long password 1")
    citizen(live, f"DAFTAR Marbau guru {HOSTILE[0]}")
    citizen(live, f"LAPOR atap SDN 5 Marbau bocor {HOSTILE[2]}")
    citizen(live, f"STOP {HOSTILE[1]}")
    citizen(live, "MULAI")
    citizen(live, "DATA")
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, live.url, "admin.disdik", "a long password 1")
    page.click("text=English")
    weigher = Weigher(page)

    page.goto(f"{live.url}/staff/contacts")
    page.fill("input[name=phone]", "0812-34")
    page.click("form.search button[type=submit]")
    assert "Enter a phone number like 0812 3456 7890." in page.locator("#phone-error").inner_text()
    live.shot(page, f"contacts-error-{name}")

    weigher.reset()
    page.fill("input[name=phone]", "0812-3456-7890")
    page.click("form.search button[type=submit]")
    assert page.locator("h1").inner_text() == NUMBER
    assert page.locator("q.citizen").first.inner_text().startswith("DAFTAR Marbau guru <script>")
    if javascript:
        assert page.evaluate("window.__xss") is None
    assert not dialogs
    assert weigher.total <= PAGE_BUDGET, weigher.sizes
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    live.shot(page, f"contact-{name}")

    citizen(live, "HAPUS")  # carried out at once by the job run
    weigher.reset()
    page.goto(f"{live.url}/staff/data-requests")
    assert page.locator("article.request").count() == 2
    assert weigher.total <= PAGE_BUDGET, weigher.sizes
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    live.shot(page, f"data-requests-{name}")

    page.click("article.request >> nth=0 >> a[href^='/staff/contacts/']")
    assert page.locator("h1").inner_text() == "Erased contact"
    assert page.locator("tr[class^=consent-]").count() == 4  # the ledger stays
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    live.shot(page, f"contact-erased-{name}")
    context.close()


def test_an_officer_sees_a_live_contact_at_phone_width(browser, live):
    create_staff(live.app, "rina", "officer", "a long password 1")
    citizen(live, "DAFTAR Aek Kuo ortu")
    citizen(live, "LAPOR atap SDN 5 Marbau bocor")
    citizen(live, "TANYA kapan SPMB dibuka")
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    sign_in(page, live.url, "rina", "a long password 1")
    page.goto(f"{live.url}/staff/contacts")
    page.fill("input[name=phone]", "0812-3456-7890")
    page.click("form.search button[type=submit]")
    assert page.locator("h1").inner_text() == NUMBER
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    live.shot(page, "contact-phone")
    context.close()
