"""Prometheus counters (per process; scrape each gunicorn worker or use a multiprocess dir)."""

from __future__ import annotations

from flask import Flask, Response, request
from prometheus_client import Counter

WEBHOOK_REQUESTS = Counter(
    "suara_webhook_requests_total",
    "Webhook requests by endpoint and status",
    ["endpoint", "status"],
)


def init_app(app: Flask) -> None:
    @app.after_request
    def count(response: Response) -> Response:
        if request.endpoint and request.endpoint.startswith("webhooks."):
            WEBHOOK_REQUESTS.labels(request.endpoint, str(response.status_code)).inc()
        return response
