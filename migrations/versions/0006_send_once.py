"""one record per USSD session, one SMS per idempotency key

A retried USSD final hop whose Redis state was lost (or two copies of it at once) must
not file a second report or queue a second SMS: `feedback.ussd_session_id` becomes
unique, and `outbound_messages.idempotency_key` (e.g. `ussd:<session>:info:<topic>`) is
a new unique, nullable column. NULLs never clash, on PostgreSQL and SQLite alike.

Revision ID: 0006a
Revises: 0004
Create Date: 2026-12-02 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006a"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A session that filed twice before this revision keeps its first record's link; the
# later copies stay, unlinked from the session, for staff to close as duplicates.
UNLINK_DUPLICATES = sa.text(
    """
    UPDATE feedback SET ussd_session_id = NULL
    WHERE ussd_session_id IS NOT NULL
      AND id > (SELECT MIN(first.id) FROM feedback AS first
                WHERE first.ussd_session_id = feedback.ussd_session_id)
    """
)


def upgrade() -> None:
    op.execute(UNLINK_DUPLICATES)
    with op.batch_alter_table("feedback") as batch:
        batch.create_unique_constraint("uq_feedback_ussd_session_id", ["ussd_session_id"])
    with op.batch_alter_table("outbound_messages") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(length=120), nullable=True))
        batch.create_unique_constraint("uq_outbound_messages_idempotency_key", ["idempotency_key"])


def downgrade() -> None:
    with op.batch_alter_table("outbound_messages") as batch:
        batch.drop_constraint("uq_outbound_messages_idempotency_key", type_="unique")
        batch.drop_column("idempotency_key")
    with op.batch_alter_table("feedback") as batch:
        batch.drop_constraint("uq_feedback_ussd_session_id", type_="unique")
