"""SMS text rules: GSM 03.38 alphabet, encoding, segment counting, GSM-7 clean-up.

Pure functions, no I/O. See docs/domain.md section 5.3.

Segment counting is exact, not just ``ceil(units / per_segment)``: a concatenated
message never splits a GSM escape pair (ESC + char) or a UTF-16 surrogate pair
(an emoji) across two segments, as handsets and providers do. The result equals
``ceil(septets / 153)`` (or ``ceil(units / 67)``) except when such a pair would
straddle a segment boundary, where it is one more.

Empty text counts as **1** segment: a row that exists is billed as at least one
message, which keeps cost estimates non-zero and ``count_segments`` monotonic.
"""

from __future__ import annotations

import unicodedata
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

# GSM 03.38 default alphabet (without ESC 0x1B, which is not a text character).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: sent as ESC + char, so each counts 2 septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_MULTI = 160, 153
UCS2_SINGLE, UCS2_MULTI = 70, 67

# Characters that have a plain GSM-7 stand-in (applied before accent stripping).
_REPLACEMENTS: dict[str, str] = {
    **dict.fromkeys("‘’‚‛′`´", "'"),
    **dict.fromkeys("“”„‟″«»", '"'),
    **dict.fromkeys("‐‑‒–—―−", "-"),
    "…": "...",
    "•": "-",
    **dict.fromkeys("\t\u00a0\u2002\u2003\u2007\u2009\u200a\u202f\u3000", " "),
    **dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff", ""),
}


def _septets(char: str) -> int:
    """Septets one character takes in GSM-7 (it must be a GSM-7 character)."""
    return 2 if char in GSM7_EXTENSION else 1


def _utf16_units(char: str) -> int:
    """UTF-16 code units of one code point: 2 for astral characters (emoji)."""
    return 2 if ord(char) > 0xFFFF else 1


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM-7 default alphabet or its extension."""
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def non_gsm7_chars(text: str) -> list[str]:
    """The distinct characters that force UCS-2, in order of first appearance."""
    seen: dict[str, None] = {}
    for char in text:
        if char not in GSM7_BASIC and char not in GSM7_EXTENSION:
            seen.setdefault(char, None)
    return list(seen)


def encoding(text: str) -> Encoding:
    """The encoding the whole message will be sent in."""
    return "GSM-7" if is_gsm7(text) else "UCS-2"


def _sizes(text: str) -> tuple[list[int], int, int]:
    """Per-character sizes and the single/multi-part capacity for the text's encoding."""
    if is_gsm7(text):
        return [_septets(c) for c in text], GSM7_SINGLE, GSM7_MULTI
    return [_utf16_units(c) for c in text], UCS2_SINGLE, UCS2_MULTI


def _pack(sizes: list[int], single: int, multi: int) -> int:
    """Number of segments, never splitting one character's units across two."""
    if sum(sizes) <= single:
        return 1
    segments, used = 1, 0
    for size in sizes:
        if used + size > multi:
            segments, used = segments + 1, 0
        used += size
    return segments


def count_segments(text: str) -> int:
    """Number of SMS segments the text is billed as (empty text: 1)."""
    return _pack(*_sizes(text))


def length_units(text: str) -> int:
    """Septets (GSM-7) or UTF-16 code units (UCS-2) the text occupies."""
    return sum(_sizes(text)[0])


def _to_gsm7_char(char: str) -> str:
    """A GSM-7 stand-in for one character, or '' when there is none (emoji)."""
    if char in GSM7_BASIC or char in GSM7_EXTENSION:
        return char
    if char in _REPLACEMENTS:
        return _REPLACEMENTS[char]
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if c in GSM7_BASIC or c in GSM7_EXTENSION)


def to_gsm7(text: str) -> str:
    """Make citizen-facing text GSM-7-safe.

    Smart quotes become ASCII quotes, dashes '-', '…' '...', odd spaces a plain
    space; accents are stripped where GSM-7 lacks the accented letter ('á' -> 'a',
    but 'é' stays); anything without a stand-in (emoji, CJK) is dropped.
    """
    composed = unicodedata.normalize("NFC", text)
    return "".join(_to_gsm7_char(c) for c in composed)


def truncate_to_segments(text: str, segments: int = 1, ellipsis: str = "...") -> str:
    """Cut text so it fits in ``segments`` SMS, ending with ``ellipsis`` if cut.

    Extension characters count 2 septets. Text that already fits is returned
    unchanged. Works for UCS-2 text too (in that case counted in UTF-16 units).
    """
    if segments < 1:
        raise ValueError("segments must be at least 1")
    if count_segments(text) <= segments:
        return text
    if count_segments(ellipsis) > segments:
        raise ValueError("the ellipsis alone does not fit")
    low, high = 0, len(text)  # invariant: text[:low] + ellipsis fits; text[:high] doesn't
    while high - low > 1:
        mid = (low + high) // 2
        if count_segments(text[:mid] + ellipsis) <= segments:
            low = mid
        else:
            high = mid
    return text[:low].rstrip() + ellipsis
