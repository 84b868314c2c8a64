"""One USSD hop: Redis state -> pure menus engine -> actions in one transaction -> reply.

Per hop (see ``menus`` for the engine's side)::

    load    one MGET: the session's state (+ on a first hop the caller's resume copy and
            remembered language). A hop whose ``text`` equals the stored one is a network
            retry: the stored, already-filled reply is returned and nothing else happens.
    advance ``menus.advance`` (replays ``text`` when the state is lost; catches up when the
            state is a hop behind).
    act     the hop's actions through ``ussd.actions`` and any data the screen
            needs, in one DB transaction, committed; no transaction when nothing is needed.
    fill    ``{ticket}`` in the screen from what the actions produced.
    save    the state with the filled reply (TTL ``STATE_TTL``), the resume copy under
            ``ussd:resume:<phone>`` (kept while a session could be resumed) and the language,
            sent without waiting for a reply.

A hop that files nothing makes one awaited Redis round trip and, unless its screen shows
database content (info page, status, polls, consultations), no database query. SMS are
enqueued by the caller after the commit (``HopReply.outbound_ids``). The session's row is
written by the end-of-session event.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from gateway.citizens.contacts import get_or_create_contact
from gateway.common import texts
from gateway.common.phone import mask
from gateway.models import Contact
from gateway.outbox.enqueue import enqueue_sends
from gateway.providers import UssdEnd, UssdRequest
from gateway.runtime import Runtime
from gateway.ussd.actions import record_skm, run_actions
from gateway.ussd.data import VALIDATORS, DbData
from gateway.ussd.sessions import record_ussd_end
from gateway.ussd.state import Loaded, RedisStore, Saved, StateStore
from menus import Action, Context, HopResult, Tree, advance, fill, load_tree, partial_skm
from menus.state import RESUME_NODE
from menus.types import SetLanguage

log = logging.getLogger("suara.ussd")
SORRY = "Maaf, layanan sedang gangguan. Silakan coba lagi nanti."
"""The screen a hop answers when the database fails (200 with ``END``, never a 500)."""
DROPPED = frozenset({"incomplete", "failed"})
LANGUAGE_OF = select(Contact.language).where(Contact.phone == bindparam("phone"))


@functools.cache
def tree() -> Tree:
    """The shipped Disdik Labura menu, loaded once per process."""
    return load_tree()


@dataclass(frozen=True)
class HopReply:
    text: str
    end: bool
    outbound_ids: tuple[int, ...] = ()
    actions: tuple[Action, ...] = ()


class OnDemand:
    """The request's database session, opened the first time a hop needs it: most hops
    never touch the database, and opening and closing a session costs CPU."""

    def __init__(self, sessions: Callable[[], Session]) -> None:
        self._sessions = sessions
        self.session: Session | None = None

    def __call__(self) -> Session:
        if self.session is None:
            self.session = self._sessions()
        return self.session


def handle_hop(
    sessions: Callable[[], Session],
    store: StateStore,
    req: UssdRequest,
    *,
    replies_per_hour: int,
    max_chars: int = 160,
) -> HopReply:
    """``sessions`` gives the request's database session; it is called only when needed.
    The SMS a hop queues count towards the number's ``replies_per_hour``
    (``SMS_REPLIES_PER_HOUR``), as SMS replies do."""
    loaded = store.load(req.session_id, req.phone, first=req.text == "")
    saved = loaded.saved
    if saved is not None and not saved.belongs_to(req.phone):
        log.warning("USSD session %s hopped from another number %s", saved.session_id,
                    mask(req.phone))  # fmt: skip
        return HopReply(texts.render("ussd_session_refused", loaded.lang or "id"), end=True)
    if saved is not None and saved.state.get("last_text") == req.text:
        return HopReply(saved.reply, saved.end)  # a network retry: same reply, no side effect
    db = OnDemand(sessions)
    try:
        hop, origin, reply = _advance(db, req, loaded, max_chars, replies_per_hour)
        if db.session is not None and db.session.in_transaction():
            db.session.commit()
    except BaseException:
        if db.session is not None:
            db.session.rollback()
        raise
    keep = None if hop.state["node"] == RESUME_NODE else not (reply.end or _at_root(hop))
    saved = Saved(req.session_id, hop.state, reply.text, reply.end, origin, req.phone)
    lang = str(hop.state.get("lang", "id"))
    remember = lang if loaded.saved is None or _changes_language(reply) else None
    store.save(saved, req.phone, resumable=keep, lang=remember)
    return reply


def _advance(
    db: OnDemand, req: UssdRequest, loaded: Loaded, max_chars: int, replies_per_hour: int
) -> tuple[HopResult, str | None, HopReply]:
    saved, resume = loaded.saved, loaded.resume
    lang = str(saved.state.get("lang", "id")) if saved else _first_contact(db, req, loaded)
    ctx = Context(DbData(db), req.phone, lang, VALIDATORS, max_chars)
    hop = advance(tree(), saved.state if saved else None, req.text, ctx, resumable=_state(resume))
    origin = saved.origin if saved else None
    if resume is not None and hop.state["node"] == RESUME_NODE:
        origin = resume.session_id
    if not hop.actions:
        return hop, origin, HopReply(hop.screen.text, hop.screen.end)
    session = db()
    contact = get_or_create_contact(session, req.phone)
    done = run_actions(
        session,
        hop.actions,
        contact=contact,
        session_id=req.session_id,
        origin=origin,
        replies_per_hour=replies_per_hour,
    )
    text = fill(hop.screen.text, done.values)
    return hop, origin, HopReply(text, hop.screen.end, tuple(done.outbound_ids), hop.actions)


def _first_contact(db: OnDemand, req: UssdRequest, loaded: Loaded) -> str:
    """First hop (or lost state): the remembered language (Redis, else the contact), and the
    dropped session's partial survey, recorded once whether or not the caller resumes it.
    The session's own row is written by the end-of-session event, not on the hot path."""
    resume = loaded.resume
    partial = partial_skm(resume.state) if resume else None
    if resume is not None and partial is not None:
        session = db()
        contact = get_or_create_contact(session, req.phone)
        record_skm(
            session, partial, contact=contact, session_id=resume.session_id, origin=resume.origin
        )
    if loaded.lang:
        return loaded.lang
    known = db().scalar(LANGUAGE_OF, {"phone": req.phone})
    return known or "id"


