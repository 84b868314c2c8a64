"""Citizen-facing SMS texts, Bahasa Indonesia first, English second.

Every text is GSM-7 and fits one SMS (160 characters) once its fields are filled;
`tests/unit/test_messages.py` checks both for every entry.
"""

from __future__ import annotations

from typing import Any

CATALOG: dict[str, dict[str, str]] = {
    "report_received": {
        "id": "Disdik Labura: laporan Anda diterima. No tiket {ticket}. Cek status: ketik "
        "STATUS {ticket}. Terima kasih.",
        "en": "Disdik Labura: your report was received. Ticket {ticket}. Check status: "
        "text STATUS {ticket}. Thank you.",
    },
    "suggestion_received": {
        "id": "Disdik Labura: saran Anda diterima. No tiket {ticket}. Terima kasih atas "
        "masukan Anda.",
        "en": "Disdik Labura: your suggestion was received. Ticket {ticket}. Thank you.",
    },
    "question_received": {
        "id": "Disdik Labura: pertanyaan Anda diterima. No tiket {ticket}. Jawaban dikirim "
        "lewat SMS.",
        "en": "Disdik Labura: your question was received. Ticket {ticket}. We will answer by SMS.",
    },
    "message_stored": {
        "id": "Disdik Labura: pesan Anda kami simpan. Untuk melapor ketik LAPOR <isi "
        "laporan>. Bantuan: ketik BANTUAN.",
        "en": "Disdik Labura: your message was saved. To report, text LAPOR <your report>. "
        "Help: text HELP.",
    },
    "report_empty": {
        "id": "Disdik Labura: isi laporan kosong. Ketik LAPOR <isi laporan>, contoh: LAPOR "
        "atap kelas SDN 1 bocor.",
        "en": "Disdik Labura: the report is empty. Text LAPOR <your report>, e.g. LAPOR "
        "classroom roof leaks.",
    },
}


def render(key: str, language: str = "id", **fields: Any) -> str:
    texts = CATALOG[key]
    template = texts.get(language) or texts["id"]
    return template.format(**fields)
