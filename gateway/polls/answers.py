"""Poll answers. The poll a reply counts for is the latest open poll sent to that number."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from rapidfuzz import fuzz, process
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gateway.common import words
from gateway.models import Contact, OutboundMessage, Poll, PollAnswer, PollOption
from gateway.polls.options import options_of

LETTERS = "ABCDEFGHI"
FUZZY_CUTOFF = 75
WORD_CUTOFF = 80
WHOLE_CUTOFF = 85


@dataclass(frozen=True)
class PollAnswerResult:
    poll_id: int
    option_id: int | None
    label: str | None
    closed: bool = False
    changed: bool = False
    choices: tuple[tuple[int, str], ...] = ()
    """Nothing recorded: the answer names these options (position, label) equally."""


def latest_poll_for(session: Session, contact: Contact) -> Poll | None:
    """The latest open poll sent to this contact; else the latest one (closed)."""
    poll_ids = session.scalars(
        select(OutboundMessage.poll_id)
        .where(OutboundMessage.contact_id == contact.id, OutboundMessage.poll_id.is_not(None))
        .group_by(OutboundMessage.poll_id)
        .order_by(func.max(OutboundMessage.id).desc())
        .limit(10)
    ).all()
    polls = [p for p in (session.get(Poll, pid) for pid in poll_ids) if p is not None]
    return next((p for p in polls if is_open(p)), polls[0] if polls else None)


def sent_between(
    session: Session, contact_id: int, poll_id: int
) -> tuple[datetime, datetime] | tuple[None, None]:
    """When `poll` first and last went to this contact (its question, then reminders)."""
    first, last = session.execute(
        select(func.min(OutboundMessage.created_at), func.max(OutboundMessage.created_at)).where(
            OutboundMessage.contact_id == contact_id, OutboundMessage.poll_id == poll_id
        )
    ).one()
    return (first, last) if first is not None and last is not None else (None, None)


def is_open(poll: Poll, now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    return poll.status in ("open", "sending", "sent") and (
        poll.close_at is None or poll.close_at > now
    )


Key = tuple[str, ...]
_CONNECTORS = frozenset({"ATAU", "DAN", "OR", "AND", "ATO"})


@dataclass(frozen=True)
class OptionMatch:
    """What an answer names: one option, or several equally (``choices``: ask which)."""

    option: PollOption | None
    choices: tuple[PollOption, ...] = ()


def _keys(option: PollOption) -> set[Key]:
    """The option's label, English label and synonyms as standard words (``Belum tahu``
    is (BELUM, TAHU); a synonym ``tdk`` is (TIDAK,))."""
    phrases = (option.label, option.label_en or "", *map(str, option.synonyms))
    keys = {tuple(words.expand(words.tokens(p), answer=True)) for p in phrases}
    return {key for key in keys if key}


def _by_sign(options: list[PollOption], word: str) -> PollOption | None:
    """The option a number (``2``) or letter (``B``) stands for."""
    for option in options:
        if word == str(option.position) or word == LETTERS[option.position - 1]:
            return option
    if len(word) > 1 and word.isdigit() and word.startswith("0"):
        return _by_sign(options, word[1:])  # "02"
    return None


def match_answer(options: list[PollOption], answer: str) -> OptionMatch:
    """The option `answer` names, read the way people write (``gateway.common.words``).

    1. The whole answer is a number, letter, label or synonym (``2``, ``B``, ``Belum tahu``),
       as typed or without courtesy and thanks (``iya pak``, ``ya bu sudah, makasih``).
    2. A leading number or letter counts (``2 pak``, ``b. tidak setuju``), unless the words
       after it name another option: then the answer names two.
    3. Otherwise the longest label or synonym found in it wins, so a full label beats a
       synonym that is only its first word (``tidak tahu kak`` is "Tidak tahu", not the
       synonym ``tidak`` of "Tidak setuju"), unless another option's words cover more of
       the answer (``sangat bagus`` is "Sangat baik", not the synonym ``bagus`` of "Baik").
       A label or synonym right after a negation does not count (``kurang setuju`` is not
       "Setuju", ``tdk bisa`` not the synonym ``bisa``).
    4. With none found: a typo of one whole label (``stuju``, ``sbtu pagi``); then the
       words of the labels, typos allowed, a negated word matching a negated one only
       (``minggu`` is "Minggu pagi", ``gak tau`` is "Belum tahu", ``kurang setuju`` is
       "Tidak setuju"); last, the closest label or synonym to one of its words.

    Two options named equally (``sabtu`` for "Sabtu pagi" and "Sabtu sore", ``ya tidak``,
    ``1 atau 2``) are both returned in ``choices``: the caller asks which. A fuzzy tie is no
    guess and no question.
    """
    typed = words.expand(words.tokens(answer), answer=True)
    core = words.meaningful(typed)
    if not typed:
        return OptionMatch(None)
    keys = {option.id: _keys(option) for option in options}
    for seq in (typed, core):
        if len(seq) == 1 and (found := _by_sign(options, seq[0])) is not None:
            return OptionMatch(found)
        exact = [o for o in options if tuple(seq) in keys[o.id]]
        if len(exact) == 1:
            return OptionMatch(exact[0])
    if not core:
        return OptionMatch(None)
    lead = _by_sign(options, core[0]) if len(core[0]) <= 2 else None
    rest = core[1:] if lead is not None or core[0].isdigit() else core
    named = _fuller(options, keys, rest, _keys_found(options, keys, rest))
    if all(w.isdigit() or w in _CONNECTORS for w in core):  # "1 atau 2", "1,2"
        named = [o for w in rest if (o := _by_sign(options, w)) is not None]
    if lead is not None:
        named = named or _label_words(options, keys, rest)
        if not named or named == [lead]:
            return OptionMatch(lead)
        return OptionMatch(None, tuple(dict.fromkeys([lead, *named])))
    if not named and (close := _closest(options, keys, rest, whole=True)) is not None:
        return OptionMatch(close)  # "stuju", "sbtu pagi": a typo of one whole label
    named = named or _label_words(options, keys, rest)
    if len(named) == 1:
        return OptionMatch(named[0])
    if named:
        return OptionMatch(None, tuple(named))
    return OptionMatch(_closest(options, keys, rest))


def _keys_found(
    options: list[PollOption], keys: dict[int, set[Key]], seq: list[str]
) -> list[PollOption]:
    """The options whose longest label or synonym found in `seq` is the longest of all; a
    key right after a negation that is not part of it does not count (``kurang setuju`` is
    not "Setuju")."""
    best: dict[int, int] = {}
    for option in options:
        for key in keys[option.id]:
            if _contains(seq, key):
                best[option.id] = max(len(key), best.get(option.id, 0))
    return _top(options, best)


def _label_words(
    options: list[PollOption], keys: dict[int, set[Key]], seq: list[str]
) -> list[PollOption]:
    """The options whose label words the answer uses most (`_coverage`): ``minggu`` is
    "Minggu pagi"; ``sabtu`` names "Sabtu pagi" and "Sabtu sore"; ``gak tau`` is "Belum
    tahu", ``kurang setuju`` "Tidak setuju"."""
    coverage = _coverage(options, keys, seq)
    return _top(options, coverage)


