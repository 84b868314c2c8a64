"""SMS polls staff send: the spec and preview (``admin``), the audience and option queries
(``options``), the fan-out into outbox rows (``fanout``), citizens' answers by SMS and USSD
(``answers``) and the results (``results``)."""

from gateway.polls.admin import OptionSpec, PollSpec, create_poll, preview_poll, schedule_poll
from gateway.polls.answers import is_open, record_poll_answer

__all__ = [
    "OptionSpec",
    "PollSpec",
    "create_poll",
    "is_open",
    "preview_poll",
    "record_poll_answer",
    "schedule_poll",
]
