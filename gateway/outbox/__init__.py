"""Every SMS Suara sends, from the row to the delivery report: outbox rows and their claims
(``queue``), enqueueing after the commit (``enqueue``), recording what the provider answered
(``results``), delivery reports moving rows forward only and staff settling ``unknown`` rows
(``delivery``), the sweeper's
queries (``sweep``), the shared throughput limit (``throttle``) and quiet hours for
broadcasts (``quiet_hours``). Services write rows; only workers send."""

from gateway.outbox.enqueue import enqueue_batch, enqueue_sends
from gateway.outbox.queue import Claimed, ReplyCap, queue_capped_reply, queue_sms

__all__ = [
    "Claimed",
    "ReplyCap",
    "enqueue_batch",
    "enqueue_sends",
    "queue_capped_reply",
    "queue_sms",
]