def _fuller(
    options: list[PollOption],
    keys: dict[int, set[Key]],
    seq: list[str],
    named: list[PollOption],
) -> list[PollOption]:
    """`named`, unless another option's words cover more of the answer: ``sangat bagus``
    names "Baik" by its synonym ``bagus``, but "Sangat baik" (synonym ``bagus sekali``)
    has both words."""
    if not named:
        return named
    coverage = _coverage(options, keys, seq)
    floor = max([1, *(coverage.get(o.id, 0) for o in named)])
    fuller = {o.id: n for o in options if o not in named and (n := coverage.get(o.id, 0)) > floor}
    return _top(options, fuller) if fuller else named


def _coverage(
    options: list[PollOption], keys: dict[int, set[Key]], seq: list[str]
) -> dict[int, int]:
    """How many words of the answer each option's labels and synonyms hold, typos allowed,
    a negated word matching only a negated one."""
    said = _polarised(seq)
    coverage: dict[int, int] = {}
    for option in options:
        label = {w for k in keys[option.id] for w in _polarised(list(k)) if len(w[0]) > 2}
        shared = sum(1 for x, n in said if any(n == neg and _same_word(w, x) for w, neg in label))
        if shared:
            coverage[option.id] = shared
    return coverage


def _polarised(seq: list[str]) -> list[tuple[str, bool]]:
    """Each word that is no negation, with whether a negation stands right before it."""
    return [
        (w, i > 0 and seq[i - 1] in words.NEGATIONS)
        for i, w in enumerate(seq)
        if w not in words.NEGATIONS
    ]


