"""Prometheus counters (per process; scrape each gunicorn worker or use a multiprocess dir)."""

from __future__ import annotations

from flask import Flask, Response, request
from prometheus_client import Counter

WEBHOOK_REQUESTS = Counter(
    "suara_webhook_requests_total",
    "Webhook requests by endpoint and status",
    ["endpoint", "status"],
)
WEBHOOK_BLUEPRINTS = frozenset({"ussd_webhooks", "sms_webhooks"})
STAFF_AUTH_FAILURES = Counter(
    "suara_staff_auth_failures_total",
    "Staff API requests refused with 401, by reason (missing, unknown, revoked, expired, inactive)",
    ["reason"],
)


def init_app(app: Flask) -> None:
    children: dict[tuple[str, int], Counter] = {}  # the labelled counters, looked up once each

    @app.after_request
    def count(response: Response) -> Response:
        if request.blueprint not in WEBHOOK_BLUEPRINTS or not request.endpoint:
            return response
        key = (request.endpoint.rpartition(".")[2], response.status_code)
        child = children.get(key)
        if child is None:  # label "webhooks.<view>", as before the views had two blueprints
            child = WEBHOOK_REQUESTS.labels(f"webhooks.{key[0]}", str(key[1]))
            children[key] = child
        child.inc()
        return response
