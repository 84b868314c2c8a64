"""Benchmark: the desk's inbox (`/staff/reports`) over 100,000 reports, filter by filter.

A throwaway PostgreSQL schema (created, migrated to head, dropped) is filled with bulk
inserts: 100,000 reports spread over the last 12 months (the newest mostly open, the oldest
mostly closed), every kind, status, category, the 8 kecamatan, a few hundred schools, some
assigned to one of 6 officers, Indonesian texts. Then every filter alone and a few
combinations are timed, each ``--runs`` times after two warm-up runs:

- **query**: the inbox's services on a fresh session, as the view calls them
  (`parse_list_query`, `list_feedback`, `status_counts`, `staff_names`);
- **page**: the whole request through the Flask test client, signed in (session check,
  the queries, the template), i.e. the server time without the network;
- **CPU** and **wait**: the CPU time the same request cost the app's thread and the
  PostgreSQL backends serving it, and the time they waited, runnable, for a CPU
  (``/proc/.../schedstat``): on a machine shared with other work the page's wall time is
  about CPU + wait; the CPU time is what the server itself spends.

Run from the repository root (about two minutes; the fill takes most of it):
    .venv/bin/python bench/inbox.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/test]
                                    [--redis redis://127.0.0.1:6379/11] [--rows 100000]
                                    [--runs 20] [--explain]

It prints p50 and p95 in milliseconds, the number of matching reports and the load average,
and flags a page whose wall p95 is over the 200 ms target; ``--explain`` adds PostgreSQL's
plans of each case's two queries (the list, the counts).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import Engine, create_engine, event, func, insert, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.support import PG_ADMIN, migrated_schema  # noqa: E402
from gateway import create_app  # noqa: E402
from gateway.common.tickets import check_digit  # noqa: E402
from gateway.common.workdays import add_working_days  # noqa: E402
from gateway.config import Settings  # noqa: E402
from gateway.feedback import staff_ops as svc  # noqa: E402
from gateway.models import Contact, Feedback, StaffUser  # noqa: E402
from gateway.sms.tagging import KECAMATAN  # noqa: E402
from gateway.staff.validation import MIN_SEARCH, parse_list_query  # noqa: E402
from tests.desk_helpers import create_staff, sign_in  # noqa: E402

TARGET_MS = 200.0
BATCH = 5_000
OFFICERS = 6
PASSWORD = "bench-pass-1234"
SEED = 12

PROBLEMS = (
    ("sarpras", "atap kelas bocor kalau hujan, murid belajar di teras"),
    ("sarpras", "toilet sekolah rusak sudah tiga bulan tidak diperbaiki"),
    ("sarpras", "meja dan kursi kelas banyak yang patah"),
    ("guru", "guru kelas sering tidak hadir dan murid dibiarkan pulang"),
    ("guru", "guru honor belum terima gaji dua bulan"),
    ("bos", "dana BOS tidak transparan, tidak ada papan informasi"),
    ("bos", "ada pungutan uang seragam dan uang buku yang memberatkan"),
    ("ijazah", "ijazah anak saya belum dibagikan padahal sudah lulus"),
    ("ijazah", "legalisir ijazah dimintai biaya"),
    ("pip", "dana PIP anak saya belum cair, katanya harus bayar dulu"),
    ("pip", "kartu KIP tidak bisa dipakai untuk pencairan"),
    ("spmb", "anak tidak diterima jalur domisili padahal rumah dekat sekolah"),
    ("spmb", "pendaftaran SPMB online sering error"),
    ("mutasi", "surat pindah sekolah lama sekali diurus"),
    ("perundungan", "anak saya dirundung teman sekelas dan guru diam saja"),
    ("lainnya", "jalan ke sekolah becek dan licin"),
)
SUGGESTIONS = (
    "tambah buku bacaan di perpustakaan",
    "mohon diadakan les sore gratis untuk kelas enam",
    "sebaiknya ada kantin sehat di sekolah",
    "perlu pelatihan komputer untuk guru",
)
QUESTIONS = (
    "kapan pendaftaran SPMB dibuka",
    "bagaimana cara cek dana PIP",
    "apa syarat pindah sekolah ke luar kabupaten",
    "kapan ijazah tahun ini dibagikan",
)
TAILS = (
    "",
    " Mohon ditindaklanjuti.",
    " Terima kasih pak.",
    " Tolong segera dicek ke lapangan.",
    " Sudah lapor ke kepala sekolah tapi belum ada tanggapan.",
    " Kami orang tua murid sangat berharap.",
)
PLACES = (
    "Aek Kanopan",
    "Gunting Saga",
    "Tanjung Leidong",
    "Kampung Mesjid",
    "Bandar Durian",
    "Aek Kota Batu",
    "Marbau",
    "Aek Korsik",
    "Simangalam",
    "Sonomartani",
)


def schools(rng: random.Random) -> list[str]:
    """A few hundred school names, as citizens type them."""
    found = []
    for i in range(1, 241):
        found.append(f"SDN {110000 + i * 7} {rng.choice(PLACES)}")
    for i in range(1, 41):
        found.append(f"SMPN {i} {rng.choice(KECAMATAN)}")
    found += [f"SD Swasta {name}" for name in ("Al Hidayah", "Budi Mulia", "Methodist", "Kartini")]
    found += [f"MIS {name}" for name in ("Nurul Iman", "Al Ikhlas", "Darul Ulum")]
    return found


def statuses_for(age_days: float, rng: random.Random) -> str:
    """Newer reports are mostly open, older ones mostly closed (as an office works)."""
    if age_days < 7:
        weights = (50, 25, 15, 5, 2, 3)
    elif age_days < 30:
        weights = (12, 18, 30, 20, 12, 8)
    elif age_days < 90:
        weights = (3, 5, 12, 15, 55, 10)
    else:
        weights = (1, 2, 3, 4, 80, 10)
    names = ("received", "verified", "in_progress", "resolved", "closed", "rejected")
    return rng.choices(names, weights)[0]


def report_rows(total: int, staff_ids: list[int], contact_ids: list[int]) -> Iterator[dict]:
    """``total`` reports, oldest first (ids rise with time), over the 12 months before now."""
    rng = random.Random(SEED)
    now = datetime.now(UTC)
    start = now - timedelta(days=365)
    school_names = schools(rng)
    bodies = rng.sample(range(100_000, 1_000_000), total)
    span = (now - start).total_seconds()
    for n in range(total):
        created = start + timedelta(seconds=span * (n + rng.random()) / total)
        age = (now - created).total_seconds() / 86400
        kind = rng.choices(("complaint", "suggestion", "question", "other"), (70, 12, 15, 3))[0]
        status = statuses_for(age, rng)
        category = None
        if kind == "complaint":
            category, problem = rng.choice(PROBLEMS)
            category = category if rng.random() > 0.08 else None
        else:
            problem = rng.choice(SUGGESTIONS if kind == "suggestion" else QUESTIONS)
        school = rng.choice(school_names) if rng.random() < 0.6 else None
        where = f" di {school}" if school else f" di {rng.choice(PLACES)}"
        if status == "received":
            due = add_working_days(created, 3)
        elif status in ("verified", "in_progress"):
            due = add_working_days(created + timedelta(days=rng.randint(0, 3)), 5)
        elif status == "resolved":
            due = add_working_days(created + timedelta(days=rng.randint(1, 8)), 10)
        else:
            due = None
        share = 0.2 if status == "received" else 0.6
        assigned = rng.choice(staff_ids) if rng.random() < share else None
        yield {
            "ticket": f"{bodies[n]}{check_digit(str(bodies[n]))}",
            "kind": kind,
            "category": category,
            "text": f"{problem}{where}.{rng.choice(TAILS)}"[:400],
            "status": status,
            "channel": "sms" if rng.random() < 0.6 else "ussd",
            "anonymous": rng.random() < 0.05,
            "notify": True,
            "kecamatan": rng.choice(KECAMATAN) if rng.random() > 0.05 else None,
            "school": school,
            "language": "id",
            "contact_id": rng.choice(contact_ids),
            "assigned_to_id": assigned,
            "due_at": due,
            "created_at": created,
        }


def fill(url: str, total: int, staff_ids: list[int]) -> float:
    started = time.perf_counter()
    engine = create_engine(url)
    with engine.begin() as conn:
        contacts = [
            {"phone": f"+62812{i:08d}", "language": "id", "kecamatan": KECAMATAN[i % 8]}
            for i in range(total // 3)
        ]
        for chunk in range(0, len(contacts), BATCH):
            conn.execute(insert(Contact), contacts[chunk : chunk + BATCH])
        contact_ids = list(conn.scalars(select(Contact.id)))
    with engine.begin() as conn:
        rows: list[dict] = []
        for row in report_rows(total, staff_ids, contact_ids):
            rows.append(row)
            if len(rows) == BATCH:
                conn.execute(insert(Feedback), rows)
                rows = []
        if rows:
            conn.execute(insert(Feedback), rows)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE feedback"))
        conn.execute(text("VACUUM ANALYZE contacts"))
    engine.dispose()
    return time.perf_counter() - started


def sample_values(app: Flask, rows: int) -> dict[str, str]:
    """Values that exist in the data: a ticket (typed with a dash), the middle report's id."""
    by_id = select(Feedback).order_by(Feedback.id)
    with app.extensions["suara"].sessions() as s:
        ticket = s.scalar(by_id.with_only_columns(Feedback.ticket).offset(rows // 20).limit(1))
        middle = s.scalar(by_id.with_only_columns(Feedback.id).offset(rows // 2).limit(1))
    return {"ticket": f"{ticket[:3]}-{ticket[3:]}", "middle": str(middle)}


def cases(values: dict[str, str]) -> list[tuple[str, str, dict[str, str]]]:
    """(label, role, query string) of every filter alone and some combinations."""
    now = datetime.now(UTC)
    month_ago = (now - timedelta(days=30)).strftime("%Y-%m-%d")
    half_year = (now - timedelta(days=182)).strftime("%Y-%m-%d")
    half_year_end = (now - timedelta(days=152)).strftime("%Y-%m-%d")
    return [
        ("default view (officer)", "officer", {}),
        ("default view (admin)", "admin", {}),
        ("show all", "admin", {"assigned": "anyone"}),
        ("status=in_progress", "officer", {"assigned": "anyone", "status": "in_progress"}),
        ("status=received", "officer", {"assigned": "anyone", "status": "received"}),
        ("kind=question", "officer", {"assigned": "anyone", "kind": "question"}),
        ("category=perundungan", "officer", {"assigned": "anyone", "category": "perundungan"}),
        ("kecamatan=Aek Natas", "officer", {"assigned": "anyone", "kecamatan": "Aek Natas"}),
        ("school=SDN 110007", "officer", {"assigned": "anyone", "school": "SDN 110007"}),
        ("school=smpn (common)", "officer", {"assigned": "anyone", "school": "smpn"}),
        ("school=no such school", "officer", {"assigned": "anyone", "school": "tidak ada"}),
        ("assigned=me", "officer", {"assigned": "me"}),
        ("assigned=nobody", "officer", {"assigned": "nobody"}),
        ("assigned=mine_or_nobody", "officer", {"assigned": "mine_or_nobody"}),
        ("overdue=1", "officer", {"assigned": "anyone", "overdue": "1"}),
        ("open=1", "officer", {"assigned": "anyone", "open": "1"}),
        ("from (last 30 days)", "officer", {"assigned": "anyone", "from": month_ago}),
        ("from+to (a month, 6 mo ago)", "officer",
         {"assigned": "anyone", "from": half_year, "to": half_year_end}),
        ("to (before 6 months ago)", "officer", {"assigned": "anyone", "to": half_year}),
        ("q=bocor (common)", "officer", {"assigned": "anyone", "q": "bocor"}),
        ("q=dirundung (rare-ish)", "officer", {"assigned": "anyone", "q": "dirundung"}),
        ("q=no such words", "officer", {"assigned": "anyone", "q": "kerbau terbang"}),
        ("q=PIP (3 letters)", "officer", {"assigned": "anyone", "q": "PIP"}),
        ("q=ticket 123-4567", "officer", {"assigned": "anyone", "q": values["ticket"]}),
        ("page 2 of show all", "admin", {"assigned": "anyone", "cursor": values["middle"]}),
        ("newer page (after=)", "admin", {"assigned": "anyone", "after": values["middle"]}),
        ("status+kecamatan+category", "officer",
         {"assigned": "anyone", "status": "in_progress", "kecamatan": "Marbau",
          "category": "sarpras"}),
        ("overdue+mine_or_nobody", "officer", {"assigned": "mine_or_nobody", "overdue": "1"}),
        ("q=guru + from/to", "officer",
         {"assigned": "anyone", "q": "guru", "from": half_year, "to": half_year_end}),
        ("kind+school+open", "officer",
         {"assigned": "anyone", "kind": "complaint", "school": "smpn", "open": "1"}),
        ("q+kecamatan+overdue", "officer",
         {"assigned": "anyone", "q": "pungutan", "kecamatan": "Kualuh Hulu", "overdue": "1"}),
        ("everything at once", "officer",
         {"assigned": "mine_or_nobody", "open": "1", "kind": "complaint", "category": "bos",
          "kecamatan": "Marbau", "school": "sdn", "q": "dana", "from": half_year}),
    ]  # fmt: skip


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class ServerClock:
    """Wall time, and the CPU time of the server: this thread (the Flask app runs in it)
    plus the PostgreSQL backends of the app's engine, and the time both waited, runnable,
    for a CPU (``/proc/.../schedstat``, in ns). On a machine shared with other work the
    wall time includes that wait; the CPU time is what the server itself spends."""

    def __init__(self, engine: Engine) -> None:
        self.backends: set[int] = set()
        event.listen(engine, "connect", self._connected)
        engine.dispose()  # every connection from now on is seen connecting

    def _connected(self, dbapi_connection: Any, _record: Any) -> None:
        self.backends.add(dbapi_connection.info.backend_pid)

    def now(self) -> tuple[float, float]:
        """(seconds on a CPU, seconds waiting for one) so far."""
        run = wait = 0.0
        for path in ["/proc/thread-self/schedstat"] + [
            f"/proc/{pid}/schedstat" for pid in self.backends
        ]:
            try:
                fields = Path(path).read_text().split()
                run, wait = run + int(fields[0]) / 1e9, wait + int(fields[1]) / 1e9
            except (OSError, ValueError, IndexError):
                continue
        return run, wait

    def timed(self, call: Callable[[], Any], runs: int) -> dict[str, list[float]]:
        """``runs`` calls after two warm-up ones: wall, CPU and CPU-wait ms of each."""
        for _ in range(2):
            call()
        found: dict[str, list[float]] = {"wall": [], "cpu": [], "wait": []}
        for _ in range(runs):
            (run, wait), started = self.now(), time.perf_counter()
            call()
            found["wall"].append((time.perf_counter() - started) * 1000)
            run_after, wait_after = self.now()
            found["cpu"].append((run_after - run) * 1000)
            found["wait"].append((wait_after - wait) * 1000)
        return found


def query_call(app: Flask, args: dict[str, str], staff_id: int, role: str) -> Callable[[], int]:
    """The view's service calls on a fresh session; returns the matching count."""
    sessions = app.extensions["suara"].sessions
    defaults = {"assigned": "mine_or_nobody" if role == "officer" else "anyone", "open": "1"}

    def call() -> int:
        with sessions() as s:
            query = parse_list_query(args or defaults, staff_id=staff_id, min_search=MIN_SEARCH)
            page = svc.list_feedback(s, query, admin=role == "admin")
            counts = svc.status_counts(s, query, admin=role == "admin")
            svc.staff_names(s, (i.feedback.assigned_to_id for i in page.items))
        return svc.matching(counts, query)

    return call


def page_call(client: FlaskClient, args: dict[str, str]) -> Callable[[], None]:
    url = "/staff/reports" + (f"?{urlencode(args)}" if args else "")

    def call() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        assert b"<table" in response.data or b"notice" in response.data

    return call


def explain(session: Session, args: dict[str, str], staff_id: int) -> str:
    """PostgreSQL's plans of the page's two queries (the list, the counts), as run."""
    query = parse_list_query(args or {"open": "1"}, staff_id=staff_id)
    now = datetime.now(UTC)
    listing = svc._filtered(svc._base(), query, admin=False, now=now)
    listing = listing.order_by(Feedback.id.desc()).limit(query.limit + 1)
    plain = replace(query, status=None, open=False)
    counts = (
        select(Feedback.status, func.count())
        .where(*svc._conditions(plain, admin=False, now=now))
        .group_by(Feedback.status)
    )
    lines = []
    for stmt in (listing, counts):
        compiled = stmt.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        sql = str(compiled).replace("%%", "%")
        lines += list(session.execute(text(f"EXPLAIN (ANALYZE, BUFFERS OFF) {sql}")).scalars())
    return "\n".join(f"      {line}" for line in lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--pg", default=PG_ADMIN)
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/11")
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--explain", action="store_true")
    args = ap.parse_args()
    with migrated_schema("bench_inbox", args.pg) as url:
        settings = Settings(database_url=url, redis_url=args.redis, quiet_hours="")
        app = create_app(settings)
        app.config["TESTING"] = True
        create_staff(app, "admin.bench", "admin", PASSWORD)
        for n in range(OFFICERS):
            create_staff(app, f"officer{n}.bench", "officer", PASSWORD)
        with app.extensions["suara"].sessions() as s:
            ids = dict(s.execute(select(StaffUser.name, StaffUser.id)).all())
        officer_ids = [ids[f"officer{n}.bench"] for n in range(OFFICERS)]
        seconds = fill(url, args.rows, officer_ids)
        print(f"filled {args.rows:,} reports in {seconds:.1f} s ({url.split('%3D')[-1]})")
        clients = {}
        for role, name in (("admin", "admin.bench"), ("officer", "officer0.bench")):
            clients[role] = app.test_client()
            sign_in(clients[role], name, PASSWORD)
        values = sample_values(app, args.rows)
        clock = ServerClock(app.extensions["suara"].engine)
        columns = (
            ("matches", 8), ("query p50", 10), ("p95", 6), ("page p50", 9), ("p95", 6),
            ("CPU p50", 8), ("p95", 6), ("wait p50", 9),
        )  # fmt: skip
        header = f"{'filter':<30}" + "".join(f" {name:>{width}}" for name, width in columns)
        print(f"\n{args.runs} runs each, milliseconds. query, page: wall time; CPU: the page's CPU")
        print("time in the app and its PostgreSQL backends; wait: the page's time spent waiting")
        print("for a CPU (other work on the machine). Target: page <= 200 ms.")
        print(f"load average before: {Path('/proc/loadavg').read_text().split()[0]} on {cores()}")
        print(f"\n{header}\n{'-' * len(header)}")
        worst = {"wall": 0.0, "cpu": 0.0}
        for label, role, query in cases(values):
            staff_id = ids["officer0.bench" if role == "officer" else "admin.bench"]
            count_call = query_call(app, query, staff_id, role)
            matches = count_call()
            q_wall = clock.timed(count_call, args.runs)["wall"]
            page = clock.timed(page_call(clients[role], query), args.runs)
            figures = [
                statistics.median(q_wall), percentile(q_wall, 0.95),
                statistics.median(page["wall"]), percentile(page["wall"], 0.95),
                statistics.median(page["cpu"]), percentile(page["cpu"], 0.95),
                statistics.median(page["wait"]),
            ]  # fmt: skip
            worst = {"wall": max(worst["wall"], figures[3]), "cpu": max(worst["cpu"], figures[5])}
            flag = "  OVER" if figures[3] > TARGET_MS else ""
            cells = "".join(
                f" {value:>{width}.1f}"
                for value, (_n, width) in zip(figures, columns[1:], strict=True)
            )
            print(f"{label:<30} {matches:>8,}{cells}{flag}")
            if args.explain:
                with app.extensions["suara"].sessions() as s:
                    print(explain(s, query, staff_id))
        print(f"\nload average after: {Path('/proc/loadavg').read_text().split()[0]}")
        for name, value in (("wall", worst["wall"]), ("CPU", worst["cpu"])):
            verdict = "within" if value <= TARGET_MS else "over"
            print(f"worst page p95, {name}: {value:.1f} ms ({verdict} the 200 ms target)")
        app.extensions["suara"].engine.dispose()


def cores() -> str:
    return f"{os.cpu_count()} CPUs"


if __name__ == "__main__":
    main()
