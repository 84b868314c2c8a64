"""Failed staff authentications, rate-limited per client address (Flask-Limiter on Redis).

Every 401 of the staff API (`gateway.staff.guard`) counts against the address that got it.
After `AUTH_FAILURES` of them within one minute (a fixed window), every staff API request
from that address is refused with 429 (the API's JSON error shape) until the minute is over,
even one with a good token; requests that authenticate count nothing. The counters live in
Redis (`REDIS_URL`, through the runtime's connection pool and its timeouts), so they hold
across gunicorn workers; if Redis fails, each process counts in memory meanwhile and the API
keeps answering. The address is ``request.remote_addr``: behind a proxy, have the proxy's
address rewritten (e.g. werkzeug's ``ProxyFix``) or every client shares one counter.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from gateway.runtime import Runtime
from gateway.staff import accounts_api, api, polls_api, skm_api

AUTH_FAILURES = "10 per minute"
LIMITED = (api.bp, polls_api.bp, accounts_api.bp, skm_api.bp)
STAFF_BLUEPRINTS = frozenset(bp.name for bp in LIMITED) | {"desk"}  # the desk's login
TOO_MANY = "too many failed authentications from this address; try again in a minute"


def init_app(app: Flask) -> Limiter:
    """The app's limiter on its runtime's Redis; call after the staff blueprints are
    registered."""
    rt: Runtime = app.extensions["suara"]
    storage = {"connection_pool": rt.redis.connection_pool}  # one Redis client setup
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", storage)
    limiter = Limiter(
        get_remote_address,
        storage_uri=rt.settings.redis_url,
        strategy="fixed-window",
        key_prefix="suara-staff",
        headers_enabled=True,
        swallow_errors=True,
        in_memory_fallback_enabled=True,
    )
    limiter.request_filter(_not_staff_api)
    limiter.init_app(app)
    failures = limiter.shared_limit(
        AUTH_FAILURES, scope="staff-auth", deduct_when=_refused, error_message=TOO_MANY
    )
    for bp in LIMITED:
        failures(bp)
    return limiter


def _not_staff_api() -> bool:
    return request.blueprint not in STAFF_BLUEPRINTS


def _refused(response: Response) -> bool:
    return response.status_code == 401
