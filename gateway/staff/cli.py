"""`suara staff create|password|rotate|revoke`: staff accounts, their desk
passwords and their API tokens.

A token is printed once, as the last line of the output; only its hash is stored.
``--expires-days D`` makes a token stop working D days after it was issued. ``rotate``
issues a new token (the old one stops working at once); ``revoke`` stops the token without
issuing another (``rotate`` issues one again).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from gateway.errors import InvalidInput
from gateway.staff.auth import MAX_EXPIRES_DAYS, ROLES

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gateway.models import StaffUser

EXPIRES_DAYS = click.option(
    "--expires-days",
    type=click.IntRange(1, MAX_EXPIRES_DAYS),
    default=None,
    help="The token stops working this many days from now (default: never).",
)


@click.group("staff", cls=AppGroup)
def staff_group() -> None:
    """Staff accounts: desk passwords and API tokens."""


@staff_group.command("create")
@click.option("--name", required=True, help="Unique account name, e.g. 'rina.disdik'.")
@click.option("--role", required=True, type=click.Choice(ROLES), help="admin, officer or viewer.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the desk password from standard input (its first line); without it the "
    "account has only its API token.",
)
@EXPIRES_DAYS
def create(name: str, role: str, password_stdin: bool, expires_days: int | None) -> None:
    """Create a staff account and print its API token (shown only this once, last)."""
    from gateway.staff import account_ops
    from gateway.web import runtime

    password = _read_password() if password_stdin else None
    try:
        with runtime().sessions.begin() as session:
            issued = account_ops.create(
                session,
                account_ops.CLI,
                name=name.strip(),
                role=role,
                expires_days=expires_days,
                password=password,
            )
    except IntegrityError:
        raise click.ClickException(f"a staff account named {name!r} already exists") from None
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from None
    login = " and a desk password" if password is not None else ""
    click.echo(f"created staff account {issued.id} {issued.name!r} with role {role}{login}")
    _echo_token(issued.token, issued.expires_at)


@staff_group.command("password")
@click.option("--name", required=True, help="The account's name.")
@click.option("--password-stdin", is_flag=True, required=True, help="Read it from stdin.")
def password(name: str, password_stdin: bool) -> None:
    """Set the account's desk password; its open desk sessions end."""
    from gateway.staff import account_ops

    new = _read_password()
    with _account(name) as (session, user):
        try:
            ended = account_ops.set_password(session, account_ops.CLI, user, new)
        except InvalidInput as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"password of staff account {name!r} set; {ended} desk session(s) ended")


def _read_password() -> str:
    line = sys.stdin.readline().rstrip("\r\n")
    if not line:
        raise click.ClickException("no password on standard input")
    return line


@staff_group.command("rotate")
@click.option("--name", required=True, help="The account's name.")
@EXPIRES_DAYS
def rotate(name: str, expires_days: int | None) -> None:
    """Issue a new API token (printed last); the old one stops working at once."""
    from gateway.staff import account_ops

    with _account(name) as (session, user):
        try:
            issued = account_ops.rotate_token(
                session, account_ops.CLI, user, expires_days=expires_days
            )
        except InvalidInput as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"new token for staff account {issued.id} {issued.name!r}; the old one is void")
    _echo_token(issued.token, issued.expires_at)


@staff_group.command("revoke")
@click.option("--name", required=True, help="The account's name.")
def revoke(name: str) -> None:
    """Stop the account's API token at once (`rotate` issues a new one)."""
    from gateway.staff import account_ops

    with _account(name) as (session, user):
        at = account_ops.revoke_token(session, account_ops.CLI, user)
        staff_id = user.id
    click.echo(f"token of staff account {staff_id} {name!r} revoked at {at.isoformat()}")


@contextmanager
def _account(name: str) -> Iterator[tuple[Session, StaffUser]]:
    """The account named ``name`` in a transaction, or a clear error when there is none."""
    from gateway.staff.accounts import staff_by_name
    from gateway.web import runtime

    with runtime().sessions.begin() as session:
        user = staff_by_name(session, name.strip())
        if user is None:
            raise click.ClickException(f"no staff account named {name!r}")
        yield session, user


def _echo_token(token: str, expires_at: datetime | None) -> None:
    until = f", valid until {expires_at.isoformat()}" if expires_at is not None else ""
    click.echo(f"API token (shown once, keep it secret{until}):")
    click.echo(token)


def init_app(app: Flask) -> None:
    app.cli.add_command(staff_group)
