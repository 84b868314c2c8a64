"""the consent ledger (append-only) and erased contacts

Revision ID: 0007a
Revises: 0006a
Create Date: 2026-11-29 09:00:00

`consent_events` records every grant and withdrawal; a trigger refuses UPDATE on both
backends, so a row once written stays as it was. Existing contacts get their current
consent and opt-out as the ledger's first rows (carrier unknown). `contacts.erased_at`
marks a contact whose data a HAPUS request erased.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007a"
down_revision: str | None = "0006a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFUSAL = "consent_events is append-only"


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_contacts_erased_at", "contacts", ["erased_at"])
    op.create_table(
        "consent_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("consent_version", sa.String(length=20), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("inbound_message_id", sa.Integer(), nullable=True),
        sa.Column("ussd_session_id", sa.String(length=100), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_consent_events_contact_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["inbound_message_id"],
            ["inbound_messages.id"],
            name=op.f("fk_consent_events_inbound_message_id_inbound_messages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_events")),
    )
    op.create_index("ix_consent_events_contact_at", "consent_events", ["contact_id", "at"])
    _backfill()
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION consent_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{REFUSAL}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events "
            "FOR EACH ROW EXECUTE FUNCTION consent_events_append_only()"
        )
    else:
        op.execute(
            "CREATE TRIGGER consent_events_no_update BEFORE UPDATE ON consent_events "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
        )


def _backfill() -> None:
    """The consent each contact holds today, and its opt-out, as the first ledger rows."""
    op.execute(
        "INSERT INTO consent_events (contact_id, action, channel, consent_version, at) "
        "SELECT id, 'grant', COALESCE(consent_channel, 'unknown'), consent_version, consent_at "
        "FROM contacts WHERE consent_at IS NOT NULL"
    )
    op.execute(
        "INSERT INTO consent_events (contact_id, action, channel, consent_version, at) "
        "SELECT id, 'withdraw', 'unknown', consent_version, opted_out_at "
        "FROM contacts WHERE opted_out_at IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS consent_events_no_update" + _on_table())
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS consent_events_append_only()")
    op.drop_index("ix_consent_events_contact_at", table_name="consent_events")
    op.drop_table("consent_events")
    op.drop_index("ix_contacts_erased_at", table_name="contacts")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("erased_at")


def _on_table() -> str:
    return " ON consent_events" if op.get_bind().dialect.name == "postgresql" else ""
