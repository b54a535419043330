"""Writing a campaign's audience down as deliveries, before anything is sent.

Each recipient gets one ``Delivery`` row with the address and language of the moment,
the variant it will get and when it is due: the campaign's time, or with
``local_time`` that wall-clock time on that day in the recipient's time zone (from
the country of their address: the zone ``zone.tab`` lists first, its most populous;
else the company's). A local time already past when the campaign starts is due at
once. With an A/B test, each variant goes to ``ab_share`` % of the audience, picked
by a hash of the person and the campaign (stable, spread over the whole base), and
the rest is ``held`` until the winner is known.
"""

from __future__ import annotations

import datetime
import importlib.resources
import zoneinfo
from collections.abc import Iterable
from functools import cache

from django.db import transaction
from django.utils import timezone

from clientela.core.company import default_time_zone
from clientela.marketing.choices import DeliveryStatus
from clientela.marketing.models import Campaign, Delivery
from clientela.marketing.sending import sources

CHUNK = 2000


@cache
def _zones_by_country() -> dict[str, str]:
    """Country code -> its first zone in the tz database's ``zone.tab``."""
    found: dict[str, str] = {}
    text = importlib.resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            country, _coordinates, zone = line.split("\t")[:3]
            found.setdefault(country, zone)
    return found


def zone_of(country: str, fallback: datetime.tzinfo) -> datetime.tzinfo:
    name = _zones_by_country().get(country.upper()) if country else None
    return zoneinfo.ZoneInfo(name) if name else fallback


def local_send_time(
    send_at: datetime.datetime, home: datetime.tzinfo, zone: datetime.tzinfo
) -> datetime.datetime:
    """The moment ``send_at``'s wall-clock time (read in ``home``) comes in ``zone``."""
    wall = send_at.astimezone(home).replace(tzinfo=None)
    return wall.replace(tzinfo=zone).astimezone(datetime.UTC)


def _spread(person_id: int, campaign_id: int) -> int:
    """A stable pseudo-random order of the audience for the A/B test's groups."""
    return (person_id * 2654435761 + campaign_id * 40503) % 4294967291


def _assign_variants(
    campaign: Campaign, people: list[sources.Recipient]
) -> dict[int, tuple[str, str]]:
    """person id -> (variant, status)."""
    keys = list(campaign.variants.order_by("key").values_list("key", flat=True)) or ["A"]
    if len(keys) < 2 or not campaign.ab_share:
        return {p.person_id: (keys[0], DeliveryStatus.PENDING) for p in people}
    ordered = sorted(people, key=lambda p: _spread(p.person_id, campaign.pk))
    group = max(1, len(ordered) * campaign.ab_share // 100)
    found: dict[int, tuple[str, str]] = {}
    for i, person in enumerate(ordered):
        index = i // group
        if index < len(keys):
            found[person.person_id] = (keys[index], DeliveryStatus.PENDING)
        else:
            found[person.person_id] = (keys[0], DeliveryStatus.HELD)
    return found


def _rows(
    campaign: Campaign, people: list[sources.Recipient], now: datetime.datetime
) -> Iterable[Delivery]:
    send_at = max(campaign.send_at or now, now)
    home = zoneinfo.ZoneInfo(default_time_zone())
    variants = _assign_variants(campaign, people)
    for person in people:
        variant, status = variants[person.person_id]
        due = send_at
        if campaign.local_time and campaign.send_at is not None:
            due = max(local_send_time(campaign.send_at, home, zone_of(person.country, home)), now)
        yield Delivery(
            campaign_id=campaign.pk,
            person_id=person.person_id,
            variant=variant,
            address=person.address,
            language=person.language,
            status=status,
            send_after=None if status == DeliveryStatus.HELD else due,
        )


def plan(campaign: Campaign, *, now: datetime.datetime | None = None) -> int:
    """Write the audience down (once; a second call changes nothing). The number of
    recipients."""
    now = now or timezone.now()
    people = sources.audience(campaign)
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.planned_at is not None:
            return locked.recipients
        batch: list[Delivery] = []
        for row in _rows(campaign, people, now):
            batch.append(row)
            if len(batch) >= CHUNK:
                Delivery.objects.bulk_create(batch, ignore_conflicts=True)
                batch = []
        Delivery.objects.bulk_create(batch, ignore_conflicts=True)
        Campaign.objects.filter(pk=campaign.pk).update(planned_at=now, recipients=len(people))
    campaign.planned_at, campaign.recipients = now, len(people)
    return len(people)
