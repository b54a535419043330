"""Consent with proof (GDPR Art. 7) and the suppression list.

``ConsentEvent`` is the proof: one row per grant, withdrawal or confirmation, never
changed or deleted afterwards (``save()`` of an existing row and ``delete()`` refuse).
``ConsentState`` is what the events add up to per (person, purpose, channel), kept by
the consent services in the same transaction as the event, so an audience is one
indexed read instead of a scan of the history. ``Suppression`` lists addresses that
must not be sent a purpose's messages (or any), whoever they belong to.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.core.choices import Language
from clientela.core.models import TimeStampedModel
from clientela.marketing.choices import (
    ConsentChannel,
    ConsentSource,
    LegalBasis,
    SuppressionReason,
)


class AppendOnly(Exception):
    """A consent event was to be changed or deleted: the proof is append-only."""


class ConsentPurpose(TimeStampedModel):
    """What a person agrees to receive ("Newsletter", "Offers"): ``key`` is the stable
    name campaigns and the API use; admins rename, add, reorder and deactivate them."""

    RESOURCE = "marketing.consent_purpose"

    key = models.SlugField(_("key"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["order", "name", "id"]
        verbose_name = _("consent purpose")
        verbose_name_plural = _("consent purposes")

    def __str__(self) -> str:
        return self.name


class ConsentWording(models.Model):
    """The exact text a person was shown when they agreed, stored once and referred to
    by its SHA-256 (``sha256``), so a million grants of one checkbox keep one copy."""

    text = models.TextField(_("text"), max_length=10000)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    language = models.CharField(_("language"), max_length=5, choices=Language, blank=True)
    created_at = models.DateTimeField(_("first used"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("consent wording")
        verbose_name_plural = _("consent wordings")

    def __str__(self) -> str:
        return self.text[:80]


class ConsentEvent(models.Model):
    """One grant or withdrawal of consent for a purpose on a channel, as it happened.

    A double opt-in grant is written ``pending``; it counts from the confirmation,
    which is an event of its own (``confirms`` the pending one, ``confirmed_at``) rather
    than a change to this row, so the proof is never rewritten."""

    person = models.ForeignKey(
        "contacts.Person",
        on_delete=models.CASCADE,
        related_name="consent_events",
        verbose_name=_("person"),
    )
    purpose = models.ForeignKey(
        ConsentPurpose, on_delete=models.PROTECT, related_name="events", verbose_name=_("purpose")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ConsentChannel)
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("source"), max_length=10, choices=ConsentSource)
    legal_basis = models.CharField(
        _("legal basis"), max_length=30, choices=LegalBasis, default=LegalBasis.CONSENT
    )
    wording = models.ForeignKey(
        ConsentWording,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("wording"),
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    #: Where the proof is kept besides this row: for an import, the job and its file
    #: ("import #12: customers.csv").
    reference = models.CharField(_("reference"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    at = models.DateTimeField(_("when"))
    #: A double opt-in grant that counts only once its link is clicked.
    pending = models.BooleanField(_("awaiting confirmation"), default=False)
    #: On a confirmation: the pending grant it confirms, and when.
    confirms = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="confirmations",
        verbose_name=_("confirms"),
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        indexes = [models.Index(fields=["person", "-at"], name="consent_event_person_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(pending=False) | Q(granted=True), name="consent_pending_is_grant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose_id}/{self.channel}: {'+' if self.granted else '-'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("consent events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnly("consent events are never deleted")


class ConsentState(models.Model):
    """Where consent stands for one person, purpose and channel: ``granted`` is True
    only while it counts (a double opt-in grant from its confirmation on, when
    ``confirmed`` is set too); ``pending`` while a confirmation link is out."""

    person = models.ForeignKey(
        "contacts.Person", on_delete=models.CASCADE, related_name="consent_states"
    )
    purpose = models.ForeignKey(ConsentPurpose, on_delete=models.PROTECT, related_name="states")
    channel = models.CharField(_("channel"), max_length=10, choices=ConsentChannel)
    granted = models.BooleanField(_("granted"), default=False)
    #: When the current state began (the grant, its confirmation or the withdrawal).
    since = models.DateTimeField(_("since"))
    confirmed = models.BooleanField(_("confirmed by double opt-in"), default=False)
    pending = models.BooleanField(_("awaiting confirmation"), default=False)
    #: The event the state stands on, and the pending grant a confirmation link names.
    event = models.ForeignKey(ConsentEvent, on_delete=models.CASCADE, related_name="+")
    pending_event = models.ForeignKey(
        ConsentEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["purpose__order", "purpose_id", "channel"]
        verbose_name = _("consent state")
        verbose_name_plural = _("consent states")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "purpose", "channel"], name="consent_state_unique"
            )
        ]
        indexes = [
            # The audience of a campaign: people granting a purpose on a channel, read
            # from the index alone (``selectors.consent.consented_q``).
            models.Index(
                fields=["purpose", "channel", "person"],
                name="consent_state_granted_idx",
                condition=Q(granted=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.purpose_id}/{self.channel}: {self.granted}"


class Suppression(TimeStampedModel):
    """An address not to be sent ``purpose``'s messages (every purpose when None) on
    ``channel``. ``address`` is the normalized e-mail or E.164 number; ``address_hash``
    its keyed hash (``services.suppression.address_hash``), which is all that is kept
    of an erased person's address, so they are still never written to again."""

    RESOURCE = "marketing.suppression"

    channel = models.CharField(_("channel"), max_length=10, choices=ConsentChannel)
    address = models.CharField(_("address"), max_length=254, blank=True)
    address_hash = models.CharField(_("address hash"), max_length=64)
    purpose = models.ForeignKey(
        ConsentPurpose,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="suppressions",
        verbose_name=_("purpose"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=SuppressionReason)
    at = models.DateTimeField(_("since"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppression list")
        indexes = [
            models.Index(fields=["channel", "address"], name="suppression_address_idx"),
            models.Index(fields=["channel", "address_hash"], name="suppression_hash_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=SuppressionReason.ERASED) | Q(address=""),
                name="suppression_erased_keeps_hash_only",
            ),
        ]

    def __str__(self) -> str:
        return self.address or f"#{self.address_hash[:12]}"
