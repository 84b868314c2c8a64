"""`suara …`: the console script the install puts in `.venv/bin/` (and on the image's PATH),
so the operator commands run from a clone without activating the venv or naming the app."""

from __future__ import annotations

import click
from flask import Flask


def main() -> None:
    """`suara`: the app's commands (staff, poll, outbox, menus, ussd, consultation, db)
    without activating the venv or naming the app."""
    from flask.cli import FlaskGroup

    group = FlaskGroup(
        name="suara",
        create_app=_app,
        add_default_commands=False,
        add_version_option=False,
        load_dotenv=False,
        help="Suara operator commands (staff accounts, polls, the outbox, USSD menus, the "
        "database). Settings come from the environment, as for the server.",
    )
    group.main(prog_name="suara")


def _app() -> Flask:
    from gateway.app import create_app
    from gateway.errors import ConfigError

    try:
        return create_app()
    except ConfigError as exc:
        raise click.ClickException(f"configuration error: {exc}") from None
