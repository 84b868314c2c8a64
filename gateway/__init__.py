"""Suara: the SMS/USSD gateway through which Disdik Labura hears its citizens.

One package per capability (see ``docs/architecture.md``):

- ``ussd``, ``sms``: the two citizen channels (webhooks, the hop, keywords, handling);
- ``citizens``, ``feedback``, ``consultations``, ``polls``: what citizens and staff do;
- ``outbox``: every SMS Suara sends, from the queue to the delivery report;
- ``providers``: everything vendor-specific, behind neutral types;
- ``staff``: the staff JSON API, CLI, auth and roles;
- ``common``: pure helpers (phone numbers, GSM-7, tickets, WIB, the citizen texts).

Importing this package loads nothing: the app factory lives in ``gateway.app``, so the pure
``menus`` engine can use ``gateway.common`` without Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from gateway.config import Settings
    from gateway.runtime import Runtime

__all__ = ["create_app"]


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> Flask:
    """Build the app (``gateway.app.create_app``). Reads the environment only when no
    settings are given."""
    from gateway.app import create_app as build

    return build(settings, runtime=runtime)
