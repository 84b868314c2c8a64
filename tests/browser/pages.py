"""Helpers for the browser tests: sign in through the real form, weigh a page."""

from __future__ import annotations

from typing import Any

PAGE_BUDGET = 100 * 1024
"""Issue 12: each page, with its CSS and JS, at most 100 KB uncompressed."""


def sign_in(page: Any, base: str, name: str, password: str) -> None:
    page.goto(f"{base}/staff/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("form[action='/staff/login'] button[type=submit]")
    page.wait_for_url(f"{base}/staff/**")


class Weigher:
    """Counts the bytes of every response a page loads (uncompressed bodies)."""

    def __init__(self, page: Any) -> None:
        self.sizes: dict[str, int] = {}
        page.on("response", self._record)

    def _record(self, response: Any) -> None:
        try:
            self.sizes[response.url] = len(response.body())
        except Exception:  # a redirect has no body
            self.sizes.setdefault(response.url, 0)

    def reset(self) -> None:
        self.sizes.clear()

    @property
    def total(self) -> int:
        return sum(self.sizes.values())
