"""The fixed vocabularies of customer service."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TicketType(models.TextChoices):
    QUESTION = "question", _("Question")
    PROBLEM = "problem", _("Problem")
    COMPLAINT = "complaint", _("Complaint")
    REQUEST = "request", _("Request")


class TicketPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


#: Priorities from the least to the most pressing (escalation raises one step).
PRIORITY_ORDER = (
    TicketPriority.LOW,
    TicketPriority.NORMAL,
    TicketPriority.HIGH,
    TicketPriority.URGENT,
)


class TicketStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("ticket status", "New")
    OPEN = "open", pgettext_lazy("ticket status", "Open")
    PENDING = "pending", pgettext_lazy("ticket status", "Pending customer")
    ON_HOLD = "on_hold", pgettext_lazy("ticket status", "On hold")
    SOLVED = "solved", pgettext_lazy("ticket status", "Solved")
    CLOSED = "closed", pgettext_lazy("ticket status", "Closed")


#: The statuses a ticket may move to from each status. A solved ticket reopens when the
#: customer writes again; a closed one is final (a new message opens a new ticket).
TRANSITIONS: dict[str, frozenset[str]] = {
    TicketStatus.NEW: frozenset(
        {
            TicketStatus.OPEN,
            TicketStatus.PENDING,
            TicketStatus.ON_HOLD,
            TicketStatus.SOLVED,
            TicketStatus.CLOSED,
        }
    ),
    TicketStatus.OPEN: frozenset(
        {TicketStatus.PENDING, TicketStatus.ON_HOLD, TicketStatus.SOLVED, TicketStatus.CLOSED}
    ),
    TicketStatus.PENDING: frozenset(
        {TicketStatus.OPEN, TicketStatus.ON_HOLD, TicketStatus.SOLVED, TicketStatus.CLOSED}
    ),
    TicketStatus.ON_HOLD: frozenset(
        {TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.SOLVED, TicketStatus.CLOSED}
    ),
    TicketStatus.SOLVED: frozenset({TicketStatus.OPEN, TicketStatus.CLOSED}),
    TicketStatus.CLOSED: frozenset(),
}

#: Statuses in which a ticket still needs work (the backlog, an agent's load).
OPEN_STATUSES = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.ON_HOLD)


class SlaBehaviour(models.TextChoices):
    RUNNING = "running", _("Clock runs")
    PAUSED = "paused", _("Clock paused")
    STOPPED = "stopped", _("Clock stopped")


#: What each status does to the SLA clocks until an admin changes it.
DEFAULT_SLA_BEHAVIOUR: dict[str, str] = {
    TicketStatus.NEW: SlaBehaviour.RUNNING,
    TicketStatus.OPEN: SlaBehaviour.RUNNING,
    TicketStatus.PENDING: SlaBehaviour.PAUSED,
    TicketStatus.ON_HOLD: SlaBehaviour.PAUSED,
    TicketStatus.SOLVED: SlaBehaviour.STOPPED,
    TicketStatus.CLOSED: SlaBehaviour.STOPPED,
}


class SlaState(models.TextChoices):
    NONE = "none", _("No SLA")
    OK = "ok", _("On time")
    WARNING = "warning", _("Due soon")
    BREACHED = "breached", _("Breached")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")


class TicketChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    WEB = "web", _("Web form")
    PORTAL = "portal", _("Portal")
    CHAT = "chat", _("Chat")
    IN_PERSON = "in_person", _("In person")


class AssignmentMode(models.TextChoices):
    MANUAL = "manual", _("Manual")
    ROUND_ROBIN = "round_robin", _("Round-robin")
    LEAST_OPEN = "least_open", _("Fewest open tickets")


class CategoryKind(models.TextChoices):
    TICKET = "ticket", _("Ticket category")
    COMPLAINT = "complaint", _("Complaint category")
    ROOT_CAUSE = "root_cause", _("Root cause")
    ARTICLE = "article", _("Knowledge-base category")


class ArticleStatus(models.TextChoices):
    """A knowledge-base article is seen by customers only once published."""

    DRAFT = "draft", pgettext_lazy("article", "Draft")
    PUBLISHED = "published", pgettext_lazy("article", "Published")
