"""Fixtures for the end-to-end tier: a local fake Africa's Talking and an app using it."""

from __future__ import annotations

import pytest


@pytest.fixture
def at_app(make_app, settings, httpserver, fake_at):
    return make_app(
        settings.with_overrides(
            sms_provider="africastalking",
            at_username="disdiklabura",
            at_api_key="atsk_test_key_123",
            at_sender_id="DISDIKLABURA",
            at_api_base_url=httpserver.url_for("/version1"),
            webhook_token="s3cret-token",
        )
    )
