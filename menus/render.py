"""Pure text helpers: GSM-7 checks, placeholders and automatic pagination."""

from __future__ import annotations

import re
from collections.abc import Mapping

from gateway.common.sms_text import GSM7_BASIC, GSM7_EXTENSION, to_gsm7

PREFIX_LEN = 4
"""Length of the ``CON ``/``END `` prefix the web layer adds."""

WEB_PLACEHOLDERS: Mapping[str, int] = {"ticket": 8}
"""Placeholders the web layer fills after running the actions, with their maximum width."""

GSM7_CHARS = GSM7_BASIC | GSM7_EXTENSION
"""The GSM 03.38 alphabet with its extension table (the one in ``gateway.common.sms_text``)."""

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def non_gsm_chars(text: str) -> list[str]:
    """The characters of ``text`` outside the GSM 03.38 alphabet (with its extension)."""
    return sorted({c for c in text if c not in GSM7_CHARS})


_ASCII_NOT_GSM = {code: None for code in range(128) if chr(code) not in GSM7_CHARS}


def to_gsm(text: str) -> str:
    """Best-effort GSM-7 version of dynamic text (``sms_text.to_gsm7``'s rules), with a fast
    path for ASCII, most of what a hop shows: only what GSM-7 lacks is dropped."""
    if text.isascii():
        return text.translate(_ASCII_NOT_GSM)
    return to_gsm7(text)


def placeholders(text: str) -> list[str]:
    return _PLACEHOLDER.findall(text)


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace ``{name}`` for the names given; leave other placeholders as they are."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _cut_at(text: str, room: int) -> int:
    """Where to break ``text`` so that the first part fits ``room`` characters."""
    newline = text.rfind("\n", 0, room + 1)
    if newline >= room // 2:
        return newline
    space = text.rfind(" ", 0, room + 1)
    return space if space > 0 else room


def paginate(body: str, budget: int, footer: Mapping[str, str]) -> list[str]:
    """Split ``body`` into pages of at most ``budget`` characters, each with its nav footer.

    ``footer`` maps ``back``, ``more`` and ``prev`` to their lines; a missing or empty entry
    is not shown. Pages after the first show ``prev``; all but the last show ``more``.
    """
    pages: list[str] = []
    rest = body.strip()
    while True:
        last = _with_footer(rest, footer, more=False, prev=bool(pages))
        if len(last) <= budget:
            return [*pages, last]
        tail = _footer_lines(footer, more=True, prev=bool(pages))
        room = budget - len(tail) - 1
        if room < 20:
            raise ValueError(f"screen budget {budget} leaves no room for text")
        cut = _cut_at(rest, room)
        pages.append(_with_footer(rest[:cut], footer, more=True, prev=bool(pages)))
        rest = rest[cut:].strip()


def _footer_lines(footer: Mapping[str, str], *, more: bool, prev: bool) -> str:
    parts = [footer.get("more", "") if more else "", footer.get("prev", "") if prev else ""]
    parts.append(footer.get("back", ""))
    return "\n".join(p for p in parts if p)


def _with_footer(text: str, footer: Mapping[str, str], *, more: bool, prev: bool) -> str:
    tail = _footer_lines(footer, more=more, prev=prev)
    text = text.rstrip()
    return f"{text}\n{tail}" if tail else text


def truncate(text: str, budget: int) -> str:
    """Fit a final (END) screen into ``budget``, cutting at a word boundary with ``..``."""
    if len(text) <= budget:
        return text
    return text[: _cut_at(text, budget - 2)].rstrip() + ".."
