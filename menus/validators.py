"""Built-in input validators, by name. Each returns a catalog error key, or None when valid.

The web layer adds ``ticket`` (its check-digit scheme lives in ``gateway``) through
``Context.validators``; a validator there overrides a built-in of the same name.
"""

from __future__ import annotations

from collections.abc import Mapping

from menus.types import Validator


def text(value: str, params: Mapping[str, int]) -> str | None:
    """Free text of ``min``..``max`` characters (spaces at the ends do not count)."""
    length = len(value.strip())
    if length < params.get("min", 1):
        return "err.too_short"
    if length > params.get("max", 160):
        return "err.too_long"
    return None


def digits(value: str, params: Mapping[str, int]) -> str | None:
    """Only digits, ``min``..``max`` of them."""
    value = value.strip()
    if not value.isdecimal() or not params.get("min", 1) <= len(value) <= params.get("max", 20):
        return "err.digits"
    return None


def yes_no(value: str, params: Mapping[str, int]) -> str | None:
    """``1`` (yes) or ``2`` (no)."""
    return None if value.strip() in ("1", "2") else "err.choice"


BUILTIN_VALIDATORS: Mapping[str, Validator] = {"text": text, "digits": digits, "yesno": yes_no}

INJECTED_VALIDATORS = frozenset({"ticket"})
"""Names the web layer must supply through ``Context.validators``."""


def all_validators(extra: Mapping[str, Validator]) -> Mapping[str, Validator]:
    return {**BUILTIN_VALIDATORS, **extra}
