"""The SKM arithmetic (PermenPANRB 14/2017) against worked examples: domain.md section 1,
the exact-1/9 edge cases, the band edges, incomplete responses, Krejcie-Morgan's table."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from gateway.citizens.ikm import (
    GRADES,
    NO_RESPONDENTS,
    UNANSWERED,
    UNSUR,
    Tally,
    compute,
    grade,
    ikm_of_nrrs,
    krejcie_morgan,
    round_cents,
    tally,
)
from menus import load_tree

WORKED = ["3.50", "3.00", "2.50", "4.00", "3.25", "3.50", "3.75", "2.75", "2.50"]
"""domain.md 1.3: four invented respondents' NRRs -> 79.86 with 1/9 (79.78 with 0.111), B."""
FOUR_RESPONDENTS = ["433444433", "433434433", "332433432", "332433322"]
"""Four answer strings whose NRRs per unsur are exactly `WORKED`."""


def test_the_worked_example_is_79_86_grade_b():
    assert ikm_of_nrrs(WORKED) == Decimal("79.86")
    assert grade(Decimal("79.86")).letter == "B"
    assert grade(Decimal("79.86")).label() == "Baik"


def test_the_printed_weight_0_111_would_give_79_78_and_the_exact_ninth_does_not():
    with_0_111 = sum(Fraction(n) * Fraction("0.111") for n in WORKED) * 25
    assert round_cents(with_0_111) == Decimal("79.78")
    assert ikm_of_nrrs(WORKED) != round_cents(with_0_111)


def test_the_same_example_from_four_respondents_answers():
    result = compute(tally(FOUR_RESPONDENTS))
    assert result.respondents == 4
    assert [e.nrr for e in result.elements] == [Fraction(n) for n in WORKED]
    assert [e.answers for e in result.elements] == [4] * 9
    assert result.ikm == Decimal("79.86") and result.grade.letter == "B"
    assert result.reason is None
    assert result.index == Fraction(2875, 900)  # 28.75 / 9 on the 1-4 scale


def test_all_fours_give_100_not_99_9():
    assert ikm_of_nrrs(["4"] * 9) == Decimal("100.00")
    assert round_cents(Fraction("0.111") * 9 * 4 * 25) == Decimal("99.90")
    result = compute(tally(["444444444"] * 3))
    assert result.ikm == Decimal("100.00") and result.grade.letter == "A"


def test_all_ones_give_25_grade_d():
    result = compute(tally(["111111111"]))
    assert result.ikm == Decimal("25.00") and result.grade.letter == "D"
    assert result.grade.label() == "Tidak Baik" and result.grade.label("en") == "Not good"


def test_nine_nrrs_of_3_5324_give_88_31_grade_a_where_0_111_gives_88_22_grade_b():
    assert ikm_of_nrrs(["3.5324"] * 9) == Decimal("88.31")
    assert grade(ikm_of_nrrs(["3.5324"] * 9)).letter == "A"
    with_0_111 = round_cents(Fraction("3.5324") * 9 * Fraction("0.111") * 25)
    assert with_0_111 == Decimal("88.22") and grade(with_0_111).letter == "B"


@pytest.mark.parametrize(
    ("value", "letter", "quality"),
    [
        ("100", "A", "Sangat Baik"),
        ("88.31", "A", "Sangat Baik"),
        ("88.305", "A", "Sangat Baik"),  # rounds half up to 88.31
        ("88.3049", "B", "Baik"),
        ("88.30", "B", "Baik"),
        ("76.61", "B", "Baik"),
        ("76.605", "B", "Baik"),
        ("76.60", "C", "Kurang Baik"),
        ("76.6049", "C", "Kurang Baik"),
        ("65.00", "C", "Kurang Baik"),
        ("64.995", "C", "Kurang Baik"),
        ("64.99", "D", "Tidak Baik"),
        ("25", "D", "Tidak Baik"),
    ],
)
def test_the_bands_and_their_gaps(value, letter, quality):
    found = grade(Decimal(value))
    assert (found.letter, found.label()) == (letter, quality)
    assert found.weak is (letter in "CD")


def test_band_edges_reached_through_nrrs():
    # mean NRR 3.0644 -> 76.61 (B); 3.064 -> 76.60 (C); 2.60 -> 65.00 (C); 2.5996 -> 64.99 (D)
    for mean, expected, letter in (
        ("3.0644", "76.61", "B"),
        ("3.064", "76.60", "C"),
        ("2.60", "65.00", "C"),
        ("2.5996", "64.99", "D"),
    ):
        value = ikm_of_nrrs([mean] * 9)
        assert (value, grade(value).letter) == (Decimal(expected), letter)


def test_the_ikm_is_rounded_once_at_the_end_not_per_unsur():
    # NRRs of 10/3 (3.3333..) and 3: rounding each NRR x 25 first would give 83.33 and 75.00
    nrrs = [Fraction(10, 3)] * 5 + [Fraction(3)] * 4
    exact = (Fraction(50, 3) + 12) / 9 * 25  # 79.629629...
    assert ikm_of_nrrs(nrrs) == Decimal("79.63") == round_cents(exact)


