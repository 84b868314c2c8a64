"""Info pages (how a service works), edited by staff, read by SMS (INFO <topic>) and USSD.

A page is read in the citizen's language, else in Indonesian. Pages are cached in the
process for `INFO_CACHE_SECONDS`: they change when staff edit them, while callers read
them on every hop of a paged USSD screen.
"""

from __future__ import annotations

import time

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from gateway.models import InfoPage

INFO_CACHE_SECONDS = 60.0
INFO_PAGES = select(InfoPage.language, InfoPage.body).where(InfoPage.topic == bindparam("topic"))
_CACHE: dict[tuple[str, str], tuple[float, str | None]] = {}


def info_text(session: Session, topic: str, lang: str) -> str | None:
    """The page's text (stripped), or None when there is no page with text."""
    now = time.monotonic()
    cached = _CACHE.get((topic, lang))
    if cached is not None and now - cached[0] < INFO_CACHE_SECONDS:
        return cached[1]
    pages = {
        language: body.strip() for language, body in session.execute(INFO_PAGES, {"topic": topic})
    }
    text = pages.get(lang) or pages.get("id") or None
    _CACHE[topic, lang] = (now, text)
    return text


def clear_info_cache() -> None:
    """Forget cached pages (after staff edit them, and between tests)."""
    _CACHE.clear()
