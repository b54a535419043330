"""Bounces and complaints about campaign e-mails (issue 15, item 7), handed over by the
inbound layer in core (``core.inbound.bounces``: IMAP polling or ``POST
/api/v1/inbound-email``) in the transaction that stores the report.

Each is attributed to its delivery by the VERP return path (the delivery id the
bounce came back to, signed by us), else by the returned message's Message-ID (which
starts with the delivery's signed token), else by the failed recipient's address (its
latest delivery). A hard bounce suppresses the address at once; a soft one only
when it is the third in 30 days; a complaint suppresses the address for every purpose
(the person said "spam": no purpose is welcome any more) and withdraws nothing else.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models.functions import Coalesce
from django.utils import timezone

from clientela.core.inbound.bounces import Bounce, Complaint, DeliveryReport
from clientela.marketing import tracking
from clientela.marketing.choices import BounceKind, SuppressionReason
from clientela.marketing.models import BounceRecord, Delivery
from clientela.marketing.services.suppression import suppression_add

#: Soft bounces of one address within ``SOFT_WINDOW`` that suppress it.
SOFT_LIMIT = 3
SOFT_WINDOW = datetime.timedelta(days=30)


def _delivery(token: str | None, recipient: str, message_id: str) -> Delivery | None:
    if token is not None and token.isdigit():
        found = Delivery.objects.filter(pk=int(token)).first()
        if found is not None:
            return found
    # A campaign message's Message-ID starts with its delivery's signed token.
    pk = tracking.read_delivery_token(message_id.strip().strip("<>").partition(".")[0])
    if pk is not None:
        found = Delivery.objects.filter(pk=pk).first()
        if found is not None:
            return found
    if recipient:
        rows = Delivery.objects.filter(address__iexact=recipient, sent_at__isnull=False)
        return rows.order_by("-sent_at", "-id").first()
    return None


def _suppress(address: str, reason: str, note: str) -> None:
    if address:
        suppression_add(
            actor=None, channel="email", address=address, reason=reason, note=note, system=True
        )


def _bounce(bounce: Bounce, now: datetime.datetime) -> None:
    delivery = _delivery(bounce.verp_token, bounce.recipient, bounce.original_message_id)
    address = delivery.address if delivery is not None else bounce.recipient
    if delivery is not None:
        Delivery.objects.filter(pk=delivery.pk).update(
            bounced_at=Coalesce("bounced_at", now), bounce_kind=bounce.kind
        )
    note = f"{bounce.status} {bounce.diagnostic}".strip()[:500]
    BounceRecord.objects.create(
        address=address.lower()[:254],
        kind=bounce.kind,
        status=bounce.status[:20],
        diagnostic=bounce.diagnostic[:500],
        delivery=delivery,
        at=now,
    )
    if bounce.kind == BounceKind.HARD:
        _suppress(address, SuppressionReason.HARD_BOUNCE, note)
        return
    recent = BounceRecord.objects.filter(
        address=address.lower(), kind=BounceKind.SOFT, at__gte=now - SOFT_WINDOW
    ).count()
    if recent >= SOFT_LIMIT:
        _suppress(address, SuppressionReason.SOFT_BOUNCES, note)


def _complaint(complaint: Complaint, now: datetime.datetime) -> None:
    delivery = _delivery(complaint.verp_token, complaint.recipient, complaint.original_message_id)
    address = delivery.address if delivery is not None else complaint.recipient
    if delivery is not None:
        Delivery.objects.filter(pk=delivery.pk).update(complained_at=Coalesce("complained_at", now))
    BounceRecord.objects.create(
        address=address.lower()[:254], kind="complaint", delivery=delivery, at=now
    )
    _suppress(address, SuppressionReason.COMPLAINT, complaint.feedback_type)


def handle_report(message: Any, report: DeliveryReport) -> None:
    """The inbound layer's bounce handler (``core.registry.register_bounce_handler``)."""
    now = timezone.now()
    for bounce in report.bounces:
        _bounce(bounce, now)
    if report.complaint is not None:
        _complaint(report.complaint, now)
