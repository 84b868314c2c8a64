"""USSD session records and the first, minimal menu (main -> report -> category -> text).

The full menu tree runs on the pure engine in `menus/`; this module keeps the parts
that touch the database: session rows and the end-of-session event.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gateway.models import UssdSession
from gateway.providers import UssdEnd


def record_ussd_end(session: Session, event: UssdEnd) -> int:
    """Upsert the end-of-session event by session id (AT may send it more than once)."""
    row = session.scalar(select(UssdSession).where(UssdSession.session_id == event.session_id))
    if row is None:
        row = UssdSession(
            session_id=event.session_id,
            phone=event.phone,
            service_code=event.service_code,
            network_code=event.network_code,
        )
        session.add(row)
    row.status = event.status
    row.input = event.input
    row.last_app_response = event.last_app_response
    row.error_message = event.error_message
    row.hops_count = event.hops_count
    row.duration_ms = event.duration_ms
    row.cost = event.cost
    row.raw = event.raw
    row.ended_at = datetime.now(UTC)
    session.flush()
    return row.id
