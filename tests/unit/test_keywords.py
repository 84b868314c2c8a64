from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.sms.keywords import CANONICAL, Command, Kind, parse

CORPUS_PATH = Path(__file__).resolve().parent.parent / "fixtures" / "sms_corpus.yaml"
CORPUS: list[dict[str, Any]] = yaml.safe_load(CORPUS_PATH.read_text(encoding="utf-8"))["messages"]


def corpus_text(case: dict[str, Any]) -> str:
    return str(case["text"]) + str(case.get("pad", "")) * int(case.get("times", 0))


def test_corpus_is_big_and_varied() -> None:
    assert len(CORPUS) >= 150
    assert {Kind(case["kind"]) for case in CORPUS} == set(Kind)
    assert max(len(corpus_text(case)) for case in CORPUS) == 1600


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: repr(corpus_text(case))[:40])
def test_corpus_message(case: dict[str, Any]) -> None:
    text = corpus_text(case)
    command = parse(text)
    assert command.kind == Kind(case["kind"])
    assert command.keyword == case["keyword"]
    if "body_len" in case:
        assert len(command.body) == case["body_len"]
    else:
        assert command.body == case["body"]
    assert list(command.args) == case.get("args", [])
    assert command.error == case.get("error")
    assert list(command.candidates) == case.get("candidates", [])


@pytest.mark.parametrize("case", CORPUS, ids=lambda case: repr(corpus_text(case))[:40])
def test_body_is_the_citizens_own_text(case: dict[str, Any]) -> None:
    text = corpus_text(case)
    command = parse(text)
    if command.kind is Kind.ANSWER or (command.kind is Kind.UNKNOWN and command.error is None):
        assert command.body == text.strip()  # no keyword: the whole message, as typed
    assert command.body in text
    if command.kind not in (Kind.UNKNOWN, Kind.ANSWER, Kind.AMBIGUOUS):
        assert text.rstrip().endswith(command.body)


def test_command_is_frozen() -> None:
    command = parse("LAPOR atap bocor")
    with pytest.raises(AttributeError):
        command.body = "x"  # type: ignore[misc]


def test_every_command_kind_has_a_canonical_keyword() -> None:
    commands = set(Kind) - {Kind.ANSWER, Kind.AMBIGUOUS, Kind.UNKNOWN}
    assert set(CANONICAL) == commands
    for kind, keyword in CANONICAL.items():
        assert parse(keyword).kind is kind


@pytest.mark.parametrize("separator", [" ", "#", ".", ":", ",", "*", "", " # ", "::", "\n"])
def test_all_separators_are_accepted(separator: str) -> None:
    assert parse(f"LAPOR{separator}atap bocor") == Command(Kind.REPORT, "LAPOR", "atap bocor")


@pytest.mark.parametrize("text", ["ADUH sekolah", "Askar datang", "Regu kami", "Cekal dia"])
def test_short_aliases_do_not_eat_ordinary_words(text: str) -> None:
    assert parse(text).kind is Kind.UNKNOWN


def test_typo_corrections_are_flagged() -> None:
    assert parse("LAPR atap").typo is True
    assert parse("LAPOR atap").typo is False


def test_ambiguous_typo_lists_both_candidates() -> None:
    command = parse("DAFTA marbau")
    assert command.kind is Kind.AMBIGUOUS
    assert command.candidates == ("DAFTAR", "DATA")
    assert command.body == "marbau"


def test_skm_args_are_nine_ints() -> None:
    assert parse("SKM 4 4 3 4 3 4 3 4 3").args == (4, 4, 3, 4, 3, 4, 3, 4, 3)


def test_explicit_stop_always_opts_out_even_in_a_sentence() -> None:
    assert parse("STOP jangan kirim sms lagi ke nomor ini").kind is Kind.STOP
    assert parse("Batal ikut rapat karena ada acara keluarga").kind is Kind.UNKNOWN
