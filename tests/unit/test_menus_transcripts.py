"""Replay the USSD transcripts in tests/transcripts/*.yaml against the shipped menu.

A transcript is a list of sessions; each hop gives the caller's input (``in``, appended to
Africa's Talking's cumulative ``text``) or a raw ``text``, and what the caller must see
(``expect``/``absent`` fragments, ``end``) and what the web layer must run (``actions``;
none when the key is absent). ``drop_state`` forgets the stored state before the hop; a
session with ``resume: true`` gets the previous session's last state as ``resumable``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from menus import Tree, action_to_dict, advance, load_tree, partial_skm
from menus.render import non_gsm_chars
from tests.unit.menus_fakes import FakeData, empty_data, make_ctx, multi_poll_data, standard_data

TRANSCRIPTS = sorted((Path(__file__).parent.parent / "transcripts").glob("*.yaml"))
TREE = load_tree()


def _data(name: str) -> FakeData:
    return {"standard": standard_data, "multi": multi_poll_data, "empty": empty_data}[name]()


def _check_hop(hop: dict[str, Any], result: Any, where: str) -> None:
    screen = result.screen
    assert len(screen.text) + 4 <= 160, f"{where}: screen too long\n{screen.text}"
    assert not non_gsm_chars(screen.text), f"{where}: non-GSM characters"
    for fragment in hop.get("expect", []):
        assert fragment in screen.text, f"{where}: {fragment!r} not in\n{screen.text}"
    for fragment in hop.get("absent", []):
        assert fragment not in screen.text, f"{where}: {fragment!r} in\n{screen.text}"
    assert screen.end == hop.get("end", False), f"{where}: end flag\n{screen.text}"
    assert result.retry == hop.get("retry", False), f"{where}: retry flag"
    got = [action_to_dict(a) for a in result.actions]
    wanted = hop.get("actions", [])
    assert len(got) == len(wanted), f"{where}: actions {got}"
    for have, want in zip(got, wanted, strict=True):
        subset = {key: have.get(key) for key in want}
        assert subset == {k: (tuple(v) if isinstance(v, list) else v) for k, v in want.items()}


def _run_session(
    tree: Tree, session: dict[str, Any], ctx: Any, resumable: dict[str, Any] | None, name: str
) -> dict[str, Any]:
    state: dict[str, Any] | None = None
    text = ""
    for number, hop in enumerate(session["hops"]):
        if "text" in hop:
            text = hop["text"]
        elif number > 0:
            text = hop["in"] if text == "" else f"{text}*{hop['in']}"
        if hop.get("drop_state"):
            state = None
        result = advance(tree, state, text, ctx, resumable=resumable if number == 0 else None)
        _check_hop(hop, result, f"{name} hop {number} text={text!r}")
        state = result.state
    assert state is not None
    if "partial_skm" in session:
        partial = partial_skm(state)
        want = session["partial_skm"]
        assert (action_to_dict(partial) if partial else None) == (
            {"type": "RecordSkm", **want, "answers": tuple(want["answers"])} if want else None
        )
    return state


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=lambda p: p.stem)
def test_transcript(path: Path) -> None:
    script = yaml.safe_load(path.read_text("utf-8"))
    ctx = make_ctx(_data(script.get("data", "standard")), lang=script.get("lang", "id"))
    last: dict[str, Any] | None = None
    for index, session in enumerate(script["sessions"]):
        resumable = last if session.get("resume") else None
        last = _run_session(TREE, session, ctx, resumable, f"{path.stem} session {index}")


def test_transcripts_cover_every_main_menu_branch_in_both_languages() -> None:
    covered: set[tuple[str, str]] = set()
    for path in TRANSCRIPTS:
        script = yaml.safe_load(path.read_text("utf-8"))
        for session in script["sessions"]:
            hops = session["hops"]
            if len(hops) > 1 and "in" in hops[1]:
                covered.add((script.get("lang", "id"), str(hops[1]["in"])))
    wanted = {(lang, str(n)) for lang in ("id", "en") for n in range(1, 10)}
    assert wanted <= covered, sorted(wanted - covered)
