"""The transactional outbox of domain events (``core.events``): each event a service
emits is a row written in the service's own transaction, so the change and its event
commit together or not at all; the worker hands each row to every subscriber and
marks, per subscriber, that it did (``EventDelivery``), in the subscriber's own
transaction."""

from __future__ import annotations

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    """One domain event (``core.events.Event``) waiting for, or done with, dispatch.
    The auto-increment id is the order of events: a record's events are handed to a
    subscriber in id order. ``dispatched_at`` is set once every subscriber has it;
    such rows are pruned after ``CLIENTELA_EVENTS_KEEP_DAYS``. Not a CRM record."""

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(_("type"), max_length=100)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    occurred_at = models.DateTimeField(_("occurred at"))
    resource = models.CharField(_("resource"), max_length=100)
    record_id = models.BigIntegerField(_("record id"), null=True, blank=True)
    data = models.JSONField(_("data"), encoder=DjangoJSONEncoder)
    # Written without data, which the worker renders before it hands the event out
    # (an import's new records: ``core.events.records.emit_records(deferred=True)``).
    render_later = models.BooleanField(_("rendered by the worker"), default=False)
    # A plain id, not a foreign key: an event outlives the user who acted.
    actor_id = models.BigIntegerField(_("actor"), null=True, blank=True)
    interface = models.CharField(_("interface"), max_length=20, blank=True)
    chain = models.JSONField(_("rule chain"), default=list, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        indexes = [
            # the worker's scan: what is left to dispatch, oldest first
            models.Index(
                fields=["id"],
                name="core_outbox_pending",
                condition=models.Q(dispatched_at__isnull=True),
            ),
            # the pruning of dispatched events
            models.Index(fields=["dispatched_at"], name="core_outbox_dispatched"),
            # a record's events in order
            models.Index(fields=["resource", "record_id", "id"], name="core_outbox_record"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.resource}#{self.record_id}"


class EventDelivery(models.Model):
    """One subscriber's state of one event: ``delivered_at`` is written in the same
    transaction as the subscriber's own writes (so a worker killed at any point gives
    each subscriber each event once); a failed try leaves the row undelivered with
    its error and the time of the next try (the back-off)."""

    event = models.ForeignKey(
        OutboxEvent, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("event")
    )
    subscriber = models.CharField(_("subscriber"), max_length=100)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["event_id", "subscriber"]
        verbose_name = _("event delivery")
        verbose_name_plural = _("event deliveries")
        constraints = [
            models.UniqueConstraint(fields=["event", "subscriber"], name="core_event_delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.subscriber}"


__all__ = ["EventDelivery", "OutboxEvent"]
