"""Citizen text is untrusted: a corpus of XSS payloads sent by SMS and USSD is shown as
text on the inbox and on each report page, and none of it runs — checked in a real browser
with the content security policy *bypassed*, so only the escaping stands between the payload
and the page."""

from __future__ import annotations

import itertools
import urllib.parse
import urllib.request

import pytest
from sqlalchemy import select

from gateway.models import Feedback
from tests.browser.pages import sign_in
from tests.conftest import run_jobs
from tests.desk_helpers import create_staff
from tests.outbox_helpers import WEBHOOK_TOKEN

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PAYLOADS = [
    "<script>window.__xss=1</script>",
    '"><img src=x onerror="window.__xss=2">',
    "<svg onload=window.__xss=3>",
    "'><iframe src=javascript:window.__xss=4>",
    "<a href=javascript:window.__xss=5>klik</a>",
    "</textarea><script>window.__xss=6</script>",
    "{{7-7}} ${7-7} <b onmouseover=window.__xss=7>tebal</b>",
    "<body onload=window.__xss=8>",
    '<input autofocus onfocus="window.__xss=9">',
    "<details open ontoggle=window.__xss=10>",
    "</title><script>window.__xss=11</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=12>",
]
INJECTED = (
    "main script:not([src]), main img[src='x'], main svg, main iframe, "
    "main [onerror], main [onload], main [onfocus], main [onmouseover], main [ontoggle], "
    "main a[href^='javascript'], main math"
)
_ids = itertools.count(1)


def post(live, path: str, form: dict[str, str]) -> str:
    url = f"{live.url}{path}?token={WEBHOOK_TOKEN}"
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode())
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200
        return answer.read().decode()


def by_sms(live, n: int, payload: str) -> None:
    sender = f"+62812345{n:05d}"
    form = {"from": sender, "to": "1708", "text": f"LAPOR {payload}", "id": f"xss-{next(_ids)}"}
    post(live, "/webhooks/africastalking/sms", form)


def by_ussd(live, n: int, payload: str) -> None:
    """The USSD report menu: problem 5, kecamatan 1, the payload as school and as text."""
    session, phone = f"xss-ussd-{n}", f"+62813345{n:05d}"
    school, text = payload[:40], f"{payload} kipas angin di kelas tiga rusak"
    steps = ["", "1", "1*5", "1*5*1", f"1*5*1*{school}", f"1*5*1*{school}*{text}"]
    steps += [steps[-1] + "*1", steps[-1] + "*1*1"]
    for text in steps:
        screen = post(
            live,
            "/webhooks/africastalking/ussd",
            {"sessionId": session, "serviceCode": "*384*1708#", "phoneNumber": phone, "text": text},
        )
    assert screen.startswith("END"), screen


def test_no_payload_runs_on_the_inbox_or_a_report(browser, live):
    create_staff(live.app, "admin.x", "admin", "a long password 1")
    for n, payload in enumerate(PAYLOADS):
        by_sms(live, n, payload)
        if "*" not in payload:
            by_ussd(live, n, payload)
    run_jobs(live.rt.redis)
    with live.rt.sessions() as s:
        tickets = s.scalars(select(Feedback.ticket).order_by(Feedback.id)).all()
    assert len(tickets) >= len(PAYLOADS) + 1
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, live.url, "admin.x", "a long password 1")
    pages = ["/staff/reports?assigned=anyone"] + [f"/staff/reports/{t}" for t in tickets]
    for path in pages:
        page.goto(f"{live.url}{path}")
        page.wait_for_load_state("load")
        page.mouse.move(5, 5)
        assert page.evaluate("window.__xss") is None, path
        assert page.locator(INJECTED).count() == 0, path
    page.goto(f"{live.url}/staff/reports/{tickets[0]}")
    assert "<script>window.__xss=1</script>" in page.inner_text("main")
    live.shot(page, "xss-report")
    assert not dialogs
    context.close()
