"""In-memory stand-ins for what the web layer injects into the menus engine (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from gateway.common.tickets import check_digit
from menus.types import Choice, Context


def damm_ok(number: str) -> bool:
    """The gateway's Damm check: a number with its check digit appended reduces to 0."""
    return number.isdigit() and check_digit(number) == "0"


def ticket_validator(value: str, params: Mapping[str, int]) -> str | None:
    value = value.strip()
    if not value.isdigit() or not 4 <= len(value) <= 8 or not damm_ok(value):
        return "err.ticket"
    return None


INFO = {
    ("spmb", "id"): (
        "SPMB 2025 menggantikan PPDB. Jalur: domisili, afirmasi, prestasi dan mutasi. "
        "SD: umur minimal 6 tahun. Jalur domisili memakai Kartu Keluarga yang terbit paling "
        "lambat 1 tahun sebelumnya. Juknis ditetapkan Disdik Labura; tanyakan ke sekolah "
        "tujuan atau kantor Disdik di Aek Kanopan."
    ),
    ("spmb", "en"): "SPMB replaced PPDB in 2025. Routes: domicile, affirmation, merit, transfer.",
    ("kontak", "id"): "Kantor Disdik Labura, Aek Kanopan. Senin-Jumat 08.00-16.00 WIB.",
}


@dataclass
class FakeData:
    """A DataSource with fixed content; records every lookup it answers."""

    polls: list[Choice] = field(default_factory=list)
    poll_options: dict[str, list[Choice]] = field(default_factory=dict)
    consultations: list[Choice] = field(default_factory=list)
    info: dict[tuple[str, str], str] = field(default_factory=lambda: dict(INFO))
    statuses: dict[str, str] = field(default_factory=dict)

    def options(self, provider: str, *, phone: str, lang: str, key: str = "") -> Sequence[Choice]:
        if provider == "polls":
            return self.polls
        if provider == "poll_options":
            return self.poll_options.get(key, [])
        if provider == "consultations":
            return self.consultations
        raise KeyError(provider)

    def text(self, topic: str, lang: str) -> str | None:
        return self.info.get((topic, lang))

    def status(self, ticket: str, *, phone: str, lang: str) -> str | None:
        return self.statuses.get(ticket)


def standard_data() -> FakeData:
    return FakeData(
        polls=[Choice("p1", "Setujukah jam masuk SD pukul 07.30?")],
        poll_options={"p1": [Choice("1", "Setuju"), Choice("2", "Tidak setuju")]},
        consultations=[
            Choice("K25", "Rancangan juknis SPMB, 12 Des 09.00 WIB, Aula Disdik"),
            Choice("K26", "Zonasi SMP, 19 Des 14.00 WIB, Kantor Camat Marbau"),
        ],
        statuses={"5724": "Diproses (28-11-2026)"},
    )


def multi_poll_data() -> FakeData:
    data = standard_data()
    data.polls.append(Choice("p2", "Perlukah les sore gratis di SD?"))
    data.poll_options["p2"] = [Choice("1", "Ya"), Choice("2", "Tidak"), Choice("3", "Tidak tahu")]
    return data


def empty_data() -> FakeData:
    return FakeData(info={})


def make_ctx(
    data: FakeData | None = None, lang: str = "id", phone: str = "+6281234567890"
) -> Context:
    return Context(
        data=data or standard_data(),
        phone=phone,
        lang=lang,
        validators={"ticket": ticket_validator},
    )
