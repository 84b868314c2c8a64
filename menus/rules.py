"""Named predicates and action builders the content refers to (no logic lives in the YAML)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from menus.types import (
    Action,
    AnswerPoll,
    FeedbackKind,
    FileFeedback,
    RecordSkm,
    Rsvp,
    SendInfoSms,
    SetLanguage,
    Subscribe,
    Unsubscribe,
)

Answers = Mapping[str, str]

SKM_UNSUR = 9
"""PermenPANRB 14/2017: nine unsur, answered ``skm1`` .. ``skm9``."""

_PROVINCE = re.compile(r"\b(SMA|SMAN|SMAS|SMK|SMKN|SMKS|SLB|SLBN|SMALB)\b", re.IGNORECASE)
_MADRASAH = re.compile(r"\b(MI|MIN|MIS|MTS|MTSN|MTSS|MA|MAN|MAS|MADRASAH)\b", re.IGNORECASE)


def school_is_province(answers: Answers) -> bool:
    """SMA/SMK/SLB are run by the province (Disdik Sumatera Utara), UU 23/2014."""
    return bool(_PROVINCE.search(answers.get("school", "")))


def school_is_madrasah(answers: Answers) -> bool:
    """Madrasah (MI/MTs/MA) are run by the Ministry of Religious Affairs (Kemenag)."""
    return bool(_MADRASAH.search(answers.get("school", "")))


PREDICATES: Mapping[str, Callable[[Answers], bool]] = {
    "school_is_province": school_is_province,
    "school_is_madrasah": school_is_madrasah,
}


FEEDBACK_KINDS: Mapping[str, FeedbackKind] = {
    "complaint": "complaint",
    "suggestion": "suggestion",
    "question": "question",
}


def _opt(answers: Answers, name: str) -> str | None:
    return answers.get(name) or None


def file_feedback(answers: Answers, args: Mapping[str, str]) -> Action:
    kind = FEEDBACK_KINDS[args["kind"]]
    return FileFeedback(
        kind=kind,
        text=answers.get("text", ""),
        category=_opt(answers, "category") or args.get("category"),
        kecamatan=_opt(answers, "kecamatan"),
        school=_opt(answers, "school"),
        anonymous=answers.get("anonymous") == "yes",
        consultation_code=_opt(answers, "consultation"),
    )


def skm_answers(answers: Answers) -> tuple[int, ...]:
    """The unsur answered so far, in order, stopping at the first one not answered."""
    scores: list[int] = []
    for number in range(1, SKM_UNSUR + 1):
        value = answers.get(f"skm{number}")
        if value is None:
            break
        scores.append(int(value))
    return tuple(scores)


def record_skm(answers: Answers, args: Mapping[str, str]) -> Action:
    scores = skm_answers(answers)
    return RecordSkm(service=answers["service"], answers=scores, complete=len(scores) == SKM_UNSUR)


ACTION_BUILDERS: Mapping[str, Callable[[Answers, Mapping[str, str]], Action]] = {
    "file_feedback": file_feedback,
    "record_skm": record_skm,
    "rsvp": lambda a, _: Rsvp(code=a["consultation"]),
    "subscribe": lambda a, _: Subscribe(kecamatan=a["kecamatan"], role=a["role"]),
    "unsubscribe": lambda _a, _args: Unsubscribe(),
    "set_language": lambda _a, args: SetLanguage(lang=args["lang"]),
    "answer_poll": lambda a, _: AnswerPoll(poll_id=a["poll"], option_index=int(a["poll_option"])),
    "send_info_sms": lambda a, args: SendInfoSms(topic=a["topic"], lang=args.get("lang", "")),
}
