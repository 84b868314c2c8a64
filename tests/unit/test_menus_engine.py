"""Engine, session and rendering behaviour a caller or the web layer would notice."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from menus import (
    RecordSkm,
    State,
    action_to_dict,
    advance,
    fill,
    load_tree,
    partial_skm,
    run_script,
    start,
    step,
)
from menus.render import GSM7_CHARS, non_gsm_chars, paginate, to_gsm
from menus.rules import school_is_madrasah, school_is_province
from tests.unit.menus_fakes import damm_ok, make_ctx

TREE = load_tree()
FOOTER = {"more": "98 Lanjut", "prev": "97 Sebelumnya", "back": "0 Kembali"}


def walk(inputs: list[str], lang: str = "id") -> State:
    ctx = make_ctx(lang=lang)
    result = start(TREE, ctx)
    for value in inputs:
        result = step(TREE, result.state, value, ctx)
    return result.state


@given(st.text(alphabet="abc \n*", max_size=900), st.integers(min_value=60, max_value=200))
def test_every_page_fits_the_budget(body: str, budget: int) -> None:
    for page in paginate(body, budget, FOOTER):
        assert len(page) <= budget


def test_paging_keeps_every_word() -> None:
    body = " ".join(f"kata{n}" for n in range(120))
    pages = paginate(body, 156, FOOTER)
    words = [w for p in pages for w in p.split() if w.startswith("kata")]
    assert words == body.split()


def test_dynamic_text_is_folded_to_gsm() -> None:
    assert non_gsm_chars(to_gsm("\u201cRapat\u201d \u2013 Aula \U0001f600 caf\u00e9")) == []


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_text_is_folded_like_any_other_text(text: str) -> None:
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if c in GSM7_CHARS)
    assert to_gsm(text) == folded


def test_fill_leaves_unknown_placeholders() -> None:
    assert fill("Tiket {ticket} {x}", {"ticket": "57244"}) == "Tiket 57244 {x}"


def test_state_round_trips_through_json() -> None:
    state = walk(["1", "2", "3"])
    assert State.from_dict(json.loads(json.dumps(state.to_dict()))) == state


def test_state_records_node_answers_language_and_screen() -> None:
    state = walk(["1", "2", "3"], lang="en")
    assert state.node == "lapor.school"
    assert state.answers["category"] == "ijazah"
    assert state.answers["kecamatan"] == "Kualuh Hilir"
    assert state.lang == "en"
    assert "school name" in state.last_screen
    assert not state.ended


def test_zero_on_the_main_menu_stays_there() -> None:
    result = step(TREE, walk([]), "0", make_ctx())
    assert result.state.node == "main" and "1 Lapor masalah" in result.screen.text


def test_going_home_forgets_answers() -> None:
    assert walk(["1", "2", "00"]).answers == {}


def test_partial_skm_returns_answers_so_far() -> None:
    state = walk(["5", "3", "4", "2"]).to_dict()
    assert partial_skm(state) == RecordSkm(service="mutasi", answers=(4, 2), complete=False)


def test_partial_skm_is_none_outside_a_survey() -> None:
    assert partial_skm(walk(["1", "2"]).to_dict()) is None
    assert partial_skm(walk(["5", "1"]).to_dict()) is None
    assert partial_skm(None) is None


def test_step_after_end_starts_over() -> None:
    ctx = make_ctx()
    ended = walk(["9", "1"])
    assert ended.ended
    assert "1 Lapor masalah" in step(TREE, ended, "1", ctx).screen.text


def test_resume_is_not_offered_for_the_main_menu() -> None:
    result = advance(TREE, None, "", make_ctx(), resumable=walk([]).to_dict())
    assert "terputus" not in result.screen.text


def test_action_dicts_are_json_serialisable() -> None:
    ctx = make_ctx()
    hop = advance(TREE, None, "", ctx)
    for text in ["5", "5*1", *(f"5*1{'*4' * n}" for n in range(1, 10))]:
        hop = advance(TREE, hop.state, text, ctx)
    assert [a["type"] for a in map(action_to_dict, hop.actions)] == ["RecordSkm"]
    json.dumps([action_to_dict(a) for a in hop.actions])


def test_school_predicates() -> None:
    assert school_is_province({"school": "smk negeri 1 kualuh hulu"})
    assert school_is_province({"school": "SLB Negeri Labura"})
    assert not school_is_province({"school": "SDN 112233 Aek Kanopan"})
    assert school_is_madrasah({"school": "MTsN 2 Labura"})
    assert school_is_madrasah({"school": "MIS Al Ikhlas"})
    assert not school_is_madrasah({"school": "SMP Negeri 1 Marbau"})
    assert not school_is_madrasah({})


def test_damm_helper_matches_the_textbook_example() -> None:
    assert damm_ok("5724") and not damm_ok("5727")


def test_simulator_prints_each_screen_with_its_length() -> None:
    lines = run_script(TREE, make_ctx(), ["9", "2"])
    assert lines[0].startswith("CON Suara Disdik Labura") and "[157 chars]" in lines[0]
    assert lines[-2].startswith("END English selected")
    assert "SetLanguage" in lines[-1]


def test_menus_imports_no_io_and_of_the_project_only_the_pure_helpers() -> None:
    code = (
        "import sys, menus, menus.simulate, menus.validate; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "{'gateway', 'workers', 'flask', 'sqlalchemy', 'redis', 'requests', 'rq'} "
        "and m not in {'gateway', 'gateway.common'} and not m.startswith('gateway.common.')]; "
        "print(bad)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_unreadable_state_is_rebuilt_by_replay() -> None:
    hop = advance(TREE, {"garbage": True}, "1*2", make_ctx())
    assert "Pilih kecamatan" in hop.screen.text
    assert hop.state["answers"]["category"] == "ijazah"
    assert not advance(TREE, None, "", make_ctx(), resumable={"node": 3}).screen.end


def test_echoed_free_text_is_shown_in_gsm_only() -> None:
    state = walk(["2", "Saran \u201cpenting\u201d untuk sekolah \U0001f600"])
    assert non_gsm_chars(state.last_screen) == []
    assert '"penting"' in state.last_screen


def hops(texts: list[str], ctx) -> list:
    state, results = None, []
    for text in texts:
        result = advance(TREE, state, text, ctx)
        results.append(result)
        state = result.state
    return results


def test_a_state_one_hop_behind_catches_up_instead_of_misreading_input():
    ctx = make_ctx()
    full = hops(["", "1", "1*2", "1*2*3"], ctx)
    behind = hops(["", "1"], ctx)  # the write of hop "1*2" never landed
    caught = advance(TREE, behind[-1].state, "1*2*3", ctx)
    assert caught.screen == full[-1].screen
    assert caught.state["answers"] == full[-1].state["answers"]


def test_catching_up_keeps_star_inside_free_text_and_the_filed_report():
    ctx = make_ctx()
    inputs = ["1", "1", "1", "SDN 1*Aek", "Atap*bocor", "1", "1"]
    texts = ["*".join(inputs[: i + 1]) for i in range(len(inputs))]
    full = hops(["", *texts], ctx)
    behind = hops(["", *texts[:2]], ctx)  # stored state stopped at the kecamatan screen
    caught = advance(TREE, behind[-1].state, texts[3], ctx)  # kecamatan and school at once
    assert caught.state["answers"]["school"] == "SDN 1*Aek"
    state, rest = caught.state, []
    for text in texts[4:]:
        result = advance(TREE, state, text, ctx)
        rest.append(result)
        state = result.state
    assert rest[-1].screen == full[-1].screen
    assert rest[-1].actions == full[-1].actions and full[-1].actions
