"""Value types of the USSD engine: menu nodes, screens, actions, the data-source protocol.

Everything here is a frozen dataclass of primitives (or a Protocol), so that the web layer can
serialise actions and screens without knowing the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal, Protocol

# --------------------------------------------------------------------------- menu nodes


@dataclass(frozen=True)
class Option:
    """One numbered line of a menu: a catalog key for the label and the node it leads to."""

    label: str
    next: str
    value: str = ""


@dataclass(frozen=True)
class ActionSpec:
    """Names an action builder (see ``menus.rules.ACTION_BUILDERS``) and its fixed arguments."""

    name: str
    args: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Variant:
    """Use catalog text ``text`` instead of the node's own when predicate ``when`` holds."""

    when: str
    text: str


@dataclass(frozen=True)
class MenuNode:
    """Numbered options, static (``options``) or from the data source (``source``)."""

    id: str
    text: str
    options: tuple[Option, ...] = ()
    store: str | None = None
    source: str | None = None
    source_key: str | None = None
    next: str | None = None
    empty: str | None = None
    auto_single: bool = False
    action: ActionSpec | None = None


@dataclass(frozen=True)
class InputNode:
    """Free input checked by the named validator; ``skip`` stores an empty answer instead."""

    id: str
    text: str
    validator: str
    store: str
    next: str
    params: Mapping[str, int] = field(default_factory=dict)
    skip: str | None = None
    action: ActionSpec | None = None


@dataclass(frozen=True)
class TextNode:
    """A heading plus a text looked up in the data source (``source`` is info or status)."""

    id: str
    text: str
    source: Literal["info", "status"]
    key: str
    missing: str
    options: tuple[Option, ...] = ()
    end: bool = False
    action: ActionSpec | None = None


@dataclass(frozen=True)
class ConfirmNode:
    """A summary with the standard yes/no options."""

    id: str
    text: str
    yes: str
    no: str
    action: ActionSpec | None = None


@dataclass(frozen=True)
class EndNode:
    """The final screen (``END``); entering it emits ``action`` if set."""

    id: str
    text: str
    variants: tuple[Variant, ...] = ()
    action: ActionSpec | None = None


Node = MenuNode | InputNode | TextNode | ConfirmNode | EndNode


@dataclass(frozen=True)
class Tree:
    """A whole menu: nodes by id, the root id and the texts per language (catalog)."""

    root: str
    nodes: Mapping[str, Node]
    catalog: Mapping[str, Mapping[str, str]]
    default_lang: str = "id"

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.catalog)

    def text(self, lang: str, key: str) -> str:
        texts = self.catalog.get(lang) or self.catalog[self.default_lang]
        return texts.get(key) or self.catalog[self.default_lang].get(key, key)


# --------------------------------------------------------------------------- screens


@dataclass(frozen=True)
class Screen:
    """What the caller sees, WITHOUT the ``CON ``/``END `` prefix; ``end`` picks the prefix."""

    text: str
    end: bool


# --------------------------------------------------------------------------- actions

FeedbackKind = Literal["complaint", "suggestion", "question"]


@dataclass(frozen=True)
class FileFeedback:
    kind: FeedbackKind
    text: str
    category: str | None = None
    kecamatan: str | None = None
    school: str | None = None
    anonymous: bool = False
    consultation_code: str | None = None


@dataclass(frozen=True)
class RecordSkm:
    service: str
    answers: tuple[int, ...]
    complete: bool


@dataclass(frozen=True)
class Rsvp:
    code: str


@dataclass(frozen=True)
class Subscribe:
    """Subscribe with consent; the gateway records which consent text version."""

    kecamatan: str
    role: str


@dataclass(frozen=True)
class Unsubscribe:
    pass


@dataclass(frozen=True)
class SetLanguage:
    lang: str


@dataclass(frozen=True)
class AnswerPoll:
    poll_id: str
    option_index: int


@dataclass(frozen=True)
class SendInfoSms:
    topic: str
    lang: str


Action = (
    FileFeedback
    | RecordSkm
    | Rsvp
    | Subscribe
    | Unsubscribe
    | SetLanguage
    | AnswerPoll
    | SendInfoSms
)

# --------------------------------------------------------------------------- data source


@dataclass(frozen=True)
class Choice:
    """One dynamic option: a stable value (poll id, consultation code) and its label."""

    value: str
    label: str


class DataSource(Protocol):
    """Dynamic content, injected by the web layer (DB-backed) or by tests (in memory).

    Providers for ``options``: ``polls`` (open polls for this caller), ``poll_options``
    (key = poll id), ``consultations`` (upcoming; label carries date/place in WIB).
    """

    def options(self, provider: str, *, phone: str, lang: str, key: str = "") -> Sequence[Choice]:
        """The choices a dynamic menu shows, in display order."""
        ...

    def text(self, topic: str, lang: str) -> str | None:
        """The information text for ``topic`` (staff-maintained), or None if there is none."""
        ...

    def status(self, ticket: str, *, phone: str, lang: str) -> str | None:
        """One short status line (status + last update date) for a ticket, or None."""
        ...


Validator = Callable[[str, Mapping[str, int]], str | None]
"""Checks one input against the node's params; returns a catalog error key or None."""


@dataclass(frozen=True)
class Context:
    """What the engine needs besides the tree and the state; built by the caller per hop."""

    data: DataSource
    phone: str = ""
    lang: str = "id"
    validators: Mapping[str, Validator] = field(default_factory=dict)
    max_chars: int = 160


def action_to_dict(action: Action) -> dict[str, object]:
    """A JSON-ready form of an action: its type name plus its fields."""
    return {"type": type(action).__name__, **asdict(action)}
