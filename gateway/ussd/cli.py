"""`suara menus check`, `ussd simulate` and `consultation add|list`."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from pathlib import Path

import click
import yaml
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from gateway.common.phone import normalize
from gateway.common.wib import WIB
from gateway.models import Consultation
from gateway.outbox.enqueue import enqueue_sends
from gateway.providers import UssdRequest
from gateway.providers.africastalking import render_ussd
from gateway.ussd.data import VALIDATORS, consultation_label
from gateway.ussd.hop import handle_hop, tree
from gateway.ussd.state import Loaded, Saved
from gateway.web import runtime
from menus import Tree, build_tree, validate
from menus.validators import BUILTIN_VALIDATORS


class MemoryStore:
    """Session state in a dict, for the simulator (same interface as ``ussd.RedisStore``)."""

    def __init__(self) -> None:
        self.data: dict[str, Saved] = {}
        self.langs: dict[str, str] = {}

    def load(self, session_id: str, phone: str, *, first: bool) -> Loaded:
        if not first:
            return Loaded(self.data.get(session_id))
        return Loaded(
            self.data.get(session_id), self.data.get(f"resume:{phone}"), self.langs.get(phone)
        )

    def save(
        self, saved: Saved, phone: str, *, resumable: bool | None, lang: str | None = None
    ) -> None:
        self.data[saved.session_id] = saved
        if lang:
            self.langs[phone] = lang
        if resumable:
            self.data[f"resume:{phone}"] = saved
        elif resumable is not None:
            self.data.pop(f"resume:{phone}", None)


# ----------------------------------------------------------------------------- menus check


@click.group("menus", cls=AppGroup)
def menus_group() -> None:
    """USSD menu content."""


def _load(tree_path: Path | None) -> Tree:
    if tree_path is None:
        return tree()
    package = resources.files("menus")
    catalog = {
        lang: yaml.safe_load((package / "catalog" / f"{lang}.yaml").read_text("utf-8"))
        for lang in ("id", "en")
    }
    return build_tree(yaml.safe_load(tree_path.read_text("utf-8")), catalog)


@menus_group.command("check")
@click.option("--tree", "tree_path", type=click.Path(exists=True, path_type=Path), default=None)
def menus_check(tree_path: Path | None) -> None:
    """Validate the shipped tree (or --tree FILE): targets, reachability, texts, sizes."""
    known = {*BUILTIN_VALIDATORS, *VALIDATORS}
    limit = runtime().settings.ussd_max_chars
    problems = validate(_load(tree_path), max_chars=limit, validators=known)
    for problem in problems:
        click.echo(f"{problem.screen}: {problem.message}")
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in the menu tree")
    click.echo(f"menu tree OK (screens within {limit} characters)")


# ----------------------------------------------------------------------------- simulate


@click.group("ussd", cls=AppGroup)
def ussd_group() -> None:
    """USSD tools."""


@ussd_group.command("simulate")
@click.option("--phone", default="+6281200000001", help="The caller's number.")
@click.option("--session", "session_id", default=None, help="Session id (default: new).")
def ussd_simulate(phone: str, session_id: str | None) -> None:
    """Dial the menu in the terminal. Actions REALLY run (records, outbox SMS), as on the
    webhook; state lives in memory. Empty input or EOF hangs up."""
    rt = runtime()
    caller = normalize(phone)
    sid = session_id or f"SIM_{datetime.now().strftime('%Y%m%d%H%M%S')}"
    store, text, first = MemoryStore(), "", True
    while True:
        req = UssdRequest(session_id=sid, phone=caller, service_code="sim", text=text)
        with rt.sessions() as session:
            reply = handle_hop(
                lambda: session,
                store,
                req,
                replies_per_hour=rt.settings.sms_replies_per_hour,
                max_chars=rt.settings.ussd_max_chars,
            )
        enqueue_sends(rt.redis, reply.outbound_ids)
        screen = render_ussd(reply.text, end=reply.end)
        click.echo(f"{screen}\n[{len(screen)} chars]")
        for action in reply.actions:
            click.echo(f"  -> {type(action).__name__} done")
        if reply.end:
            return
        try:
            value = click.prompt(">", default="", show_default=False)
        except click.Abort:  # end of input (Ctrl-D, a piped script ran out): hang up
            value = ""
        if not value:
            click.echo("(hung up)")
            return
        text, first = (value if first else f"{text}*{value}"), False


# ----------------------------------------------------------------------------- consultations


@click.group("consultation", cls=AppGroup)
def consultation_group() -> None:
    """Public consultations citizens can RSVP to (USSD menu 7, SMS HADIR <code>)."""


@consultation_group.command("add")
@click.option("--code", required=True, help="Short code, e.g. K25.")
@click.option("--title", required=True)
@click.option("--title-en", default=None)
@click.option("--place", required=True)
@click.option("--starts", required=True, help='WIB, "YYYY-MM-DD HH:MM".')
def consultation_add(code: str, title: str, title_en: str | None, place: str, starts: str) -> None:
    """Add a consultation; the start time is given in WIB and stored in UTC."""
    try:
        local = datetime.strptime(starts, "%Y-%m-%d %H:%M").replace(tzinfo=WIB)
    except ValueError as exc:
        raise click.BadParameter('use "YYYY-MM-DD HH:MM" (WIB)', param_hint="--starts") from exc
    code = code.strip().upper()
    with runtime().sessions.begin() as session:
        if session.scalar(select(Consultation.id).where(Consultation.code == code)):
            raise click.ClickException(f"code {code} already exists")
        row = Consultation(code=code, title=title, title_en=title_en, place=place, starts_at=local)
        session.add(row)
        session.flush()
        click.echo(f"added {code}: {consultation_label(row, 'id')}")


@consultation_group.command("list")
def consultation_list() -> None:
    """All consultations, soonest first, times in WIB."""
    with runtime().sessions() as session:
        rows = session.scalars(select(Consultation).order_by(Consultation.starts_at)).all()
        for row in rows:
            when = row.starts_at.astimezone(WIB).strftime("%Y-%m-%d %H:%M")
            click.echo(f"{row.code}\t{when} WIB\t{row.title}\t{row.place}")
        if not rows:
            click.echo("no consultations")


def init_app(app: Flask) -> None:
    for group in (menus_group, ussd_group, consultation_group):
        app.cli.add_command(group)
