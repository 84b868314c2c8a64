"""The session state: a frozen value that round-trips through a JSON-serialisable dict."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

RESUME_NODE = "__resume__"


@dataclass(frozen=True)
class State:
    """Where a caller is and what they typed.

    ``node``: current node id; ``history``: node ids to go back to; ``answers``: collected
    values (``<name>`` and, for options, ``<name>_label``); ``page``: current page of the
    screen; ``choices``: the dynamic options shown on the current screen (value, label);
    ``ended``: END was sent; ``last_text``/``last_screen``: the previous hop's ``text`` and
    reply (for retries); ``saved``: a dropped session's state offered for resuming.
    """

    node: str
    lang: str
    answers: Mapping[str, str] = field(default_factory=dict)
    history: tuple[str, ...] = ()
    page: int = 0
    choices: tuple[tuple[str, str], ...] = ()
    ended: bool = False
    last_text: str = ""
    last_screen: str = ""
    saved: Mapping[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "lang": self.lang,
            "answers": dict(self.answers),
            "history": list(self.history),
            "page": self.page,
            "choices": [list(c) for c in self.choices],
            "ended": self.ended,
            "last_text": self.last_text,
            "last_screen": self.last_screen,
            "saved": dict(self.saved) if self.saved is not None else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> State:
        return cls(
            node=str(data["node"]),
            lang=str(data.get("lang", "id")),
            answers={str(k): str(v) for k, v in dict(data.get("answers", {})).items()},
            history=tuple(str(h) for h in data.get("history", ())),
            page=int(data.get("page", 0)),
            choices=tuple((str(v), str(label)) for v, label in data.get("choices", ())),
            ended=bool(data.get("ended", False)),
            last_text=str(data.get("last_text", "")),
            last_screen=str(data.get("last_screen", "")),
            saved=data.get("saved"),
        )

    def with_answers(self, **values: str) -> State:
        return replace(self, answers={**self.answers, **values})
