"""One USSD hop at a time: turn Africa's Talking's cumulative ``text`` into engine steps.

``text`` holds every input of the session joined with ``*``. The new input of a hop is what
its ``text`` adds to the previous hop's ``text`` (minus the joining ``*``), so free text may
itself contain ``*``. A hop whose ``text`` equals the previous one is a network retry: it gets
the same screen again and no actions.

When the state is lost (Redis flushed or expired) or unreadable but ``text`` is not empty,
the state is rebuilt by replaying ``text.split('*')`` from the main menu. This is
best-effort: free text that contained ``*`` is split into several inputs, a resumed session
cannot be rebuilt, and only the actions of the last input are returned (the earlier ones
ran in their own hops).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from menus import engine
from menus.rules import SKM_UNSUR, skm_answers
from menus.state import State
from menus.types import Action, Context, InputNode, RecordSkm, Screen, Tree

StateDict = Mapping[str, Any]


@dataclass(frozen=True)
class HopResult:
    """The reply to one hop. ``state`` is JSON-serialisable; store it under the session id."""

    screen: Screen
    state: dict[str, Any]
    actions: tuple[Action, ...]
    retry: bool = False


def advance(
    tree: Tree,
    state: StateDict | None,
    text: str,
    ctx: Context,
    *,
    resumable: StateDict | None = None,
) -> HopResult:
    """Answer one hop. ``state``: this session's stored state, or None on its first hop.
    ``resumable``: the state of this caller's dropped session, offered on the first hop only."""
    if state is None:
        if text == "":
            return _hop(engine.start(tree, ctx, resumable), text)
        return _replay(tree, text, ctx)
    try:
        current = State.from_dict(state)
    except (KeyError, TypeError, ValueError):
        return _replay(tree, text, ctx)
    if text == current.last_text:
        screen = Screen(text=current.last_screen, end=current.ended)
        return HopResult(screen=screen, state=current.to_dict(), actions=(), retry=True)
    new_input = _new_input(current.last_text, text)
    if new_input is None:
        return _replay(tree, text, ctx)
    if "*" in new_input and not isinstance(tree.nodes.get(current.node), InputNode):
        return _catch_up(tree, current, new_input.split("*"), text, ctx)
    return _hop(engine.step(tree, current, new_input, ctx), text)


def _catch_up(tree: Tree, state: State, tokens: list[str], text: str, ctx: Context) -> HopResult:
    """Several inputs at once on a screen that takes no free text: the stored state is a
    hop behind (its write was lost or not yet applied). Step through the inputs in turn,
    keeping every action; once a free-text screen is reached the rest is its answer, `*`
    and all."""
    actions: list[Action] = []
    current, index = state, 0
    while True:
        free_text = isinstance(tree.nodes.get(current.node), InputNode)
        token = "*".join(tokens[index:]) if free_text else tokens[index]
        result = engine.step(tree, current, token, ctx)
        actions.extend(result.actions)
        current, index = result.state, index + 1
        if free_text or result.screen.end or index == len(tokens):
            break
    final = replace(current, last_text=text)
    return HopResult(screen=result.screen, state=final.to_dict(), actions=tuple(actions))


def _new_input(previous: str, text: str) -> str | None:
    """What ``text`` adds to ``previous``; None if it does not continue it."""
    if previous == "":
        return text
    if text.startswith(previous + "*"):
        return text[len(previous) + 1 :]
    return None


def _hop(result: engine.StepResult, text: str) -> HopResult:
    state = replace(result.state, last_text=text)
    return HopResult(screen=result.screen, state=state.to_dict(), actions=result.actions)


def _replay(tree: Tree, text: str, ctx: Context) -> HopResult:
    result = engine.start(tree, ctx)
    for token in text.split("*"):
        result = engine.step(tree, result.state, token, ctx)
    return _hop(result, text)


def partial_skm(state: StateDict | None) -> RecordSkm | None:
    """The answers of a survey left midway, for the web layer to record; None if there are none
    (no survey started, nothing answered, or the survey was completed and already recorded)."""
    if not state:
        return None
    current = State.from_dict(state)
    scores = skm_answers(current.answers)
    service = current.answers.get("service")
    if current.ended or not service or not scores or len(scores) == SKM_UNSUR:
        return None
    return RecordSkm(service=service, answers=scores, complete=False)
