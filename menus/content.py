"""Build a ``Tree`` from plain data (the YAML shipped under ``menus/trees`` and ``catalog``)."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import Any

import yaml

from menus.types import (
    ActionSpec,
    ConfirmNode,
    EndNode,
    InputNode,
    MenuNode,
    Node,
    Option,
    TextNode,
    Tree,
    Variant,
)

Data = Mapping[str, Any]


def load_tree(name: str = "labura", languages: tuple[str, ...] = ("id", "en")) -> Tree:
    """Read the packaged tree ``menus/trees/<name>.yaml`` and ``menus/catalog/<lang>.yaml``."""
    package = resources.files("menus")
    tree_data = yaml.safe_load((package / "trees" / f"{name}.yaml").read_text("utf-8"))
    catalog = {
        lang: yaml.safe_load((package / "catalog" / f"{lang}.yaml").read_text("utf-8"))
        for lang in languages
    }
    return build_tree(tree_data, catalog)


def build_tree(data: Data, catalog: Mapping[str, Mapping[str, str]]) -> Tree:
    """Turn parsed data into typed nodes; option lists may name an entry of ``option_sets``."""
    sets: Data = data.get("option_sets", {})
    nodes = {node_id: _node(node_id, raw, sets) for node_id, raw in data["nodes"].items()}
    texts = {lang: _texts(lang, entries) for lang, entries in catalog.items()}
    return Tree(root=data["root"], nodes=nodes, catalog=texts, default_lang=data.get("lang", "id"))


def _texts(lang: str, entries: Mapping[str, Any]) -> dict[str, str]:
    """Catalog entries must be strings (YAML turns a bare ``No`` into False: quote it)."""
    for key, value in entries.items():
        if not isinstance(value, str):
            raise ValueError(f"catalog {lang}: {key} is {value!r}, not text; quote it")
    return {str(key): value for key, value in entries.items()}


def _options(raw: Data, sets: Data) -> tuple[Option, ...]:
    entries = raw.get("options", ())
    if isinstance(entries, str):
        entries = sets[entries]
    default_next = raw.get("next", "")
    return tuple(
        Option(
            label=entry["label"],
            next=entry.get("next", default_next),
            value=str(entry.get("value", number)),
        )
        for number, entry in enumerate(entries, start=1)
    )


def _action(raw: Data) -> ActionSpec | None:
    spec = raw.get("action")
    if spec is None:
        return None
    if isinstance(spec, str):
        return ActionSpec(name=spec)
    return ActionSpec(name=spec["name"], args={k: str(v) for k, v in spec.get("args", {}).items()})


def _node(node_id: str, raw: Data, sets: Data) -> Node:
    kind = raw["kind"]
    common: dict[str, Any] = {"id": node_id, "text": raw["text"], "action": _action(raw)}
    if kind == "menu":
        return MenuNode(
            **common,
            options=_options(raw, sets),
            store=raw.get("store"),
            source=raw.get("source"),
            source_key=raw.get("source_key"),
            next=raw.get("next"),
            empty=raw.get("empty"),
            auto_single=bool(raw.get("auto_single", False)),
        )
    if kind == "input":
        return InputNode(
            **common,
            validator=raw["validator"],
            store=raw["store"],
            next=raw["next"],
            params={k: int(v) for k, v in raw.get("params", {}).items()},
            skip=raw.get("skip"),
        )
    if kind == "text":
        return TextNode(
            **common,
            source=raw["source"],
            key=raw["key"],
            missing=raw["missing"],
            options=_options(raw, sets),
            end=bool(raw.get("end", False)),
        )
    if kind == "confirm":
        return ConfirmNode(**common, yes=raw["accept"], no=raw["cancel"])
    if kind == "end":
        variants = tuple(Variant(when=v["when"], text=v["text"]) for v in raw.get("variants", ()))
        return EndNode(**common, variants=variants)
    raise ValueError(f"node {node_id}: unknown kind {kind!r}")
