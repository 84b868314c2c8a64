"""Poll replies: number, letter, label, synonym, typos; the rendered SMS."""

from __future__ import annotations

import pytest

from gateway.common.sms_text import count_segments, is_gsm7
from gateway.models import Poll, PollOption
from gateway.polls.admin import render_poll_text
from gateway.polls.answers import match_answer, match_option

OPTIONS = [
    PollOption(id=11, position=1, label="Setuju", label_en="Agree", synonyms=["ya", "iya"]),
    PollOption(id=12, position=2, label="Tidak setuju", label_en="Disagree", synonyms=["tidak"]),
    PollOption(id=13, position=3, label="Ragu-ragu", synonyms=["entah"]),
]


@pytest.mark.parametrize(
    ("answer", "position"),
    [
        ("1", 1),
        (" 2. ", 2),
        ("(3)", 3),
        ("b", 2),
        ("C", 3),
        ("ya", 1),
        ("IYA pak", 1),
        ("setuju", 1),
        ("Tidak setuju", 2),
        ("tidak, belum", 2),
        ("stuju", 1),
        ("ragu ragu", 3),
        ("Agree", 1),
        ("disagre", 2),
    ],
)
def test_answers_match_their_option(answer, position):
    option = match_option(OPTIONS, answer)
    assert option is not None and option.position == position


@pytest.mark.parametrize("answer", ["", "   ", "7", "z", "kapan rapatnya?", "!!!"])
def test_unclear_answers_match_nothing(answer):
    assert match_option(OPTIONS, answer) is None


def test_a_tie_between_two_options_is_not_guessed():
    options = [
        PollOption(id=1, position=1, label="Pagi", synonyms=[]),
        PollOption(id=2, position=2, label="Pagu", synonyms=[]),
    ]
    assert match_option(options, "Pago") is None


def test_poll_text_ends_with_how_to_answer_and_stop_in_gsm7():
    poll = Poll(id=1, question="Apakah jadwal baru sudah jelas?", question_en="Is it clear?")
    text = render_poll_text(poll, OPTIONS)
    assert text.splitlines() == [
        "Apakah jadwal baru sudah jelas?",
        "1. Setuju",
        "2. Tidak setuju",
        "3. Ragu-ragu",
        "Balas 1-3 atau A-C. Ketik BERHENTI utk berhenti.",
    ]
    assert is_gsm7(text) and count_segments(text) == 1
    # one option lacks an English label: English contacts get the Indonesian text
    assert render_poll_text(poll, OPTIONS, "en") == text
    english = render_poll_text(poll, OPTIONS[:2], "en")
    assert english.endswith("Reply 1-2 or A-B. Send BERHENTI to stop.")


NOT_SURE = [
    PollOption(id=21, position=1, label="Setuju", synonyms=["ya"]),
    PollOption(id=22, position=2, label="Tidak setuju", synonyms=["tidak"]),
    PollOption(id=23, position=3, label="Tidak tahu", synonyms=[]),
]


@pytest.mark.parametrize(
    ("answer", "position"),
    [
        ("tidak tahu kak", 3),  # the full label, not the synonym "tidak" (its first word)
        ("tdk tau pak", 3),
        ("tidak setuju bu", 2),
        ("iya pak", 1),
        ("ya bu, makasih", 1),
        ("2 pak", 2),
    ],
)
def test_a_full_label_beats_a_first_word_synonym_and_courtesy_is_ignored(answer, position):
    found = match_answer(NOT_SURE, answer)
    assert found.option is not None and found.option.position == position


@pytest.mark.parametrize(
    ("answer", "positions"),
    [("ya tidak", [1, 2]), ("2 setuju", [1, 2]), ("1 atau 3", [1, 3])],
)
def test_an_answer_naming_two_options_returns_both(answer, positions):
    found = match_answer(NOT_SURE, answer)
    assert found.option is None
    assert sorted(o.position for o in found.choices) == positions
