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

from gateway.common import words

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

# Category vocabulary: the everyday words of each category, Indonesian and English, as
# people type them (abbreviations are read first: "tdk msk" is TIDAK MASUK, gateway.common.
# words). Each phrase weighs KEY (5: names the topic: PIP, IJAZAH, PUNGLI, DIBULLY), STRONG
# (3: points to it: KIPAS, TIDAK MASUK, GALAK) or WEAK (1: a hint: GURU, UANG, RUSAK). The
# longest phrase found at a place counts, not the shorter ones inside it ("MUTASI GURU" is
# guru, not mutasi; "UANG KOMITE" is counted once), and each distinct phrase counts once; a
# phrase weighs at least what the phrases of its category inside it weigh.
KEY, STRONG, WEAK = 5, 3, 1
# fmt: off
_VOCABULARY: dict[str, dict[int, tuple[str, ...]]] = {
    "spmb": {
        KEY: (
            "SPMB", "PPDB", "ZONASI", "DOMISILI", "JALUR AFIRMASI", "JALUR PRESTASI",
            "JALUR MUTASI", "JALUR ZONASI", "JALUR DOMISILI", "PENERIMAAN MURID",
            "PENERIMAAN SISWA", "PENERIMAAN PESERTA DIDIK", "MURID BARU", "SISWA BARU",
            "PESERTA DIDIK BARU", "PENDAFTARAN SEKOLAH", "DAFTAR SEKOLAH", "PENDAFTARAN SISWA",
            "PENDAFTARAN MURID", "ENROLLMENT", "ENROLMENT", "ADMISSION", "ADMISSIONS",
            "SCHOOL REGISTRATION", "NEW STUDENTS", "NEW STUDENT", "ZONING",
        ),
        STRONG: ("TIDAK DITERIMA", "KUOTA", "AFIRMASI", "DAFTAR SD", "DAFTAR SMP", "DAFTAR TK"),
        WEAK: ("PENDAFTARAN", "MENDAFTAR", "DAFTAR", "REGISTRATION", "REGISTER", "UMUR", "USIA"),
    },
    "ijazah": {
        KEY: (
            "IJAZAH", "IJASAH", "IJAZA", "IJASA", "IJAZH", "IJZAH", "IJAJAH",
            "LEGALISIR", "LEGALISIRAN", "LEGALISER", "LEGALISASI", "LEGES", "SKPI", "STTB",
            "SKHUN", "SURAT KETERANGAN LULUS", "SURAT KETERANGAN PENGGANTI", "DIPLOMA",
            "DIPLOMAS", "GRADUATION CERTIFICATE", "TRANSKRIP", "TRANSCRIPT",
        ),
        STRONG: ("SKL", "CERTIFICATE"),
        WEAK: ("LULUS", "KELULUSAN", "RAPOR", "RAPORT"),
    },
    "mutasi": {
        KEY: (
            "MUTASI SISWA", "MUTASI MURID", "MUTASI ANAK", "PINDAH SEKOLAH", "SURAT PINDAH",
            "REKOMENDASI PINDAH", "SISWA PINDAHAN", "MURID PINDAHAN", "SCHOOL TRANSFER",
            "TRANSFER SCHOOL", "CHANGE SCHOOL", "CHANGE SCHOOLS", "MOVE SCHOOL",
            "MOVING SCHOOL", "SURAT MUTASI",
        ),
        STRONG: ("PINDAHAN", "MUTASI"),
        WEAK: ("PINDAH", "TRANSFER"),
    },
    "pip": {
        KEY: (
            "PIP", "KIP", "DANA PIP", "UANG PIP", "BANTUAN PIP", "INDONESIA PINTAR",
            "KARTU INDONESIA PINTAR", "PROGRAM INDONESIA PINTAR", "BEASISWA", "SCHOLARSHIP",
            "SMART INDONESIA", "BSM", "BANTUAN SISWA MISKIN",
        ),
        STRONG: ("BANTUAN SISWA", "BELUM CAIR", "TIDAK CAIR", "PENCAIRAN"),
        WEAK: ("CAIR", "DICAIRKAN", "BANTUAN", "REKENING", "BUKU TABUNGAN"),
    },
    "bos": {
        KEY: (
            "BOS", "BOSP", "DANA BOS", "DANA BOSP", "PUNGUTAN", "PUNGUTAN LIAR", "PUNGLI",
            "DIPUNGUT", "DIPUNGUTI", "MEMUNGUT", "UANG KOMITE", "IURAN", "UANG PERPISAHAN",
            "PERPISAHAN", "UANG GEDUNG", "UANG BANGUNAN", "UANG PEMBANGUNAN", "UANG SERAGAM",
            "UANG BUKU", "UANG LKS", "LKS", "JUAL BUKU", "JUAL LKS", "WAJIB BELI", "UANG SPP",
            "SPP", "UANG UJIAN", "UANG WISUDA", "WISUDA", "UANG KELULUSAN", "STUDY TOUR",
            "STUDI TOUR", "STUDYTOUR", "UANG LES", "LES WAJIB", "SUMBANGAN", "DONASI",
            "UANG PENDAFTARAN", "DAFTAR ULANG", "UANG DAFTAR ULANG", "UANG SEKOLAH",
            "UANG PRAMUKA", "UANG KAS", "KUTIPAN", "DIKUTIP", "MENGUTIP", "KUTIP", "FEE", "FEES",
            "LEVY", "LEVIES", "ILLEGAL LEVY",
            "SCHOOL FEE", "SCHOOL FEES", "TUITION", "EXTORTION", "BRIBE", "KORUPSI",
            "DIKORUPSI", "UNIFORM FEE",
        ),
        STRONG: (
            "KOMITE", "BIAYA", "BAYAR", "MEMBAYAR", "DIBAYAR", "BAYARAN", "MINTA UANG",
            "DIMINTAI UANG", "DIMINTA UANG", "DIMINTAI", "SETOR", "SERAGAM", "BELI BUKU",
            "HARUS BELI", "CHARGED", "CHARGE", "PAY", "PAYMENT", "MAHAL",
        ),
        WEAK: ("UANG", "RUPIAH", "MONEY", "HARGA", "DANA"),
    },
    "guru": {
        KEY: (
            "HONOR GURU", "GAJI GURU", "GURU HONOR", "GURU HONORER", "HONORER", "HONOR",
            "GAJIAN", "TUNJANGAN", "TPP", "TPG", "SERTIFIKASI", "PPPK", "P3K", "MUTASI GURU",
            "GURU DIMUTASI", "GURU PINDAH", "GURU TIDAK MASUK", "GURU JARANG MASUK",
            "GURU KASAR", "GURU GALAK", "GURU MALAS", "TEACHER ABSENT", "RUDE TEACHER",
            "TEACHER IS ABSENT", "TEACHERS ABSENT", "TENDIK", "HONORARIUM", "SALARY",
        ),
        STRONG: (
            "TIDAK MASUK", "JARANG MASUK", "TIDAK PERNAH MASUK", "TIDAK MENGAJAR",
            "TIDAK NGAJAR", "JARANG MENGAJAR", "JARANG NGAJAR", "BOLOS", "MEMBOLOS", "ABSEN",
            "TIDAK HADIR", "JARANG HADIR", "PULANG CEPAT", "TERLAMBAT", "TELAT", "KASAR", "GALAK",
            "PEMARAH",
            "MARAH", "MEMARAHI", "MEMAKI", "MAKI", "MEMBENTAK", "BENTAK", "MENGHINA",
            "BERKATA KASAR", "BICARA KASAR", "MENCARUT", "CARUT", "MALAS", "MALAS MENGAJAR",
            "TIDUR", "MAIN HP", "SIBUK HP", "GAJI", "ABSENT", "RUDE", "ANGRY", "SHOUTS",
            "SHOUTING", "YELLS", "YELLING", "LAZY", "NEVER TEACHES", "NEVER COMES",
            "DOES NOT COME", "DOESNT COME", "NEVER COME", "LATE", "KEPALA SEKOLAH", "KEPSEK",
        ),
        WEAK: (
            "GURU", "WALI KELAS", "PENGAJAR", "MENGAJAR", "NGAJAR", "TEACHER", "TEACHERS",
            "PRINCIPAL", "HEADMASTER", "HEADTEACHER", "OPERATOR",
        ),
    },
    "sarpras": {
        KEY: (
            "SARPRAS", "PRASARANA", "SARANA", "ATAP BOCOR", "GEDUNG RUSAK", "KELAS RUSAK",
            "RUANG KELAS RUSAK", "KIPAS ANGIN", "KIPAS", "AIR BERSIH", "AIR MINUM",
            "KAMAR MANDI", "KAMAR KECIL", "TOILET", "WC", "JAMBAN", "KAKUS", "PAPAN TULIS",
            "WHITEBOARD", "BLACKBOARD", "CHALKBOARD", "PLAFON", "PLAFOND", "ROBOH", "AMBRUK",
            "RUBUH", "MATI LAMPU", "LAMPU MATI", "LISTRIK", "CEILING FAN", "CLEAN WATER",
            "DRINKING WATER", "ELECTRICITY", "POWER CUT", "BLACKOUT", "TOILETS", "BATHROOM",
            "BATHROOMS", "LATRINE", "ROOF", "ROOFS", "LEAKING ROOF", "ROOF LEAKS",
            "ROOF IS LEAKING",
        ),
        STRONG: (
            "ATAP", "BOCOR", "GENTENG", "SENG", "ASBES", "LAMPU", "PLN", "SUMUR", "PDAM",
            "KRAN", "KERAN", "BANGKU", "MEJA", "KURSI", "KAPUR", "JENDELA", "PINTU", "KACA",
            "LANTAI", "DINDING", "TEMBOK", "PAGAR", "GEDUNG", "RUANG KELAS", "PERPUSTAKAAN",
            "LABORATORIUM", "LAB", "KOMPUTER", "PROYEKTOR", "LCD", "BANJIR", "KEBANJIRAN",
            "TERGENANG", "FAN", "FANS", "LIGHTS", "LAMP", "LAMPS", "LEAK", "LEAKS", "LEAKING",
            "LEAKY", "CEILING", "COLLAPSED", "BENCH", "BENCHES", "DESK", "DESKS", "CHAIR",
            "CHAIRS", "CLASSROOM", "CLASSROOMS", "BUILDING", "WINDOW", "WINDOWS", "DOOR",
            "DOORS", "FENCE", "FLOOR", "WALL", "WALLS", "FLOOD", "FLOODED", "GELAP",
        ),
        WEAK: (
            "RUSAK", "RENOVASI", "REHAB", "KOTOR",
            "JOROK", "BAU", "AIR", "WATER", "LIGHT", "BROKEN", "DAMAGED", "REPAIR", "POWER",
        ),
    },
    "perundungan": {
        KEY: (
            "BULLY", "BULLYING", "DIBULLY", "DIBULY", "BULY", "BULI", "DIBULI", "NGEBULLY",
            "MEMBULLY", "MEMBULI", "PERUNDUNGAN", "DIRUNDUNG", "RUNDUNG", "DIPUKUL",
            "DIPUKULI", "DIPUKULIN", "MEMUKUL", "PUKUL", "MUKUL", "MUKULIN", "DITAMPAR",
            "TAMPAR", "NAMPAR", "DITENDANG", "NENDANG", "MENENDANG", "DIKEROYOK", "KEROYOK",
            "DIANIAYA", "PENGANIAYAAN", "ANIAYA", "KEKERASAN", "PELECEHAN", "DILECEHKAN",
            "MELECEHKAN", "CABUL", "PENCABULAN", "DICABULI", "DIPALAK", "PALAK", "MALAK",
            "PEMALAKAN", "DIANCAM", "MENGANCAM", "ANCAMAN", "TAWURAN", "BERKELAHI",
            "PERKELAHIAN", "DIJEWER", "JEWER", "DICUBIT", "DISIKSA", "DIEJEK", "DIOLOK",
            "DIHINA", "DIKUCILKAN", "DIPERAS", "BULLIED", "BULLIES", "BEATEN", "BEATING",
            "SLAPPED", "KICKED", "PUNCHED", "VIOLENCE", "VIOLENT", "ABUSE", "ABUSED",
            "HARASSED", "HARASSMENT", "THREATENED", "TEASED", "MOCKED",
        ),
        STRONG: ("HIT", "HITS", "HITTING", "BEAT", "SLAP", "FIGHT", "FIGHTING", "THREAT"),
        WEAK: (),
    },
}
# fmt: on


