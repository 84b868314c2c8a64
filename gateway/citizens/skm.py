"""SKM (Survei Kepuasan Masyarakat) answers, from SMS and USSD alike.

One row per response: nine scores 1-4 (PermenPANRB 14/2017), complete or not. A USSD
session records at most one row; a resumed survey's row replaces the dropped one's.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from gateway.models import Channel, Contact, SkmResponse

SKM_OF_SESSION = select(SkmResponse.id).where(SkmResponse.ussd_session_id == bindparam("sid"))


def record_skm(
    session: Session,
    *,
    contact: Contact | None,
    answers: Sequence[int],
    channel: Channel,
    complete: bool,
    service: str | None = None,
    ussd_session_id: str | None = None,
    origin: str | None = None,
) -> bool:
    """Store one response; False when this USSD session already recorded one.

    ``origin``: the dropped session a resumed survey continues; its incomplete row for the
    same service is replaced by this one."""
    if ussd_session_id and session.scalar(SKM_OF_SESSION, {"sid": ussd_session_id}):
        return False
    if origin:
        session.execute(
            delete(SkmResponse).where(
                SkmResponse.ussd_session_id == origin,
                SkmResponse.service == service,
                SkmResponse.complete.is_(False),
            )
        )
    session.add(
        SkmResponse(
            contact_id=contact.id if contact else None,
            service=service,
            answers="".join(str(a) for a in answers),
            complete=complete,
            channel=channel.value,
            ussd_session_id=ussd_session_id,
        )
    )
    session.flush()
    return True
