"""Staff poll API, fan-out to an audience, answers, results, reminder, CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from gateway.models import Contact, Poll, StaffUser
from gateway.polls.answers import record_poll_answer
from gateway.staff.auth import hash_token
from tests.conftest import run_jobs
from tests.outbox_helpers import add_contacts, phone, rows
from workers.polls import send_poll_reminder

pytestmark = pytest.mark.integration
OFFICER, VIEWER = "officer-token", "viewer-token"
POLL = {
    "question": "Apakah jadwal masuk sekolah pukul 07.30 sudah tepat?",
    "question_en": "Is the 07:30 school start time right?",
    "options": [
        {"label": "Ya", "label_en": "Yes", "synonyms": ["setuju", "iya"]},
        {"label": "Tidak", "label_en": "No", "synonyms": ["belum"]},
        {"label": "Ragu", "label_en": "Unsure"},
    ],
    "audience": {"kecamatan": ["Aek Kuo"], "role": []},
    "send_at": None,
    "close_at": None,
    "reminder_after_hours": 24,
}


@pytest.fixture
def staff_app(build, fake_at):
    app, rt = build(sms_batch_size=4, sms_cost_per_segment=250.0)
    with rt.sessions.begin() as s:
        s.add(StaffUser(name="ani", role="officer", token_hash=hash_token(OFFICER)))
        s.add(StaffUser(name="budi", role="viewer", token_hash=hash_token(VIEWER)))
    add_contacts(rt, 12)
    with rt.sessions.begin() as s:
        s.execute(update(Contact).where(Contact.phone == phone(1)).values(language="en"))
        s.execute(update(Contact).where(Contact.phone == phone(3)).values(subscribed=False))
    return app, rt


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def answer(rt, i, text):
    with rt.sessions.begin() as s:
        contact = s.scalar(select(Contact).where(Contact.phone == phone(i)))
        return record_poll_answer(s, contact=contact, answer=text, channel="sms")


def test_auth_roles_and_field_errors(staff_app):
    client = staff_app[0].test_client()
    assert client.post("/api/v1/polls", json=POLL).status_code == 401
    assert client.post("/api/v1/polls", json=POLL, headers=auth("nope")).status_code == 401
    assert client.post("/api/v1/polls", json=POLL, headers=auth(VIEWER)).status_code == 403
    bad = {"question": "", "options": ["Ya"], "send_at": "besok", "reminder_after_hours": -1}
    resp = client.post("/api/v1/polls", json=bad, headers=auth(OFFICER))
    assert resp.status_code == 400
    assert set(resp.json["errors"]) == {"question", "options", "send_at", "reminder_after_hours"}


def test_create_previews_text_segments_cost_and_non_gsm_warning(staff_app):
    client = staff_app[0].test_client()
    resp = client.post("/api/v1/polls", json=POLL, headers=auth(OFFICER))
    assert resp.status_code == 201 and resp.json["id"]
    body = resp.json
    assert body["recipients"] == 5  # Aek Kuo: odd numbers 1..11, minus the unsubscribed 3
    assert body["texts"]["id"].endswith("Balas 1-3 atau A-C. Ketik BERHENTI utk berhenti.")
    assert body["encodings"] == {"id": "GSM-7", "en": "GSM-7"} and body["warnings"] == []
    assert body["estimated_cost"] == "1250.0"
    curly = POLL | {"question": "Apakah jadwal “baru” sudah jelas?"}
    warned = client.post("/api/v1/polls", json=curly, headers=auth(OFFICER)).json
    assert warned["encodings"]["id"] == "UCS-2" and "'“'" in warned["warnings"][0]


def test_send_fan_out_answers_results_and_recipients(staff_app, fake_at):
    app, rt = staff_app
    client = app.test_client()
    poll_id = client.post("/api/v1/polls", json=POLL, headers=auth(OFFICER)).json["id"]
    assert client.post(f"/api/v1/polls/{poll_id}/send", headers=auth(VIEWER)).status_code == 403
    assert client.post(f"/api/v1/polls/{poll_id}/send", headers=auth(OFFICER)).status_code == 202
    run_jobs(rt.redis)
    sent = {r.to: r for r in rows(rt)}
    assert set(sent) == {phone(i) for i in (1, 5, 7, 9, 11)}
    assert sent[phone(1)].text.startswith("Is the 07:30") and "BERHENTI" in sent[phone(1)].text
    assert sent[phone(5)].text.startswith("Apakah jadwal")
    assert answer(rt, 1, "1").label == "Ya"
    assert answer(rt, 5, "b").label == "Tidak"
    assert answer(rt, 7, "stuju pak").label == "Ya"
    changed = answer(rt, 7, "Ragu")
    assert changed.label == "Ragu" and changed.changed
    assert answer(rt, 9, "entahlah").option_id is None
    res = client.get(f"/api/v1/polls/{poll_id}/results", headers=auth(VIEWER)).json
    assert res["recipients"] == 5 and res["response_rate"] == 0.6
    assert [(o["label"], o["count"]) for o in res["options"]] == [
        ("Ya", 1),
        ("Tidak", 1),
        ("Ragu", 1),
    ]
    assert res["options"][0]["percent"] == 33.3
    assert res["by_kecamatan"] == {"Aek Kuo": {"Ya": 1, "Tidak": 1, "Ragu": 1}}
    assert res["funnel"] == {
        "queued": 5,
        "sent": 5,
        "delivered": 0,
        "failed": 0,
        "cancelled": 0,
        "unknown": 0,
        "waiting": 0,
        "answered": 3,
    }
    page = client.get(f"/api/v1/polls/{poll_id}/recipients?per_page=2", headers=auth(VIEWER)).json
    assert page["total"] == 5 and len(page["items"]) == 2 and page["items"][0]["answer"] == "Ya"
    csv_text = client.get(f"/api/v1/polls/{poll_id}/results.csv", headers=auth(VIEWER)).text
    assert csv_text.count("\n") == 6 and "Ragu" in csv_text
    assert (
        client.get(f"/api/v1/polls/{poll_id}/results?format=csv", headers=auth(VIEWER)).text
        == csv_text
    )

    with rt.sessions.begin() as s:  # the reminder is due: only the 2 without an answer
        s.execute(update(Poll).values(sent_at=datetime.now(UTC) - timedelta(hours=25)))
    send_poll_reminder(poll_id)
    send_poll_reminder(poll_id)
    run_jobs(rt.redis)
    reminders = [r for r in rows(rt) if r.purpose == "poll_reminder"]
    assert {r.to for r in reminders} == {phone(9), phone(11)}
    assert all(r.text.startswith(("Pengingat: ", "Reminder: ")) for r in reminders)

    assert client.post(f"/api/v1/polls/{poll_id}/close", headers=auth(OFFICER)).status_code == 200
    assert answer(rt, 11, "1").closed


def test_future_send_at_waits(staff_app, fake_at):
    app, rt = staff_app
    client = app.test_client()
    later = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    poll_id = client.post(
        "/api/v1/polls", json=POLL | {"send_at": later}, headers=auth(OFFICER)
    ).json["id"]
    resp = client.post(f"/api/v1/polls/{poll_id}/send", headers=auth(OFFICER))
    assert resp.json["status"] == "scheduled"
    from workers.sweeper import sweep

    sweep()
    run_jobs(rt.redis)
    assert rows(rt) == [] and fake_at.requests == []


def test_cli_create_send_results(staff_app, fake_at):
    app, rt = staff_app
    runner = app.test_cli_runner()
    out = runner.invoke(
        args=[
            "poll",
            "create",
            "--question",
            "Sekolah sudah bersih?",
            "--option",
            "Ya:iya,sudah",
            "--option",
            "Tidak",
            "--role",
            "guru",
        ]
    )
    assert out.exit_code == 0, out.output
    assert "created (draft) for 3 recipients" in out.output
    poll_id = int(out.output.split()[1])
    assert runner.invoke(args=["poll", "send", str(poll_id)]).exit_code == 0
    run_jobs(rt.redis)
    assert len(rows(rt)) == 3
    res = runner.invoke(args=["poll", "results", str(poll_id)])
    assert '"recipients": 3' in res.output
    bad = runner.invoke(args=["poll", "create", "--question", "x", "--option", "Ya"])
    assert bad.exit_code != 0 and "options" in bad.output


def test_a_poll_held_by_quiet_hours_says_so_in_the_api_the_cli_and_the_worker_log(
    build, fake_at, caplog
):
    now_wib = datetime.now(UTC) + timedelta(hours=7)
    start, end = now_wib - timedelta(hours=1), now_wib + timedelta(hours=1)
    app, rt = build(quiet_hours=f"{start:%H:%M}-{end:%H:%M}")
    with rt.sessions.begin() as s:
        s.add(StaffUser(name="ani", role="officer", token_hash=hash_token(OFFICER)))
    add_contacts(rt, 3)
    client = app.test_client()
    poll_id = client.post("/api/v1/polls", json=POLL, headers=auth(OFFICER)).json["id"]
    sent = client.post(f"/api/v1/polls/{poll_id}/send", headers=auth(OFFICER)).json
    day = "" if end.date() == now_wib.date() else f" on {end:%d-%m-%Y}"  # near midnight
    notice = f"held until {end:%H:%M} WIB{day} by quiet hours ({start:%H:%M}-{end:%H:%M})"
    assert sent["notice"] == notice and sent["held_until"]
    runner = app.test_cli_runner()
    other = client.post("/api/v1/polls", json=POLL, headers=auth(OFFICER)).json["id"]
    out = runner.invoke(args=["poll", "send", str(other)])
    assert out.exit_code == 0 and f"poll {other}: {notice}" in out.output
    caplog.set_level("INFO", logger="suara.workers.sms")
    run_jobs(rt.redis)
    assert fake_at.requests == []
    assert any(notice in r.getMessage() for r in caplog.records if "broadcast SMS" in r.message)
