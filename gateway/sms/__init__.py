"""The SMS channel: the provider callback views (``webhook``), keyword parsing with typo
tolerance (``keywords``), category and kecamatan tagging (``tagging``), storing and acting on
an incoming message (``inbound``) and one thin handler per keyword (``commands``) over the
capability services."""

from gateway.sms.inbound import InboundOutcome, record_inbound_sms, store_inbound_sms
from gateway.sms.keywords import Command, Kind, parse

__all__ = ["Command", "InboundOutcome", "Kind", "parse", "record_inbound_sms", "store_inbound_sms"]
