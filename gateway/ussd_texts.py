"""Citizen texts the USSD actions send or show, Bahasa Indonesia first, English second.

Every text is GSM-7 and fits one SMS once filled; ``tests/unit/test_ussd_texts.py`` checks it.
Kept apart from ``gateway/messages.py`` (the SMS keyword texts) on purpose.
"""

from __future__ import annotations

from typing import Any

CATALOG: dict[str, dict[str, str]] = {
    "rsvp_confirmed": {
        "id": "Disdik Labura: kehadiran Anda di {title} tercatat. {when} WIB, {place}. "
        "Kode {code}. Terima kasih.",
        "en": "Disdik Labura: your attendance at {title} is noted. {when} WIB, {place}. "
        "Code {code}. Thank you.",
    },
    "rsvp_reminder": {
        "id": "Disdik Labura: pengingat, besok {when} WIB {title} di {place}. Kami tunggu "
        "kehadiran Anda.",
        "en": "Disdik Labura: reminder, tomorrow {when} WIB {title} at {place}. We look "
        "forward to seeing you.",
    },
}

STATUS_LABELS: dict[str, dict[str, str]] = {
    "id": {
        "received": "Diterima",
        "verified": "Diverifikasi",
        "in_progress": "Diproses",
        "resolved": "Selesai",
        "closed": "Ditutup",
        "rejected": "Ditolak",
    },
    "en": {
        "received": "Received",
        "verified": "Verified",
        "in_progress": "In progress",
        "resolved": "Resolved",
        "closed": "Closed",
        "rejected": "Rejected",
    },
}
FIELD_WIDTH = {"title": 36, "place": 28}
"""Longest title/place put into an SMS, so the filled text stays one segment."""


def render(key: str, language: str = "id", **fields: Any) -> str:
    texts = CATALOG[key]
    template = texts.get(language) or texts["id"]
    short = {k: str(v)[: FIELD_WIDTH[k]] if k in FIELD_WIDTH else v for k, v in fields.items()}
    return template.format(**short)


def status_label(status: str, language: str) -> str:
    labels = STATUS_LABELS.get(language, STATUS_LABELS["id"])
    return labels.get(status, status)
