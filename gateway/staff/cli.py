"""`flask --app wsgi staff create --name … --role …`: a staff account and its API token.

The token is printed once, as the last line of the output; only its hash is stored.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from gateway.staff.auth import ROLES


@click.group("staff", cls=AppGroup)
def staff_group() -> None:
    """Staff accounts for the API."""


@staff_group.command("create")
@click.option("--name", required=True, help="Unique account name, e.g. 'rina.disdik'.")
@click.option("--role", required=True, type=click.Choice(ROLES), help="admin, officer or viewer.")
def create(name: str, role: str) -> None:
    """Create a staff account and print its API token (shown only this once)."""
    from gateway.staff.accounts import create_staff_user
    from gateway.web import runtime

    try:
        with runtime().sessions.begin() as session:
            staff_id, token = create_staff_user(session, name=name.strip(), role=role)
    except IntegrityError:
        raise click.ClickException(f"a staff account named {name!r} already exists") from None
    click.echo(f"created staff account {staff_id} {name!r} with role {role}")
    click.echo("API token (shown once, keep it secret):")
    click.echo(token)


def init_app(app: Flask) -> None:
    app.cli.add_command(staff_group)
