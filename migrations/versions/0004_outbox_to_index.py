"""index the outbox by recipient and time (the hourly reply cap counts there)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 11:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_outbound_to_created_at", "outbound_messages", ["to", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_outbound_to_created_at", table_name="outbound_messages")