def _changes_language(reply: HopReply) -> bool:
    return any(isinstance(action, SetLanguage) for action in reply.actions)


def _state(saved: Saved | None) -> dict[str, Any] | None:
    return saved.state if saved else None


def _at_root(hop: HopResult) -> bool:
    return bool(hop.state["node"] == tree().root)


def end_session(session: Session, store: StateStore, event: UssdEnd) -> None:
    """The end-of-session event: store it; a dropped survey keeps its answers (incomplete)."""
    record_ussd_end(session, event)
    if event.status.lower() not in DROPPED:
        return
    saved = store.load(event.session_id, event.phone, first=False).saved
    if saved is not None and not saved.belongs_to(event.phone):
        return  # another number's session: its answers are not this caller's
    partial = partial_skm(saved.state) if saved and not saved.end else None
    if saved is None or partial is None:
        return
    contact = get_or_create_contact(session, event.phone) if event.phone else None
    record_skm(session, partial, contact=contact, session_id=event.session_id, origin=saved.origin)


def answer_ussd(rt: Runtime, req: UssdRequest, sessions: Callable[[], Session]) -> HopReply:
    """One parsed hop answered: the SMS it queued are enqueued after its commit, and a
    database failure is the apology screen. Shared by the Flask view and the fast path."""
    store = RedisStore(rt.redis, rt.settings.ussd_resume_minutes)
    try:
        settings = rt.settings
        reply = handle_hop(
            sessions,
            store,
            req,
            replies_per_hour=settings.sms_replies_per_hour,
            max_chars=settings.ussd_max_chars,
        )
    except SQLAlchemyError:
        log.exception("USSD hop failed for %s", mask(req.phone))
        return HopReply(SORRY, end=True)
    if store.unreachable:  # the sweeper enqueues the rows; the caller must not wait again
        if reply.outbound_ids:
            log.warning("Redis unreachable: outbox rows %s left queued", list(reply.outbound_ids))
    else:
        enqueue_sends(rt.redis, reply.outbound_ids)
    return reply
