"""Fixtures for the outbox and poll tests: the fake Africa's Talking and an app on it."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from pytest_httpserver import HTTPServer

from gateway.config import Settings
from gateway.runtime import Runtime
from tests.outbox_helpers import at_settings


@pytest.fixture
def build(make_app: Any, settings: Settings, httpserver: HTTPServer) -> Any:
    """`build(**settings)` -> (app, runtime) talking to the fake."""

    def factory(**extra: object) -> tuple[Flask, Runtime]:
        app = make_app(at_settings(settings, httpserver.url_for("/version1"), **extra))
        return app, app.extensions["suara"]

    return factory
