"""outbox claims, sweeper clock, poll purposes and reminders

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 10:50:00

Chain note: 0002 and 0003 are written on other branches at the same time. This
revision follows 0003; until both are merged it follows the highest of them present,
so this branch migrates on its own. After the merge this resolves to "0003" (and
may be written as the literal then).
"""

from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = next(
    rev for rev in ("0003", "0002", "0001") if any(Path(__file__).parent.glob(f"{rev}_*.py"))
)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbound_messages") as batch:
        batch.add_column(sa.Column("purpose", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("provider_called_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_unique_constraint(
            "uq_outbound_messages_poll_id_contact_id_purpose", ["poll_id", "contact_id", "purpose"]
        )
    with op.batch_alter_table("polls") as batch:
        batch.add_column(sa.Column("reminder_sent_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("polls") as batch:
        batch.drop_column("reminder_sent_at")
    with op.batch_alter_table("outbound_messages") as batch:
        batch.drop_constraint("uq_outbound_messages_poll_id_contact_id_purpose", type_="unique")
        batch.drop_column("provider_called_at")
        batch.drop_column("claimed_at")
        batch.drop_column("queued_at")
        batch.drop_column("purpose")
