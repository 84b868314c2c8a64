"""Static checks of a menu tree: targets, reachability, dead ends, texts, screen sizes.

``validate(tree)`` returns a list of problems; an empty list means the tree is fit to ship.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, replace

from menus.render import PREFIX_LEN, WEB_PLACEHOLDERS, non_gsm_chars, placeholders
from menus.rules import ACTION_BUILDERS, PREDICATES
from menus.screens import MAX_STATUS_LINE, pages
from menus.state import RESUME_NODE, State
from menus.types import (
    Choice,
    ConfirmNode,
    Context,
    EndNode,
    InputNode,
    MenuNode,
    Node,
    TextNode,
    Tree,
)
from menus.validators import BUILTIN_VALIDATORS, INJECTED_VALIDATORS

ENGINE_TEXTS = (
    "nav.back nav.more nav.prev confirm.yes confirm.no resume.ask resume.continue "
    "resume.restart err.choice err.too_short err.too_long err.digits err.ticket err.no_page "
    "err.invalid"
).split()
SAMPLE_ANSWER_WIDTH = 40
SAMPLE_LABEL = "L" * 60
SAMPLE_TEXT = "Kata " * 60


@dataclass(frozen=True)
class Problem:
    screen: str
    message: str


class _SampleData:
    """Stands in for the data source with the longest content the engine lets through."""

    def options(self, provider: str, *, phone: str, lang: str, key: str = "") -> Sequence[Choice]:
        return [Choice(str(n), SAMPLE_LABEL) for n in range(1, 5)]

    def text(self, topic: str, lang: str) -> str | None:
        return SAMPLE_TEXT

    def status(self, ticket: str, *, phone: str, lang: str) -> str | None:
        return SAMPLE_TEXT


def targets(node: Node) -> list[str]:
    """Every node id an input on ``node`` can lead to."""
    found: list[str] = []
    if isinstance(node, MenuNode | TextNode):
        found += [option.next for option in node.options]
    if isinstance(node, MenuNode):
        found += [t for t in (node.next, node.empty) if t]
    if isinstance(node, InputNode):
        found.append(node.next)
    if isinstance(node, ConfirmNode):
        found += [node.yes, node.no]
    return found


def text_keys(node: Node) -> list[str]:
    keys = [node.text]
    if isinstance(node, MenuNode | TextNode):
        keys += [option.label for option in node.options]
    if isinstance(node, TextNode):
        keys.append(node.missing)
    if isinstance(node, EndNode):
        keys += [variant.text for variant in node.variants]
    return keys


def is_final(node: Node) -> bool:
    return isinstance(node, EndNode) or (isinstance(node, TextNode) and node.end)


def validate(
    tree: Tree, *, max_chars: int = 160, validators: Collection[str] | None = None
) -> list[Problem]:
    known = (
        set(validators) if validators is not None else {*BUILTIN_VALIDATORS, *INJECTED_VALIDATORS}
    )
    problems = list(_structure(tree, known))
    if not problems:
        problems += _texts(tree)
    if not problems:
        problems += _sizes(tree, max_chars)
    return problems


def _structure(tree: Tree, validators: set[str]) -> Iterator[Problem]:
    if tree.root not in tree.nodes:
        yield Problem(tree.root, "root node is missing")
        return
    for node in tree.nodes.values():
        for target in targets(node):
            if target not in tree.nodes:
                yield Problem(node.id, f"target {target!r} does not exist")
        if not is_final(node) and not targets(node):
            yield Problem(node.id, "dead end: no option leads on and it is not an END")
        if isinstance(node, MenuNode) and node.source and not node.next:
            yield Problem(node.id, "dynamic menu needs 'next'")
        if isinstance(node, InputNode) and node.validator not in validators:
            yield Problem(node.id, f"unknown validator {node.validator!r}")
        if node.action is not None and node.action.name not in ACTION_BUILDERS:
            yield Problem(node.id, f"unknown action {node.action.name!r}")
        if isinstance(node, EndNode):
            for variant in node.variants:
                if variant.when not in PREDICATES:
                    yield Problem(node.id, f"unknown predicate {variant.when!r}")
        store = getattr(node, "store", None)
        if store in WEB_PLACEHOLDERS:
            yield Problem(node.id, f"answer name {store!r} clashes with a web placeholder")
    yield from _reachability(tree)


def _reachability(tree: Tree) -> Iterator[Problem]:
    seen = {tree.root}
    todo = [tree.root]
    while todo:
        for target in targets(tree.nodes[todo.pop()]):
            if target in tree.nodes and target not in seen:
                seen.add(target)
                todo.append(target)
    for node_id in tree.nodes:
        if node_id not in seen:
            yield Problem(node_id, "not reachable from the main menu")


def _texts(tree: Tree) -> Iterator[Problem]:
    keys = {key for node in tree.nodes.values() for key in text_keys(node)} | set(ENGINE_TEXTS)
    all_keys = keys | {key for texts in tree.catalog.values() for key in texts}
    for lang, texts in tree.catalog.items():
        for key in sorted(all_keys - set(texts)):
            yield Problem(key, f"text missing in language {lang!r}")
        for key, text in texts.items():
            bad = non_gsm_chars(text)
            if bad:
                yield Problem(key, f"{lang}: characters outside GSM-7: {''.join(bad)!r}")
    for node in tree.nodes.values():
        if isinstance(node, MenuNode | TextNode):
            for lang in tree.languages:
                labels = [tree.text(lang, option.label) for option in node.options]
                if len(set(labels)) != len(labels):
                    yield Problem(node.id, f"{lang}: option labels are not unique")


def _sample_answers(tree: Tree, node: Node, lang: str) -> dict[str, str]:
    names = {name for key in text_keys(node) for name in placeholders(tree.text(lang, key))}
    return {name: "X" * WEB_PLACEHOLDERS.get(name, SAMPLE_ANSWER_WIDTH) for name in names}


def _sizes(tree: Tree, max_chars: int) -> Iterator[Problem]:
    ctx = Context(data=_SampleData(), max_chars=max_chars)
    budget = max_chars - PREFIX_LEN
    for node in tree.nodes.values():
        for lang in tree.languages:
            yield from _node_size(tree, node, lang, ctx, budget)
    for lang in tree.languages:
        resume = State(node=RESUME_NODE, lang=lang)
        if len(pages(tree, resume, ctx)) > 1:
            yield Problem(RESUME_NODE, f"{lang}: the resume question must fit one screen")


def _node_size(tree: Tree, node: Node, lang: str, ctx: Context, budget: int) -> Iterator[Problem]:
    answers = _sample_answers(tree, node, lang)
    if isinstance(node, EndNode):
        for key in [node.text, *(v.text for v in node.variants)]:
            text = tree.text(lang, key)
            unknown = set(placeholders(text)) - set(WEB_PLACEHOLDERS)
            if unknown:
                yield Problem(node.id, f"{lang}: END text may only use {sorted(WEB_PLACEHOLDERS)}")
            if len(text.format_map(answers)) > budget:
                yield Problem(node.id, f"{lang}: END text {key} longer than {budget} + prefix")
        return
    state = State(node=node.id, lang=lang, answers=answers)
    if isinstance(node, TextNode) and node.end:
        state = replace(state, answers={**answers, node.key: "1"})
        heading = tree.text(lang, node.text).format_map(answers)
        if len(heading) + 1 + MAX_STATUS_LINE > budget:
            yield Problem(node.id, f"{lang}: heading leaves no room for the status line")
        return
    try:
        shown = pages(tree, state, ctx, error="err.too_short")
    except ValueError as error:
        yield Problem(node.id, f"{lang}: {error}")
        return
    if node.id == tree.root and len(pages(tree, state, ctx)) > 1:
        yield Problem(node.id, f"{lang}: the main menu must fit one screen")
    for page in shown:
        if len(page) > budget:
            yield Problem(node.id, f"{lang}: page of {len(page) + PREFIX_LEN} characters")
