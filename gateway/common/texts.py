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
        "id": "Disdik Labura: pesan Anda disimpan, tiket {ticket}. Ketik LAPOR <isi>, SARAN "
        "<isi> atau TANYA <isi>. Daftar perintah: ketik BANTUAN.",
        "en": "Disdik Labura: your message was saved, ticket {ticket}. Text LAPOR <text>, "
        "SARAN <text> or TANYA <text>. All keywords: text HELP.",
    },
    "report_empty": {
        "id": "Disdik Labura: isi laporan kosong. Ketik LAPOR <isi laporan>, contoh: LAPOR "
        "atap kelas SDN 1 bocor.",
        "en": "Disdik Labura: the report is empty. Text LAPOR <your report>, e.g. LAPOR "
        "classroom roof leaks.",
    },
    "suggestion_empty": {
        "id": "Disdik Labura: isi saran kosong. Ketik SARAN <isi saran>, contoh: SARAN "
        "tambah buku perpustakaan.",
        "en": "Disdik Labura: the suggestion is empty. Text SARAN <your suggestion>, e.g. "
        "SARAN more library books.",
    },
    "question_empty": {
        "id": "Disdik Labura: isi pertanyaan kosong. Ketik TANYA <pertanyaan>, contoh: TANYA "
        "kapan SPMB dibuka.",
        "en": "Disdik Labura: the question is empty. Text TANYA <your question>, e.g. TANYA "
        "when does SPMB open.",
    },
    "help": {
        "id": "Disdik Labura: LAPOR <isi>, SARAN <isi>, TANYA <isi>, INFO, STATUS <tiket>, "
        "DAFTAR, STOP, MULAI, HADIR <kode>, SKM <9 angka>, DATA, HAPUS.",
        "en": "Disdik Labura: LAPOR <text>, SARAN <text>, TANYA <text>, INFO, STATUS <ticket>, "
        "DAFTAR, STOP, MULAI, HADIR <code>, SKM <9 digits>, DATA, HAPUS.",
    },
    "ambiguous": {
        "id": "Disdik Labura: maksud Anda {choices}? Ketik ulang dengan kata kunci yang benar, "
        "contoh: {first} <isi pesan>.",
        "en": "Disdik Labura: did you mean {choices}? Please resend with the right keyword, "
        "e.g. {first} <your message>.",
    },
    "stop_done": {
        "id": "Disdik Labura: Anda tidak akan menerima SMS info dan survei lagi. Laporan Anda "
        "tetap dijawab. Untuk daftar lagi ketik MULAI.",
        "en": "Disdik Labura: you will get no more info or survey SMS. Your reports will "
        "still be answered. To join again text MULAI.",
    },
    "start_done": {
        "id": "Disdik Labura: Anda kembali menerima SMS info pendidikan. Untuk berhenti "
        "ketik STOP.",
        "en": "Disdik Labura: you will receive education info SMS again. To stop, text STOP.",
    },
    "subscribe_done": {
        "id": "Disdik Labura: Anda terdaftar SMS info pendidikan ({where}). Nomor Anda hanya "
        "dipakai untuk info ini. Berhenti: ketik STOP.",
        "en": "Disdik Labura: you joined education info SMS ({where}). Your number is used "
        "only for this. To stop, text STOP.",
    },
    "info_topics": {
        "id": "Disdik Labura INFO: ketik INFO SPMB, INFO IJAZAH, INFO MUTASI, INFO PIP, "
        "INFO BOS atau INFO KONTAK.",
        "en": "Disdik Labura INFO: text INFO SPMB, INFO IJAZAH, INFO MUTASI, INFO PIP, "
        "INFO BOS or INFO KONTAK.",
    },
    "info_missing": {
        "id": "Disdik Labura: info {topic} belum tersedia lewat SMS. Ketik TANYA <pertanyaan> "
        "atau datang ke kantor Disdik di Aek Kanopan.",
        "en": "Disdik Labura: {topic} info is not available by SMS yet. Text TANYA <question> "
        "or visit the Disdik office in Aek Kanopan.",
    },
    "status_format": {
        "id": "Disdik Labura: ketik STATUS lalu nomor tiket 7 angka, contoh: STATUS 1234567.",
        "en": "Disdik Labura: text STATUS and your 7-digit ticket, e.g. STATUS 1234567.",
    },
    "status_invalid": {
        "id": "Disdik Labura: nomor tiket {ticket} salah. Periksa kembali angkanya pada SMS "
        "tanda terima Anda.",
        "en": "Disdik Labura: ticket number {ticket} is wrong. Please check the digits in "
        "your receipt SMS.",
    },
    "status_unknown": {
        "id": "Disdik Labura: tiket {ticket} tidak ditemukan. Periksa kembali nomor tiket Anda.",
        "en": "Disdik Labura: ticket {ticket} was not found. Please check your ticket number.",
    },
    "status_reply": {
        "id": "Disdik Labura: status tiket {ticket}: {status}. Pembaruan terakhir {date} WIB.",
        "en": "Disdik Labura: ticket {ticket} status: {status}. Last update {date} WIB.",
    },
    "rsvp_unknown": {
        "id": "Disdik Labura: kode acara {code} tidak ditemukan. Periksa kode di undangan, "
        "lalu ketik HADIR <kode>.",
        "en": "Disdik Labura: event code {code} was not found. Check the code on the "
        "invitation and text HADIR <code>.",
    },
    "rsvp_missing": {
        "id": "Disdik Labura: ketik HADIR lalu kode acara pada undangan, contoh: HADIR MUSREN1.",
        "en": "Disdik Labura: text HADIR and the event code from the invitation, e.g. HADIR "
        "MUSREN1.",
    },
    "skm_done": {
        "id": "Disdik Labura: terima kasih, penilaian SKM Anda tercatat. Masukan Anda "
        "membantu perbaikan layanan.",
        "en": "Disdik Labura: thank you, your SKM rating was recorded. It helps us improve "
        "our services.",
    },
    "skm_format": {
        "id": "Disdik Labura: ketik SKM lalu 9 angka 1-4 (1=tidak baik, 4=sangat baik), "
        "contoh: SKM 443434343.",
        "en": "Disdik Labura: text SKM and 9 digits 1-4 (1=poor, 4=very good), e.g. SKM 443434343.",
    },
    "data_profile": {
        "id": "Disdik Labura DATA 1/2: no {phone}, bahasa {language_name}, kec {kecamatan}, peran "
        "{role}, info SMS {subscribed}, izin {consent}.",
        "en": "Disdik Labura DATA 1/2: phone {phone}, lang {language_name}, area {kecamatan}, "
        "role {role}, info SMS {subscribed}, consent {consent}.",
    },
    "data_activity": {
        "id": "Disdik Labura DATA 2/2: {reports} laporan (terakhir {last_report}), {messages} "
        "SMS masuk (terakhir {last_message}), {sessions} sesi USSD. Hapus: ketik HAPUS.",
        "en": "Disdik Labura DATA 2/2: {reports} reports (last {last_report}), {messages} SMS "
        "received (last {last_message}), {sessions} USSD sessions. Erase: text HAPUS.",
    },
    "erase_received": {
        "id": "Disdik Labura: permintaan hapus data no {request} diterima, selesai paling "
        "lambat 3x24 jam. Info SMS dihentikan.",
        "en": "Disdik Labura: erasure request {request} received, done within 3x24 hours. "
        "Info SMS stopped.",
    },
    "erase_done": {
        "id": "Disdik Labura: data Anda sudah dihapus (permintaan no {request}). Nomor ini "
        "tidak menerima SMS info lagi. Terima kasih.",
        "en": "Disdik Labura: your data was erased (request {request}). This number gets no "
        "more info SMS. Thank you.",
    },
    "poll_thanks": {
        "id": "Disdik Labura: terima kasih, jawaban Anda ({label}) tercatat.",
        "en": "Disdik Labura: thank you, your answer ({label}) was recorded.",
    },
    "poll_closed": {
        "id": "Disdik Labura: maaf, survei ini sudah ditutup. Terima kasih atas partisipasi Anda.",
        "en": "Disdik Labura: sorry, this poll is closed. Thank you for taking part.",
    },
    "poll_unmatched": {
        "id": "Disdik Labura: jawaban tidak dikenali. Balas dengan nomor pilihan, contoh: 1.",
        "en": "Disdik Labura: answer not recognised. Reply with the option number, e.g. 1.",
    },
    "reopened": {
        "id": "Disdik Labura: tanggapan Anda untuk tiket {ticket} diterima. Laporan dibuka "
        "kembali dan ditindaklanjuti.",
        "en": "Disdik Labura: your reply on ticket {ticket} was received. The report is reopened.",
    },
    "thread_reply": {
        "id": "Disdik Labura: balasan Anda untuk tiket {ticket} diterima dan diteruskan ke "
        "petugas. Terima kasih.",
        "en": "Disdik Labura: your reply on ticket {ticket} was received and passed to the "
        "officer. Thank you.",
    },
    "ticket_unknown_stored": {
        "id": "Disdik Labura: tiket {named} tidak ditemukan. Pesan Anda disimpan dengan tiket "
        "{ticket}. Cek: ketik STATUS {ticket}.",
        "en": "Disdik Labura: ticket {named} was not found. Your message was saved as ticket "
        "{ticket}. Check: text STATUS {ticket}.",
    },
    "poll_which": {
        "id": "Disdik Labura: maksud Anda {options}? Balas dengan nomornya saja, contoh: {first}.",
        "en": "Disdik Labura: did you mean {options}? Reply with the number only, e.g. {first}.",
    },
    "notify_verified": {
        "id": "Disdik Labura: laporan tiket {ticket} sudah diverifikasi dan diteruskan. Cek: "
        "ketik STATUS {ticket}.",
        "en": "Disdik Labura: ticket {ticket} was verified and forwarded. Check: text STATUS "
        "{ticket}.",
    },
    "notify_in_progress": {
        "id": "Disdik Labura: laporan tiket {ticket} sedang ditindaklanjuti. Cek: ketik "
        "STATUS {ticket}.",
        "en": "Disdik Labura: ticket {ticket} is being followed up. Check: text STATUS {ticket}.",
    },
    "notify_resolved": {
        "id": "Disdik Labura: tiket {ticket} sudah ditanggapi. Belum selesai? Balas SMS ini "
        "dalam 10 hari kerja.",
        "en": "Disdik Labura: ticket {ticket} was answered. Not solved? Reply to this SMS "
        "within 10 working days.",
    },
    "notify_closed": {
        "id": "Disdik Labura: tiket {ticket} ditutup. Terima kasih telah melapor.",
        "en": "Disdik Labura: ticket {ticket} is closed. Thank you for reporting.",
    },
    "notify_rejected": {
        "id": "Disdik Labura: tiket {ticket} bukan wewenang Disdik Labura.",
        "en": "Disdik Labura: ticket {ticket} is outside Disdik Labura's authority.",
    },
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
    "ussd_session_refused": {
        "id": "Maaf, sesi ini bukan milik nomor Anda. Silakan tutup dan hubungi layanan lagi.",
        "en": "Sorry, this session does not belong to your number. Please close it and dial again.",
    },
    "staff_reply": {
        "id": "Disdik Labura, tiket {ticket}:",
        "en": "Disdik Labura, ticket {ticket}:",
    },
}


