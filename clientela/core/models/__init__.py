from clientela.core.models.accounts import Role, RolePermission, SiteSettings, Team, User
from clientela.core.models.api import ApiToken, IdempotencyKey
from clientela.core.models.audit import AuditEntry
from clientela.core.models.base import CRMRecord, TimeStampedModel, Trashable
from clientela.core.models.company import CompanyProfile
from clientela.core.models.events import EventDelivery, OutboxEvent
from clientela.core.models.inbound import InboundMessage, Mailbox
from clientela.core.models.rate_counts import RateCount
from clientela.core.models.records import CustomField, SavedView, SearchEntry, Tag

__all__ = [
    "ApiToken",
    "AuditEntry",
    "CRMRecord",
    "CompanyProfile",
    "CustomField",
    "EventDelivery",
    "IdempotencyKey",
    "InboundMessage",
    "Mailbox",
    "OutboxEvent",
    "RateCount",
    "Role",
    "RolePermission",
    "SavedView",
    "SearchEntry",
    "SiteSettings",
    "Tag",
    "Team",
    "TimeStampedModel",
    "Trashable",
    "User",
]
