"""The first, minimal USSD menu: main menu -> report -> category -> text -> ticket.

`handle_hop` is the seam the web layer calls for every hop; the full menu engine in
`menus/` plugs in behind the same signature.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import Channel, Feedback, FeedbackKind
from gateway.providers import UssdRequest
from gateway.services.contacts import get_or_create_contact
from gateway.services.feedback import record_feedback
from gateway.services.ussd import touch_session

CATEGORIES = (
    ("spmb", "SPMB"),
    ("ijazah", "Ijazah/legalisir"),
    ("mutasi", "Mutasi siswa"),
    ("pip", "PIP/KIP"),
    ("bos", "BOS/pungutan"),
    ("guru", "Guru/tendik"),
    ("sarpras", "Sarana sekolah"),
    ("perundungan", "Perundungan"),
    ("lainnya", "Lainnya"),
)
MAIN = "Suara Disdik Labura\n1. Lapor masalah"
CATEGORY_MENU = "Kategori:\n" + "\n".join(
    f"{i}.{label}" for i, (_, label) in enumerate(CATEGORIES, 1)
)
ASK_TEXT = "Tulis isi laporan Anda (sekolah, masalah):"
WRONG = "Pilihan salah.\n"


@dataclass(frozen=True)
class HopReply:
    text: str
    end: bool
    outbound_ids: tuple[int, ...] = ()


def handle_hop(session: Session, req: UssdRequest) -> HopReply:
    touch_session(session, req)
    parts = req.text.split("*") if req.text else []
    if not parts:
        return HopReply(MAIN, end=False)
    if parts[0] != "1":
        return HopReply(WRONG + MAIN, end=False)
    if len(parts) == 1:
        return HopReply(CATEGORY_MENU, end=False)
    if not parts[1].isdigit() or not 1 <= int(parts[1]) <= len(CATEGORIES):
        return HopReply(WRONG + CATEGORY_MENU, end=False)
    body = "*".join(parts[2:]).strip()
    if len(parts) == 2 or not body:
        return HopReply(ASK_TEXT, end=False)
    return _file(session, req, CATEGORIES[int(parts[1]) - 1][0], body)


def _file(session: Session, req: UssdRequest, category: str, body: str) -> HopReply:
    existing = session.scalar(
        select(Feedback.ticket).where(Feedback.ussd_session_id == req.session_id)
    )
    if existing is not None:  # a repeated final hop: same answer, no second report
        return HopReply(_done(existing), end=True)
    filed = record_feedback(
        session,
        kind=FeedbackKind.COMPLAINT,
        text=body[:1000],
        channel=Channel.USSD,
        contact=get_or_create_contact(session, req.phone),
        category=category,
        ussd_session_id=req.session_id,
    )
    return HopReply(_done(filed.ticket), end=True, outbound_ids=filed.outbound_ids)


def _done(ticket: str) -> str:
    return f"Laporan diterima. No tiket {ticket}. SMS konfirmasi akan dikirim. Terima kasih."
