"""The report page in a real browser (Playwright on Debian's chromium): the live SMS counter
gives what `gateway.common.sms_text` says for a set of texts, citizen text never runs as
script, the CSP holds (no console errors), and screenshots of the page at 1366x768 and
360x640, in Bahasa Indonesia and English, go to a folder the test prints."""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from gateway.common.sms_text import count_segments, encoding, non_gsm7_chars, to_gsm7
from gateway.feedback.staff_ops import reply_prefix
from gateway.models import Feedback
from gateway.staff.validation import MAX_REPLY_SEGMENTS
from tests.desk.test_report import act, sms_report, ussd_report
from tests.desk_helpers import PASSWORDS

CHROMIUM = shutil.which("chromium")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PREFIX_LEN = len("Disdik Labura, tiket 1234567: ")
TEXTS = [
    "",
    "Terima kasih, laporan Bapak sudah kami terima.",
    "x" * (160 - PREFIX_LEN),  # exactly one SMS with the prefix
    "x" * (161 - PREFIX_LEN),  # one character more: two
    "x" * (152 - PREFIX_LEN) + "€" + "y" * 10,  # an escape pair that would straddle 153
    "Kurung {siku} [ini] ~ ^ | \\ € dihitung dua",
    "Terima kasih “Bapak” — tim sudah ke sekolah 🙏",
    "é à ñ ü Ç ok, tapi á dan ç tidak",
    "你好 Labura",
    "a" * (66 - PREFIX_LEN) + "😀" + "b" * 5,  # a surrogate pair at the UCS-2 boundary
    "tab\tdan\u00a0spasi\u200btak terlihat",
    "baris satu\nbaris dua\n\nbaris tiga",
    "x" * 400,
    "Ⅻ ﬁ ① ＡＢＣ",  # compatibility forms: NFKD gives GSM-7 letters
]


