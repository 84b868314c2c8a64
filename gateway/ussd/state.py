"""USSD session state in Redis: the engine state and the filled reply of each session.

``ussd:state:<id>`` holds a session's state with the reply it gave (so a network retry gets
the same screen); ``ussd:resume:<phone>`` a copy a dropped caller may resume;
``ussd:lang:<phone>`` the caller's language, so a first hop needs no database read.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from redis import Redis
from redis.exceptions import RedisError

from gateway.common.phone import mask
from gateway.ussd import redis_direct

log = logging.getLogger("suara.ussd")
STATE_TTL = 300
"""Seconds a session's state lives: Africa's Talking ends a session after ~180 s."""
_COMPACT = json.JSONEncoder(separators=(",", ":"))  # json.dumps would build one per call


@dataclass(frozen=True)
class Saved:
    """What Redis keeps per session: the engine state plus the filled reply for retries,
    and the phone the session belongs to (a session is a session id *and* a phone)."""

    session_id: str
    state: dict[str, Any]
    reply: str
    end: bool
    origin: str | None = None
    phone: str | None = None

    def belongs_to(self, phone: str) -> bool:
        """Whether a hop from ``phone`` may continue this session (a state saved before
        the phone was recorded, at most ``STATE_TTL`` old, belongs to any)."""
        return self.phone is None or self.phone == phone

    def dumps(self) -> str:
        data: dict[str, Any] = {"session_id": self.session_id, "state": self.state}
        data |= {"reply": self.reply}
        data |= {"end": self.end, "origin": self.origin, "phone": self.phone}
        return _COMPACT.encode(data)

    @classmethod
    def loads(cls, raw: bytes | str | None) -> Saved | None:
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            return cls(
                str(data["session_id"]),
                dict(data["state"]),
                str(data["reply"]),
                bool(data["end"]),
                data.get("origin"),
                data.get("phone"),
            )
        except (ValueError, KeyError, TypeError):
            return None


@dataclass(frozen=True)
class Loaded:
    saved: Saved | None = None
    resume: Saved | None = None
    lang: str | None = None


class StateStore(Protocol):
    def load(self, session_id: str, phone: str, *, first: bool) -> Loaded: ...
    def save(
        self, saved: Saved, phone: str, *, resumable: bool | None, lang: str | None = None
    ) -> None: ...


class RedisStore:
    """Session state under ``ussd:state:<id>``; a resumable copy under ``ussd:resume:<phone>``;
    the caller's language under ``ussd:lang:<phone>`` (so a first hop needs no database read).

    A hop costs one Redis round trip: the read. The write is sent without waiting for a
    reply (``CLIENT REPLY SKIP``): the next hop comes seconds later, and a write that never
    landed only leaves the state a hop behind, which ``menus.advance`` catches up.

    One store serves one hop: once its read failed (``unreachable``), nothing more waits on
    Redis in that hop, so a hung server costs a hop one socket timeout.
    """

    LANG_TTL = 86400  # the contact row stays the truth; re-read at most daily

    def __init__(self, redis: Redis, resume_minutes: int) -> None:
        self.redis = redis
        self.resume_seconds = resume_minutes * 60
        self.unreachable = False

    def load(self, session_id: str, phone: str, *, first: bool) -> Loaded:
        """One MGET. Redis trouble reads as lost state (the engine replays ``text``)."""
        keys = [f"ussd:state:{session_id}"]
        if first:
            keys += [f"ussd:resume:{phone}", f"ussd:lang:{phone}"]
        try:
            found = redis_direct.read(self.redis, "MGET", *keys)
        except RedisError as exc:
            log.warning("USSD state unreadable for %s: %s", mask(phone), exc)
            self.unreachable = True
            return Loaded()
        if not first:
            return Loaded(Saved.loads(found[0]))
        lang = found[2].decode() if isinstance(found[2], bytes) else found[2]
        return Loaded(Saved.loads(found[0]), Saved.loads(found[1]), lang)

    def save(
        self, saved: Saved, phone: str, *, resumable: bool | None, lang: str | None = None
    ) -> None:
        """``resumable``: keep (True), drop (False) or leave (None) the resume copy."""
        if self.unreachable:
            return
        data = saved.dumps()
        commands: list[redis_direct.Command] = [
            ("SET", f"ussd:state:{saved.session_id}", data, "EX", STATE_TTL)
        ]
        if resumable and self.resume_seconds:
            commands.append(("SET", f"ussd:resume:{phone}", data, "EX", self.resume_seconds))
        elif resumable is not None:
            commands.append(("DEL", f"ussd:resume:{phone}"))
        if lang:
            commands.append(("SET", f"ussd:lang:{phone}", lang, "EX", self.LANG_TTL))
        try:
            if redis_direct.skips_replies(self.redis):
                redis_direct.send_without_reply(self.redis, commands)
            else:  # CLIENT refused (ACL, proxy): one ordinary round trip instead
                pipe: Any = self.redis.pipeline(transaction=False)  # redis-py: untyped
                for command in commands:
                    pipe.execute_command(*command)
                pipe.execute()
        except RedisError as exc:
            log.warning("USSD state not saved for %s: %s", mask(phone), exc)
            self.unreachable = True


def forget_caller(redis: Redis, phone: str, session_ids: Iterable[str]) -> None:
    """Delete a caller's USSD keys (an erasure): the resume copy and the session it copies,
    the remembered language and the state of the given sessions. Any other session of the
    caller's is at most ``STATE_TTL`` old and holds no typed text worth keeping.
    Raises on Redis trouble (the job retries)."""
    resume = Saved.loads(redis.get(f"ussd:resume:{phone}"))
    sessions = {*session_ids, *([resume.session_id] if resume else [])}
    keys = [f"ussd:resume:{phone}", f"ussd:lang:{phone}"]
    keys += [f"ussd:state:{session_id}" for session_id in sorted(sessions)]
    redis.delete(*keys)
