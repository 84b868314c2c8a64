"""Ticket numbers: short digit strings ending in a Damm check digit.

The Damm algorithm catches every single-digit error and every adjacent
transposition, so a keypad typo in `STATUS 1234567` is refused instead of
showing somebody else's ticket.
"""

from __future__ import annotations

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
