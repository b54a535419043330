"""Customer satisfaction: "How did we do?" e-mailed once when a ticket is solved, with
five one-click links (1–5), and the rating and comment they record.

A link is ``signing.dumps({"t": ticket, "s": score, "n": nonce})`` with its own salt:
changing a character breaks the signature, and the nonce ties it to the ticket's one
invitation (a ticket number guessed or a link of a deleted ticket finds nothing). The
links work for ``ServiceSettings.csat_valid_days`` from the invitation, without login;
the first click records the score, any later click of any of the five shows "already
rated". The comment may be added once, from the same e-mail's links, while they are
valid (a customer who closed the thank-you page can still write it).
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core.audit import record_audit
from clientela.core.choices import AuditAction
from clientela.core.company import company_name, email_footer
from clientela.service.choices import TicketStatus
from clientela.service.models import RatingInvitation, ServiceSettings, Ticket, TicketRating
from clientela.service.models.satisfaction import MAX_COMMENT, SCORE_LABELS, SCORES

SALT = "clientela.service.rating"


class RatingLinkError(Exception):
    """A rating link that records nothing: ``status`` 400 (tampered, expired, a wrong
    score) or 404 (its ticket or invitation is gone), with a message for the customer."""

    def __init__(self, status: int, message: Any) -> None:
        super().__init__(str(message))
        self.status = status
        self.message = message


BROKEN = gettext_lazy(
    "This rating link is not valid. Copy the whole link from the e-mail, or click it there."
)
EXPIRED = gettext_lazy("This rating link has expired. Thank you all the same.")
UNKNOWN = gettext_lazy("We could not find what this rating link is about.")


@dataclass(frozen=True)
class RatingOutcome:
    """What a click did: ``rating`` the ticket's rating; ``created`` whether this click
    recorded it (else it was rated before); ``can_comment`` whether the comment form
    is still offered."""

    rating: TicketRating
    created: bool
    can_comment: bool


# --- the invitation ---------------------------------------------------------------------


def rating_token(invitation: RatingInvitation, score: int) -> str:
    return signing.dumps(
        {"t": invitation.ticket_id, "s": score, "n": invitation.nonce}, salt=SALT, compress=True
    )


def rating_url(invitation: RatingInvitation, score: int) -> str:
    path = reverse("service:rate", args=[rating_token(invitation, score)])
    return f"{settings.CLIENTELA_PUBLIC_URL}{path}"


def valid_until(invitation: RatingInvitation) -> datetime.datetime:
    days = ServiceSettings.load().csat_valid_days or 14
    return invitation.created_at + datetime.timedelta(days=days)


def on_solved(ticket: Ticket) -> None:
    """Called by the ticket services when a ticket becomes solved: the invitation goes
    out once the change is committed."""
    pk = ticket.pk
    transaction.on_commit(lambda: rating_invite(pk))


def _invitable(ticket: Ticket) -> bool:
    person = ticket.person
    return (
        ticket.status == TicketStatus.SOLVED
        and ticket.merged_into_id is None
        and ticket.deleted_at is None
        and person is not None
        and bool(person.email)
        and ServiceSettings.load().csat_enabled
    )


def rating_invite(ticket_id: int) -> RatingInvitation | None:
    """E-mail the customer of a solved ticket "How did we do?", once per ticket: not for
    a merged ticket, a customer without an e-mail address, or with the survey turned
    off in the service settings. A ticket solved again after reopening is not asked
    again. Whether the mail server took it is written on the invitation."""
    ticket = Ticket.objects.select_related("person", "queue").filter(pk=ticket_id).first()
    if ticket is None or not _invitable(ticket):
        return None
    try:
        with transaction.atomic():
            invitation, created = RatingInvitation.objects.get_or_create(
                ticket=ticket,
                defaults={
                    "nonce": secrets.token_urlsafe(12),
                    "agent_id": ticket.assignee_id,
                    "queue_id": ticket.queue_id,
                    "language": ticket.language,
                },
            )
    except IntegrityError:  # the same ticket invited by another process at once
        return None
    if not created or TicketRating.objects.filter(ticket=ticket).exists():
        return None
    try:
        invitation_email(invitation, ticket).send()
    except Exception as exc:
        RatingInvitation.objects.filter(pk=invitation.pk).update(send_error=str(exc)[:300])
        return invitation
    RatingInvitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())
    return invitation


def invitation_email(invitation: RatingInvitation, ticket: Ticket) -> EmailMessage:
    assert ticket.person is not None
    with translation.override(invitation.language):
        context = {
            "ticket": ticket,
            "person": ticket.person,
            "links": [
                (score, SCORE_LABELS[score], rating_url(invitation, score)) for score in SCORES
            ],
            "days": ServiceSettings.load().csat_valid_days,
            "company": company_name(),
            "footer": email_footer(),
        }
        subject = " ".join(render_to_string("service/email/rating_subject.txt", context).split())
        body = render_to_string("service/email/rating_body.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=(ticket.queue.email if ticket.queue and ticket.queue.email else None)
        or settings.DEFAULT_FROM_EMAIL,
        to=[ticket.person.email],
        headers={"Auto-Submitted": "auto-generated"},
    )


# --- the links --------------------------------------------------------------------------


def _parse(token: str) -> tuple[int, int, str]:
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise RatingLinkError(400, BROKEN) from None
    if not isinstance(data, dict):
        raise RatingLinkError(400, BROKEN)
    ticket_id, score, nonce = data.get("t"), data.get("s"), data.get("n")
    if type(ticket_id) is not int or not isinstance(nonce, str):
        raise RatingLinkError(400, BROKEN)
    if type(score) is not int or score not in SCORES:
        raise RatingLinkError(400, _("A rating goes from 1 to 5."))
    return ticket_id, score, nonce


def rating_link(token: str) -> RatingInvitation:
    """The invitation a link belongs to (``RatingLinkError`` when none)."""
    ticket_id, _score, nonce = _parse(token)
    invitation = (
        RatingInvitation.objects.select_related("ticket")
        .filter(ticket_id=ticket_id, ticket__deleted_at__isnull=True)
        .first()
    )
    if invitation is None or not secrets.compare_digest(invitation.nonce, nonce):
        raise RatingLinkError(404, UNKNOWN)
    return invitation


def _still_valid(invitation: RatingInvitation) -> bool:
    return timezone.now() <= valid_until(invitation)


def rating_record(*, token: str) -> RatingOutcome:
    """A click on a rating link: the score recorded, or the rating made before."""
    _ticket_id, score, _nonce = _parse(token)
    invitation = rating_link(token)
    existing = TicketRating.objects.filter(ticket_id=invitation.ticket_id).first()
    if existing is not None:
        return _already(existing, invitation)
    if not _still_valid(invitation):
        raise RatingLinkError(400, EXPIRED)
    try:
        with transaction.atomic():
            rating = TicketRating.objects.create(
                ticket_id=invitation.ticket_id,
                score=score,
                rated_at=timezone.now(),
                agent_id=invitation.agent_id,
                queue_id=invitation.queue_id,
                language=invitation.language,
            )
            record_audit(
                actor=None,
                instance=invitation.ticket,
                action=AuditAction.UPDATE,
                changes={"rating": [None, str(score)]},
            )
    except IntegrityError:  # two clicks at once: the other one rated
        return _already(TicketRating.objects.get(ticket_id=invitation.ticket_id), invitation)
    return RatingOutcome(rating=rating, created=True, can_comment=True)


def _already(rating: TicketRating, invitation: RatingInvitation) -> RatingOutcome:
    return RatingOutcome(
        rating=rating,
        created=False,
        can_comment=not rating.comment and _still_valid(invitation),
    )


def rating_comment(*, token: str, comment: Any) -> TicketRating:
    """The customer's comment on their rating: once, while the links are valid."""
    invitation = rating_link(token)
    text = comment.strip() if isinstance(comment, str) else ""
    if not text:
        raise ValidationError({"comment": [_("Write your comment.")]})
    if len(text) > MAX_COMMENT:
        raise ValidationError(
            {"comment": [_("At most %(n)s characters.") % {"n": f"{MAX_COMMENT:,}"}]}
        )
    with transaction.atomic():
        rating = (
            TicketRating.objects.select_for_update().filter(ticket_id=invitation.ticket_id).first()
        )
        if rating is None:
            raise RatingLinkError(404, UNKNOWN)
        if rating.comment:
            raise ValidationError({"comment": [_("You have already sent a comment. Thank you!")]})
        if not _still_valid(invitation):
            raise RatingLinkError(400, EXPIRED)
        rating.comment = text
        rating.save(update_fields=["comment", "updated_at"])
        record_audit(
            actor=None,
            instance=invitation.ticket,
            action=AuditAction.UPDATE,
            changes={"rating_comment": [None, text[:200]]},
        )
    return rating
