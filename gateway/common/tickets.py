"""Ticket numbers: short digit strings ending in a Damm check digit.

The Damm algorithm catches every single-digit error and every adjacent
transposition, so a keypad typo in `STATUS 1234567` is refused instead of
showing somebody else's ticket.
"""

from __future__ import annotations

import re
import secrets

_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)
BODY_DIGITS = 6
TICKET_LENGTH = BODY_DIGITS + 1


def check_digit(body: str) -> str:
    interim = 0
    for ch in body:
        interim = _DAMM[interim][int(ch)]
    return str(interim)


def is_valid(ticket: str) -> bool:
    """True when `ticket` has the right length, only digits, and a correct check digit."""
    return (
        len(ticket) == TICKET_LENGTH
        and ticket.isascii()
        and ticket.isdigit()
        and check_digit(ticket) == "0"
    )


def new_ticket() -> str:
    """A random ticket: 6 digits (no leading zero) plus the check digit."""
    body = str(secrets.randbelow(9 * 10 ** (BODY_DIGITS - 1)) + 10 ** (BODY_DIGITS - 1))
    return body + check_digit(body)


def clean(raw: str) -> str:
    """Strip spaces, dashes and a leading '#' a citizen may type around a ticket; digits of
    other scripts (full-width, Arabic-Indic) become ASCII, other digit-like signs (²) go."""
    return "".join(str(int(ch)) for ch in raw if ch.isdecimal())


# A run of digit groups a ticket may be written in: "1234567", "123 4567", "123-4567",
# "12.34.567", "1 2 3 4 5 6 7". \d is any script's decimal digit (clean() reads them).
_GROUPS = re.compile(r"\d+(?:(?:[ \t]*[-\u2010-\u2015.][ \t]*|[ \t]+)\d+)*")
_GROUP = re.compile(r"\d+")


def find(text: str) -> list[str]:
    """Every valid ticket number written in `text`, wherever it stands, in order, each once.

    Digits may be grouped with spaces, dashes or dots (``123 4567``, ``123-4567``); a group
    of groups whose digits add up to seven is read as one ticket when its check digit is
    right, so a class number beside it (``kelas 3 1234567``) does not hide it. Phone
    numbers and rupiah amounts (``0812-3456-7890``, ``1.500.000``) are never read as one.
    """
    found: list[str] = []
    for run in _GROUPS.finditer(text):
        groups = [clean(g) for g in _GROUP.findall(run.group())]
        if _is_phone_or_amount(run.group(), groups):
            continue
        for start in range(len(groups)):
            length = 0
            for end in range(start, len(groups)):
                length += len(groups[end])
                if length >= TICKET_LENGTH:
                    break
            candidate = "".join(groups[start : end + 1])
            if length == TICKET_LENGTH and is_valid(candidate) and candidate not in found:
                found.append(candidate)
    return found


def _is_phone_or_amount(run: str, groups: list[str]) -> bool:
    """``0812-3456-7890`` (a number) or ``1.500.000`` (rupiah) is no ticket."""
    digits = "".join(groups)
    if len(digits) >= 10 and digits.startswith(("0", "62")):
        return True
    return "." in run and len(groups) > 1 and all(len(g) == 3 for g in groups[1:])


def first(text: str) -> str | None:
    """The first valid ticket number in `text`, or None (`find`)."""
    found = find(text)
    return found[0] if found else None
