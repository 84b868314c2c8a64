"""Thin views: provider form -> neutral value -> one service call -> reply."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable

from flask import Blueprint, Response, current_app, request
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from werkzeug.exceptions import Forbidden

from gateway.common.phone import mask
from gateway.errors import InvalidPayload
from gateway.outbox.delivery import apply_delivery_report
from gateway.outbox.enqueue import enqueue_sends
from gateway.providers import UssdRequest
from gateway.providers import africastalking as at
from gateway.runtime import Runtime
from gateway.sms.inbound import record_inbound_sms, store_inbound_sms
from gateway.ussd import hop
from gateway.web import db_session, runtime

log = logging.getLogger("suara.webhooks")
SORRY = "Maaf, layanan sedang gangguan. Silakan coba lagi nanti."
bp = Blueprint("webhooks", __name__, url_prefix="/webhooks/africastalking")


@bp.before_request
def check_token() -> None:
    expected = runtime().settings.webhook_token
    if not expected:
        return
    given = request.args.get("token", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise Forbidden("invalid or missing token")


def _form() -> dict[str, str]:
    if request.method == "GET":
        return at.parse_form(request.query_string)
    return at.parse_form(request.get_data(cache=False))


@bp.route("/ussd", methods=["POST", "GET"])
def receive_ussd() -> Response:
    """Reached for what ``gateway.ussd_fast`` leaves to Flask (bad token or form, odd bodies)."""
    return _plain(answer_ussd(runtime(), at.parse_ussd(_form()), db_session))


def answer_ussd(rt: Runtime, req: UssdRequest, sessions: Callable[[], Session]) -> str:
    """The reply (``CON …``/``END …``) to one parsed hop; shared by the view above and the
    WSGI fast path."""
    store = hop.RedisStore(rt.redis, rt.settings.ussd_resume_minutes)
    try:
        reply = hop.handle_hop(sessions, store, req, max_chars=rt.settings.ussd_max_chars)
    except SQLAlchemyError:
        log.exception("USSD hop failed for %s", mask(req.phone))
        return at.render_ussd(SORRY, end=True)
    enqueue_sends(rt.redis, reply.outbound_ids)
    return at.render_ussd(reply.text, end=reply.end)


@bp.post("/ussd/events")
def receive_ussd_event() -> Response:
    event, rt = at.parse_ussd_end(_form()), runtime()
    store = hop.RedisStore(rt.redis, rt.settings.ussd_resume_minutes)
    with db_session().begin():
        hop.end_session(db_session(), store, event)
    return _plain("OK")


@bp.post("/sms")
def receive_sms() -> Response:
    msg, session = at.parse_sms(_form()), db_session()
    limit = runtime().settings.sms_replies_per_hour
    try:
        with session.begin():
            outcome = record_inbound_sms(session, msg, replies_per_hour=limit)
    except Exception:  # a failing command must not take the citizen's text along
        log.exception("acting on SMS %s failed; storing it alone", msg.provider_message_id)
        with session.begin():
            outcome = store_inbound_sms(session, msg)
    if outcome.duplicate:
        log.info("duplicate SMS %s from %s", msg.provider_message_id, mask(msg.sender))
    enqueue_sends(runtime().redis, outcome.outbound_ids)
    return _plain("OK")


@bp.post("/sms/delivery")
def receive_status() -> Response:
    update = at.parse_status(_form())
    with db_session().begin():
        apply_delivery_report(db_session(), update)
    return _plain("OK")


@bp.errorhandler(InvalidPayload)
def bad_payload(exc: InvalidPayload) -> tuple[Response, int]:
    current_app.logger.info("rejected webhook %s: %s", request.path, exc)
    return _plain(f"Bad request: {exc}"), 400


def _plain(text: str) -> Response:
    return Response(text, mimetype="text/plain")
