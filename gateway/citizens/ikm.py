"""The SKM arithmetic of PermenPANRB 14/2017, pure (no I/O): the nine unsur, NRR per unsur,
the IKM, its grade, and the Krejcie-Morgan minimum sample.

- **NRR per unsur** = sum of that unsur's scores / the number of respondents who answered it
  (an incomplete response counts for the unsur it answered, and only for those).
- **IKM** = sum over the nine unsur of NRR x 1/9, x 25. The weight is the exact fraction 1/9,
  never the printed 0.111 (which gives 99.9 for nine perfect scores and 88.22, grade B, where
  1/9 gives 88.31, grade A). Everything is computed in `Fraction` and only the final IKM is
  rounded, half up, to two decimals; the grade is read off that rounded value.
- **Grade** (mutu pelayanan): ``>= 88.31`` A Sangat Baik, ``>= 76.61`` B Baik, ``>= 65.00``
  C Kurang Baik, else D Tidak Baik. The published bands have gaps (64.99/65.00, 76.60/76.61,
  88.30/88.31); a value rounded to two decimals never falls into one. The same bands grade one
  unsur on the 25-100 scale (NRR x 25, rounded the same way) to find the weak ones.
- The IKM needs all nine unsur: with no respondent, or an unsur nobody answered, there is no
  IKM (``reason`` says why) rather than a number over fewer unsur than the regulation weighs.
- **Krejcie-Morgan** (1970): S = X^2 N P(1-P) / (d^2 (N-1) + X^2 P(1-P)) with X^2 = 3.841,
  P = 0.5, d = 0.05, rounded to the nearest whole respondent (half up): that reproduces every
  value of the published table (10 -> 10, 50 -> 44, 500 -> 217, 1 000 000 -> 384).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

SCALE = 25
"""The 1-4 scale times 25 is the 25-100 scale the IKM is reported on."""
SCORES = "1234"


@dataclass(frozen=True)
class Unsur:
    """One of the nine elements: ``code`` U1..U9, the official name (``name``) and the short
    word the USSD survey puts before its question (``short``), each ``{"id": .., "en": ..}``."""

    code: str
    name: dict[str, str]
    short: dict[str, str]

    def label(self, language: str = "id") -> str:
        return self.name.get(language) or self.name["id"]

    def short_label(self, language: str = "id") -> str:
        return self.short.get(language) or self.short["id"]


UNSUR: tuple[Unsur, ...] = (
    Unsur(
        "U1",
        {"id": "Persyaratan", "en": "Requirements"},
        {"id": "Persyaratan", "en": "Requirements"},
    ),
    Unsur(
        "U2",
        {"id": "Sistem, Mekanisme, dan Prosedur", "en": "System, mechanism and procedure"},
        {"id": "Prosedur", "en": "Procedure"},
    ),
    Unsur(
        "U3",
        {"id": "Waktu Penyelesaian", "en": "Completion time"},
        {"id": "Waktu", "en": "Time"},
    ),
    Unsur("U4", {"id": "Biaya/Tarif", "en": "Cost/fee"}, {"id": "Biaya", "en": "Cost"}),
    Unsur(
        "U5",
        {"id": "Produk Spesifikasi Jenis Pelayanan", "en": "Service product as specified"},
        {"id": "Produk", "en": "Product"},
    ),
    Unsur(
        "U6",
        {"id": "Kompetensi Pelaksana", "en": "Staff competence"},
        {"id": "Kompetensi", "en": "Competence"},
    ),
    Unsur(
        "U7",
        {"id": "Perilaku Pelaksana", "en": "Staff behaviour"},
        {"id": "Perilaku", "en": "Behaviour"},
    ),
    Unsur(
        "U8",
        {"id": "Sarana dan Prasarana", "en": "Facilities and infrastructure"},
        {"id": "Sarana", "en": "Facilities"},
    ),
    Unsur(
        "U9",
        {
            "id": "Penanganan Pengaduan, Saran dan Masukan",
            "en": "Handling of complaints, suggestions and input",
        },
        {"id": "Penanganan pengaduan", "en": "Handling of complaints"},
    ),
)
"""The nine unsur of PermenPANRB 14/2017, in the order the SMS digits and USSD questions put
them (``SKM 443434343``: the first digit is U1). The USSD catalogue's questions start with
``n/9 <short>`` (`tests/unit/test_ikm.py` checks both languages)."""
COUNT = len(UNSUR)
WEIGHT = Fraction(1, COUNT)


@dataclass(frozen=True)
class Grade:
    letter: str
    quality: dict[str, str]
    lower: Decimal

    def label(self, language: str = "id") -> str:
        return self.quality.get(language) or self.quality["id"]

    @property
    def weak(self) -> bool:
        """Below Baik (C or D): the element or service needs improving first."""
        return self.letter in ("C", "D")


GRADES: tuple[Grade, ...] = (
    Grade("A", {"id": "Sangat Baik", "en": "Very good"}, Decimal("88.31")),
    Grade("B", {"id": "Baik", "en": "Good"}, Decimal("76.61")),
    Grade("C", {"id": "Kurang Baik", "en": "Less than good"}, Decimal("65.00")),
    Grade("D", {"id": "Tidak Baik", "en": "Not good"}, Decimal("0")),
)
"""Mutu pelayanan on the 25-100 scale, best first; each band starts at ``lower``."""


@dataclass(frozen=True)
class Tally:
    """What the responses of a period add up to: per unsur the sum of the scores and how many
    answered it, and how many responses answered at least one unsur (``respondents``).
    Tallies add up (``a + b``), so per-service tallies give the overall one."""

    sums: tuple[int, ...] = (0,) * COUNT
    counts: tuple[int, ...] = (0,) * COUNT
    respondents: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            tuple(a + b for a, b in zip(self.sums, other.sums, strict=True)),
            tuple(a + b for a, b in zip(self.counts, other.counts, strict=True)),
            self.respondents + other.respondents,
        )


def tally(responses: Iterable[str]) -> Tally:
    """The tally of stored answer strings (``"443434343"``; a dropped USSD survey's is a
    prefix such as ``"34"``). A character that is not a score 1-4 answers nothing."""
    sums, counts, respondents = [0] * COUNT, [0] * COUNT, 0
    for answers in responses:
        answered = False
        for i, digit in enumerate(answers[:COUNT]):
            if digit in SCORES:
                sums[i] += int(digit)
                counts[i] += 1
                answered = True
        respondents += answered
    return Tally(tuple(sums), tuple(counts), respondents)


def round_half_up(value: Fraction | Decimal | int, places: int = 2) -> Decimal:
    """``value`` rounded half up to ``places`` decimals, from its exact value."""
    units: int = math.floor(Fraction(value) * 10**places + Fraction(1, 2))
    return Decimal(units).scaleb(-places)


def round_cents(value: Fraction | Decimal | int) -> Decimal:
    """Half up to two decimals, from the exact value (88.305 -> 88.31, 88.3049 -> 88.30)."""
    return round_half_up(value, 2)


def grade(value: Decimal) -> Grade:
    """The band of a value on the 25-100 scale (rounded to two decimals first)."""
    rounded = round_cents(value)
    return next(g for g in GRADES if rounded >= g.lower)


def ikm_of_nrrs(nrrs: Sequence[Fraction | Decimal | int | str]) -> Decimal:
    """The IKM of nine NRRs: sum of NRR x 1/9, x 25, rounded to two decimals at the end.
    Strings and Decimals are read exactly (``"3.5324"``), never through a float."""
    if len(nrrs) != COUNT:
        raise ValueError(f"expected {COUNT} NRRs, got {len(nrrs)}")
    total = sum((Fraction(n) * WEIGHT for n in nrrs), Fraction(0))
    return round_cents(total * SCALE)


@dataclass(frozen=True)
class Element:
    """One unsur's result: ``answers`` respondents answered it, ``nrr`` their mean score
    (exact; None when nobody did), ``value`` NRR x 25 rounded, and its grade."""

    unsur: Unsur
    answers: int
    nrr: Fraction | None

    @property
    def value(self) -> Decimal | None:
        return round_cents(self.nrr * SCALE) if self.nrr is not None else None

    @property
    def weighted(self) -> Fraction | None:
        """NRR tertimbang: NRR x 1/9."""
        return self.nrr * WEIGHT if self.nrr is not None else None

    @property
    def grade(self) -> Grade | None:
        value = self.value
        return grade(value) if value is not None else None


NO_RESPONDENTS = "no_respondents"
UNANSWERED = "unanswered_unsur"


@dataclass(frozen=True)
class Ikm:
    """The result of a period: ``ikm`` None (and ``reason`` set) when it cannot be computed."""

    respondents: int
    elements: tuple[Element, ...]
    ikm: Decimal | None
    reason: str | None = None

    @property
    def grade(self) -> Grade | None:
        return grade(self.ikm) if self.ikm is not None else None

    @property
    def unanswered(self) -> tuple[str, ...]:
        """Codes of the unsur nobody answered."""
        return tuple(e.unsur.code for e in self.elements if e.nrr is None)

    @property
    def index(self) -> Fraction | None:
        """The IKM on the 1-4 scale (sum of NRR tertimbang), exact."""
        if self.ikm is None:
            return None
        return sum((e.weighted for e in self.elements if e.weighted is not None), Fraction(0))


def compute(t: Tally) -> Ikm:
    """The IKM of a tally, with each unsur's NRR and grade."""
    elements = tuple(
        Element(u, count, Fraction(total, count) if count else None)
        for u, total, count in zip(UNSUR, t.sums, t.counts, strict=True)
    )
    if t.respondents < 1:
        return Ikm(t.respondents, elements, None, NO_RESPONDENTS)
    nrrs = [e.nrr for e in elements]
    if any(n is None for n in nrrs):
        return Ikm(t.respondents, elements, None, UNANSWERED)
    return Ikm(t.respondents, elements, ikm_of_nrrs([n for n in nrrs if n is not None]))


CHI_SQUARE = Fraction("3.841")
"""X^2 for one degree of freedom at 95 % confidence."""
PROPORTION = Fraction(1, 2)
MARGIN = Fraction(5, 100)


def krejcie_morgan(population: int) -> int:
    """The minimum number of respondents for a population of ``population`` (Krejcie and
    Morgan 1970), exactly as their table gives it; 0 for an empty population."""
    if population < 1:
        return 0
    spread = CHI_SQUARE * PROPORTION * (1 - PROPORTION)
    size = spread * population / (MARGIN**2 * (population - 1) + spread)
    return min(population, int(size + Fraction(1, 2)))  # half up: size > 0
