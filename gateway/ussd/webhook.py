"""Africa's Talking USSD callbacks as Flask views: the hop (for what the fast path leaves to
Flask: bad token or form, odd bodies) and the end-of-session notification."""

from __future__ import annotations

from flask import Blueprint, Response

from gateway.errors import InvalidPayload
from gateway.providers import africastalking as at
from gateway.ussd import hop
from gateway.ussd.state import RedisStore
from gateway.web import (
    bad_payload,
    check_webhook_token,
    db_session,
    plain,
    request_body,
    runtime,
)

bp = Blueprint("ussd_webhooks", __name__, url_prefix="/webhooks/africastalking")
bp.before_request(check_webhook_token)
bp.register_error_handler(InvalidPayload, bad_payload)


@bp.route("/ussd", methods=["POST", "GET"])
def receive_ussd() -> Response:
    reply = hop.answer_ussd(runtime(), at.parse_ussd(at.parse_form(request_body())), db_session)
    return plain(at.render_ussd(reply.text, end=reply.end))


@bp.post("/ussd/events")
def receive_ussd_event() -> Response:
    event, rt = at.parse_ussd_end(at.parse_form(request_body())), runtime()
    store = RedisStore(rt.redis, rt.settings.ussd_resume_minutes)
    with db_session().begin():
        hop.end_session(db_session(), store, event)
    return plain("OK")