def _category_words(text: str) -> list[str]:
    """The standard words of `text` (``gateway.common.words``), ``-nya`` dropped
    (``atapnya`` is ATAP), amounts (``150rb``, ``Rp``) read as RUPIAH."""
    found = []
    for word in words.standard(text):
        if _AMOUNT.match(word):
            word = "RUPIAH"
        elif len(word) > 5 and word.endswith("NYA"):
            word = words.ABBREVIATIONS.get(word[:-3], word[:-3])
        found.append(word)
    return found


_AMOUNT = re.compile(r"\A(?:RP[0-9]*|[0-9]+(?:RB|RIBU|K|JT|JUTA|RP))\Z")


def _phrase_table() -> dict[tuple[str, ...], tuple[str, int]]:
    """Phrase words -> (category, weight); a phrase weighs at least as much as the
    phrases of its category inside it ("IJAZAH RUSAK" is no weaker than IJAZAH)."""
    table = {
        tuple(_category_words(phrase)): (category, weight)
        for category, tiers in _VOCABULARY.items()
        for weight, phrases in tiers.items()
        for phrase in phrases
    }
    for key, (category, weight) in table.items():
        inner = [
            table[part][1]
            for n in range(1, len(key))
            for i in range(len(key) - n + 1)
            if (part := key[i : i + n]) in table and table[part][0] == category
        ]
        table[key] = (category, max([weight, *inner]))
    return table