def _top(options: list[PollOption], best: dict[int, int]) -> list[PollOption]:
    top = max(best.values(), default=0)
    return [o for o in options if top and best.get(o.id) == top]


def _affirmed(seq: list[str]) -> list[str]:
    """The words of `seq` that are neither a negation nor negated (``tidak bagus``: none)."""
    return [w for w, negated in _polarised(seq) if not negated]


def _same_word(a: str, b: str) -> bool:
    """One word, or the same word with a typo (``sbtu`` for SABTU)."""
    return a == b or (min(len(a), len(b)) >= 4 and fuzz.ratio(a, b) >= WORD_CUTOFF)


def _contains(seq: list[str], key: Key) -> bool:
    """`key` stands in `seq`, and not right after a negation (``tidak bisa`` is no ``bisa``)."""
    n = len(key)
    return any(
        tuple(seq[i : i + n]) == key and (i == 0 or seq[i - 1] not in words.NEGATIONS)
        for i in range(len(seq) - n + 1)
    )


def _closest(
    options: list[PollOption], keys: dict[int, set[Key]], seq: list[str], *, whole: bool = False
) -> PollOption | None:
    """The option with the label or synonym nearest to the answer (or, unless `whole`, to
    one of its words), if near enough and not tied."""
    choices = {" ".join(k): o for o in options for k in keys[o.id] if len(" ".join(k)) >= 4}
    if not choices or not seq:
        return None
    said = [] if whole else [w for w in _affirmed(seq) if len(w) >= 4]
    candidates = dict.fromkeys([" ".join(seq), *said])
    scores: dict[int, float] = {}
    for candidate in candidates:
        for word, score, _ in process.extract(candidate, list(choices), scorer=fuzz.ratio, limit=3):
            option_id = choices[word].id
            scores[option_id] = max(score, scores.get(option_id, 0.0))
    top = max(scores.values(), default=0.0)
    winners = [option_id for option_id, score in scores.items() if score == top]
    if top < (WHOLE_CUTOFF if whole else FUZZY_CUTOFF) or len(winners) != 1:  # no guess
        return None
    return next(o for o in options if o.id == winners[0])


def match_option(options: list[PollOption], answer: str) -> PollOption | None:
    """The one option `answer` names, or None (unclear, or two options: `match_answer`)."""
    return match_answer(options, answer).option


def record_poll_answer(
    session: Session,
    *,
    contact: Contact,
    answer: str,
    channel: str,
    poll: Poll | None = None,
    inbound_message_id: int | None = None,
) -> PollAnswerResult | None:
    """Record an answer; None when no poll was sent to this contact."""
    poll = poll or latest_poll_for(session, contact)
    if poll is None:
        return None
    if not is_open(poll):
        return PollAnswerResult(poll.id, None, None, closed=True)
    options = options_of(session, poll.id)
    match = match_answer(options, answer)
    option = match.option
    if option is None:
        choices = tuple((o.position, o.label) for o in match.choices)
        return PollAnswerResult(poll.id, None, None, choices=choices)
    previous = session.scalars(
        select(PollAnswer).where(
            PollAnswer.poll_id == poll.id,
            PollAnswer.contact_id == contact.id,
            PollAnswer.current.is_(True),
        )
    ).all()
    for old in previous:
        old.current = False
    session.add(
        PollAnswer(
            poll_id=poll.id,
            contact_id=contact.id,
            option_id=option.id,
            channel=channel,
            inbound_message_id=inbound_message_id,
        )
    )
    session.flush()
    return PollAnswerResult(poll.id, option.id, option.label, changed=bool(previous))
