"""Liveness, readiness (database and Redis) and Prometheus metrics."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from gateway.outbox.results import PROVIDER_ERROR_KEY
from gateway.web import runtime

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> tuple[Response, int]:
    rt = runtime()
    failing: dict[str, str] = {}
    try:
        with rt.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        failing["database"] = type(exc).__name__
    try:
        rt.redis.ping()
        provider_error = rt.redis.get(PROVIDER_ERROR_KEY)
        if provider_error:
            failing["provider"] = _text(provider_error)
    except RedisError as exc:
        failing["redis"] = type(exc).__name__
    if failing:
        return jsonify(status="failing", failing=failing), 503
    return jsonify(status="ready"), 200


@bp.get("/metrics")
def metrics() -> Response:
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)


def _text(value: object) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
