"""USSD menus for Suara: a pure engine plus the Disdik Labura menu content (data).

This package does no I/O beyond reading its own packaged YAML, and imports nothing from
``gateway`` or ``workers``. The web layer drives one hop like this::

    from menus import Context, advance, load_tree, fill, validate

    TREE = load_tree()                      # once at start-up; validate(TREE) must be []
    ctx = Context(data=db_data_source, phone=req.phone, lang=remembered_lang,
                  validators={"ticket": damm_ticket_validator})
    state = redis_get(req.session_id)       # dict or None (first hop / lost state)
    resumable = redis_get_resume(req.phone) if state is None and req.text == "" else None
    hop = advance(TREE, state, req.text, ctx, resumable=resumable)
    if not hop.retry:
        with session.begin():               # run every action exactly once
            results = {"ticket": ...}       # e.g. FileFeedback -> services -> ticket id
        text = fill(hop.screen.text, results)   # "{ticket}" -> "57244"
    redis_set(req.session_id, hop.state)    # JSON-serialisable dict, with a TTL
    reply = ("END " if hop.screen.end else "CON ") + text

A retry (``hop.retry``) returns the same screen and no actions; the web layer should keep the
filled reply of the previous hop (or re-fill it from what its actions produced) for it.

Resume: when a session ends without END (the events callback says ``Incomplete``), keep its
last state under the caller's phone for USSD_RESUME_MINUTES and pass it as ``resumable`` on
the next session's first hop. The first screen then asks "1 Lanjutkan / 2 Mulai baru";
continuing keeps every answer. ``partial_skm(state)`` gives the survey answers of such a
session (``RecordSkm(complete=False)``) for the web layer to record.

Language: ``ctx.lang`` is the caller's remembered language ("id" default, "en"); the
``SetLanguage`` action asks the web layer to remember a new one.

Screens never exceed ``ctx.max_chars`` (160) including the 4-character prefix: longer screens
get pages (``98`` next, ``97`` previous). ``0`` is back and ``00`` the main menu everywhere.

Content: ``menus/trees/labura.yaml`` (nodes) and ``menus/catalog/{id,en}.yaml`` (texts).
Conditions and actions named there are Python functions in ``menus.rules``.
"""

from menus.content import build_tree, load_tree
from menus.engine import StepResult, start, step
from menus.render import WEB_PLACEHOLDERS, fill
from menus.session import HopResult, advance, partial_skm
from menus.simulate import EmptyData, run_script, simulate
from menus.state import State
from menus.types import (
    Action,
    AnswerPoll,
    Choice,
    Context,
    DataSource,
    FileFeedback,
    RecordSkm,
    Rsvp,
    Screen,
    SendInfoSms,
    SetLanguage,
    Subscribe,
    Tree,
    Unsubscribe,
    Validator,
    action_to_dict,
)
from menus.validate import Problem, validate

__all__ = [
    "Action",
    "AnswerPoll",
    "Choice",
    "Context",
    "DataSource",
    "EmptyData",
    "FileFeedback",
    "HopResult",
    "Problem",
    "RecordSkm",
    "Rsvp",
    "Screen",
    "SendInfoSms",
    "SetLanguage",
    "State",
    "StepResult",
    "Subscribe",
    "Tree",
    "Unsubscribe",
    "Validator",
    "WEB_PLACEHOLDERS",
    "action_to_dict",
    "advance",
    "build_tree",
    "fill",
    "load_tree",
    "partial_skm",
    "run_script",
    "simulate",
    "start",
    "step",
    "validate",
]
