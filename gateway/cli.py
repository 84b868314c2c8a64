"""The operator commands, registered on the app: `suara …` (`gateway.console`) or
`flask --app wsgi …` with the venv active."""

from __future__ import annotations

import click
from flask import Flask

from gateway.staff import cli as staff_cli
from gateway.staff import outbox_cli, poll_cli
from gateway.ussd.cli import init_app as ussd_cli_init


@click.group("db")
def db_group() -> None:
    """Database schema (Alembic)."""


@db_group.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from gateway.db import migrate
    from gateway.web import runtime

    migrate(runtime().settings.database_url, revision)
    click.echo(f"database at {revision}")


def init_app(app: Flask) -> None:
    app.cli.add_command(db_group)
    ussd_cli_init(app)
    staff_cli.init_app(app)
    app.cli.add_command(poll_cli.poll_group)
    app.cli.add_command(outbox_cli.outbox_group)
