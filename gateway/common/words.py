"""The words people really type in an SMS, reduced to what they mean. Pure, no I/O.

Labura's parents, pupils and teachers write ``sdh pak``, ``blm tau kak``, ``iya bu``,
``gk masuk2``, ``makasih bang``. The poll matcher (``gateway.polls.answers``), the keyword
parser's idea of a bare answer (``gateway.sms.keywords``), the auto-tagger
(``gateway.sms.tagging``) and the thank-you test (``gateway.feedback.lifecycle``) read them
through the same tables here:

- ``tokens(text)``: upper-case ASCII words and numbers, every other character a separator,
  a doubled word written with ``2`` (``masuk2``) read as the word;
- ``expand(words)``: SMS abbreviations and regional spellings to the standard word
  (``TDK`` → ``TIDAK``, ``SDH`` → ``SUDAH``, ``GMN`` → ``BAGAIMANA``, ``SKLH`` → ``SEKOLAH``);
- ``COURTESY`` and ``FILLERS``: forms of address (``PAK``, ``BU``, ``KAK``, ``BANG``, the
  Batak ``AMANG``/``INANG``...), thanks and particles (``MAKASIH``, ``DONG``, ``SIH``) that
  say nothing about the answer; ``meaningful(words)`` drops them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# fmt: off
ABBREVIATIONS: dict[str, str] = {
    # negation and "not yet" / "already"
    "TDK": "TIDAK", "TAK": "TIDAK", "GK": "TIDAK", "GAK": "TIDAK", "GA": "TIDAK",
    "NGGAK": "TIDAK", "NGGA": "TIDAK", "ENGGAK": "TIDAK", "ENGGA": "TIDAK", "NDAK": "TIDAK",
    "NDAX": "TIDAK", "GAX": "TIDAK", "KAGAK": "TIDAK", "TIDA": "TIDAK", "TDAK": "TIDAK",
    "TIDK": "TIDAK", "NDA": "TIDAK",
    "BLM": "BELUM", "BLUM": "BELUM", "BELOM": "BELUM", "BLOM": "BELUM", "LOM": "BELUM",
    "SDH": "SUDAH", "SUDH": "SUDAH", "UDH": "SUDAH", "UDAH": "SUDAH", "DAH": "SUDAH",
    "SDAH": "SUDAH", "UDA": "SUDAH", "SUDA": "SUDAH",
    # everyday words
    "YG": "YANG", "YNG": "YANG", "KRN": "KARENA", "KRNA": "KARENA", "KARNA": "KARENA",
    "GMN": "BAGAIMANA", "GIMANA": "BAGAIMANA", "BGMN": "BAGAIMANA", "BGM": "BAGAIMANA",
    "GMNA": "BAGAIMANA", "GIMNA": "BAGAIMANA", "CEMANA": "BAGAIMANA", "MACAMANA": "BAGAIMANA",
    "DGN": "DENGAN", "DG": "DENGAN", "UTK": "UNTUK", "UNTK": "UNTUK", "JG": "JUGA",
    "BGT": "BANGET", "BNGT": "BANGET", "TRS": "TERUS", "TRUS": "TERUS", "BRP": "BERAPA",
    "BRAPA": "BERAPA", "KPN": "KAPAN", "KPAN": "KAPAN", "DMN": "DIMANA", "DR": "DARI",
    "DRI": "DARI", "SY": "SAYA", "SAYE": "SAYA", "AKU": "SAYA",
    "SJ": "SAJA", "AJ": "SAJA", "AJA": "SAJA", "SAJE": "SAJA", "BS": "BISA", "BSA": "BISA",
    "TAU": "TAHU", "TAO": "TAHU", "TW": "TAHU", "THU": "TAHU", "TAHUNYA": "TAHU",
    "MSK": "MASUK", "MASOK": "MASUK", "MSUK": "MASUK", "JRG": "JARANG", "JARANK": "JARANG",
    "SRG": "SERING", "SRING": "SERING", "PRNH": "PERNAH", "PERNA": "PERNAH",
    "KRG": "KURANG", "KRNG": "KURANG", "BLI": "BELI", "BYR": "BAYAR", "BAYA": "BAYAR",
    "RB": "RIBU", "DUIT": "UANG", "DUWIT": "UANG", "DOKU": "UANG", "HRS": "HARUS",
    "MINTAK": "MINTA", "MNTA": "MINTA",
    # school words
    "SKLH": "SEKOLAH", "SKOLAH": "SEKOLAH", "SEKOLA": "SEKOLAH",
    "SKULAH": "SEKOLAH", "SEKULAH": "SEKOLAH", "SKUL": "SEKOLAH", "SKLAH": "SEKOLAH",
    "KLS": "KELAS", "KLAS": "KELAS", "GR": "GURU", "GURUNYA": "GURU", "MRD": "MURID",
    "SISWANYA": "SISWA", "ANAKNYA": "ANAK", "ANK": "ANAK", "KEPSEK": "KEPSEK",
    "KASEK": "KEPSEK", "KS": "KEPSEK", "KEPALASEKOLAH": "KEPSEK", "BPK": "BAPAK",
    "IBUK": "IBU",
}
ANSWER_WORDS: dict[str, str] = {
    "IYA": "YA", "IYAA": "YA", "IYAH": "YA", "YAA": "YA", "YAAA": "YA", "Y": "YA", "IY": "YA",
    "YOI": "YA", "YUP": "YA", "YES": "YA", "IYO": "YA", "IO": "YA", "YAP": "YA",
    "NO": "TIDAK", "NOPE": "TIDAK",
}
"""How people write yes and no in a reply; read only where a reply is expected (a poll
answer), since ``NO`` is also how ``nomor`` is shortened."""
COURTESY = frozenset({
    "PAK", "BAPAK", "BPK", "PK", "BU", "BUK", "IBU", "IBUK", "BUNDA", "KAK", "KAKAK", "KA",
    "BANG", "ABANG", "BG", "DEK", "ADEK", "ADIK", "MAS", "MBAK", "MBA", "OM", "TANTE",
    "PAKDE", "BUDE", "CIKGU", "CIK", "AMANG", "INANG", "TULANG", "NANTULANG", "OPUNG",
    "OMPUNG", "BOU", "UNI", "WAK", "UWAK", "ETEK", "MAK", "SIR", "MADAM", "MAAM", "MIN",
})
"""Forms of address around an answer: ``iya pak``, ``sdh bu``, ``blm tahu kak``."""
THANKS = frozenset({
    "MAKASIH", "MAKASI", "MKSH", "MKS", "MAKSIH", "MKASIH", "TRIMAKASIH", "TERIMAKASIH",
    "TERIMA", "KASIH", "TRIMA", "TRIMS", "TQ", "TKS", "THX", "THANKS", "THANK", "YOU",
    "TENGKYU", "MAULIATE", "MAULATE", "SUWUN", "NUWUN",
})
"""Thank-you words, Batak ``mauliate`` included."""
FILLERS = THANKS | frozenset({
    "DONG", "DEH", "SIH", "KOK", "NIH", "TUH", "LAH", "KAH", "YAH", "LOH", "LHO", "KAN",
    "NAH", "HEHE", "HIHI", "WKWK", "SALAM", "ASSALAMUALAIKUM", "ASS", "SELAMAT", "HALO",
    "HALLO", "HAI", "HI", "HELLO", "MAAF", "PUNTEN", "TABIK", "HORAS", "BAIKLAH", "OKELAH",
    "SAJA", "AJA", "BANYAK", "SO", "MUCH", "VERY", "INSYAALLAH", "INSYALLAH", "INSHAALLAH",
    "INSHALLAH",
    "ISYAALLAH", "INSYA", "ALLAH", "AMIN", "ALHAMDULILLAH", "ALHAMDULILAH",
})
"""Thanks, greetings and particles that carry no answer: ``ya bu sudah makasih``."""
# fmt: on

_WORD = re.compile(r"[A-Z0-9]+")
_DOUBLED = re.compile(r"\A([A-Z]{3,})2\Z")
_SCHOOLS = frozenset({"SDN", "SMP", "SMPN", "SMA", "SMAN", "SMK", "SMKN", "MTS", "MTSN", "MIN"})


_TIMES_OF_DAY = frozenset({"PAGI", "SIANG", "SORE", "MALAM", "DATANG", "JALAN"})
NEGATIONS = frozenset({"TIDAK", "KURANG", "BELUM", "BUKAN", "JANGAN", "NOT", "DONT"})
"""Words that turn what follows around: ``kurang setuju`` is not ``setuju``."""


def tokens(text: str) -> list[str]:
    """Upper-case ASCII words of `text` (accents dropped); ``masuk2`` reads as ``MASUK``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    found = _WORD.findall(ascii_text.upper())
    return [_undouble(word) for word in found]


def _undouble(word: str) -> str:
    doubled = _DOUBLED.match(word)
    if doubled is None or doubled.group(1) in _SCHOOLS:  # SMPN2 is a school, not SMPN SMPN
        return word
    return doubled.group(1)


def expand(words: Iterable[str], *, answer: bool = False) -> list[str]:
    """Each abbreviation or regional spelling as its standard word; with `answer`, the
    ways of writing yes and no as ``YA`` and ``TIDAK`` too."""
    if answer:
        return [ANSWER_WORDS.get(w) or ABBREVIATIONS.get(w, w) for w in words]
    return [ABBREVIATIONS.get(word, word) for word in words]


def meaningful(words: Iterable[str]) -> list[str]:
    """`words` without forms of address, thanks, particles and greetings (``selamat
    pagi``: PAGI is an answer only when it is not a greeting)."""
    kept: list[str] = []
    previous = ""
    for word in words:
        greeting = previous == "SELAMAT" and word in _TIMES_OF_DAY
        if word not in COURTESY and word not in FILLERS and not greeting:
            kept.append(word)
        previous = word
    return kept


def standard(text: str) -> list[str]:
    """The expanded words of `text`: ``tokens`` then ``expand``."""
    return expand(tokens(text))
