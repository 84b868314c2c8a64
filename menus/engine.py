"""The pure USSD engine: ``start`` a session and ``step`` it with one input.

Navigation on every screen: ``0`` back, ``00`` main menu, ``98`` next page, ``97`` previous
page. Invalid input re-asks the same screen with a one-line error. No I/O happens here apart
from the injected ``DataSource``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from menus.render import to_gsm
from menus.rules import ACTION_BUILDERS
from menus.screens import MAX_DYNAMIC_LABEL, pages, render
from menus.state import RESUME_NODE, State
from menus.types import (
    Action,
    ConfirmNode,
    Context,
    InputNode,
    MenuNode,
    Screen,
    SetLanguage,
    TextNode,
    Tree,
)
from menus.validators import all_validators

BACK, HOME, MORE, PREV = "0", "00", "98", "97"


@dataclass(frozen=True)
class StepResult:
    screen: Screen
    state: State
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class _Goto:
    target: str
    answers: Mapping[str, str] = field(default_factory=dict)


def can_resume(tree: Tree, saved: Mapping[str, Any] | None) -> bool:
    """A dropped session is worth resuming if it did not end and left the main menu."""
    if not saved:
        return False
    try:
        state = State.from_dict(saved)
    except (KeyError, TypeError, ValueError):
        return False
    return not state.ended and state.node in tree.nodes and state.node != tree.root


def start(tree: Tree, ctx: Context, resumable: Mapping[str, Any] | None = None) -> StepResult:
    """The first screen: the main menu, or the resume question when ``resumable`` is worth it."""
    if resumable is not None and can_resume(tree, resumable):
        saved = State.from_dict(resumable)
        state = State(node=RESUME_NODE, lang=saved.lang, saved=saved.to_dict())
        return _show(tree, state, ctx)
    return _enter(tree, State(node=tree.root, lang=ctx.lang), tree.root, ctx)


def step(tree: Tree, state: State, user_input: str, ctx: Context) -> StepResult:
    """Apply one input to ``state``; return the next screen, state and actions to run."""
    value = user_input.strip()
    if state.ended:
        return start(tree, replace(ctx, lang=state.lang))
    if state.node == RESUME_NODE:
        return _resume(tree, state, value, ctx)
    if value == HOME:
        return _enter(tree, state, tree.root, ctx)
    if value == BACK:
        return _back(tree, state, ctx)
    if value in (MORE, PREV):
        return _turn_page(tree, state, ctx, forward=value == MORE)
    outcome = _handle(tree, state, value, ctx)
    if isinstance(outcome, str):
        return _show(tree, state, ctx, error=outcome)
    return _enter(tree, state.with_answers(**outcome.answers), outcome.target, ctx)


def _show(tree: Tree, state: State, ctx: Context, error: str | None = None) -> StepResult:
    screen, new_state = render(tree, state, ctx, error)
    return StepResult(screen=screen, state=new_state)


def _resume(tree: Tree, state: State, value: str, ctx: Context) -> StepResult:
    if value == "1" and state.saved is not None:
        restored = replace(State.from_dict(state.saved), page=0, ended=False)
        return _show(tree, restored, ctx)
    if value in ("2", BACK, HOME):
        return _enter(tree, replace(state, saved=None), tree.root, ctx)
    return _show(tree, state, ctx, error="err.choice")


def _back(tree: Tree, state: State, ctx: Context) -> StepResult:
    if not state.history:
        return _show(tree, replace(state, page=0), ctx)
    previous = replace(state, node=state.history[-1], history=state.history[:-1], page=0)
    return _show(tree, _load_choices(tree, previous, ctx), ctx)


def _turn_page(tree: Tree, state: State, ctx: Context, *, forward: bool) -> StepResult:
    count = len(pages(tree, state, ctx))
    page = state.page + (1 if forward else -1)
    if not 0 <= page < count:
        return _show(tree, state, ctx, error="err.no_page")
    return _show(tree, replace(state, page=page), ctx)


def _pick(count: int, value: str) -> int | None:
    """The 0-based index of a numbered choice, or None."""
    if value.isdecimal() and 1 <= int(value) <= count:  # not isdigit: int("²") fails
        return int(value) - 1
    return None


def _handle(tree: Tree, state: State, value: str, ctx: Context) -> _Goto | str:
    """What an input on the current node leads to: a target with answers, or an error key."""
    node = tree.nodes[state.node]
    if isinstance(node, InputNode):
        if node.skip is not None and value in (node.skip, ""):
            return _Goto(node.next, {node.store: ""})
        validator = all_validators(ctx.validators)[node.validator]
        error = validator(value, node.params)
        return error if error else _Goto(node.next, {node.store: value})
    if isinstance(node, ConfirmNode):
        choice = {"1": node.yes, "2": node.no}.get(value)
        return _Goto(choice) if choice else "err.choice"
    if isinstance(node, MenuNode) and state.choices:
        index = _pick(len(state.choices), value)
        if index is None or node.next is None:
            return "err.choice"
        return _Goto(node.next, _stored(node.store, *state.choices[index]))
    if isinstance(node, MenuNode | TextNode):
        index = _pick(len(node.options), value)
        if index is None:
            return "err.choice"
        option = node.options[index]
        label = tree.text(state.lang, option.label)
        store = node.store if isinstance(node, MenuNode) else None
        return _Goto(option.next, _stored(store, option.value, label))
    return "err.choice"


def _stored(store: str | None, value: str, label: str) -> dict[str, str]:
    return {store: value, f"{store}_label": label} if store else {}


def _enter(tree: Tree, state: State, target: str, ctx: Context) -> StepResult:
    """Move to ``target``: keep history, emit its action, load or skip dynamic options."""
    if target == tree.root:
        moved = replace(state, node=target, history=(), answers={}, page=0, choices=())
    else:
        history = (*state.history, state.node) if state.node != RESUME_NODE else ()
        moved = replace(state, node=target, history=history, page=0, choices=())
    node = tree.nodes[target]
    actions: tuple[Action, ...] = ()
    if node.action is not None:
        args = {"lang": moved.lang, **node.action.args}
        action = ACTION_BUILDERS[node.action.name](moved.answers, args)
        actions = (action,)
        if isinstance(action, SetLanguage):
            moved = replace(moved, lang=action.lang)
    moved = _load_choices(tree, moved, ctx)
    if isinstance(node, MenuNode) and node.source and node.next:
        shortcut = _shortcut(node, moved)
        if shortcut is not None:
            skipped = replace(moved, node=state.node, history=state.history)
            result = _enter(tree, skipped.with_answers(**shortcut.answers), shortcut.target, ctx)
            return replace(result, actions=actions + result.actions)
    screen, shown = render(tree, moved, ctx)
    return StepResult(screen=screen, state=shown, actions=actions)


def _shortcut(node: MenuNode, state: State) -> _Goto | None:
    """Skip a dynamic menu that is empty (to ``empty``) or has one choice (``auto_single``)."""
    if not state.choices and node.empty:
        return _Goto(node.empty)
    if len(state.choices) == 1 and node.auto_single and node.next:
        return _Goto(node.next, _stored(node.store, *state.choices[0]))
    return None


def _load_choices(tree: Tree, state: State, ctx: Context) -> State:
    node = tree.nodes.get(state.node)
    if not isinstance(node, MenuNode) or not node.source:
        return replace(state, choices=()) if state.choices else state
    key = state.answers.get(node.source_key, "") if node.source_key else ""
    found = ctx.data.options(node.source, phone=ctx.phone, lang=state.lang, key=key)
    return replace(state, choices=tuple((c.value, _label(c.label)) for c in found))


def _label(text: str) -> str:
    return to_gsm(text)[:MAX_DYNAMIC_LABEL]