def test_an_incomplete_response_counts_for_the_unsur_it_answered():
    result = compute(tally(["444444444", "22", "3"]))
    assert result.respondents == 3
    answers = [e.answers for e in result.elements]
    assert answers == [3, 2, 1, 1, 1, 1, 1, 1, 1]
    assert result.elements[0].nrr == Fraction(4 + 2 + 3, 3)
    assert result.elements[1].nrr == Fraction(4 + 2, 2)
    assert result.elements[2].nrr == Fraction(4)
    # (3 + 3 + 4*7) / 9 * 25 = 94.444..
    assert result.ikm == Decimal("94.44")


def test_characters_that_are_no_score_answer_nothing():
    t = tally(["40x5", "", "0000"])
    assert t.respondents == 1 and t.counts[0] == 1 and sum(t.counts) == 1


def test_no_respondents_no_ikm_and_a_reason():
    result = compute(Tally())
    assert result.ikm is None and result.grade is None and result.reason == NO_RESPONDENTS
    assert result.unanswered == tuple(u.code for u in UNSUR)
    assert all(e.nrr is None and e.value is None and e.grade is None for e in result.elements)


def test_an_unsur_nobody_answered_means_no_ikm_over_fewer_unsur():
    result = compute(tally(["34", "4"]))
    assert result.respondents == 2 and result.ikm is None and result.reason == UNANSWERED
    assert result.unanswered == ("U3", "U4", "U5", "U6", "U7", "U8", "U9")
    assert result.elements[0].value == Decimal("87.50")  # each answered unsur still shows
    assert result.elements[0].grade.letter == "B"


def test_tallies_add_up():
    a, b = tally(FOUR_RESPONDENTS[:2]), tally(FOUR_RESPONDENTS[2:])
    assert a + b == tally(FOUR_RESPONDENTS)


def test_an_element_value_and_grade_flag_weak_unsur():
    result = compute(tally(FOUR_RESPONDENTS))
    values = {e.unsur.code: (e.value, e.grade.letter) for e in result.elements}
    assert values["U4"] == (Decimal("100.00"), "A")
    assert values["U3"] == (Decimal("62.50"), "D")
    assert values["U8"] == (Decimal("68.75"), "C")
    assert values["U2"] == (Decimal("75.00"), "C")  # 3.00 x 25: below 76.61
    assert [e.unsur.code for e in result.elements if e.grade.weak] == ["U2", "U3", "U8", "U9"]


def test_nine_unsur_in_the_order_of_the_sms_digits_and_the_ussd_questions():
    assert [u.code for u in UNSUR] == [f"U{n}" for n in range(1, 10)]
    assert UNSUR[7].label() == "Sarana dan Prasarana"  # 14/2017, not 16/2014's Maklumat
    tree = load_tree()
    for n, unsur in enumerate(UNSUR, start=1):
        for lang in ("id", "en"):
            question = tree.text(lang, f"skm.u{n}")
            assert question.startswith(f"{n}/9 {unsur.short_label(lang)}"), (lang, question)
            assert unsur.label(lang)


def test_grades_are_best_first():
    assert [g.letter for g in GRADES] == ["A", "B", "C", "D"]


KREJCIE_MORGAN_1970 = {
    10: 10, 15: 14, 20: 19, 25: 24, 30: 28, 35: 32, 40: 36, 45: 40, 50: 44, 55: 48, 60: 52,
    65: 56, 70: 59, 75: 63, 80: 66, 85: 70, 90: 73, 95: 76, 100: 80, 110: 86, 120: 92,
    130: 97, 140: 103, 150: 108, 160: 113, 170: 118, 180: 123, 190: 127, 200: 132, 210: 136,
    220: 140, 230: 144, 240: 148, 250: 152, 260: 155, 270: 159, 280: 162, 290: 165, 300: 169,
    320: 175, 340: 181, 360: 186, 380: 191, 400: 196, 420: 201, 440: 205, 460: 210, 480: 214,
    500: 217, 550: 226, 600: 234, 650: 242, 700: 248, 750: 254, 800: 260, 850: 265, 900: 269,
    950: 274, 1000: 278, 1100: 285, 1200: 291, 1300: 297, 1400: 302, 1500: 306, 1600: 310,
    1700: 313, 1800: 317, 1900: 320, 2000: 322, 2200: 327, 2400: 331, 2600: 335, 2800: 338,
    3000: 341, 3500: 346, 4000: 351, 4500: 354, 5000: 357, 6000: 361, 7000: 364, 8000: 367,
    9000: 368, 10000: 370, 15000: 375, 20000: 377, 30000: 379, 40000: 380, 50000: 381,
    75000: 382, 1000000: 384,
}  # fmt: skip
"""Krejcie & Morgan (1970), Table 1 (population N: sample S)."""


def test_krejcie_morgan_reproduces_the_published_table():
    got = {n: krejcie_morgan(n) for n in KREJCIE_MORGAN_1970}
    assert got == KREJCIE_MORGAN_1970


def test_krejcie_morgan_small_and_empty_populations():
    assert krejcie_morgan(0) == 0
    assert krejcie_morgan(1) == 1
    assert krejcie_morgan(5) == 5
    assert all(krejcie_morgan(n) <= n for n in range(1, 200))
    assert krejcie_morgan(10**9) == 384
