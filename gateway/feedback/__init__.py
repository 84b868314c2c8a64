"""Reports, suggestions and questions from filing to answer: filing with a ticket
(``filing``), the status lifecycle and its LAPOR! deadlines (``lifecycle``), the status a
citizen may see (``status``), the conversation a citizen's answer joins (``threads``) and
what staff do with a record (``staff_ops``)."""

from gateway.feedback.filing import FiledFeedback, record_feedback
from gateway.feedback.lifecycle import StatusChanged, TransitionNotAllowed, apply_status
from gateway.feedback.status import TicketStatus, status_for_filer

__all__ = [
    "FiledFeedback",
    "StatusChanged",
    "TicketStatus",
    "TransitionNotAllowed",
    "apply_status",
    "record_feedback",
    "status_for_filer",
]
