"""Indonesian MSISDN normalisation with `phonenumbers` (region ID).

`0812…`, `62812…`, `+62 812-…`, `0062…` and full-width digits all become `+62812…`.
Anything that is not a valid number raises `InvalidPhoneNumber`; nothing half-parsed
is ever returned.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import phonenumbers
from phonenumbers import PhoneNumberType

from gateway.errors import InvalidPhoneNumber

_KEEP = re.compile(r"[^\d+]")
_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
MAX_INPUT = 40


@functools.lru_cache(maxsize=65536)
def normalize(raw: str, *, region: str = "ID") -> str:
    """Return the E.164 form of `raw` or raise `InvalidPhoneNumber` (cached: callers
    dial many hops from the same number, and parsing costs about half a millisecond)."""
    if not raw or len(raw) > MAX_INPUT:
        raise InvalidPhoneNumber("phone number is empty or too long")
    digits = _KEEP.sub("", unicodedata.normalize("NFKC", raw))
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if digits.count("+") > 1 or ("+" in digits and not digits.startswith("+")):
        raise InvalidPhoneNumber(f"not a phone number: {mask(raw)}")
    try:
        number = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber(f"not a phone number: {mask(raw)}") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(f"not a valid phone number: {mask(raw)}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@functools.lru_cache(maxsize=65536)
def is_mobile(e164: str) -> bool:
    """True when an E.164 number is a mobile number that can receive SMS."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) in _MOBILE_TYPES


def try_normalize(raw: str) -> str | None:
    try:
        return normalize(raw)
    except InvalidPhoneNumber:
        return None


def mask(phone: str) -> str:
    """Mask a number for logs: keep the country/operator prefix and the last 3 digits."""
    if len(phone) <= 6:
        return "*" * len(phone)
    return phone[:5] + "*" * (len(phone) - 8) + phone[-3:]
