"""The service app's data: tickets and their messages, queues and agents, SLA policies
on business calendars, satisfaction ratings and the service settings."""

from clientela.service.models.articles import Article, KbSearchMiss
from clientela.service.models.canned import CannedAnswer
from clientela.service.models.config import Category, ServiceSettings
from clientela.service.models.queues import AgentStatus, Queue, QueueMember
from clientela.service.models.satisfaction import RatingInvitation, TicketRating
from clientela.service.models.sla import BusinessCalendar, SlaPolicy, SlaTarget
from clientela.service.models.tickets import Ticket, TicketAttachment, TicketMessage

__all__ = [
    "AgentStatus",
    "Article",
    "BusinessCalendar",
    "CannedAnswer",
    "Category",
    "KbSearchMiss",
    "Queue",
    "QueueMember",
    "RatingInvitation",
    "ServiceSettings",
    "SlaPolicy",
    "SlaTarget",
    "Ticket",
    "TicketAttachment",
    "TicketMessage",
    "TicketRating",
]
