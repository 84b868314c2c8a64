"""Auto-tagging of citizen texts: complaint category and kecamatan. Pure, no I/O.

Tags are suggestions that staff can correct, so every function returns None unless the
words make it clear. Matching works on a normalised form: upper case, every run of
non-alphanumeric characters turned into one space, padded with spaces so that phrases are
found as whole words (" ATAP BOCOR ").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz, process

# Official spellings, domain.md section 2.2 (Kemendagri order 12.23.01-08).
KECAMATAN: tuple[str, ...] = (
    "Kualuh Hulu",
    "Kualuh Leidong",
    "Kualuh Hilir",
    "Aek Kuo",
    "Marbau",
    "Na IX-X",
    "Aek Natas",
    "Kualuh Selatan",
)

# The nine complaint categories (domain.md section 2.5). "lainnya" is never auto-tagged.
CATEGORIES: tuple[str, ...] = (
    "spmb",
    "ijazah",
    "mutasi",
    "pip",
    "bos",
    "guru",
    "sarpras",
    "perundungan",
    "lainnya",
)

_NON_ALNUM = re.compile(r"[^0-9A-Za-z]+")

# Variants (already normalised) -> official name. Includes the seats (kelurahan) that
# people use for their kecamatan, e.g. Aek Kanopan for Kualuh Hulu.
_KECAMATAN_VARIANTS: dict[str, tuple[str, ...]] = {
    "Kualuh Hulu": ("KUALUH HULU", "KUALU HULU", "KUALA HULU", "AEK KANOPAN", "AEKKANOPAN"),
    "Kualuh Leidong": (
        "KUALUH LEIDONG",
        "KUALUH LEDONG",
        "KUALA LEIDONG",
        "KUALA LEDONG",
        "TANJUNG LEIDONG",
        "TANJUNG LEDONG",
        "TG LEIDONG",
        "TJ LEIDONG",
    ),
    "Kualuh Hilir": ("KUALUH HILIR", "KUALA HILIR", "KAMPUNG MESJID", "KAMPUNG MASJID"),
    "Aek Kuo": ("AEK KUO", "AEKKUO", "AEK KORSIK"),
    "Marbau": ("MARBAU", "MERBAU"),
    "Na IX-X": ("NA IX X", "NA IXX", "NAIXX", "NAIX X", "NA 9 10", "AEK KOTA BATU"),
    "Aek Natas": ("AEK NATAS", "AEKNATAS", "BANDAR DURIAN"),
    "Kualuh Selatan": ("KUALUH SELATAN", "KUALA SELATAN", "KUALU SELATAN", "GUNTING SAGA"),
}
_VARIANT_TO_KECAMATAN: dict[str, str] = {
    variant: official for official, variants in _KECAMATAN_VARIANTS.items() for variant in variants
}
_VARIANT_CHOICES: tuple[str, ...] = tuple(_VARIANT_TO_KECAMATAN)
_KECAMATAN_MIN_SCORE = 85.0

# Category phrases (normalised). A phrase scores its number of words, so "MUTASI GURU"
# (guru, 2) beats "MUTASI" (mutasi, 1).
# fmt: off
_CATEGORY_PHRASES: dict[str, tuple[str, ...]] = {
    "spmb": (
        "SPMB", "PPDB", "ZONASI", "DOMISILI", "JALUR AFIRMASI", "JALUR PRESTASI",
        "JALUR MUTASI", "PENERIMAAN MURID", "PENERIMAAN SISWA", "MURID BARU", "SISWA BARU",
        "PENDAFTARAN SEKOLAH", "DAFTAR SEKOLAH",
    ),
    "ijazah": (
        "IJAZAH", "IJASAH", "IJAZA", "LEGALISIR", "LEGALISASI", "LEGES", "SKPI", "STTB",
        "SKHUN", "SURAT KETERANGAN PENGGANTI",
    ),
    "mutasi": (
        "MUTASI", "MUTASI SISWA", "PINDAH SEKOLAH", "SURAT PINDAH", "REKOMENDASI PINDAH",
        "SISWA PINDAHAN",
    ),
    "pip": (
        "PIP", "KIP", "INDONESIA PINTAR", "KARTU INDONESIA PINTAR", "DANA PIP", "BEASISWA",
    ),
    "bos": (
        "BOS", "BOSP", "DANA BOS", "PUNGUTAN", "PUNGLI", "DIPUNGUT", "MEMUNGUT", "UANG KOMITE",
        "IURAN", "UANG BANGUNAN", "UANG SERAGAM", "UANG BUKU", "JUAL BUKU", "JUAL LKS",
    ),
    "guru": (
        "GURU", "HONOR", "HONORER", "GAJI GURU", "TUNJANGAN", "SERTIFIKASI", "PPPK",
        "KEPALA SEKOLAH", "KEPSEK", "TENDIK", "MUTASI GURU", "GURU DIMUTASI",
    ),
    "sarpras": (
        "ATAP BOCOR", "BOCOR", "ATAP", "PLAFON", "ROBOH", "AMBRUK", "TOILET", "WC",
        "KAMAR MANDI", "RUANG KELAS", "MEJA", "KURSI", "BANGKU", "GEDUNG", "LISTRIK",
        "AIR BERSIH", "PAGAR", "LANTAI", "DINDING", "SARPRAS", "PRASARANA", "SARANA",
        "GEDUNG RUSAK", "KELAS RUSAK",
    ),
    "perundungan": (
        "BULLY", "BULLYING", "DIBULLY", "BULI", "DIBULI", "PERUNDUNGAN", "DIRUNDUNG",
        "DIPUKUL", "DIPUKULI", "KEKERASAN", "PELECEHAN", "DILECEHKAN", "DIANIAYA",
        "DIEJEK", "DIPALAK", "TAWURAN", "DIANCAM",
    ),
}
# fmt: on


def normalise(text: str) -> str:
    """Upper case, one space between alphanumeric words, padded: ' KUALUH HULU '."""
    return f" {_NON_ALNUM.sub(' ', text).strip().upper()} "


def tag_category(text: str) -> str | None:
    """The clearest of the nine category ids for `text`, or None when unclear or tied."""
    padded = normalise(text)
    scores: dict[str, int] = {}
    for category, phrases in _CATEGORY_PHRASES.items():
        score = sum(len(p.split()) for p in phrases if f" {p} " in padded)
        if score:
            scores[category] = score
    return _single_best(scores.items())


def tag_kecamatan(text: str) -> str | None:
    """The official kecamatan a free text names, or None when none or several are named."""
    padded = normalise(text)
    found = {
        official for variant, official in _VARIANT_TO_KECAMATAN.items() if f" {variant} " in padded
    }
    if " NA IX " in padded and " NA IX X " not in padded:
        found.add("Na IX-X")  # "Na IX" alone is how some people write Na IX-X
    return found.pop() if len(found) == 1 else None


def canonical_kecamatan(name: str) -> str | None:
    """Official spelling for a short user input naming one kecamatan (DAFTAR, menus).

    Exact variants first, then a typo-tolerant match (rapidfuzz ratio >= 85) that must not
    be tied between two different kecamatan.
    """
    key = normalise(name).strip()
    if not key:
        return None
    exact = _VARIANT_TO_KECAMATAN.get(key)
    if exact is not None:
        return exact
    matches = process.extract(
        key, _VARIANT_CHOICES, scorer=fuzz.ratio, score_cutoff=_KECAMATAN_MIN_SCORE, limit=None
    )
    if not matches:
        return None
    best = max(score for _, score, _ in matches)
    winners = {_VARIANT_TO_KECAMATAN[choice] for choice, score, _ in matches if score == best}
    return winners.pop() if len(winners) == 1 else None


def _single_best(scores: Iterable[tuple[str, int]]) -> str | None:
    ranked = sorted(scores, key=lambda item: item[1], reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]
