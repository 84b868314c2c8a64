"""Render the current node of a state into a ``Screen`` (pure; may read the data source)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from menus.render import PREFIX_LEN, fill, paginate, to_gsm, truncate
from menus.rules import PREDICATES
from menus.state import RESUME_NODE, State
from menus.types import (
    ConfirmNode,
    Context,
    EndNode,
    MenuNode,
    Option,
    Screen,
    TextNode,
    Tree,
)

MAX_DYNAMIC_LABEL = 60
MAX_STATUS_LINE = 80


def option_lines(labels: Sequence[str]) -> str:
    return "\n".join(f"{number} {label}" for number, label in enumerate(labels, start=1))


def static_labels(tree: Tree, lang: str, options: Sequence[Option]) -> list[str]:
    return [tree.text(lang, option.label) for option in options]


def end_text_key(node: EndNode, state: State) -> str:
    """The catalog key of an END screen: the first variant whose predicate holds."""
    for variant in node.variants:
        if PREDICATES[variant.when](state.answers):
            return variant.text
    return node.text


def fetch_text(node: TextNode, state: State, ctx: Context) -> str | None:
    key = state.answers.get(node.key, "")
    if node.source == "info":
        found = ctx.data.text(key, state.lang)
    else:
        found = ctx.data.status(key, phone=ctx.phone, lang=state.lang)
        found = found[:MAX_STATUS_LINE] if found else found
    return to_gsm(found) if found else None


def body(tree: Tree, state: State, ctx: Context) -> str:
    """The whole text of the current screen before pagination (placeholders of answers filled)."""
    lang = state.lang
    if state.node == RESUME_NODE:
        labels = [tree.text(lang, "resume.continue"), tree.text(lang, "resume.restart")]
        return f"{tree.text(lang, 'resume.ask')}\n{option_lines(labels)}"
    node = tree.nodes[state.node]
    if isinstance(node, EndNode):
        head = tree.text(lang, end_text_key(node, state))
    else:
        head = tree.text(lang, node.text)
    if "{" in head:
        head = fill(head, {name: to_gsm(value) for name, value in state.answers.items()})
    if isinstance(node, MenuNode):
        labels = [label for _, label in state.choices] or static_labels(tree, lang, node.options)
        return f"{head}\n{option_lines(labels)}"
    if isinstance(node, ConfirmNode):
        labels = [tree.text(lang, "confirm.yes"), tree.text(lang, "confirm.no")]
        return f"{head}\n{option_lines(labels)}"
    if isinstance(node, TextNode):
        found = fetch_text(node, state, ctx) or tree.text(lang, node.missing)
        options = option_lines(static_labels(tree, lang, node.options))
        return "\n".join(part for part in (head, found, options) if part)
    return head


def is_end(tree: Tree, state: State) -> bool:
    node = tree.nodes.get(state.node)
    return isinstance(node, EndNode) or (isinstance(node, TextNode) and node.end)


def footer(tree: Tree, state: State) -> dict[str, str]:
    lang = state.lang
    lines = {"more": tree.text(lang, "nav.more"), "prev": tree.text(lang, "nav.prev")}
    if state.node not in (tree.root, RESUME_NODE):
        lines["back"] = tree.text(lang, "nav.back")
    return lines


def pages(tree: Tree, state: State, ctx: Context, error: str | None = None) -> list[str]:
    """All pages of the current screen; with ``error``, its line heads the first page."""
    text = body(tree, state, ctx)
    if error:
        text = f"{tree.text(state.lang, error)}\n{text}"
    budget = ctx.max_chars - PREFIX_LEN
    if is_end(tree, state):
        return [truncate(text, budget)]
    return paginate(text, budget, footer(tree, state))


def render(
    tree: Tree, state: State, ctx: Context, error: str | None = None
) -> tuple[Screen, State]:
    """The screen for ``state`` and the state that remembers it as the last screen.

    With ``error``, its line heads the current page if it fits there; otherwise the screen
    is paginated again with the error on top and shown from its first page."""
    normal = pages(tree, state, ctx)
    page = min(state.page, len(normal) - 1)
    text = normal[page]
    if error:
        with_error = f"{tree.text(state.lang, error)}\n{text}"
        if len(with_error) <= ctx.max_chars - PREFIX_LEN:
            text = with_error
        else:
            page, text = 0, pages(tree, state, ctx, error)[0]
    end = is_end(tree, state)
    screen = Screen(text=text, end=end)
    return screen, replace(state, page=page, ended=end, last_screen=screen.text)
