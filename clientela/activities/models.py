"""Interactions, tasks, appointments, reminders, notifications and calendar feeds.

Every activity links to people and an organization the same way (``people`` and
``organization``); ``related_type``/``related_id`` leave room for deals and tickets
from higher apps without this app importing them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.activities.choices import (
    Direction,
    InteractionChannel,
    Priority,
    TaskStatus,
    UnmatchedStatus,
)
from clientela.core.models import CRMRecord, TimeStampedModel


class LinkedActivity(CRMRecord):
    """What interactions, tasks and appointments share: who they are about."""

    people = models.ManyToManyField(
        "contacts.Person", blank=True, related_name="%(class)ss", verbose_name=_("people")
    )
    organization = models.ForeignKey(
        "contacts.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="%(class)ss",
        verbose_name=_("organization"),
    )
    #: A record of a higher app (e.g. "sales.deal", 42); this app never resolves it.
    related_type = models.CharField(max_length=50, blank=True, default="")
    related_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        abstract = True


class Interaction(LinkedActivity):
    """Something that happened with a customer on a channel: a call, an e-mail, a note…"""

    RESOURCE = "activities.interaction"

    channel = models.CharField(_("channel"), max_length=10, choices=InteractionChannel)
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction, default=Direction.OUTBOUND
    )
    occurred_at = models.DateTimeField(_("when"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("details"), max_length=20000, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    is_private = models.BooleanField(
        _("private"), default=False, help_text=_("Only you and admins see a private note.")
    )
    #: An e-mail's ``Message-ID`` (sent from the CRM or logged from a mailbox): an
    #: e-mail is logged once, and answers find their thread by it.
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=255, blank=True)
    #: The ``Message-ID`` of the first e-mail of the conversation.
    thread_key = models.CharField(_("thread"), max_length=255, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"],
                condition=~Q(message_id=""),
                name="interaction_message_id_uniq",
            ),
        ]
        indexes = [
            models.Index(
                fields=["thread_key"], name="interaction_thread_idx", condition=~Q(thread_key="")
            ),
            models.Index(
                fields=["organization", "-occurred_at", "-id"],
                name="interaction_org_time_idx",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["owner", "-occurred_at", "-id"],
                name="interaction_owner_time_idx",
                condition=Q(deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.subject or str(self.get_channel_display())


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.interaction_id}/{filename}"


class Attachment(TimeStampedModel):
    """A document attached to an interaction, stored through Django's storage API."""

    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class Task(LinkedActivity):
    """Something a user has to do, by a due time."""

    RESOURCE = "activities.task"

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=10000, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority, default=Priority.NORMAL
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="assigned_tasks",
        verbose_name=_("assignee"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus, default=TaskStatus.OPEN
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(
                fields=["assignee", "status", "due_at"],
                name="task_assignee_due_idx",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["team", "status", "due_at"],
                name="task_team_due_idx",
                condition=Q(deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Appointment(LinkedActivity):
    """A meeting or visit at a time and place, with users and people attending."""

    RESOURCE = "activities.appointment"

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=10000, blank=True)
    start_at = models.DateTimeField(_("start"))
    end_at = models.DateTimeField(_("end"))
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    location = models.CharField(_("location"), max_length=300, blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="appointments",
        verbose_name=_("attending users"),
    )

    class Meta:
        ordering = ["start_at", "id"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_at__gt=models.F("start_at")), name="appointment_end_after_start"
            ),
        ]
        indexes = [
            models.Index(
                fields=["owner", "start_at"],
                name="appointment_owner_start_idx",
                condition=Q(deleted_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Reminder(TimeStampedModel):
    """A reminder of a task or an appointment for one user, delivered once at
    ``remind_at`` (``delivered_at`` set in the same transaction as the notification)."""

    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    minutes_before = models.PositiveIntegerField(_("minutes before"))
    remind_at = models.DateTimeField(_("remind at"))
    by_email = models.BooleanField(_("also by e-mail"), default=False)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["remind_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(task__isnull=False, appointment__isnull=True)
                | Q(task__isnull=True, appointment__isnull=False),
                name="reminder_one_subject",
            ),
        ]
        indexes = [
            models.Index(
                fields=["remind_at"],
                name="reminder_due_idx",
                condition=Q(delivered_at__isnull=True),
            ),
        ]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")

    def __str__(self) -> str:
        return str(self.task or self.appointment)


class Notification(models.Model):
    """An in-app message for one user (the bell). A reminder makes at most one."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    reminder = models.OneToOneField(
        Reminder, null=True, blank=True, on_delete=models.SET_NULL, related_name="notification"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["user", "-created_at"],
                name="notification_unread_idx",
                condition=Q(read_at__isnull=True),
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title


class ActivityPreferences(models.Model):
    """A user's choices for this module: reminders by e-mail, automatic birthday
    greetings to the people they own, and the key behind their private calendar feed
    URL (see ``feeds``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="activity_preferences"
    )
    email_reminders = models.BooleanField(_("send my reminders by e-mail too"), default=True)
    auto_birthday_greetings = models.BooleanField(
        _("greet the people I own on their birthday automatically"), default=False
    )
    feed_key = models.CharField(max_length=64, blank=True)
    #: Added under the e-mails the user sends from the CRM: text, or a little HTML
    #: (sanitized with ``nh3`` when saved).
    email_signature = models.TextField(_("e-mail signature"), max_length=2000, blank=True)
    #: Addresses and domains (one a line) never logged from the user's mailbox.
    email_excluded = models.TextField(_("never log e-mail with"), max_length=5000, blank=True)

    class Meta:
        verbose_name = _("activity preferences")
        verbose_name_plural = _("activity preferences")

    def __str__(self) -> str:
        return str(self.user)


class UnmatchedEmail(TimeStampedModel):
    """A message from a sender the CRM does not know, taken from the shared
    contact-history mailbox: offered to ``user`` (the user who sent or received it;
    none: the admins) to create a person or a lead from it, or to ignore. Never a
    person created silently."""

    message = models.OneToOneField(
        "core.InboundMessage", on_delete=models.CASCADE, related_name="unmatched_email"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="unmatched_emails",
    )
    from_name = models.CharField(_("sender's name"), max_length=200, blank=True)
    from_address = models.CharField(_("sender"), max_length=254)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("received"))
    status = models.CharField(
        _("status"), max_length=10, choices=UnmatchedStatus, default=UnmatchedStatus.OPEN
    )
    interaction = models.ForeignKey(
        Interaction, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("unmatched e-mail")
        verbose_name_plural = _("unmatched e-mails")
        indexes = [
            models.Index(
                fields=["user", "-received_at"],
                name="unmatched_email_open_idx",
                condition=Q(status="open"),
            ),
        ]

    def __str__(self) -> str:
        return self.subject or self.from_address
