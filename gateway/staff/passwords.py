"""Staff passwords, hashed with Argon2id (argon2-cffi's defaults, RFC 9106's low-memory
profile). Pure helpers: no database here.

`verify` takes as long for an unknown account as for a known one (it checks against a
fixed dummy hash), so the login's timing does not tell which names exist.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from gateway.errors import InvalidInput

MIN_LENGTH = 10
MAX_LENGTH = 200
_hasher = PasswordHasher()
_DUMMY = _hasher.hash("suara-no-such-account")


def check_new(password: str) -> str:
    """``password`` if it may be set, else `InvalidInput` naming the field ``password``."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput({"password": f"at least {MIN_LENGTH} characters"})
    if len(password) > MAX_LENGTH:
        raise InvalidInput({"password": f"at most {MAX_LENGTH} characters"})
    if "\x00" in password:
        raise InvalidInput({"password": "must not contain a NUL character"})
    return password


def hash_password(password: str) -> str:
    return _hasher.hash(check_new(password))


def verify(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored`` (None: no password set; always False)."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether ``stored`` was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored)
