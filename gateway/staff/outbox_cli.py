"""`suara outbox unknown|settle` for operators.

An SMS whose send may or may not have gone (a read timeout, a 5xx, a worker lost after
the request left) is `unknown`: never resent blindly, and a delivery report is matched by
message id only, so one that never learnt its id waits for staff. They look the number up
in the provider's dashboard and settle the row: sent (with the message id shown there)
or not sent (queued again).
"""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from gateway.common import wib
from gateway.errors import InvalidInput
from gateway.models import OutboundKind
from gateway.outbox.delivery import settle_unknown, unknown_rows
from gateway.outbox.enqueue import enqueue_sends
from gateway.web import db_session, runtime


@click.group("outbox", cls=AppGroup)
def outbox_group() -> None:
    """SMS whose send may or may not have gone, settled by staff."""


@outbox_group.command("unknown")
def list_unknown() -> None:
    """The `unknown` rows, oldest first: id, number, when the request left, why."""
    rows = unknown_rows(db_session())
    for row in rows:
        called = row.provider_called_at or row.created_at
        when = f"{called.astimezone(wib.WIB):%Y-%m-%d %H:%M} WIB"
        click.echo(f"{row.id}\t{row.to}\t{when}\t{row.last_error}")
    click.echo(f"{len(rows)} unknown row(s)")


@outbox_group.command("settle")
@click.argument("row_id", type=int)
@click.option("--sent-as", "message_id", help="The provider's message id: the SMS went.")
@click.option("--resend", is_flag=True, help="The provider shows no such SMS: send it again.")
def settle(row_id: int, message_id: str | None, resend: bool) -> None:
    """Settle one `unknown` row: --sent-as MESSAGE_ID, or --resend."""
    if resend == (message_id is not None):
        raise click.UsageError("give exactly one of --sent-as MESSAGE_ID and --resend")
    rt, session = runtime(), db_session()
    try:
        with session.begin():
            row = settle_unknown(
                session,
                row_id,
                message_id=message_id,
                provider=rt.sender.name,
                now=datetime.now(UTC),
            )
            status, broadcast = row.status, row.kind == OutboundKind.BROADCAST
    except InvalidInput as exc:
        raise click.ClickException(str(exc)) from None
    if resend:
        enqueue_sends(rt.redis, [row_id], broadcast=broadcast)
    click.echo(f"outbox row {row_id}: {status}")
