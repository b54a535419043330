"""Demo sales data for ``clientela demo``: a catalogue, exchange rates, and for every
demo user who owns customers a few leads, deals spread over the default pipeline
(closing this month and the next two, so the forecast has something to show), draft
quotes and a purchase history of fulfilled orders. Created through the services, like
the customer base; choices follow the seed, dates are relative to the load day. Names
(products, deal titles, next steps) are in the active language (the demo command's:
the company's default language).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from clientela.contacts.selectors import organization_list, person_list
from clientela.core.demo import DEMO_ACCOUNTS, DEMO_PREFIX
from clientela.core.models import User
from clientela.core.normalize import fold
from clientela.sales.choices import LeadSource, LeadStatus, ProductKind
from clientela.sales.models import (
    Deal,
    ExchangeRate,
    Lead,
    Order,
    Pipeline,
    PriceList,
    Product,
    Quote,
)
from clientela.sales.services import catalogue, deals, leads, orders, pipelines, quotes

#: (sku, name, kind, unit, price in USD, tax rate %)
PRODUCTS = (
    ("CHR-100", gettext_noop("Office chair"), ProductKind.PRODUCT, "unit", "189.00", "21"),
    ("DSK-140", gettext_noop("Standing desk 140 cm"), ProductKind.PRODUCT, "unit", "549.00", "21"),
    ("LMP-020", gettext_noop("Desk lamp"), ProductKind.PRODUCT, "unit", "39.90", "21"),
    ("MON-270", gettext_noop("Monitor 27 inch"), ProductKind.PRODUCT, "unit", "279.00", "21"),
    ("CBL-USB", gettext_noop("USB-C cable 2 m"), ProductKind.PRODUCT, "unit", "12.50", "21"),
    ("PAP-A4", gettext_noop("A4 paper, box of 5 reams"), ProductKind.PRODUCT, "box", "24.00", "10"),
    ("INS-HR", gettext_noop("Installation"), ProductKind.SERVICE, "hour", "65.00", "21"),
    ("DLV-STD", gettext_noop("Delivery"), ProductKind.SERVICE, "unit", "30.00", "21"),
    ("SUP-YR", gettext_noop("Support plan, one year"), ProductKind.SERVICE, "year", "480.00", "21"),
    ("TRN-DAY", gettext_noop("Training day"), ProductKind.SERVICE, "day", "720.00", "21"),
)
#: One unit of each currency in US dollars (the demo's base currency).
RATES = {"EUR": "1.08", "GBP": "1.27", "CAD": "0.73", "AUD": "0.66", "MXN": "0.058"}
CURRENCY_BY_TEAM = {"North": "USD", "South": "EUR"}
LEADS_PER_USER = 8
DEALS_PER_USER = 14
QUOTES_PER_USER = 3
ORDERS_PER_USER = 10
#: Past leads per owner, converted or disqualified: what lead scoring learns from.
PAST_LEADS_PER_USER = 16
SENIOR_TITLES = (
    gettext_noop("Purchasing director"),
    gettext_noop("Owner"),
    gettext_noop("Office manager"),
)
JUNIOR_TITLES = (gettext_noop("Assistant"), gettext_noop("Intern"), gettext_noop("Student"))
LEAD_COMPANIES = ("Brightline", "Casa Verde", "Northwind", "Solaris", "Tallo", "Quinta")
DEAL_TITLES = (
    gettext_noop("Office refit"),
    gettext_noop("New branch"),
    gettext_noop("Annual supplies"),
    gettext_noop("Support renewal"),
    gettext_noop("Training"),
)
NEXT_STEPS = (
    gettext_noop("Call to agree the date"),
    gettext_noop("Send the revised quote"),
    gettext_noop("Visit the site"),
    "",
)
LOST_REASONS = (
    gettext_noop("Price"),
    gettext_noop("Chose a competitor"),
    gettext_noop("No budget"),
)


def _owners() -> list[User]:
    names = [a.username for a in DEMO_ACCOUNTS if a.owns_records]
    return list(User.objects.filter(username__in=names).select_related("team").order_by("username"))


def _admin() -> User:
    return User.objects.get(username=f"{DEMO_PREFIX}admin")


def products_create(admin: User, rows: Iterable[tuple[str, ...]]) -> list[Product]:
    """Catalogue products priced in USD, one per row (sku, name to translate, kind,
    unit, price, tax rate %), as ``PRODUCTS``."""
    return [
        catalogue.product_create(
            actor=admin,
            data={
                "sku": sku,
                "name": _(name),
                "kind": kind,
                "unit": unit,
                "unit_price": price,
                "currency": "USD",
                "tax_rate": tax,
            },
        )
        for sku, name, kind, unit, price, tax in rows
    ]


def _catalogue(admin: User, today: datetime.date) -> list[Product]:
    catalogue.sales_settings_update(actor=admin, data={"base_currency": "USD"})
    for code, rate in RATES.items():
        catalogue.exchange_rate_create(
            actor=admin,
            data={
                "currency": code,
                "rate": rate,
                "valid_from": today - datetime.timedelta(days=365),
            },
        )
    products = products_create(admin, PRODUCTS)
    euro = catalogue.price_list_create(
        actor=admin, data={"name": "Europe (EUR)", "currency": "EUR"}
    )
    catalogue.price_list_set_items(
        actor=admin,
        price_list=euro,
        items=[
            {
                "product_id": p.pk,
                "unit_price": (p.unit_price * Decimal("0.93")).quantize(Decimal("0.01")),
            }
            for p in products
        ],
    )
    return products


def _lines(rng: random.Random, products: list[Product]) -> list[dict[str, Any]]:
    return [
        {
            "product_id": product.pk,
            "quantity": str(rng.choice([1, 1, 2, 3, 5, 10])),
            "discount_percent": rng.choice(["0", "0", "5", "10"]),
        }
        for product in rng.sample(products, rng.randint(1, 3))
    ]


@transaction.atomic
def load(seed: int) -> str:
    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    admin = _admin()
    products = _catalogue(admin, today)
    if not Pipeline.objects.filter(is_active=True).exists():
        # Migration 0002 made one; an admin may have removed it since.
        pipelines.pipeline_create(actor=admin, data={"name": _("Sales")})
    pipeline = pipelines.pipeline_default()
    stages = list(pipeline.stages.order_by("position", "id"))
    counts = {"leads": 0, "deals": 0, "quotes": 0, "orders": 0}
    for user in _owners():
        currency = CURRENCY_BY_TEAM.get(user.team.name if user.team else "", "USD")
        people = list(person_list(user=user).filter(owner=user).order_by("id")[:60])
        orgs = list(organization_list(user=user).filter(owner=user).order_by("id")[:30])
        if not people or not orgs:
            continue
        for n in range(LEADS_PER_USER):
            first, last = rng.choice(people).first_name, rng.choice(people).last_name
            status = [LeadStatus.NEW, LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED]
            leads.lead_create(
                actor=user,
                data={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{fold(first)}.{fold(last)}.{n}@lead.example".replace(" ", ""),
                    "company": rng.choice(LEAD_COMPANIES),
                    "source": rng.choice(list(LeadSource.values)),
                    "status": status[n % len(status)],
                },
            )
            counts["leads"] += 1
        counts["leads"] += _past_leads(rng, user, people)
        for _n in range(DEALS_PER_USER):
            stage = rng.choice(stages)
            org = rng.choice(orgs)
            deal_data: dict[str, Any] = {
                "title": f"{_(rng.choice(DEAL_TITLES))} · {org.name}"[:200],
                "pipeline_id": pipeline.pk,
                "stage_id": stage.pk,
                "amount": str(rng.randrange(500, 60000, 50)),
                "currency": currency,
                "close_date": today + datetime.timedelta(days=rng.randint(-20, 80)),
                "organization_id": org.pk,
                "next_step": _(step) if (step := rng.choice(NEXT_STEPS)) else "",
            }
            if stage.is_lost:
                deal_data["lost_reason"] = _(rng.choice(LOST_REASONS))
            deals.deal_create(actor=user, data=cast(Any, deal_data))
            counts["deals"] += 1
        for _n in range(QUOTES_PER_USER):
            quotes.quote_create(
                actor=user,
                data=cast(
                    Any,
                    {
                        "person_id": rng.choice(people).pk,
                        "currency": currency,
                        "lines": _lines(rng, products),
                    },
                ),
            )
            counts["quotes"] += 1
        for _n in range(ORDERS_PER_USER):
            orders.order_create(
                actor=user,
                data=cast(
                    Any,
                    {
                        "person_id": rng.choice(people[:15]).pk,
                        "currency": currency,
                        "status": "fulfilled",
                        "ordered_at": now - datetime.timedelta(days=rng.randint(3, 540)),
                        "lines": _lines(rng, products),
                    },
                ),
            )
            counts["orders"] += 1
    return (
        _(
            "Added %(leads)s leads, %(deals)s deals, %(quotes)s quotes, %(orders)s orders "
            "and a catalogue."
        )
        % counts
    )


@transaction.atomic
def _past_leads(rng: random.Random, user: User, people: list[Any]) -> int:
    """Leads ``user`` already converted or disqualified, with the pattern a shop sees:
    referrals and events, company addresses and senior titles convert more often."""
    for n in range(PAST_LEADS_PER_USER):
        promising = rng.random() < 0.45
        first, last = rng.choice(people).first_name, rng.choice(people).last_name
        company = rng.choice(LEAD_COMPANIES)
        corporate = rng.random() < (0.8 if promising else 0.3)
        domain = f"{fold(company)}.example".replace(" ", "") if corporate else "gmail.com"
        senior = rng.random() < (0.75 if promising else 0.25)
        sources = (
            [LeadSource.REFERRAL, LeadSource.EVENT, LeadSource.REFERRAL, LeadSource.WEB_FORM]
            if promising
            else [LeadSource.WEB_FORM, LeadSource.CAMPAIGN, LeadSource.IMPORT, LeadSource.MANUAL]
        )
        lead = leads.lead_create(
            actor=user,
            data={
                "first_name": first,
                "last_name": last,
                "email": f"{fold(first)}.{fold(last)}.past{n}@{domain}".replace(" ", ""),
                "company": company,
                "job_title": _(rng.choice(SENIOR_TITLES if senior else JUNIOR_TITLES)),
                "source": rng.choice(sources),
            },
        )
        if rng.random() < (0.8 if promising else 0.15):
            leads.lead_convert(
                actor=user, lead=lead, person_id=rng.choice(people).pk, skip_organization=True
            )
        else:
            leads.lead_set_status(
                actor=user,
                lead=lead,
                status=LeadStatus.DISQUALIFIED,
                reason=_("No budget this year"),
            )
    return PAST_LEADS_PER_USER


def remove() -> None:
    """Everything demo users own in this app, and the demo catalogue."""
    for model in (Order, Quote, Lead, Deal):
        model.objects.filter(owner__username__startswith=DEMO_PREFIX).delete()
    PriceList.objects.filter(name="Europe (EUR)").delete()
    Product.objects.filter(sku__in=[p[0] for p in PRODUCTS]).delete()
    ExchangeRate.objects.filter(currency__in=list(RATES)).delete()
