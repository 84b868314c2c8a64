"""SMS keyword grammar: a pure function ``parse(text) -> Command``. No I/O.

Matching of the first word (case-insensitive, ASCII letters), in this order:

1. Leading whitespace, emoji and separators are skipped; a leading ``?`` is BANTUAN.
2. Exact alias lookup (one dict hit): ``LAPOR``, ``laporan``, ``lpr``, ``Lapor#``, ``LAPOR:``.
3. Glued prefix (``LAPORatap bocor``, ``INFOPIP``, ``SKM443434343``): the longest alias of
   four letters or more that starts the word. The rest of the word must be three letters or
   more (``SARANA``, ``KELUARGA``, ``DATANG`` are words, not SARAN/KELUAR/DATA + text), or an
   inflection (-KAN, -NYA, -LAH...) of a content keyword (``Laporkan``, ``Tanyakan``).
   Aliases of three letters (ADU, ASK, CEK, REG, LPR, SKM) must stand alone: ``Aduh``,
   ``Askar``, ``Regu`` are ordinary words.
4. A bare short reply (digits, one letter, ya/tidak/setuju..., one short word) is ANSWER,
   courtesy and thanks around it ignored and abbreviations read (``iya pak``, ``ya bu
   sudah``, ``blm tau kak``: ``gateway.common.words``); ``halo`` or ``makasih pak`` alone
   is not. ``is_short_reply`` also lets a short message (``minggu pagi aja``) be tried
   on a waiting poll.
5. Typos: OSA distance (Levenshtein + adjacent transposition, rapidfuzz) to aliases of four
   letters or more, for words of four letters or more: at most 1, or 2 when both are six
   letters or more. A four-letter keyword accepts no substitution, since Indonesian is full
   of one-letter neighbours (DATA/DANA/KATA, HELP/HELM). Common words close to a keyword
   (HARUS~HAPUS, TANPA~TANYA, KELUARGA~KELUAR) are never corrected. A tie between two
   commands is AMBIGUOUS ("maksud Anda ...?").

The no-argument commands (BERHENTI, MULAI, DATA, HAPUS, BANTUAN) followed by a sentence of
more than four words are not commands but feedback ("Bantuan PIP belum cair sejak Juni"):
UNKNOWN with error ``not_a_command``; the explicit opt-out words STOP/UNREG/UNSUBSCRIBE
always opt out. ``body`` is the original text after the keyword and its separators, so
nothing the citizen wrote is lost; emoji are kept in the body.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import OSA

from gateway.common import tickets
from gateway.common.words import expand, meaningful, tokens
from gateway.sms import tagging

# --- tables --------------------------------------------------------------------------------
# fmt: off
ALIASES: dict[str, tuple[str, ...]] = {
    "report": ("LAPOR", "LPR", "LAPORAN", "LAPORKAN", "ADUAN", "ADU", "ADUKAN", "PENGADUAN",
               "KELUHAN", "REPORT", "COMPLAINT", "KOMPLAIN"),
    "suggestion": ("SARAN", "MASUKAN", "USUL", "USULAN", "ASPIRASI", "SUGGEST", "SUGGESTION"),
    "question": ("TANYA", "TNY", "TANYAKAN", "PERTANYAAN", "QUESTION", "ASK"),
    "info": ("INFO", "INFORMASI"),
    "status": ("STATUS", "CEK", "CECK", "LACAK"),
    "subscribe": ("DAFTAR", "REG", "GABUNG", "JOIN"),
    "stop": ("BERHENTI", "STOP", "UNREG", "BATAL", "KELUAR", "UNSUBSCRIBE"),
    "start": ("MULAI", "START"),
    "rsvp": ("HADIR", "RSVP"),
    "skm": ("SKM", "SURVEI", "SURVEY", "NILAI"),
    "data": ("DATA",),
    "erase": ("HAPUS",),
    "help": ("BANTUAN", "HELP", "MENU"),
}
# Ordinary words that start like, or sit one typo away from, a keyword: never a command.
NOT_KEYWORDS = frozenset({
    "ADUH", "ASKAR", "REGU", "CEKAL", "SARANA", "SARAF", "KELUARGA", "KELUARAN", "DATANG",
    "DATAR", "HARUS", "TANPA", "LAPAR", "MULIA", "BATAS", "BATAK", "NILAM", "KATA", "DANA",
    "BATA", "HELM", "STOK", "INFORMAN", "HADIAH", "HAPAL", "STATUE", "MENUJU", "MENUNGGU",
    "SURVEYOR", "STARTER",
})
SUFFIXES = frozenset({"KAN", "NYA", "AN", "LAH", "KAH", "IN", "KU", "MU"})
ANSWER_PHRASES = frozenset({
    "Y", "YA", "YAA", "IYA", "YES", "OK", "OKE", "T", "TIDAK", "TDK", "GAK", "GK", "NGGAK",
    "ENGGAK", "NO", "BELUM", "SUDAH", "SETUJU", "TIDAK SETUJU", "KURANG SETUJU",
    "SANGAT SETUJU", "SETUJU SEKALI", "SANGAT TIDAK SETUJU",
})
# The words a short reply is made of once abbreviations are read (``blm tau`` is BELUM
# TAHU): up to three of them, around courtesy and thanks (``ya bu sudah, makasih``), are
# an answer; anything else is a message.
ANSWER_VOCABULARY = frozenset({
    "YA", "TIDAK", "BELUM", "SUDAH", "SETUJU", "SANGAT", "KURANG", "SEKALI", "TAHU", "BISA",
    "MUNGKIN", "RAGU", "BAIK", "CUKUP", "PERNAH", "ADA", "MAU", "HADIR", "OK", "OKE", "SIAP",
    "JELAS", "PUAS", "BAGUS", "BENAR", "BETUL", "SALAH", "BURUK", "LEBIH", "AGREE",
    "DISAGREE", "MAYBE", "DONE", "NOT", "YET", "KNOW", "DONT", "SURE",
})
INFO_TOPICS: dict[str, str] = {
    "SPMB": "spmb", "PPDB": "spmb", "ZONASI": "spmb",
    "IJAZAH": "ijazah", "IJASAH": "ijazah", "LEGALISIR": "ijazah", "LEGALISASI": "ijazah",
    "SKPI": "ijazah",
    "MUTASI": "mutasi", "PINDAH": "mutasi",
    "PIP": "pip", "KIP": "pip",
    "BOS": "bos", "BOSP": "bos",
    "KONTAK": "kontak", "KONTAKS": "kontak", "ALAMAT": "kontak", "CP": "kontak",
}
ROLES: dict[str, str] = {
    "ORTU": "orang_tua", "ORANGTUA": "orang_tua", "WALI": "orang_tua",
    "WALIMURID": "orang_tua", "GURU": "guru", "PENGAJAR": "guru", "TENDIK": "guru",
    "SISWA": "siswa", "MURID": "siswa", "PELAJAR": "siswa",
    "MASYARAKAT": "masyarakat", "UMUM": "masyarakat", "WARGA": "masyarakat",
}
# fmt: on


class Kind(StrEnum):
    REPORT = "report"
    SUGGESTION = "suggestion"
    QUESTION = "question"
    INFO = "info"
    STATUS = "status"
    SUBSCRIBE = "subscribe"
    STOP = "stop"
    START = "start"
    RSVP = "rsvp"
    SKM = "skm"
    DATA = "data"
    ERASE = "erase"
    HELP = "help"
    ANSWER = "answer"
    AMBIGUOUS = "ambiguous"
    UNKNOWN = "unknown"


Arg = str | int | None


class Command(NamedTuple):
    """The parsed SMS. Immutable; a NamedTuple because it is built once per message and
    a tuple is several times cheaper to construct than a frozen dataclass."""

    kind: Kind
    keyword: str | None = None
    body: str = ""
    args: tuple[Arg, ...] = ()
    error: str | None = None
    candidates: tuple[str, ...] = ()
    typo: bool = False


CANONICAL: dict[Kind, str] = {
    Kind.REPORT: "LAPOR",
    Kind.SUGGESTION: "SARAN",
    Kind.QUESTION: "TANYA",
    Kind.INFO: "INFO",
    Kind.STATUS: "STATUS",
    Kind.SUBSCRIBE: "DAFTAR",
    Kind.STOP: "BERHENTI",
    Kind.START: "MULAI",
    Kind.RSVP: "HADIR",
    Kind.SKM: "SKM",
    Kind.DATA: "DATA",
    Kind.ERASE: "HAPUS",
    Kind.HELP: "BANTUAN",
}
_KIND_BY_ALIAS: dict[str, Kind] = {
    alias: Kind(kind) for kind, aliases in ALIASES.items() for alias in aliases
}
_CONTENT = frozenset({Kind.REPORT, Kind.SUGGESTION, Kind.QUESTION, Kind.INFO, Kind.STATUS})
_BARE = frozenset({Kind.STOP, Kind.START, Kind.DATA, Kind.ERASE, Kind.HELP})
_NEEDS_BODY = frozenset({Kind.REPORT, Kind.SUGGESTION, Kind.QUESTION})
_MAYBE_SENTENCE = _BARE | {Kind.SKM}
_ALWAYS_STOP = frozenset({"STOP", "UNREG", "UNSUBSCRIBE"})
_MAX_BARE_WORDS = 4
_MIN_GLUE, _MIN_REST = 4, 3
_MAX_ALIAS = max(map(len, _KIND_BY_ALIAS))
_MAX_ANSWER_LETTERS = 12
_MAX_ANSWER_CHARS = 30
_MAX_ANSWER_BODY = 60
_MAX_ANSWER_WORDS = 3
_SEPARATORS = " \t\r\n#.:,*;-_/=+>|~"

_HEAD = re.compile(r"[^0-9A-Za-z?]*(?:([A-Za-z]+)|(\?)|([0-9]+))")
_ONLY_PUNCT = re.compile(r"[\s\W_]*\Z")
_DIGIT_RUN = re.compile(r"[0-9]+(?:[-.][0-9]+)*")
_SKM_HEAD = re.compile(r"[0-9][0-9\s.,;/-]*")
_WORD = re.compile(r"[A-Za-z0-9]+")


def _bucket_fuzzy_choices() -> dict[int, tuple[str, ...]]:
    long_aliases = [a for a in _KIND_BY_ALIAS if len(a) >= 4]
    return {
        n: tuple(a for a in long_aliases if abs(len(a) - n) <= 2) for n in range(4, _MAX_ALIAS + 3)
    }


_FUZZY_CHOICES = _bucket_fuzzy_choices()


def parse(text: str) -> Command:
    """Parse one incoming SMS into a Command. Never raises, never alters `text`."""
    head = _HEAD.match(text)
    if head is None:
        return _fallback(text)
    word, question, digits = head.groups()
    if question is not None:
        return _command(Kind.HELP, "BANTUAN", text[head.end() :])
    if digits is not None:
        return _fallback(text)
    upper = word.upper()
    kind = _KIND_BY_ALIAS.get(upper)
    if kind is not None and upper not in NOT_KEYWORDS:
        return _command(kind, upper, text[head.end() :])
    start = head.start(1)
    glued = _glued(upper)
    if glued is not None:
        kind, cut = glued
        return _command(kind, upper[:cut], text[start + cut :])
    rest = text[head.end() :]
    if _ONLY_PUNCT.match(rest) and _is_answer(upper):
        return _fallback(text)
    return _fuzzy(upper, rest) or _fallback(text)


def _glued(upper: str) -> tuple[Kind, int] | None:
    if upper in NOT_KEYWORDS:
        return None
    for cut in range(min(len(upper) - 1, _MAX_ALIAS), _MIN_GLUE - 1, -1):
        kind = _KIND_BY_ALIAS.get(upper[:cut])
        if kind is None:
            continue
        rest = upper[cut:]
        if rest in SUFFIXES:
            return (kind, len(upper)) if kind in _CONTENT else None
        return (kind, cut) if len(rest) >= _MIN_REST else None
    return None


def _fuzzy(upper: str, rest: str) -> Command | None:
    if len(upper) < 4 or upper in NOT_KEYWORDS or len(upper) > _MAX_ALIAS + 2:
        return None
    kinds = _closest_kinds(upper)
    if not kinds:
        return None
    if len(kinds) > 1:
        candidates = tuple(CANONICAL[k] for k in kinds)
        return Command(Kind.AMBIGUOUS, body=_strip(rest), candidates=candidates, typo=True)
    return _command(kinds[0], CANONICAL[kinds[0]], rest, typo=True)


@lru_cache(maxsize=4096)
def _closest_kinds(upper: str) -> tuple[Kind, ...]:
    """The command kinds whose aliases are nearest to a mistyped word (cached: pure)."""
    found = process.extract(
        upper, _FUZZY_CHOICES[len(upper)], scorer=OSA.distance, score_cutoff=2, limit=None
    )
    best: dict[Kind, int] = {}
    for alias, distance, _ in found:
        if _typo_allowed(upper, alias, int(distance)):
            kind = _KIND_BY_ALIAS[alias]
            best[kind] = min(distance, best.get(kind, 99))
    low = min(best.values(), default=0)
    return tuple(sorted((k for k, d in best.items() if d == low), key=lambda k: CANONICAL[k]))


def _typo_allowed(upper: str, alias: str, distance: int) -> bool:
    if distance > (2 if min(len(upper), len(alias)) >= 6 else 1):
        return False
    if len(alias) == 4 and len(upper) == 4:
        return sorted(upper) == sorted(alias)  # a transposition, never a substitution
    return True


def _command(kind: Kind, matched: str, rest: str, typo: bool = False) -> Command:
    body = rest.lstrip(_SEPARATORS).rstrip()
    if kind in _MAYBE_SENTENCE and _is_sentence(kind, matched, body):
        return Command(Kind.UNKNOWN, body=body, error="not_a_command")
    parser = _ARGUMENT_PARSERS.get(kind)
    args, error = parser(body) if parser is not None else ((), None)
    if not body and kind in _NEEDS_BODY:
        error = "body_missing"
    return Command(kind, CANONICAL[kind], body, args, error, (), typo)


def _strip(rest: str) -> str:
    return rest.lstrip(_SEPARATORS).rstrip()


def _is_sentence(kind: Kind, matched: str, body: str) -> bool:
    """A no-argument keyword (or NILAI without digits) that merely starts a sentence."""
    if kind is Kind.SKM:
        bare = not any(ch.isdigit() for ch in body)
    else:
        bare = kind in _BARE and not (kind is Kind.STOP and matched in _ALWAYS_STOP)
    return bare and len(_WORD.findall(body)) > _MAX_BARE_WORDS


def _fallback(text: str) -> Command:
    body = text.strip()
    if not body:
        return Command(Kind.UNKNOWN, error="empty")
    answer = _answer_value(body)
    if answer is not None:
        return Command(Kind.ANSWER, body=body, args=(answer,))
    return Command(Kind.UNKNOWN, body=body)


def _answer_value(body: str) -> str | None:
    """The reply as typed, upper case, without courtesy and thanks (``iya pak`` is IYA), when
    it reads as an answer: a known phrase, one short word or number, up to three answer
    words (``ya bu sudah``, ``blm tau kak``), or an option number before them (``2 setuju``)."""
    if len(body) > _MAX_ANSWER_BODY:
        return None
    typed = tokens(body)
    if not typed or not _ONLY_PUNCT.match(_WORD.sub("", body)):
        return None
    kept = meaningful(typed)
    if not kept:
        return None  # "makasih pak", "halo": a message, not an answer
    value = " ".join(kept)
    if len(value) > _MAX_ANSWER_CHARS:
        return None
    if value in ANSWER_PHRASES or (len(kept) > 1 and _answer_words(kept)):
        return value
    if len(kept) == 1:
        if value.isdigit():
            return value if len(value) <= 3 else None
        return value if value.isalpha() and len(value) <= _MAX_ANSWER_LETTERS else None
    head = kept[0]
    if (head.isdigit() and len(head) <= 2) or (head.isalpha() and len(head) == 1):
        return value if _answer_words(kept[1:]) else None
    return None


def is_short_reply(cmd: Command) -> bool:
    """Whether `cmd` may be the answer to a poll waiting for one: a bare answer, or a
    message of at most three words past courtesy and thanks (``minggu pagi aja pak``)."""
    if cmd.kind is Kind.ANSWER:
        return True
    if cmd.kind is not Kind.UNKNOWN or cmd.error is not None or len(cmd.body) > _MAX_ANSWER_BODY:
        return False
    return 0 < len(meaningful(tokens(cmd.body))) <= _MAX_ANSWER_WORDS


def _answer_words(kept: list[str]) -> bool:
    return len(kept) <= _MAX_ANSWER_WORDS and all(
        w in ANSWER_VOCABULARY for w in expand(kept, answer=True)
    )


def _is_answer(upper: str) -> bool:
    return upper in ANSWER_PHRASES or len(upper) < 4


# --- arguments -----------------------------------------------------------------------------

ParsedArgs = tuple[tuple[Arg, ...], str | None]


def _info_args(body: str) -> ParsedArgs:
    first = _WORD.match(body.lstrip(_SEPARATORS))
    if first is None:
        return (None,), None
    topic = INFO_TOPICS.get(first.group().upper())
    return (topic,), (None if topic else "info_topic")


def _status_args(body: str) -> ParsedArgs:
    ticket = tickets.first(body)  # "STATUS 123 4567", "cek tiket no 123-4567 pak"
    if ticket is not None:
        return (ticket,), None
    match = _DIGIT_RUN.search(body)
    if match is None:
        return (None,), "status_missing"
    return (re.sub(r"[^0-9]", "", match.group()),), None


@lru_cache(maxsize=4096)
def _subscribe_args(body: str) -> ParsedArgs:
    words = [w.upper() for w in _WORD.findall(body)]
    roles = [ROLES[w] for w in words if w in ROLES]
    place_words = [w for w in words if w not in ROLES and w not in ("ORANG", "TUA")]
    role = roles[0] if roles else ("orang_tua" if "ORANG" in words and "TUA" in words else None)
    kecamatan = tagging.tag_kecamatan(body) or tagging.canonical_kecamatan(" ".join(place_words))
    return (kecamatan, role), None


def _rsvp_args(body: str) -> ParsedArgs:
    first = _WORD.match(body)
    if first is None:
        return (None,), "rsvp_missing"
    return (first.group().upper(),), None


def _skm_args(body: str) -> ParsedArgs:
    head = _SKM_HEAD.match(body)
    digits = re.sub(r"[^0-9]", "", head.group()) if head else ""
    if len(digits) != 9 or not all("1" <= d <= "4" for d in digits):
        return (), "skm_format"
    return tuple(int(d) for d in digits), None


_ARGUMENT_PARSERS: dict[Kind, Callable[[str], ParsedArgs]] = {
    Kind.INFO: _info_args,
    Kind.STATUS: _status_args,
    Kind.SUBSCRIBE: _subscribe_args,
    Kind.RSVP: _rsvp_args,
    Kind.SKM: _skm_args,
}