STATUS_LABELS: dict[str, dict[str, str]] = {
    "received": {"id": "Diterima", "en": "Received"},
    "verified": {"id": "Diverifikasi", "en": "Verified"},
    "in_progress": {"id": "Diproses", "en": "In progress"},
    "resolved": {"id": "Ditanggapi", "en": "Answered"},
    "closed": {"id": "Ditutup", "en": "Closed"},
    "rejected": {"id": "Ditolak", "en": "Rejected"},
}
"""A report's status as citizens read it, in a STATUS reply and on the USSD status screen."""
WORDS: dict[str, dict[str, str]] = {
    "yes": {"id": "ya", "en": "yes"},
    "no": {"id": "tidak", "en": "no"},
    "or": {"id": "atau", "en": "or"},
    "all_areas": {"id": "semua kecamatan", "en": "all areas"},
    "lang_id": {"id": "Indonesia", "en": "Indonesian"},
    "lang_en": {"id": "Inggris", "en": "English"},
}


FIELD_WIDTH = {"title": 36, "place": 28, "options": 80}
"""Longest title/place/option list put into an SMS, so the filled text stays one segment."""


def render(key: str, language: str = "id", **fields: Any) -> str:
    """The catalogue text ``key`` in ``language`` (Indonesian fallback), fields filled."""
    texts = CATALOG[key]
    template = texts.get(language) or texts["id"]
    short = {k: str(v)[: FIELD_WIDTH[k]] if k in FIELD_WIDTH else v for k, v in fields.items()}
    return template.format(**short)


def label(table: dict[str, dict[str, str]], key: str, language: str = "id") -> str:
    """A word from STATUS_LABELS or WORDS in the citizen's language (Indonesian fallback)."""
    texts = table[key]
    return texts.get(language) or texts["id"]
