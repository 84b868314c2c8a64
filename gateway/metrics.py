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
    children: dict[tuple[str, int], Counter] = {}  # the labelled counters, looked up once each

    @app.after_request
    def count(response: Response) -> Response:
        endpoint = request.endpoint
        if endpoint and endpoint.startswith("webhooks."):
            key = (endpoint, response.status_code)
            child = children.get(key)
            if child is None:
                child = children[key] = WEBHOOK_REQUESTS.labels(endpoint, str(key[1]))
            child.inc()
        return response
