"""outbox claims, sweeper clock, poll purposes and reminders

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 10:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
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
