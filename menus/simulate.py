"""A text-mode USSD simulator core: drive the engine hop by hop like Africa's Talking does.

Input and output are callables, so a CLI (``flask --app wsgi ussd simulate``), a test or a
notebook can reuse it. The prefix shown (``CON``/``END``) is only for the display here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from menus.render import PREFIX_LEN
from menus.session import HopResult, advance
from menus.types import Choice, Context, Screen, Tree

Reader = Callable[[str], str | None]
Writer = Callable[[str], None]


class EmptyData:
    """A data source with no polls, consultations, info texts or tickets."""

    def options(self, provider: str, *, phone: str, lang: str, key: str = "") -> Sequence[Choice]:
        return []

    def text(self, topic: str, lang: str) -> str | None:
        return None

    def status(self, ticket: str, *, phone: str, lang: str) -> str | None:
        return None


def show(screen: Screen) -> str:
    """The reply as the provider would send it, with its length (prefix included)."""
    reply = ("END " if screen.end else "CON ") + screen.text
    return f"{reply}\n[{len(screen.text) + PREFIX_LEN} chars]"


def join(text: str, new_input: str, first: bool) -> str:
    """Africa's Talking's cumulative ``text`` after one more input."""
    return new_input if first else f"{text}*{new_input}"


def simulate(
    tree: Tree,
    ctx: Context,
    read: Reader,
    write: Writer,
    *,
    resumable: Mapping[str, Any] | None = None,
) -> HopResult:
    """Run one session until END or until ``read`` returns None (the caller hung up).

    Returns the last hop; when the session did not end, its ``state`` is what the web layer
    would keep for resuming."""
    text = ""
    result = advance(tree, None, text, ctx, resumable=resumable)
    first = True
    while True:
        write(show(result.screen))
        for action in result.actions:
            write(f"  -> action {action!r}")
        if result.screen.end:
            return result
        new_input = read("> ")
        if new_input is None:
            return result
        text = join(text, new_input, first)
        first = False
        result = advance(tree, result.state, text, ctx)


def run_script(tree: Tree, ctx: Context, inputs: Sequence[str]) -> list[str]:
    """Simulate with a fixed list of inputs; returns everything written."""
    pending = list(inputs)
    lines: list[str] = []
    simulate(tree, ctx, lambda _prompt: pending.pop(0) if pending else None, lines.append)
    return lines
