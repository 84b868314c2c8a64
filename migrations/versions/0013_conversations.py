"""conversations: a citizen's answer joins the report's thread

Revision ID: 0013b
Revises: 0010a
Create Date: 2026-12-03 12:00:00

``feedback.citizen_answered_at``: when the citizen last answered (the desk shows and
filters "citizen answered"); cleared when staff reply or change the status.
``feedback_events.inbound_message_id``: the SMS a ``citizen_reply`` event came in.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013b"
down_revision: str | None = "0010a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("feedback") as batch:
        batch.add_column(
            sa.Column("citizen_answered_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.create_index("ix_feedback_citizen_answered_at", ["citizen_answered_at"])
    with op.batch_alter_table("feedback_events") as batch:
        batch.add_column(sa.Column("inbound_message_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_feedback_events_inbound_message_id_inbound_messages",
            "inbound_messages",
            ["inbound_message_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("feedback_events") as batch:
        batch.drop_constraint(
            "fk_feedback_events_inbound_message_id_inbound_messages", type_="foreignkey"
        )
        batch.drop_column("inbound_message_id")
    with op.batch_alter_table("feedback") as batch:
        batch.drop_index("ix_feedback_citizen_answered_at")
        batch.drop_column("citizen_answered_at")