@pytest.fixture
def live(app: Flask) -> Iterator[str]:
    """The app served on a free local port for the browser."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="module")
def screens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("DESK_SCREENSHOTS") or tmp_path_factory.mktemp("screens"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots of the report page: {folder}")
    return folder


def signed_in(browser: Any, live: str, role: str, **context: Any) -> Any:
    page = browser.new_context(**context).new_page()
    errors: list[str] = []

    def console(message: Any) -> None:
        if message.type == "error" and "favicon" not in message.location.get("url", ""):
            errors.append(f"{message.text} {message.location.get('url')}")

    page.on("console", console)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    page.errors = errors
    page.goto(f"{live}/staff/login")
    page.fill("input[name=username]", f"{role}.disdik")
    page.fill("input[name=password]", PASSWORDS[role])
    page.click("button[type=submit]")
    page.wait_for_url(f"{live}/staff/")
    return page


def expected(prefix: str, typed: str) -> dict[str, Any]:
    full = f"{prefix} {typed}"
    sent = f"{prefix} {' '.join(to_gsm7(typed).split())}"
    return {
        "chars": len(full),
        "segments": count_segments(full),
        "encoding": encoding(full),
        "nonGsm": non_gsm7_chars(typed),
        "sentChars": len(sent),
        "sentSegments": count_segments(sent),
        "warn": count_segments(sent) >= 3 or count_segments(sent) > MAX_REPLY_SEGMENTS,
    }


def shown(page: Any) -> dict[str, Any]:
    data = page.eval_on_selector("#reply-counter", "o => Object.assign({}, o.dataset)")
    return {
        "chars": int(data["chars"]),
        "segments": int(data["segments"]),
        "encoding": data["encoding"],
        "nonGsm": json.loads(data["nonGsm"]),
        "sentChars": int(data["sentChars"]),
        "sentSegments": int(data["sentSegments"]),
        "warn": data["warn"] == "1",
    }


def test_the_live_counter_counts_as_sms_text_does(app, desk, rt, live, browser):
    ticket = sms_report(desk(None), rt)
    with rt.sessions() as s:
        prefix = reply_prefix(s.scalar(select(Feedback).where(Feedback.ticket == ticket)))
    page = signed_in(browser, live, "officer")
    page.goto(f"{live}/staff/reports/{ticket}")
    assert page.get_attribute("#reply-counter", "data-segments") == "1"  # counted on load
    for text in TEXTS:
        page.fill("#reply textarea[name=text]", text)
        typed = page.input_value("#reply textarea[name=text]")  # as the browser holds it
        assert shown(page) == expected(prefix, typed), text
        counter = page.inner_text("#reply-counter")
        warning = page.locator("#reply-counter .warn")
        assert warning.count() == (1 if expected(prefix, typed)["warn"] else 0), text
        if non_gsm7_chars(typed):
            assert "GSM-7" in counter
    page.fill("#reply textarea[name=text]", "Terima kasih “Bapak” 🙏")
    counter = page.inner_text("#reply-counter")
    assert "UCS-2 (Unicode)" in counter and "“ ” 🙏" in counter
    page.fill("#reply textarea[name=text]", "x" * 400)
    assert "Terlalu panjang: 3 SMS" in page.inner_text("#reply-counter .warn")
    assert page.errors == []


def test_the_counter_text_is_english_on_the_english_page(app, desk, rt, live, browser):
    ticket = sms_report(desk(None), rt)
    page = signed_in(browser, live, "officer")
    page.click("button[name=lang][value=en]")
    page.goto(f"{live}/staff/reports/{ticket}")
    page.fill("#reply textarea[name=text]", "Hi “there”")
    counter = page.inner_text("#reply-counter")
    assert "characters" in counter and "Not in the GSM-7 alphabet: “ ”" in counter


def test_hostile_citizen_text_never_runs_and_the_page_is_screenshotted(
    app, desk, rt, live, browser, screens
):
    payload = '<img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=2</script>'
    officer = desk("officer")
    ticket = sms_report(officer, rt, f"LAPOR {payload} atap SDN 5 Marbau bocor")
    act(officer, ticket, "status", {"status": "verified", "note": "", "notify": "y"})
    act(officer, ticket, "note", {"note": f"Catatan {payload}"})
    act(officer, ticket, "reply", {"text": "Tim kami datang hari Senin. Mohon ditunggu."})
    act(officer, ticket, "assign", {"me": "1"})
    act(officer, ticket, "retag", {"category": "sarpras", "kecamatan": "Marbau", "school": payload})
    ussd = ussd_report(officer, rt, anonymous=True)
    for lang, role in (("id", "officer"), ("en", "admin")):
        for width, height in ((1366, 768), (360, 640)):
            page = signed_in(browser, live, role, viewport={"width": width, "height": height})
            if lang == "en":
                page.click("button[name=lang][value=en]")
            for name, target in (("sms", ticket), ("ussd", ussd)):
                page.goto(f"{live}/staff/reports/{target}")
                if page.locator("#reply textarea[name=text]").count():
                    page.fill("#reply textarea[name=text]", "Terima kasih “Bapak” 🙏")
                assert page.evaluate("window.__xss") is None
                assert page.locator("img[src=x]").count() == 0
                overflow = page.evaluate("document.documentElement.scrollWidth > innerWidth")
                assert not overflow, (lang, width, name)
                shot = screens / f"report-{name}-{lang}-{width}.png"
                page.screenshot(path=str(shot), full_page=True)
            assert page.errors == [], page.errors
            page.context.close()


def test_with_javascript_off_the_forms_still_work_and_say_what_they_did(
    app, desk, rt, live, browser, screens
):
    ticket = sms_report(desk(None), rt)
    page = signed_in(browser, live, "officer", java_script_enabled=False)
    page.goto(f"{live}/staff/reports/{ticket}")
    assert page.inner_text("#reply-counter") == "Panjang teks diperiksa saat Anda mengirim."
    page.fill("#reply textarea[name=text]", "x" * 400)
    page.click("#reply button[type=submit]")
    assert page.inner_text("#reply-text-error").startswith("Terlalu panjang: 3 SMS")
    assert page.input_value("#reply textarea[name=text]") == "x" * 400  # kept
    assert page.locator(".error-summary a[href='#reply-text']").count() == 1
    page.screenshot(path=str(screens / "report-error-id-1366.png"), full_page=True)
    page.fill("#reply textarea[name=text]", "Terima kasih “Bapak” — tim sudah datang 🙏")
    page.click("#reply button[type=submit]")
    notices = page.inner_text("main")
    assert "Balasan masuk antrean: 1 SMS (GSM-7) ke warga." in notices
    assert "Teks diubah agar sesuai alfabet SMS GSM-7" in notices
    page.select_option("#status select[name=status]", "verified")
    page.click("#status button[type=submit]")
    assert "SMS status masuk antrean" in page.inner_text("main")
    page.click("#assign button[name=me]")
    assert "Ditangani oleh officer.disdik." in page.inner_text("main")
    assert page.errors == []
