"""Issue 12's journey in a real browser: an officer signs in, a citizen's SMS report
arrives, the officer finds it in the inbox, replies, moves it to "in progress", and the fake
Africa's Talking receives both SMS — in Bahasa Indonesia at laptop width, and in English on
a 360 px phone. Screenshots of each page go to the printed folder."""

from __future__ import annotations

import itertools
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import select

from gateway.models import Feedback
from tests.browser.conftest import LAPTOP, PHONE
from tests.browser.pages import PAGE_BUDGET, Weigher, sign_in
from tests.conftest import run_jobs
from tests.desk_helpers import create_staff
from tests.outbox_helpers import WEBHOOK_TOKEN

pytestmark = [pytest.mark.integration, pytest.mark.browser]

CITIZEN = "+6281234567890"
_ids = itertools.count(1)


def citizen_sms(live, text: str, sender: str = CITIZEN) -> None:
    """The citizen's SMS, posted to the webhook over HTTP as Africa's Talking would."""
    form = {"from": sender, "to": "1708", "text": text, "id": f"journey-{next(_ids)}"}
    url = f"{live.url}/webhooks/africastalking/sms?token={WEBHOOK_TOKEN}"
    data = urllib.parse.urlencode(form).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10) as answer:
        assert answer.status == 200
    run_jobs(live.rt.redis)  # the worker files it (store-first) and sends the confirmation


def sent_to(live, number: str) -> list[str]:
    return [
        r["form"]["message"]
        for r in live.fake_at.requests
        if number in r["form"].get("to", "").split(",")
    ]


@pytest.mark.parametrize(
    ("lang", "viewport", "labels"),
    [
        (
            "id",
            LAPTOP,
            {"verified": "Diverifikasi", "in_progress": "Diproses", "inbox": "Kotak masuk"},
        ),
        ("en", PHONE, {"verified": "Verified", "in_progress": "In progress", "inbox": "Inbox"}),
    ],
)
def test_an_officer_answers_a_citizens_sms_report(browser, live, lang, viewport, labels):
    create_staff(live.app, "rina", "officer", "a long password 1")
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    weigher = Weigher(page)
    sign_in(page, live.url, "rina", "a long password 1")
    if lang == "en":
        page.click("text=English")
    shot = f"{lang}-{viewport['width']}"

    citizen_sms(live, "LAPOR kipas angin kelas 5 SDN 2 Aek Kanopan rusak sejak bulan lalu")
    with live.rt.sessions() as s:
        ticket = s.scalar(select(Feedback.ticket))
    assert ticket and any(ticket in text for text in sent_to(live, CITIZEN))  # confirmation

    weigher.reset()
    page.click(f"nav >> text={labels['inbox']}")
    page.wait_for_selector(f"a[href='/staff/reports/{ticket}']")
    assert weigher.total <= PAGE_BUDGET, weigher.sizes
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    live.shot(page, f"journey-{shot}-1-inbox")

    weigher.reset()
    page.click(f"a[href='/staff/reports/{ticket}']")
    page.wait_for_selector("form#reply")
    assert "kipas angin kelas 5" in page.inner_text("main")
    assert weigher.total <= PAGE_BUDGET, weigher.sizes
    live.shot(page, f"journey-{shot}-2-report")

    reply = "Terima kasih, Bu. Petugas kami datang ke sekolah hari Kamis."
    page.fill("form#reply textarea[name=text]", reply)
    counter = page.inner_text("#reply-counter")
    assert "1" in counter  # the live counter: one segment, GSM-7
    live.shot(page, f"journey-{shot}-3-typing")
    with page.expect_navigation():  # POST, redirect, GET: wait for the page it lands on
        page.click("form#reply button[type=submit]")
    assert reply in page.inner_text("main")  # the thread shows the reply

    for status in ("verified", "in_progress"):
        page.select_option("form#status select[name=status]", status)
        with page.expect_navigation():
            page.click("form#status button[type=submit]")
        assert labels[status] in page.inner_text("[role=status]")  # the flash names it
    live.shot(page, f"journey-{shot}-4-in-progress")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    run_jobs(live.rt.redis)
    texts = sent_to(live, CITIZEN)
    assert any(reply in text and ticket in text for text in texts), texts
    with live.rt.sessions() as s:
        fb = s.scalar(select(Feedback))
        assert fb.status == "in_progress"
    from gateway.feedback.lifecycle import status_notice

    assert status_notice(fb, "in_progress", None) in texts
    context.close()
