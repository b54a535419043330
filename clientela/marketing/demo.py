"""Demo marketing data for ``clientela demo``: consent for the purposes (recorded as an
import with its wording, as a shop moving its list in would), three segments, a list,
two campaigns sent in the last weeks with realistic results (deliveries, opens,
clicks, a few bounces and unsubscribes, per link) and one scheduled for next week; a
web form with visitors' submissions (posted through ``form_submit`` as the public page
would, with their UTM parameters, so each made a lead attributed to the winter campaign).
Made through the services as the demo marketer; the sent campaigns' deliveries are
written as the worker would have (nothing is e-mailed), then dated back. Choices follow
the seed; dates are relative to the load day."""

from __future__ import annotations

import datetime
import random
import time

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from clientela.contacts.models import Person
from clientela.core.demo import DEMO_PREFIX
from clientela.core.models import User
from clientela.marketing.choices import CampaignStatus, ConsentSource, DeliveryStatus
from clientela.marketing.form_spam import TIMESTAMP, form_token
from clientela.marketing.models import (
    Campaign,
    CampaignLink,
    Click,
    ConsentEvent,
    ConsentState,
    Delivery,
    FormSubmission,
    LeadForm,
    Segment,
    StaticList,
)
from clientela.marketing.sending import planning
from clientela.marketing.services import campaigns as campaign_services
from clientela.marketing.services import segments as segment_services
from clientela.marketing.services.campaigns import CampaignData
from clientela.marketing.services.consent import consent_record
from clientela.marketing.services.form_submit import Origin, form_submit
from clientela.marketing.services.lead_forms import lead_form_create

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

#: The visitors who filled the demo's web form: (first, last, e-mail, company, message).
VISITORS = (
    ("Lucía", "Gómez", "lucia.gomez@example.net", "Gómez Hnos.", "Do you ship to Valencia?"),
    ("Tom", "Baker", "tom.baker@example.org", "", "I'd like the catalogue."),
    ("Inés", "Navarro", "ines@navarro.example", "Navarro Diseño", "Prices for 20 units?"),
    ("Marco", "Rossi", "m.rossi@example.it", "Rossi SRL", ""),
    ("Ana", "Ferreira", "ana.ferreira@example.pt", "", "Is the winter collection in Lisbon?"),
    ("Jon", "Etxeberria", "jon@etxe.example", "Etxe Kafe", "A quote for our two shops, please."),
)
#: Where the visitors came from (UTM source, medium), in turn.
SOURCES = (("newsletter", "email"), ("instagram", "social"), ("google", "cpc"))


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


def _web_form(marketer: User, campaign: Campaign, rng: random.Random) -> int:
    """The shop's "ask for a quote" form and its visitors' submissions, each posted
    through ``form_submit`` as the hosted page posts it (its spam token signed a minute
    before), dated back over the last days."""
    form = lead_form_create(
        actor=marketer,
        data={
            "name": _("Ask for a quote"),
            "slug": "demo-quote",
            "title": _("Ask for a quote"),
            "fields": [
                {
                    "key": "first",
                    "label": _("First name"),
                    "type": "text",
                    "required": True,
                    "maps_to": "first_name",
                },
                {"key": "last", "label": _("Last name"), "type": "text", "maps_to": "last_name"},
                {
                    "key": "email",
                    "label": _("E-mail"),
                    "type": "email",
                    "required": True,
                    "maps_to": "email",
                },
                {"key": "company", "label": _("Company"), "type": "text", "maps_to": "company"},
                {"key": "message", "label": _("Message"), "type": "textarea", "maps_to": "notes"},
            ],
            "consents": [{"purpose": "newsletter", "channel": "email", "text": _(WORDING)}],
            "campaign_id": campaign.pk,
            "notify_owner": False,
        },
    )
    now = timezone.now()
    for i, (first, last, email, company, message) in enumerate(VISITORS):
        source, medium = SOURCES[i % len(SOURCES)]
        data = {
            TIMESTAMP: form_token(form.pk, now=time.time() - 60),
            "first": first,
            "last": last,
            "email": email,
            "company": company,
            "message": message,
            "consent_0": "on" if i % 2 == 0 else "",
        }
        origin = Origin(
            ip=f"192.0.2.{10 + i}",
            user_agent="Mozilla/5.0 (demo)",
            referrer="https://shop.example/winter",
            utm={"utm_source": source, "utm_medium": medium, "utm_campaign": campaign.name},
        )
        submission = form_submit(form=form, data=data, origin=origin)
        at = now - datetime.timedelta(days=rng.uniform(0.5, 8))
        FormSubmission.objects.filter(pk=submission.pk).update(at=at)
    return len(VISITORS)


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
    submissions = _web_form(marketer, campaign, rng)
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
    return _(
        "%(people)s people's consent, %(segments)s segments, 3 campaigns, "
        "a web form with %(submissions)s submissions"
    ) % {"people": people, "segments": len(segments), "submissions": submissions}


def remove() -> None:
    """What the demo made: the demo marketer's campaigns, segments and lists, and the
    consent the demo recorded (its events and states), its web form with the submissions
    (the leads they made are the demo's lead owner's, removed with the sales demo)."""
    owned = {"owner__username__startswith": DEMO_PREFIX}
    Campaign.objects.filter(**owned).delete()
    LeadForm.objects.filter(**owned).delete()
    Segment.objects.filter(**owned).delete()
    StaticList.objects.filter(**owned).delete()
    wordings = set()
    for language in ("en", "es"):
        with override(language):
            wordings.add(_(WORDING))
    events = ConsentEvent.objects.filter(
        wording__text__in=wordings, source__in=[ConsentSource.IMPORT, ConsentSource.FORM]
    )
    ConsentState.objects.filter(event__in=events).delete()
    events.delete()  # the collector deletes in SQL: the proof is removed only with the demo
