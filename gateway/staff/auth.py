"""Staff API tokens: random, shown once, stored as a sha256 hex digest. Pure helpers."""

from __future__ import annotations

import hashlib
import secrets

ROLES = ("admin", "officer", "viewer")
EDITORS = frozenset({"admin", "officer"})
TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def bearer_token(header: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, token = (header or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def can_edit(role: str) -> bool:
    return role in EDITORS


def sees_anonymous_phone(role: str) -> bool:
    return role == "admin"
