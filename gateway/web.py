"""Access to the runtime and the request's database session from views."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import Session

from gateway.runtime import Runtime


def runtime() -> Runtime:
    rt: Runtime = current_app.extensions["suara"]
    return rt


def db_session() -> Session:
    if "db_session" not in g:
        g.db_session = runtime().sessions()
    session: Session = g.db_session
    return session


def close_db_session(_exc: BaseException | None = None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()
