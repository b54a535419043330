"""Tickets (questions, problems, complaints, requests) and their conversation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from clientela.core.choices import Language
from clientela.core.db import InConstants
from clientela.core.models import CRMRecord, TimeStampedModel
from clientela.sales.models import money_field
from clientela.service.choices import (
    OPEN_STATUSES,
    CategoryKind,
    SlaState,
    TicketChannel,
    TicketPriority,
    TicketStatus,
    TicketType,
)
from clientela.service.models.config import Category, ServiceSettings
from clientela.service.models.queues import Queue
from clientela.service.models.sla import SlaPolicy

_LIVE = Q(deleted_at__isnull=True)
_OPEN = Q(deleted_at__isnull=True, status__in=list(OPEN_STATUSES))


def _category(
    kind: str, related_name: str, label: StrOrPromise
) -> models.ForeignKey[Category | None]:
    return models.ForeignKey(
        Category,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name=related_name,
        limit_choices_to={"kind": kind},
        verbose_name=label,
    )


class Ticket(CRMRecord):
    """A customer's question, problem, complaint or request, followed to its solution.

    ``number`` is gap-free (``T-1042`` with the settings' prefix). The SLA clocks run
    in business time on the policy's calendar: ``sla_elapsed`` business seconds had
    passed when the clock last stopped or paused, and it runs again since
    ``sla_running_since`` (None while paused or stopped); the due times are worked out
    from them (``service.sla``) and stored, so queues sort by ``next_due_at``.
    The ``*_warned_at`` / ``*_breached_at`` stamps make each warning and escalation
    happen once, whatever the worker does.
    """

    RESOURCE = "service.ticket"

    number = models.PositiveIntegerField(_("number"), unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), max_length=20000, blank=True)
    type = models.CharField(
        _("type"), max_length=10, choices=TicketType, default=TicketType.QUESTION
    )
    category = _category(CategoryKind.TICKET, "tickets", _("category"))
    priority = models.CharField(
        _("priority"), max_length=10, choices=TicketPriority, default=TicketPriority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TicketStatus, default=TicketStatus.NEW
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=TicketChannel, default=TicketChannel.EMAIL
    )
    language = models.CharField(_("language"), max_length=5, choices=Language, default=Language.EN)
    person = models.ForeignKey(
        "contacts.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name=_("customer"),
    )
    organization = models.ForeignKey(
        "contacts.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name=_("organization"),
    )
    queue = models.ForeignKey(
        Queue,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("queue"),
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    deal = models.ForeignKey(
        "sales.Deal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name=_("deal"),
    )
    quote = models.ForeignKey(
        "sales.Quote",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name=_("quote"),
    )
    order = models.ForeignKey(
        "sales.Order",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name=_("order"),
    )
    tags = models.ManyToManyField("core.Tag", blank=True, related_name="tickets")

    # --- complaints ---------------------------------------------------------------
    complaint_category = _category(CategoryKind.COMPLAINT, "complaints", _("complaint category"))
    root_cause = _category(CategoryKind.ROOT_CAUSE, "complaints_caused", _("root cause"))
    resolution = models.TextField(_("resolution"), max_length=10000, blank=True)
    compensation = money_field(_("compensation"), null=True, blank=True)
    compensation_currency = models.CharField(_("currency"), max_length=3, blank=True)
    customer_agreed = models.BooleanField(_("closed with the customer's agreement"), default=False)

    # --- SLA ----------------------------------------------------------------------
    sla_policy = models.ForeignKey(
        SlaPolicy,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        verbose_name=_("SLA policy"),
    )
    sla_state = models.CharField(_("SLA"), max_length=10, choices=SlaState, default=SlaState.NONE)
    sla_elapsed = models.PositiveIntegerField(default=0, editable=False)
    sla_running_since = models.DateTimeField(null=True, blank=True, editable=False)
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    #: The earlier of the due times still to meet (None when paused or all met): queues
    #: sort by it.
    next_due_at = models.DateTimeField(_("next due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    solved_at = models.DateTimeField(_("solved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    first_response_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    first_response_breached_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    resolution_breached_at = models.DateTimeField(null=True, blank=True, editable=False)

    # --- conversation and merging ---------------------------------------------------
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_tickets",
        verbose_name=_("merged into"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            # Queue and "my tickets" views: open tickets by deadline.
            models.Index(
                fields=["queue", "next_due_at", "id"], name="ticket_queue_due_idx", condition=_OPEN
            ),
            models.Index(
                fields=["assignee", "next_due_at", "id"],
                name="ticket_assignee_due_idx",
                condition=_OPEN,
            ),
            models.Index(fields=["status", "next_due_at"], name="ticket_status_due_idx"),
            models.Index(
                fields=["person", "created_at"], name="ticket_person_idx", condition=_LIVE
            ),
            models.Index(
                fields=["organization", "created_at"], name="ticket_org_idx", condition=_LIVE
            ),
            models.Index(fields=["updated_at", "id", "team"], name="ticket_updated_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(compensation__isnull=True) | Q(compensation__gte=0),
                name="ticket_compensation_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The number as people say it ("T-1042")."""
        return f"{ServiceSettings.prefix()}{self.number}"

    @property
    def is_complaint(self) -> bool:
        return self.type == TicketType.COMPLAINT


# ``status__in_constants=OPEN_STATUSES`` reaches the partial indexes on SQLite too.
Ticket._meta.get_field("status").register_lookup(InConstants)


class TicketMessage(TimeStampedModel):
    """One message of a ticket's conversation: a public reply (e-mailed to the
    customer, or the customer's own message) or an internal note, which never leaves
    the company."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    public = models.BooleanField(_("public"), default=True)
    #: The agent who wrote it; None for the customer's messages.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    #: The customer who wrote it (a message that came in).
    person = models.ForeignKey(
        "contacts.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ticket_messages",
    )
    from_name = models.CharField(max_length=200, blank=True)
    from_address = models.EmailField(max_length=254, blank=True)
    body = models.TextField(_("message"), max_length=100000)
    #: Sanitized HTML of a message that came in as HTML (shown instead of ``body``).
    body_html = models.TextField(blank=True)
    channel = models.CharField(max_length=10, choices=TicketChannel, default=TicketChannel.EMAIL)
    #: E-mail threading: this message's ``Message-ID`` and the ones it answers.
    message_id = models.CharField(max_length=255, blank=True, db_index=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    #: When the reply was handed to the mail server (None: not e-mailed, or not yet).
    sent_at = models.DateTimeField(null=True, blank=True)
    send_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ticket message")
        verbose_name_plural = _("ticket messages")
        indexes = [models.Index(fields=["ticket", "created_at"], name="ticket_message_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.body[:40]}"

    @property
    def from_customer(self) -> bool:
        return self.author_id is None


def ticket_attachment_path(instance: TicketAttachment, filename: str) -> str:
    return f"tickets/{instance.message.ticket_id}/{filename}"


class TicketAttachment(TimeStampedModel):
    """A file attached to a ticket message (same storage and checks as an
    interaction's attachments)."""

    message = models.ForeignKey(TicketMessage, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=ticket_attachment_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    #: The ``Content-ID`` of an inline image in an e-mail (its HTML refers to it).
    content_id = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name
