"""The static validator accepts the shipped tree and catches each kind of broken tree."""

from __future__ import annotations

import copy
from importlib import resources
from typing import Any

import pytest
import yaml

from menus import build_tree, load_tree, validate
from menus.validate import Problem


def shipped() -> tuple[dict[str, Any], dict[str, dict[str, str]]]:
    """Fresh, mutable copies of the shipped tree data and catalog."""
    package = resources.files("menus")
    tree = yaml.safe_load((package / "trees" / "labura.yaml").read_text("utf-8"))
    catalog = {
        lang: yaml.safe_load((package / "catalog" / f"{lang}.yaml").read_text("utf-8"))
        for lang in ("id", "en")
    }
    return copy.deepcopy(tree), catalog


def problems_of(tree: dict[str, Any], catalog: dict[str, dict[str, str]]) -> list[Problem]:
    return validate(build_tree(tree, catalog))


SHIPPED_TREES = sorted(
    entry.name.removesuffix(".yaml")
    for entry in (resources.files("menus") / "trees").iterdir()
    if entry.name.endswith(".yaml")
)


@pytest.mark.parametrize("name", SHIPPED_TREES)
def test_every_shipped_tree_has_no_problems(name: str) -> None:
    assert validate(load_tree(name)) == []


def test_smaller_budget_flags_only_screens_that_cannot_be_paged() -> None:
    problems = validate(load_tree(), max_chars=140)
    assert problems, "the main menu cannot fit 140 characters"
    assert all(p.screen in {"main"} or "END" in p.message for p in problems)


def test_missing_target_is_reported() -> None:
    tree, catalog = shipped()
    tree["nodes"]["lapor.text"]["next"] = "lapor.nowhere"
    problems = problems_of(tree, catalog)
    assert Problem("lapor.text", "target 'lapor.nowhere' does not exist") in problems


def test_unreachable_screen_is_reported() -> None:
    tree, catalog = shipped()
    tree["nodes"]["orphan"] = {"kind": "end", "text": "poll.done"}
    assert Problem("orphan", "not reachable from the main menu") in problems_of(tree, catalog)


def test_dead_end_is_reported() -> None:
    tree, catalog = shipped()
    tree["nodes"]["consult.menu"]["options"] = []
    problems = problems_of(tree, catalog)
    assert any(p.screen == "consult.menu" and "dead end" in p.message for p in problems)


def test_too_long_end_text_is_reported() -> None:
    tree, catalog = shipped()
    catalog["en"]["lapor.done"] = "Thank you. " * 14 + "Ticket {ticket}."
    problems = problems_of(tree, catalog)
    assert any(p.screen == "lapor.done" and p.message.startswith("en: END") for p in problems)


def test_main_menu_longer_than_one_screen_is_reported() -> None:
    tree, catalog = shipped()
    catalog["id"]["main.title"] = "Selamat datang di layanan Suara Dinas Pendidikan Labura"
    problems = problems_of(tree, catalog)
    assert Problem("main", "id: the main menu must fit one screen") in problems


@pytest.mark.parametrize(
    "bad", ["Terima kasih \U0001f600", "\u201cSaran\u201d Anda", "Na IX\u2013X"]
)
def test_non_gsm_characters_are_reported(bad: str) -> None:
    tree, catalog = shipped()
    catalog["id"]["saran.done"] = bad + " {ticket}"
    problems = problems_of(tree, catalog)
    assert any(p.screen == "saran.done" and "outside GSM-7" in p.message for p in problems)


def test_duplicate_option_labels_are_reported() -> None:
    tree, catalog = shipped()
    catalog["en"]["role.teacher"] = catalog["en"]["role.parent"]
    problems = problems_of(tree, catalog)
    assert Problem("sub.role", "en: option labels are not unique") in problems


def test_missing_translation_is_reported() -> None:
    tree, catalog = shipped()
    del catalog["en"]["skm.u4.4"]
    assert Problem("skm.u4.4", "text missing in language 'en'") in problems_of(tree, catalog)


def test_unknown_validator_action_and_predicate_are_reported() -> None:
    tree, catalog = shipped()
    tree["nodes"]["status.ticket"]["validator"] = "nik"
    tree["nodes"]["sub.left"]["action"] = "delete_everything"
    tree["nodes"]["lapor.done"]["variants"][0]["when"] = "school_is_private"
    messages = {p.message for p in problems_of(tree, catalog)}
    assert {
        "unknown validator 'nik'",
        "unknown action 'delete_everything'",
        "unknown predicate 'school_is_private'",
    } <= messages


def test_ticket_validator_must_be_supplied_when_names_are_given() -> None:
    problems = validate(load_tree(), validators={"text"})
    assert Problem("status.ticket", "unknown validator 'ticket'") in problems


def test_end_text_may_not_use_answer_placeholders() -> None:
    tree, catalog = shipped()
    catalog["id"]["saran.done"] = "Terima kasih {text} {ticket}"
    problems = problems_of(tree, catalog)
    assert any(p.screen == "saran.done" and "may only use" in p.message for p in problems)


def test_unquoted_yaml_boolean_in_catalog_is_refused() -> None:
    tree, catalog = shipped()
    catalog["en"]["confirm.no"] = False  # type: ignore[assignment]
    with pytest.raises(ValueError, match="quote it"):
        build_tree(tree, catalog)
