"""Customer satisfaction: the rating a customer gives a solved ticket (1–5 and an
optional comment) and the invitation e-mailed to them, whose nonce makes each set of
one-click links usable once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.core.choices import Language
from clientela.core.models import TimeStampedModel

#: A comment is a few sentences, not a letter.
MAX_COMMENT = 2000
SCORES = range(1, 6)
#: What each score says, in the e-mail, on the pages and the reports.
SCORE_LABELS = {
    1: _("Very dissatisfied"),
    2: _("Dissatisfied"),
    3: _("Neither satisfied nor dissatisfied"),
    4: _("Satisfied"),
    5: _("Very satisfied"),
}


class RatingInvitation(TimeStampedModel):
    """The "How did we do?" e-mail of a solved ticket: sent once per ticket. Its links
    carry ``nonce`` (signed), are valid for the settings' number of days from
    ``created_at``, and record the agent and queue of the moment it was solved."""

    ticket = models.OneToOneField(
        "service.Ticket", on_delete=models.CASCADE, related_name="rating_invitation"
    )
    nonce = models.CharField(max_length=32)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queue = models.ForeignKey(
        "service.Queue", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    language = models.CharField(max_length=5, choices=Language, default=Language.EN)
    sent_at = models.DateTimeField(null=True, blank=True)
    send_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("rating invitation")
        verbose_name_plural = _("rating invitations")

    def __str__(self) -> str:
        return f"{self.ticket_id}"


class TicketRating(TimeStampedModel):
    """A customer's rating of a solved ticket. The agent (the assignee when it was
    solved) and the queue are copied, so the reports stay right after a reassignment."""

    ticket = models.OneToOneField(
        "service.Ticket",
        on_delete=models.CASCADE,
        related_name="rating",
        verbose_name=_("ticket"),
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), max_length=MAX_COMMENT, blank=True)
    rated_at = models.DateTimeField(_("rated"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ticket_ratings",
        verbose_name=_("agent"),
    )
    queue = models.ForeignKey(
        "service.Queue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ratings",
        verbose_name=_("queue"),
    )
    language = models.CharField(_("language"), max_length=5, choices=Language, default=Language.EN)

    class Meta:
        ordering = ["-rated_at", "-id"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        indexes = [models.Index(fields=["rated_at"], name="ticket_rating_rated_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="ticket_rating_score_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}"

    @property
    def satisfied(self) -> bool:
        return self.score >= 4

    @property
    def score_label(self) -> str:
        return str(SCORE_LABELS.get(self.score, self.score))
