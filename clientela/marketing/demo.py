"""Demo marketing data for ``clientela demo``: consent for the purposes (recorded as an
import with its wording, as a shop moving its list in would), three segments, a list,
two campaigns sent in the last weeks with realistic results (deliveries, opens,
clicks, a few bounces and unsubscribes, per link) and one scheduled for next week.
Made through the services as the demo marketer; the sent campaigns' deliveries are
written as the worker would have (nothing is e-mailed), then dated back. Choices follow
the seed; dates are relative to the load day."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from clientela.contacts.models import Person
from clientela.core.demo import DEMO_PREFIX
from clientela.core.models import User
from clientela.marketing.choices import CampaignStatus, ConsentSource, DeliveryStatus
from clientela.marketing.models import (
    Campaign,
    CampaignLink,
    Click,
    ConsentEvent,
    ConsentState,
    Delivery,
    Segment,
    StaticList,
)
from clientela.marketing.sending import planning
from clientela.marketing.services import campaigns as campaign_services
from clientela.marketing.services import segments as segment_services
from clientela.marketing.services.campaigns import CampaignData
from clientela.marketing.services.consent import consent_record

#: People whose consent is recorded (the first of the demo's people with an e-mail).
PEOPLE = 400
WORDING = gettext_noop("Yes, send me the newsletter and offers by e-mail.")
SEGMENTS = (
    (gettext_noop("Madrid customers"), {"all": [{"field": "city", "op": "eq", "value": "Madrid"}]}),
    (
        gettext_noop("Bought in the last 6 months"),
        {"all": [{"field": "purchases.last_order", "op": "after", "value": "-180d"}]},
    ),
    (
        gettext_noop("Big spenders who read the newsletter"),
        {
            "all": [
                {"field": "purchases.spent", "op": "gt", "value": {"amount": "300", "days": 365}},
                {"field": "consent", "op": "eq", "value": "newsletter.email"},
            ]
        },
    ),
)
HTML = gettext_noop(
    "<p>Hola {{ first_name }},</p><p>Winter is here: our new collection is in the shop, "
    'and {{ organization }} readers get 15 % off this week.</p><p><a href="https://shop.example/'
    'winter">See the collection</a> · <a href="https://shop.example/stores">Find a store</a></p>'
    "<p>{{ owner_signature }}</p>"
)


def _consents(marketer: User, rng: random.Random) -> int:
    people = list(
        Person.objects.filter(owner__username__startswith=DEMO_PREFIX)
        .exclude(email="")
        .order_by("pk")[:PEOPLE]
    )
    wording = _(WORDING)
    for person in people:
        purposes = ["newsletter"] + (["offers"] if rng.random() < 0.5 else [])
        for purpose in purposes:
            consent_record(
                actor=marketer,
                person=person,
                purpose=purpose,
                channel="email",
                granted=True,
                source=ConsentSource.IMPORT,
                wording_text=wording,
            )
    return len(people)


def _segments(marketer: User) -> list[Segment]:
    found = []
    for name, rules in SEGMENTS:
        found.append(
            segment_services.segment_create(actor=marketer, data={"name": _(name), "rules": rules})
        )
    return found


def _sent(campaign: Campaign, sent_at: datetime.datetime, rng: random.Random) -> None:
    """The campaign as the worker would have left it, ``sent_at``, with what readers did."""
    campaign_services._links(campaign)
    planning.plan(campaign, now=sent_at)
    links = list(CampaignLink.objects.filter(campaign=campaign).values_list("number", flat=True))
    clicks = []
    for delivery in Delivery.objects.filter(campaign=campaign):
        delivery.status, delivery.sent_at = DeliveryStatus.SENT, sent_at
        roll = rng.random()
        if roll < 0.02:
            delivery.bounced_at, delivery.bounce_kind = sent_at, "hard"
        elif roll < 0.45:
            delivery.opened_at = sent_at + datetime.timedelta(hours=rng.uniform(0.2, 48))
            delivery.opens = rng.choice([1, 1, 1, 2, 3])
            if roll < 0.12 and links:
                clicked_at = delivery.opened_at + datetime.timedelta(minutes=2)
                clicks.append(Click(delivery=delivery, number=rng.choice(links), at=clicked_at))
            elif roll > 0.44:
                delivery.unsubscribed_at = delivery.opened_at
        delivery.save()
    Click.objects.bulk_create(clicks)
    Campaign.objects.filter(pk=campaign.pk).update(
        status=CampaignStatus.SENT,
        started_at=sent_at,
        finished_at=sent_at + datetime.timedelta(minutes=12),
        created_at=sent_at - datetime.timedelta(days=2),
    )


@transaction.atomic
def load(seed: int) -> str:
    rng = random.Random(seed + 15)
    marketer = User.objects.get(username=f"{DEMO_PREFIX}marketer")
    people = _consents(marketer, rng)
    segments = _segments(marketer)
    readers = segment_services.list_create(actor=marketer, data={"name": _("Newsletter readers")})
    ids = list(
        ConsentState.objects.filter(purpose__key="newsletter").values_list("person_id", flat=True)
    )
    segment_services.list_add_members(actor=marketer, static_list=readers, person_ids=ids)
    now = timezone.now()
    common: CampaignData = {
        "purpose": "newsletter",
        "list_ids": [readers.pk],
        "html": _(HTML),
        "from_email": "news@example.com",
        "from_name": "Clientela Demo",
    }
    for name, days in (
        (gettext_noop("Autumn newsletter"), 30),
        (gettext_noop("Winter collection"), 9),
    ):
        campaign = campaign_services.campaign_create(
            actor=marketer,
            data={
                **common,
                "name": _(name),
                "subject": _("{{ first_name }}, the winter collection is here"),
            },
        )
        _sent(campaign, now - datetime.timedelta(days=days), rng)
    scheduled = campaign_services.campaign_create(
        actor=marketer,
        data={
            **common,
            "name": _("Christmas offers"),
            "purpose": "offers",
            "subject": _("{{ first_name }}, our Christmas offers"),
            "send_at": now + datetime.timedelta(days=7),
            "local_time": True,
        },
    )
    campaign_services.campaign_send(actor=marketer, campaign=scheduled)
    return _("%(people)s people's consent, %(segments)s segments, 3 campaigns") % {
        "people": people,
        "segments": len(segments),
    }


def remove() -> None:
    """What the demo made: the demo marketer's campaigns, segments and lists, and the
    consent the demo recorded (its events and states)."""
    owned = {"owner__username__startswith": DEMO_PREFIX}
    Campaign.objects.filter(**owned).delete()
    Segment.objects.filter(**owned).delete()
    StaticList.objects.filter(**owned).delete()
    wordings = set()
    for language in ("en", "es"):
        with override(language):
            wordings.add(_(WORDING))
    events = ConsentEvent.objects.filter(wording__text__in=wordings, source=ConsentSource.IMPORT)
    ConsentState.objects.filter(event__in=events).delete()
    events.delete()  # the collector deletes in SQL: the proof is removed only with the demo
