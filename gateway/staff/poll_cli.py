"""`suara poll create|send|results` for operators."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from gateway.errors import InvalidInput
from gateway.outbox.enqueue import enqueue_fan_out
from gateway.outbox.quiet_hours import held_notice, parse_quiet_hours
from gateway.polls.admin import create_poll, preview_poll, schedule_poll
from gateway.polls.results import RECIPIENT_FIELDS, iter_recipients, poll_results
from gateway.staff.poll_schema import parse_poll
from gateway.staff.render import csv_lines
from gateway.web import db_session, runtime


@click.group("poll", cls=AppGroup)
def poll_group() -> None:
    """SMS polls: create, send, results."""


@poll_group.command("create")
@click.option("--question", required=True)
@click.option("--option", "options", multiple=True, help="LABEL or LABEL:syn1,syn2 (2-9 times)")
@click.option("--kecamatan", multiple=True)
@click.option("--role", multiple=True)
@click.option("--send-at", default=None, help="ISO 8601 with zone, e.g. 2026-12-01T09:00+07:00")
@click.option("--close-at", default=None)
@click.option("--reminder-hours", type=int, default=None)
def create(
    question: str,
    options: tuple[str, ...],
    kecamatan: tuple[str, ...],
    role: tuple[str, ...],
    send_at: str | None,
    close_at: str | None,
    reminder_hours: int | None,
) -> None:
    """Create a draft poll and show its SMS, segments and estimated cost."""
    data = {
        "question": question,
        "options": [_option(o) for o in options],
        "audience": {"kecamatan": list(kecamatan), "role": list(role)},
        "send_at": send_at,
        "close_at": close_at,
        "reminder_after_hours": reminder_hours,
    }
    try:
        spec = parse_poll(data)
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from None
    session = db_session()
    with session.begin():
        poll_id = create_poll(session, spec)
        preview = preview_poll(session, poll_id, cost_per_segment=_cost())
    click.echo(f"poll {poll_id} created (draft) for {preview.recipients} recipients")
    for lang, text in preview.texts.items():
        click.echo(f"--- [{lang}] {preview.segments[lang]} segment(s), {preview.encodings[lang]}")
        click.echo(text)
    click.echo(f"estimated cost: {preview.estimated_cost}")
    for warning in preview.warnings:
        click.echo(f"WARNING: {warning}", err=True)


@poll_group.command("send")
@click.argument("poll_id", type=int)
def send(poll_id: int) -> None:
    """Schedule the poll: now, or at its send time."""
    session, now = db_session(), datetime.now(UTC)
    with session.begin():
        poll = schedule_poll(session, poll_id, now=now)
        if poll is None:
            raise click.ClickException(f"no poll {poll_id}")
        status, send_at = poll.status, poll.send_at
    if status == "scheduled":
        enqueue_fan_out(runtime().redis, poll_id, send_at=send_at)
    click.echo(f"poll {poll_id}: {status}" + (f" at {send_at.isoformat()}" if send_at else ""))
    held = held_notice(parse_quiet_hours(runtime().settings.quiet_hours), send_at or now)
    if status == "scheduled" and held is not None:
        click.echo(f"poll {poll_id}: {held[1]}")


@poll_group.command("results")
@click.argument("poll_id", type=int)
@click.option("--csv", "as_csv", is_flag=True, help="one line per recipient")
def results(poll_id: int, as_csv: bool) -> None:
    """Results as JSON, or every recipient as CSV."""
    session = db_session()
    if as_csv:
        for line in csv_lines(RECIPIENT_FIELDS, iter_recipients(session, poll_id)):
            click.echo(line, nl=False)
        return
    click.echo(json.dumps(poll_results(session, poll_id, cost_per_segment=_cost()), indent=2))


def _option(raw: str) -> dict[str, object]:
    label, _, synonyms = raw.partition(":")
    return {"label": label, "synonyms": [s for s in synonyms.split(",") if s.strip()]}


def _cost() -> float:
    return runtime().settings.sms_cost_per_segment