_PHRASES = _phrase_table()
_LONGEST = max(map(len, _PHRASES))


def normalise(text: str) -> str:
    """Upper case, one space between alphanumeric words, padded: ' KUALUH HULU '."""
    return f" {_NON_ALNUM.sub(' ', text).strip().upper()} "


def category_phrases(text: str) -> list[tuple[str, str, int]]:
    """The vocabulary phrases that count in `text`: (phrase, category, weight), each once,
    none inside a longer one found at the same place."""
    found = _category_words(text)
    spans = [
        (start, start + n, _PHRASES[key])
        for start in range(len(found))
        for n in range(1, min(_LONGEST, len(found) - start) + 1)
        if (key := tuple(found[start : start + n])) in _PHRASES
    ]
    counted: dict[tuple[str, str], int] = {}
    for start, end, (category, weight) in spans:
        inside = any(s <= start and end <= e and e - s > end - start for s, e, _ in spans)
        if not inside:
            counted[(" ".join(found[start:end]), category)] = weight
    return [(phrase, category, weight) for (phrase, category), weight in counted.items()]


def tag_category(text: str) -> str | None:
    """The clearest of the nine category ids for `text`, or None when unclear or tied."""
    scores: dict[str, int] = {}
    for _, category, weight in category_phrases(text):
        scores[category] = scores.get(category, 0) + weight
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
