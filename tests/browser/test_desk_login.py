"""The login in a real browser, with JS on and off, at laptop and phone width."""

from __future__ import annotations

import pytest

from tests.browser.conftest import LAPTOP, PHONE
from tests.browser.pages import PAGE_BUDGET, Weigher, sign_in
from tests.desk_helpers import create_staff

pytestmark = [pytest.mark.integration, pytest.mark.browser]


@pytest.mark.parametrize(
    ("viewport", "javascript", "name"),
    [(LAPTOP, True, "laptop"), (PHONE, False, "phone-nojs")],
)
def test_an_officer_signs_in_and_out(browser, live, viewport, javascript, name):
    create_staff(live.app, "rina", "officer", "a long password 1")
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    page = context.new_page()
    weigher = Weigher(page)
    page.goto(f"{live.url}/staff/")
    assert page.url.startswith(f"{live.url}/staff/login")
    live.shot(page, f"login-{name}")
    page.fill("input[name=username]", "rina")
    page.fill("input[name=password]", "not the password")
    page.click("form[action='/staff/login'] button[type=submit]")
    assert page.locator("[role=alert]").inner_text().strip() == (
        "Nama pengguna atau kata sandi tidak benar."
    )
    assert page.input_value("input[name=username]") == "rina"
    live.shot(page, f"login-failed-{name}")
    weigher.reset()
    sign_in(page, live.url, "rina", "a long password 1")
    assert page.locator("h1").inner_text() == "Beranda"
    assert weigher.total <= PAGE_BUDGET, weigher.sizes
    live.shot(page, f"home-{name}")
    page.click("text=English")
    assert page.locator("h1").inner_text() == "Overview"
    page.click("text=Sign out")
    assert page.url.startswith(f"{live.url}/staff/login")
    page.goto(f"{live.url}/staff/")
    assert page.url.startswith(f"{live.url}/staff/login")
    context.close()


def test_the_page_has_no_horizontal_scroll_at_360px(browser, live):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live.url}/staff/login")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    context.close()
