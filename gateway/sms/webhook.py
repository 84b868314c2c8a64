"""Africa's Talking SMS callbacks as Flask views: an incoming SMS and a delivery report."""

from __future__ import annotations

import logging

from flask import Blueprint, Response

from gateway.common.phone import mask
from gateway.db import database_unavailable
from gateway.errors import InvalidPayload
from gateway.outbox.delivery import apply_delivery_report
from gateway.outbox.enqueue import enqueue_erasure, enqueue_sends
from gateway.providers import africastalking as at
from gateway.sms.inbound import record_inbound_sms, store_inbound_sms
from gateway.web import (
    bad_payload,
    check_webhook_token,
    db_session,
    plain,
    request_body,
    runtime,
)

log = logging.getLogger("suara.webhooks")
bp = Blueprint("sms_webhooks", __name__, url_prefix="/webhooks/africastalking")
bp.before_request(check_webhook_token)
bp.register_error_handler(InvalidPayload, bad_payload)


@bp.post("/sms")
def receive_sms() -> Response:
    msg, session = at.parse_sms(at.parse_form(request_body())), db_session()
    limit = runtime().settings.sms_replies_per_hour
    try:
        with session.begin():
            outcome = record_inbound_sms(session, msg, replies_per_hour=limit)
    except Exception as exc:  # a failing command must not take the citizen's text along
        if database_unavailable(exc):
            raise  # storing alone would wait again: 503 now, and Africa's Talking retries
        log.exception("acting on SMS %s failed; storing it alone", msg.provider_message_id)
        with session.begin():
            outcome = store_inbound_sms(session, msg)
    if outcome.duplicate:
        log.info("duplicate SMS %s from %s", msg.provider_message_id, mask(msg.sender))
    enqueue_sends(runtime().redis, outcome.outbound_ids)
    if outcome.erasure_request_id is not None:
        enqueue_erasure(runtime().redis, outcome.erasure_request_id)
    return plain("OK")


@bp.post("/sms/delivery")
def receive_status() -> Response:
    update = at.parse_status(at.parse_form(request_body()))
    with db_session().begin():
        apply_delivery_report(db_session(), update)
    return plain("OK")
