"""the desk's inbox: trigram indexes for its text search, and one for its counts

The inbox (and ``GET /api/v1/feedback``) search the report text and the school name with
``lower(column) LIKE '%words%'``; over 100,000 reports a scan of every row costs several
hundred milliseconds, a ``pg_trgm`` GIN index on the same expression a few
(bench/inbox.py). The extension goes into the schema that already holds it, else into
``public`` (so one database's throwaway test schemas share it and dropping one of them
never drops it), else into the current schema; the operator class is named with that
schema. Downgrading drops the indexes and leaves the extension. SQLite has no such index:
its searches scan, which is fine at its sizes.

``ix_feedback_status_assigned`` (both databases) serves the count per status and the
officer's default view ("assigned to me or nobody, open") from the index alone;
``ix_feedback_created_at`` the date filters' counts (a search within a month reads that
month's reports, not every report holding the word).

Revision ID: 0010a
Revises: 0009a
Create Date: 2026-12-03 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010a"
down_revision: str | None = "0009a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGRAM_INDEXES = (("ix_feedback_text_trgm", "text"), ("ix_feedback_school_trgm", "school"))


def upgrade() -> None:
    op.create_index("ix_feedback_status_assigned", "feedback", ["status", "assigned_to_id"])
    op.create_index("ix_feedback_created_at", "feedback", ["created_at"])
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    schema = _trigram_schema(bind)
    for name, column in TRIGRAM_INDEXES:
        op.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON feedback USING gin (lower("{column}") '
            f'"{schema}".gin_trgm_ops)'
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _column in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    op.drop_index("ix_feedback_created_at", table_name="feedback")
    op.drop_index("ix_feedback_status_assigned", table_name="feedback")


def _trigram_schema(bind: sa.Connection) -> str:
    """The schema of ``pg_trgm``, installing it first when the database has none."""
    installed = (
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'"
    )
    found = bind.execute(sa.text(installed)).scalar()
    if found is None:
        public = "SELECT 1 FROM pg_namespace WHERE nspname = 'public'"
        current = "SELECT current_schema()"
        target = "public" if bind.execute(sa.text(public)).scalar() else None
        target = target or bind.execute(sa.text(current)).scalar()
        op.execute(f'CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA "{target}"')
        found = bind.execute(sa.text(installed)).scalar()
    return str(found)
