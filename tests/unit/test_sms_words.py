"""The words people really type (tests/fixtures/sms_words.yaml), table-tested.

Each message is checked for what its fields expect: the command `keywords.parse` makes of
it, the category its filed text gets, the poll option it counts for (or the options Suara
asks between), the ticket read from it, whether it is a thank-you. Pure: no I/O.

``python -m tests.unit.test_sms_words`` prints the corpus size and the pass rate per field.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from gateway.common import tickets
from gateway.feedback.lifecycle import is_acknowledgement
from gateway.models import PollOption
from gateway.polls.answers import match_answer
from gateway.sms import keywords
from gateway.sms.keywords import Kind
from gateway.sms.tagging import CATEGORIES, tag_category

CORPUS_PATH = Path(__file__).resolve().parent.parent / "fixtures" / "sms_words.yaml"
DATA: dict[str, Any] = yaml.safe_load(CORPUS_PATH.read_text(encoding="utf-8"))
FIELDS = ("kind", "category", "option", "ticket", "thanks")
FILED = {Kind.REPORT, Kind.SUGGESTION, Kind.QUESTION, Kind.UNKNOWN}


def _poll(spec: list[dict[str, Any]]) -> list[PollOption]:
    return [
        PollOption(
            id=position,
            position=position,
            label=option["label"],
            label_en=option.get("label_en"),
            synonyms=option.get("synonyms", []),
        )
        for position, option in enumerate(spec, start=1)
    ]


POLLS = {name: _poll(spec) for name, spec in DATA["polls"].items()}
MESSAGES: list[dict[str, Any]] = DATA["messages"]


def outcome(case: dict[str, Any]) -> dict[str, Any]:
    """What Suara makes of the message, for each field the case names."""
    text = case["text"]
    cmd = keywords.parse(text)
    found: dict[str, Any] = {"kind": cmd.kind.value}
    if "category" in case:
        filed = cmd.body if cmd.kind in FILED and cmd.kind is not Kind.UNKNOWN else text.strip()
        found["category"] = tag_category(filed)
    if "poll" in case:
        match = match_answer(POLLS[case["poll"]], text)
        if match.option is not None:
            found["option"] = match.option.position
        elif match.choices:
            found["option"] = sorted(o.position for o in match.choices)
        else:
            found["option"] = None
    if "ticket" in case:
        ticket = cmd.args[0] if cmd.kind is Kind.STATUS else tickets.first(text)
        found["ticket"] = ticket if ticket is None or tickets.is_valid(str(ticket)) else None
    if "thanks" in case:
        found["thanks"] = is_acknowledgement(text)
    return found


def failures(case: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """{field: (expected, found)} for every field the message gets wrong."""
    found = outcome(case)
    return {
        name: (case[name], found[name])
        for name in FIELDS
        if name in case and case[name] != found[name]
    }


def test_corpus_is_big_and_covers_every_field() -> None:
    assert len(MESSAGES) >= 300
    counts = Counter(name for case in MESSAGES for name in FIELDS if name in case)
    assert all(counts[name] >= 20 for name in FIELDS), counts
    assert {case["category"] for case in MESSAGES if case.get("category")} == set(CATEGORIES) - {
        "lainnya"
    }
    asked = [case for case in MESSAGES if isinstance(case.get("option"), list)]
    assert len(asked) >= 5


@pytest.mark.parametrize("case", MESSAGES, ids=lambda case: repr(case["text"])[:40])
def test_corpus_message(case: dict[str, Any]) -> None:
    assert failures(case) == {}


@pytest.mark.parametrize(
    "case",
    [case for case in MESSAGES if case.get("option") is not None],
    ids=lambda case: repr(case["text"])[:40],
)
def test_a_recognised_answer_reaches_the_poll(case: dict[str, Any]) -> None:
    """An answer counts only if the handler tries it on the poll: a bare answer, or a
    short message (``minggu pagi aja``) while a poll waits."""
    assert keywords.is_short_reply(keywords.parse(case["text"]))


def main() -> int:
    """Print the corpus size and the pass rate, per field and overall."""
    checked: Counter[str] = Counter()
    passed: Counter[str] = Counter()
    wrong = []
    for case in MESSAGES:
        missed = failures(case)
        for name in FIELDS:
            if name in case:
                checked[name] += 1
                passed[name] += name not in missed
        if missed:
            wrong.append((case["text"], missed))
    total = len(MESSAGES)
    good = total - len(wrong)
    print(f"corpus: {total} messages, {sum(checked.values())} expectations")
    for name in FIELDS:
        rate = 100 * passed[name] / checked[name]
        print(f"  {name:9} {passed[name]:4}/{checked[name]:<4} {rate:5.1f}%")
    print(f"messages fully right: {good}/{total} ({100 * good / total:.1f}%)")
    for text, missed in wrong:
        print(f"  {text!r}: {missed}")
    return 0 if not wrong else 1


if __name__ == "__main__":
    sys.exit(main())
