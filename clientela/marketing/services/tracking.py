"""What recipients do with a campaign e-mail, recorded from its signed links (no login:
the token is the proof): opens, clicks, unsubscribes (issue 15, items 6 and 7).

Each is a couple of statements on the delivery row, so the click redirect stays close
to a bare page's speed (``bench/marketing.py``). A token naming a delivery that does
not exist (erased since) is simply not found."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from clientela.core.errors import NotFound
from clientela.marketing.models import CampaignLink, Click, Delivery


def delivery_opened(*, delivery_id: int, at: datetime.datetime | None = None) -> None:
    """One more open (the first one stamps ``opened_at``)."""
    at = at or timezone.now()
    Delivery.objects.filter(pk=delivery_id, sent_at__isnull=False).update(
        opens=F("opens") + 1, opened_at=Coalesce(F("opened_at"), at)
    )


@transaction.atomic
def delivery_clicked(*, delivery_id: int, number: int, at: datetime.datetime | None = None) -> str:
    """Record a click on link ``number`` of a delivery and answer its URL: only a URL
    the campaign's message held. A click counts as an open too (images may be off)."""
    at = at or timezone.now()
    found = (
        CampaignLink.objects.filter(campaign__deliveries=delivery_id, number=number)
        .values_list("url", flat=True)
        .first()
    )
    if found is None:
        raise NotFound()
    Click.objects.create(delivery_id=delivery_id, number=number, at=at)
    Delivery.objects.filter(pk=delivery_id).update(
        clicks=F("clicks") + 1,
        clicked_at=Coalesce(F("clicked_at"), at),
        opened_at=Coalesce(F("opened_at"), at),
    )
    return found
