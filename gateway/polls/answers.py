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


def is_open(poll: Poll, now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    return poll.status in ("open", "sending", "sent") and (
        poll.close_at is None or poll.close_at > now
    )


Key = tuple[str, ...]


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
       synonym ``tidak`` of "Tidak setuju"). Two options named equally (``sudah belum``)
       are both returned in ``choices``: the caller asks which.
    4. Last, typos: the closest label or synonym of 4+ letters if near enough (``stuju`` ->
       "setuju") and not a tie between two options (no guess, no question).
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
    named = _named(options, keys, rest)
    if lead is not None:
        if not named or named == [lead]:
            return OptionMatch(lead)
        return OptionMatch(None, tuple(dict.fromkeys([lead, *named])))
    if len(named) == 1:
        return OptionMatch(named[0])
    if named:
        return OptionMatch(None, tuple(named))
    return OptionMatch(_closest(options, keys, rest))


def _named(
    options: list[PollOption], keys: dict[int, set[Key]], seq: list[str]
) -> list[PollOption]:
    """The options whose longest label or synonym found in `seq` is the longest of all."""
    best: dict[int, int] = {}
    for option in options:
        for key in keys[option.id]:
            if _contains(seq, key):
                best[option.id] = max(len(key), best.get(option.id, 0))
    top = max(best.values(), default=0)
    return [o for o in options if top and best.get(o.id) == top]


def _contains(seq: list[str], key: Key) -> bool:
    n = len(key)
    return any(tuple(seq[i : i + n]) == key for i in range(len(seq) - n + 1))


def _closest(
    options: list[PollOption], keys: dict[int, set[Key]], seq: list[str]
) -> PollOption | None:
    choices = {" ".join(k): o for o in options for k in keys[o.id] if len(" ".join(k)) >= 4}
    if not choices or not seq:
        return None
    candidates = dict.fromkeys([" ".join(seq), *(w for w in seq if len(w) >= 4)])
    scores: dict[int, float] = {}
    for candidate in candidates:
        for word, score, _ in process.extract(candidate, list(choices), scorer=fuzz.ratio, limit=3):
            option_id = choices[word].id
            scores[option_id] = max(score, scores.get(option_id, 0.0))
    top = max(scores.values(), default=0.0)
    winners = [option_id for option_id, score in scores.items() if score == top]
    if top < FUZZY_CUTOFF or len(winners) != 1:  # too far, or a tie: no guess
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
