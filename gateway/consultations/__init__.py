"""Public consultations and town-hall meetings: RSVPs (by SMS and USSD alike), with their
confirmation and day-before reminder (``rsvp``)."""

from gateway.consultations.rsvp import RsvpOutcome, event_fields, rsvp

__all__ = ["RsvpOutcome", "event_fields", "rsvp"]
