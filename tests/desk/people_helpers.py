"""Helpers of the contacts and data-requests tests."""

from __future__ import annotations

import re

from gateway.desk.blueprint import STATIC

BUDGET = 100 * 1024
"""Issue 12: each page, with its CSS and JS, at most 100 KB uncompressed."""


def weight(html: str) -> int:
    """The bytes of the page and of the stylesheets and scripts it loads."""
    names = re.findall(r'(?:href|src)="/staff/static/([^"?]+)', html)
    return len(html.encode()) + sum((STATIC / name).stat().st_size for name in names)
