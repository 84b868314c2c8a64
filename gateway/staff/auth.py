"""Staff API tokens and what each role may see. Pure helpers.

Tokens are random, shown once, stored as a sha256 hex digest; a token may carry an expiry
and be revoked. A viewer reads phone numbers masked (`gateway.common.phone.mask`); only an
admin sees the number of an anonymous report.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from gateway.common.phone import mask

ROLES = ("admin", "officer", "viewer")
EDITORS = frozenset({"admin", "officer"})
TOKEN_BYTES = 32
MAX_EXPIRES_DAYS = 3650


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, token = (header or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def expiry(now: datetime, days: int | None) -> datetime | None:
    """When a token issued at ``now`` for ``days`` days stops working (None: never)."""
    return now + timedelta(days=days) if days is not None else None


def token_refusal(
    *, active: bool, revoked_at: datetime | None, expires_at: datetime | None, now: datetime
) -> str | None:
    """Why the account holding a presented token may not use it (the metric's reason), or
    None when it may."""
    if not active:
        return "inactive"
    if revoked_at is not None:
        return "revoked"
    if expires_at is not None and expires_at <= now:
        return "expired"
    return None


def sees_anonymous_phone(role: str) -> bool:
    return role == "admin"


def masks_phones(role: str) -> bool:
    """A viewer reads every number masked (`+6281******890`), in JSON and in CSV."""
    return role not in EDITORS


def shown_phone(role: str, phone: str | None, *, anonymous: bool = False) -> str | None:
    """A number as ``role`` may see it: None for an anonymous report (admins excepted),
    masked for a viewer, whole otherwise."""
    if phone is None or (anonymous and not sees_anonymous_phone(role)):
        return None
    return mask(phone) if masks_phones(role) else phone
