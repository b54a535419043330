"""Inbound e-mail (``core.inbound``): the IMAP mailboxes an admin configures and every
message taken in, from a mailbox or from the API, kept with its raw bytes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.core.choices import (
    InboundKind,
    InboundSource,
    InboundStatus,
    MailboxPurpose,
    MailboxSecurity,
)
from clientela.core.models.base import TimeStampedModel


class Mailbox(TimeStampedModel):
    """An IMAP mailbox the worker polls. ``password`` is write-only: no page, form,
    API answer, log, audit entry or error message shows it (``SECRET_FIELDS``).

    The checkpoint is (``uidvalidity``, ``last_uid``): the highest UID whose message is
    stored, written in the same transaction as that message, so a poll cut short
    fetches again from there. ``failures`` and ``next_poll_at`` hold the back-off after
    an error (``last_error``, already free of the password).

    ``purpose`` tells the handlers whose mail it is (``MailboxPurpose``); a personal
    mailbox has its ``owner``, and nothing else has one."""

    SECRET_FIELDS = frozenset({"password"})

    name = models.CharField(_("name"), max_length=100, unique=True)
    host = models.CharField(_("IMAP host"), max_length=253)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("security"), max_length=10, choices=MailboxSecurity, default=MailboxSecurity.SSL
    )
    username = models.CharField(_("user name"), max_length=254)
    password = models.CharField(_("password"), max_length=254, blank=True)
    folder = models.CharField(_("folder"), max_length=200, default="INBOX")
    poll_minutes = models.PositiveIntegerField(_("poll every (minutes)"), default=5)
    active = models.BooleanField(_("active"), default=True)
    purpose = models.CharField(
        _("purpose"), max_length=10, choices=MailboxPurpose, default=MailboxPurpose.GENERAL
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="mailboxes",
    )
    uidvalidity = models.BigIntegerField(_("UIDVALIDITY"), null=True, blank=True)
    last_uid = models.BigIntegerField(_("last UID"), default=0)
    last_poll_at = models.DateTimeField(_("last poll"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last successful poll"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    failures = models.PositiveIntegerField(_("consecutive failures"), default=0)
    next_poll_at = models.DateTimeField(_("next poll"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")
        constraints = [
            models.CheckConstraint(
                condition=Q(port__gte=1) & Q(port__lte=65535), name="mailbox_port_range"
            ),
            models.CheckConstraint(condition=Q(poll_minutes__gte=1), name="mailbox_poll_minutes"),
            models.CheckConstraint(
                condition=Q(purpose=MailboxPurpose.PERSONAL, owner__isnull=False)
                | (~Q(purpose=MailboxPurpose.PERSONAL) & Q(owner__isnull=True)),
                name="mailbox_owner_iff_personal",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class InboundMessage(TimeStampedModel):
    """One message taken in, whatever became of it: ``taken`` by a handler (its
    ``handler_key``), ``unhandled`` (nobody wanted it), ``ignored`` (an automatic
    message no handler took) or ``failed`` (unreadable, too large, or a handler broke;
    ``flagged`` for the admin). ``raw`` is the message as received; ``kind`` says
    whether it was a bounce or a complaint.

    The same message is never stored twice: per mailbox by (``uidvalidity``, ``uid``),
    and everywhere by ``message_key`` (the ``Message-ID``, or a hash of the raw bytes
    when there is none)."""

    source = models.CharField(_("source"), max_length=10, choices=InboundSource)
    mailbox = models.ForeignKey(
        Mailbox,
        verbose_name=_("mailbox"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    uid = models.BigIntegerField(null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=998, blank=True)
    message_key = models.CharField(max_length=64, unique=True)
    raw = models.BinaryField(_("raw message"))
    size = models.PositiveIntegerField(_("size"), default=0)
    received_at = models.DateTimeField(_("received"), db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=InboundStatus, db_index=True)
    handler_key = models.CharField(_("handler"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    flagged = models.BooleanField(_("flagged for an admin"), default=False, db_index=True)
    #: A bounce or a complaint (``core.inbound.bounces``) is never a ticket or an
    #: interaction: the bounce handlers get it instead.
    kind = models.CharField(
        _("kind"), max_length=10, choices=InboundKind, default=InboundKind.MESSAGE, db_index=True
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    sender = models.CharField(_("sender"), max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"],
                condition=Q(uid__isnull=False),
                name="uniq_inbound_mailbox_uid",
            ),
        ]

    def __str__(self) -> str:
        return self.subject or self.message_id or f"#{self.pk}"
