"""What recipients do with a campaign e-mail, recorded from its signed links (no login:
the token is the proof): opens, clicks, unsubscribes (issue 15, items 6 and 7).

An open is one statement on the delivery row and a click one read and one insert, so
the redirect stays close to a bare page's speed (``bench/clicks.py``). A token naming a
delivery that does not exist (erased since) is simply not found."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from clientela.core.db import insert_rows
from clientela.core.errors import NotFound
from clientela.marketing.choices import ConsentSource
from clientela.marketing.models import (
    CampaignLink,
    Click,
    ConsentPurpose,
    ConsentState,
    Delivery,
)
from clientela.marketing.services.consent import consent_record


def delivery_opened(*, delivery_id: int, at: datetime.datetime | None = None) -> None:
    """One more open (the first one stamps ``opened_at``)."""
    at = at or timezone.now()
    Delivery.objects.filter(pk=delivery_id, sent_at__isnull=False).update(
        opens=F("opens") + 1, opened_at=Coalesce(F("opened_at"), at)
    )


def _link_url(delivery_id: int, number: int) -> str | None:
    """The URL of link ``number`` of the delivery's campaign: one statement on the
    deliveries' primary key and the links' (campaign, number) unique index, written
    out because the redirect is a campaign's busiest public address (the queryset
    cost twice as much to build as to run)."""
    quote = connection.ops.quote_name
    links, deliveries = quote(CampaignLink._meta.db_table), quote(Delivery._meta.db_table)
    # Table names from the models, quoted; the values are parameters.
    sql = (
        f"SELECT url FROM {links} WHERE number = %s AND campaign_id = "  # noqa: S608
        f"(SELECT campaign_id FROM {deliveries} WHERE id = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [number, delivery_id])
        row = cursor.fetchone()
    return None if row is None else str(row[0])


def delivery_clicked(*, delivery_id: int, number: int, at: datetime.datetime | None = None) -> str:
    """Record a click on link ``number`` of a delivery and answer its URL: only a URL
    the campaign's message held.

    One read and one insert, no transaction: the click row is all a click writes. The
    delivery's counts (clicked, clicks, and opened: a click counts as an open, images
    may be off) are folded from the click rows when read (``selectors.campaigns``), so
    clicks never wait for each other on the delivery's row."""
    url = _link_url(delivery_id, number)
    if url is None:
        raise NotFound()
    try:
        insert_rows(
            Click, ["delivery_id", "number", "at"], [(delivery_id, number, at or timezone.now())]
        )
    except IntegrityError:  # the delivery went in the meantime (its campaign deleted)
        raise NotFound() from None
    return url


# --- unsubscribe and preferences (the recipient's own links) ---------------------------


def delivery_for_link(delivery_id: int) -> Delivery:
    """The delivery a recipient's link names, with its campaign, purpose and person;
    ``NotFound`` when it is gone or its person was erased."""
    found = (
        Delivery.objects.select_related("campaign__purpose", "person")
        .filter(pk=delivery_id, person__isnull=False, person__deleted_at__isnull=True)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def _wording(campaign_name: str) -> str:
    return f"Unsubscribe link in the campaign “{campaign_name}”"


@transaction.atomic
def delivery_unsubscribe(
    *, delivery_id: int, ip: str = "", user_agent: str = "", at: datetime.datetime | None = None
) -> Delivery:
    """The recipient leaves the campaign's purpose on its channel: a withdrawal with
    its proof (the link, the address, the browser), which also suppresses the address
    for that purpose. A second click changes nothing."""
    delivery = delivery_for_link(delivery_id)
    campaign = delivery.campaign
    person = delivery.person
    assert person is not None
    granted = ConsentState.objects.filter(
        person=person, purpose=campaign.purpose, channel=campaign.channel, granted=True
    ).exists()
    if granted:
        consent_record(
            actor=None,
            person=person,
            purpose=campaign.purpose,
            channel=campaign.channel,
            granted=False,
            source=ConsentSource.FORM,
            wording_text=_wording(campaign.name),
            ip=ip,
            user_agent=user_agent,
        )
    Delivery.objects.filter(pk=delivery.pk).update(
        unsubscribed_at=Coalesce(F("unsubscribed_at"), at or timezone.now())
    )
    return delivery


@transaction.atomic
def preferences_save(
    *,
    delivery_id: int,
    wanted: set[str],
    wording: dict[str, str],
    ip: str = "",
    user_agent: str = "",
) -> int:
    """The recipient's choices on the preferences page: a grant for each purpose they
    ticked and had not, a withdrawal for each they had and unticked (``wanted`` holds
    purpose keys; an empty set leaves them all). ``wording`` is each purpose's text as
    the page showed it (the proof). The number of changes."""
    delivery = delivery_for_link(delivery_id)
    person, channel = delivery.person, delivery.campaign.channel
    assert person is not None
    current = set(
        ConsentState.objects.filter(person=person, channel=channel, granted=True).values_list(
            "purpose__key", flat=True
        )
    )
    changes = 0
    for purpose in ConsentPurpose.objects.filter(active=True).order_by("order", "pk"):
        granted = purpose.key in wanted
        if granted == (purpose.key in current):
            continue
        consent_record(
            actor=None,
            person=person,
            purpose=purpose,
            channel=channel,
            granted=granted,
            source=ConsentSource.FORM,
            wording_text=wording.get(purpose.key, purpose.name),
            ip=ip,
            user_agent=user_agent,
        )
        changes += 1
    if delivery.campaign.purpose.key in current - wanted:
        Delivery.objects.filter(pk=delivery.pk, unsubscribed_at__isnull=True).update(
            unsubscribed_at=timezone.now()
        )
    return changes
