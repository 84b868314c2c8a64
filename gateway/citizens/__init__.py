"""What Suara keeps about a citizen and does for them on any channel: the contact
(``contacts``), consent to broadcasts (``consent``), UU PDP access and erasure (``rights``),
SKM answers (``skm``) and the info pages they read (``info``)."""

from gateway.citizens.consent import CONSENT_VERSION, Carrier, consent_at, opt_out, subscribe
from gateway.citizens.contacts import get_or_create_contact
from gateway.citizens.info import info_text
from gateway.citizens.rights import data_held, list_requests, request_erasure
from gateway.citizens.skm import record_skm

__all__ = [
    "CONSENT_VERSION",
    "Carrier",
    "consent_at",
    "data_held",
    "get_or_create_contact",
    "info_text",
    "list_requests",
    "opt_out",
    "record_skm",
    "request_erasure",
    "subscribe",
]
