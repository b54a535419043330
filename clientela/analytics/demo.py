"""Demo purchase history for ``clientela demo`` (issue 13, item 14): two years of orders
that behave like a real shop's, so every analytics page shows something worth reading
on first open.

Every demo user who owns customers gets ``CUSTOMERS_PER_OWNER`` of their people as
customers, each with a way of buying:

* a few **loyal big customers**, ordering every three weeks or so for two years, large
  baskets of office equipment (the A class, RFM Champions);
* a few **lost big customers**, as loyal for a year, then silent for six to ten months
  (RFM At risk / Can't lose them, a low chance of being alive in the CLV);
* **regulars** who reorder coffee and filters, or paper and pens, every 30 to 90 days
  (purchase cycles; a couple of them overdue);
* **occasional** buyers (two to four orders) and many **one-off** buyers, their
  spending drawn from a Pareto distribution (a long tail);
* **seasonal products that sell together**: fans in summer, heaters in winter, the
  back-to-school kit with pens and paper in August and September, gift hampers with
  coffee in December; the desk with the chair, the monitor with a USB-C cable (basket
  rules at the default thresholds).

Plus a year of **quotes** per owner, sent, accepted (each with its order), rejected or
expired after a few days to weeks, and a few drafts (the Offers page).

Choices follow the seed (one ``random.Random``); dates are relative to the load day, so
the demo always looks current. Orders go through the bulk write path of the order import
(``sales.bulk``: the same checks, numbering, audit and search entries, one INSERT per
table); quotes through ``quote_create``, their sending and answer dated in the past (not
replayed through ``quote_send``, which would e-mail). At the end the analyses are
computed (``services.refresh`` + ``run_snapshot``), so the pages show figures at once.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from clientela.analytics import services
from clientela.analytics.models import Snapshot
from clientela.contacts.models import Person
from clientela.contacts.selectors import person_list
from clientela.core.demo import DEMO_ACCOUNTS, DEMO_PREFIX
from clientela.core.models import User
from clientela.sales import bulk
from clientela.sales.choices import ProductKind, QuoteStatus
from clientela.sales.demo import products_create
from clientela.sales.models import Order, Product, Quote
from clientela.sales.services.orders import OrderData
from clientela.sales.services.quotes import quote_create

#: (sku, name, kind, unit, price in USD, tax rate %): the seasonal and consumable
#: products the history needs besides the sales demo's catalogue.
PRODUCTS = (
    ("FAN-030", gettext_noop("Desk fan"), ProductKind.PRODUCT, "unit", "34.90", "21"),
    ("HTR-2KW", gettext_noop("Space heater"), ProductKind.PRODUCT, "unit", "79.00", "21"),
    ("BTS-KIT", gettext_noop("Back-to-school kit"), ProductKind.PRODUCT, "unit", "29.50", "10"),
    ("PEN-012", gettext_noop("Pens, box of 12"), ProductKind.PRODUCT, "box", "8.90", "10"),
    ("GFT-BOX", gettext_noop("Gift hamper"), ProductKind.PRODUCT, "unit", "95.00", "10"),
    ("COF-1KG", gettext_noop("Coffee beans 1 kg"), ProductKind.PRODUCT, "kg", "21.00", "10"),
    ("FLT-100", gettext_noop("Coffee filters, 100"), ProductKind.PRODUCT, "box", "4.50", "10"),
)
#: A basket theme: its products (sku, usual quantity, chance it is in the basket) and
#: its weight in each month (1–12) for the customers who buy at random.
THEMES: dict[str, tuple[tuple[tuple[str, int, float], ...], dict[int, float]]] = {
    "office": (
        (("DSK-140", 1, 1.0), ("CHR-100", 1, 0.8), ("LMP-020", 1, 0.4), ("INS-HR", 2, 0.3)),
        {m: 1.0 for m in range(1, 13)} | {1: 1.6, 9: 1.5},
    ),
    "screen": (
        (("MON-270", 1, 1.0), ("CBL-USB", 2, 0.75), ("DLV-STD", 1, 0.3)),
        {m: 1.0 for m in range(1, 13)},
    ),
    "coffee": (
        (("COF-1KG", 2, 1.0), ("FLT-100", 1, 0.7)),
        {m: 1.2 for m in range(1, 13)} | {12: 2.0},
    ),
    "paper": (
        (("PAP-A4", 2, 1.0), ("PEN-012", 1, 0.5)),
        {m: 1.0 for m in range(1, 13)},
    ),
    "summer": (
        (("FAN-030", 1, 1.0), ("CBL-USB", 1, 0.2)),
        {6: 3.0, 7: 4.0, 8: 2.5},
    ),
    "winter": (
        (("HTR-2KW", 1, 1.0),),
        {11: 2.0, 12: 3.0, 1: 3.5, 2: 2.0},
    ),
    "school": (
        (("BTS-KIT", 2, 1.0), ("PEN-012", 2, 0.8), ("PAP-A4", 1, 0.6)),
        {8: 3.0, 9: 4.0},
    ),
    "gifts": (
        (("GFT-BOX", 2, 1.0), ("COF-1KG", 1, 0.6)),
        {12: 6.0, 11: 1.0},
    ),
    "services": (
        (("SUP-YR", 1, 1.0), ("TRN-DAY", 1, 0.5)),
        {m: 0.4 for m in range(1, 13)},
    ),
}
#: Themes a customer keeps to: the small things most buy, and the equipment some do.
SHELVES = (
    ("coffee", "paper", "school", "gifts", "summer", "winter"),
    ("coffee", "paper", "school", "gifts", "summer", "winter"),
    ("office", "screen", "services"),
)
#: More orders in the busy months (the seasons of the themes).
MONTH_WEIGHT = {1: 1.0, 2: 0.8, 3: 0.9, 4: 0.9, 5: 1.0, 6: 1.1, 7: 1.2, 8: 1.0, 9: 1.4}
MONTH_WEIGHT |= {10: 1.0, 11: 1.3, 12: 1.8}
HISTORY_DAYS = 730
CUSTOMERS_PER_OWNER = 80
#: How many customers of each owner buy each way (the rest buy once).
PROFILES = (("loyal", 2), ("lost", 2), ("regular", 12), ("occasional", 18))
QUOTES_PER_OWNER = 24
#: Orders of the history are recognised by their external id (``remove``).
EXTERNAL_PREFIX = "demo-history-"
#: One unit of each currency in US dollars (the sales demo's rates and price list).
EUR_FACTOR = Decimal("0.93")
CURRENCY_BY_TEAM = {"North": "USD", "South": "EUR"}


@dataclass
class Shop:
    """What the plan draws from: the random source, the day, the products by SKU."""

    rng: random.Random
    today: datetime.date
    products: dict[str, Product]

    def moment(self, days_ago: int) -> datetime.datetime:
        day = self.today - datetime.timedelta(days=days_ago)
        hour = datetime.time(self.rng.randint(8, 19), self.rng.choice((0, 15, 30, 45)))
        return timezone.make_aware(datetime.datetime.combine(day, hour))

    def seasonal_day(self, newest: int = 1, oldest: int = HISTORY_DAYS) -> int:
        """Days ago of a purchase at random, more likely in the busy months."""
        while True:
            days = self.rng.randint(newest, oldest)
            month = (self.today - datetime.timedelta(days=days)).month
            if self.rng.random() * 1.8 < MONTH_WEIGHT[month]:
                return days

    def theme(self, days_ago: int, choices: tuple[str, ...] = tuple(THEMES)) -> str:
        month = (self.today - datetime.timedelta(days=days_ago)).month
        weights = [THEMES[t][1].get(month, 0.0) for t in choices]
        if not any(weights):  # none of them in season: the customer's first habit
            return choices[0]
        return self.rng.choices(choices, weights)[0]


def _price(product: Product, currency: str) -> str:
    price = product.unit_price * (EUR_FACTOR if currency == "EUR" else 1)
    return str(price.quantize(Decimal("0.01")))


def _basket(shop: Shop, theme: str, currency: str, scale: int = 1) -> list[dict[str, Any]]:
    lines = []
    for sku, quantity, chance in THEMES[theme][0]:
        if shop.rng.random() < chance:
            product = shop.products[sku]
            lines.append(
                {
                    "product_id": product.pk,
                    "quantity": str(max(1, quantity * scale)),
                    "unit_price": _price(product, currency),
                }
            )
    return lines


def _spend(shop: Shop) -> int:
    """A customer's quantity multiplier: most buy one or two of a thing, a few many
    (log-normal, at most 20; a Pareto tail made the average spend infinite to the
    lifetime-value model, as no shop's customers are)."""
    return min(20, max(1, round(shop.rng.lognormvariate(0.2, 0.8))))


def _customer_days(shop: Shop, profile: str) -> list[int]:
    """When a customer of ``profile`` bought, in days before today."""
    rng = shop.rng
    if profile in ("loyal", "lost"):
        last = rng.randint(2, 12) if profile == "loyal" else rng.randint(190, 300)
        days, day = [], HISTORY_DAYS - rng.randint(0, 30)
        while day >= last:
            days.append(day)
            day -= rng.randint(15, 28)
        return days
    if profile == "regular":
        cycle = rng.choice((30, 45, 60, 90))
        day = HISTORY_DAYS - rng.randint(0, 200)
        # Some regulars stopped (overdue for their reorder).
        stop = rng.randint(cycle * 2, cycle * 4) if rng.random() < 0.35 else 1
        days = []
        while day >= stop:
            days.append(day)
            day -= max(7, round(cycle * rng.uniform(0.85, 1.15)))
        return days
    # The others buy now and then at a rate of their own and, after each purchase, may
    # never come back (most one-off buyers are that): how the lifetime-value model
    # (BG/NBD) sees customers, so it has both the lasting and the lapsed to learn from.
    if profile == "occasional":
        gap, leave = rng.uniform(30, 150), rng.uniform(0.1, 0.5)
    else:
        gap, leave = rng.uniform(60, 240), rng.uniform(0.6, 0.95)
    day = shop.seasonal_day()
    days = [day]
    while rng.random() >= leave:
        day -= max(3, round(rng.expovariate(1 / gap)))
        if day < 1:
            break
        days.append(day)
    return days


def _customer_orders(shop: Shop, person: Person, profile: str, currency: str) -> list[OrderData]:
    rng = shop.rng
    regular_theme = rng.choice(("coffee", "coffee", "paper"))
    scale = _spend(shop)
    # What this customer buys: two themes of their own from one shelf (a shop's
    # customers keep to their habits), the season deciding between them.
    favourites = tuple(rng.sample(rng.choice(SHELVES), 2))
    orders: list[OrderData] = []
    for days in _customer_days(shop, profile):
        if profile in ("loyal", "lost"):
            lines = _basket(shop, shop.theme(days, favourites), currency, rng.randint(2, 4))
            if rng.random() < 0.4:  # the office's coffee, now and then
                lines += _basket(shop, "coffee", currency, rng.randint(2, 5))
        elif profile == "regular":
            lines = _basket(shop, regular_theme, currency, rng.randint(1, 3))
        else:
            lines = _basket(shop, shop.theme(days, favourites), currency, scale)
        if lines:
            orders.append(
                {
                    "person_id": person.pk,
                    "currency": currency,
                    "status": "fulfilled",
                    "ordered_at": shop.moment(days),
                    "lines": cast(Any, lines),
                }
            )
    return orders


def _quotes(
    shop: Shop, owner: User, people: list[Person], currency: str
) -> list[tuple[Quote, OrderData | None]]:
    """A year of quotes of ``owner``, their fate decided and dated; the order of each
    accepted one."""
    rng = shop.rng
    # Each rep closes at their own pace: how many days customers take to answer.
    pace = rng.randint(3, 12)
    made: list[tuple[Quote, OrderData | None]] = []
    for _n in range(QUOTES_PER_OWNER):
        days = rng.randint(2, 360)
        person = rng.choice(people)
        theme = shop.theme(days, ("office", "screen", "services", "coffee", "school"))
        lines = _basket(shop, theme, currency, rng.randint(1, 6)) or _basket(
            shop, "office", currency
        )
        quote = quote_create(
            actor=owner,
            data={
                "person_id": person.pk,
                "currency": currency,
                "issue_date": shop.today - datetime.timedelta(days=days),
                "lines": cast(Any, lines),
            },
        )
        sent = max(1, days - rng.randint(0, 2))
        answer = sent - min(sent - 1, max(1, round(rng.expovariate(1 / pace))))
        fate = rng.random()
        status, sent_at, decided_at, order = QuoteStatus.DRAFT, None, None, None
        if days < 10 and fate < 0.4:
            pass  # still a draft
        elif days < 35 and fate >= 0.5:
            status, sent_at = QuoteStatus.SENT, shop.moment(sent)  # awaiting an answer
        elif fate < 0.5:
            status, sent_at = QuoteStatus.ACCEPTED, shop.moment(sent)
            decided_at = shop.moment(answer)
            order = {
                "person_id": person.pk,
                "currency": currency,
                "status": "fulfilled",
                "ordered_at": decided_at,
                "lines": cast(Any, lines),
                "external_id": f"{EXTERNAL_PREFIX}quote-{quote.pk}",
            }
        elif fate < 0.8:
            status, sent_at = QuoteStatus.REJECTED, shop.moment(sent)
            decided_at = shop.moment(answer)
        else:
            status, sent_at = QuoteStatus.EXPIRED, shop.moment(sent)
        if status != QuoteStatus.DRAFT:
            Quote.objects.filter(pk=quote.pk).update(
                status=status, sent_at=sent_at, decided_at=decided_at
            )
        made.append((quote, cast(OrderData | None, order)))
    return made


def _products(admin: User) -> dict[str, Product]:
    products_create(admin, PRODUCTS)
    skus = {sku for theme in THEMES.values() for sku, _q, _c in theme[0]}
    return {p.sku: p for p in Product.objects.filter(sku__in=skus)}


def _write(owner: User, items: list[OrderData]) -> list[Order]:
    checked = bulk.orders_check(actor=owner, items=items)
    problems = [r for r in checked if not isinstance(r, bulk.CheckedOrder)]
    if problems:  # the plan is ours: a problem is a bug in it
        raise ValueError(f"demo history: {problems[0]}")
    return bulk.orders_write(actor=owner, checked=cast(list[bulk.CheckedOrder], checked))


def load(seed: int) -> str:
    summary = _load_history(seed)
    # The analyses computed now (each in its own transactions, a failing one keeping
    # its error), so every page has figures on first open.
    for snapshot in services.refresh(None, queue=False):
        services.run_snapshot(snapshot.pk)
    return summary


@transaction.atomic
def _load_history(seed: int) -> str:
    today = timezone.localdate()
    admin = User.objects.get(username=f"{DEMO_PREFIX}admin")
    products = _products(admin)
    missing = {sku for t in THEMES.values() for sku, _q, _c in t[0]} - set(products)
    if missing:  # the sales demo's catalogue was removed: nothing to build on
        return _("No purchase history: the demo catalogue is missing.")
    shop = Shop(random.Random(seed * 31 + 14), today, products)
    names = [a.username for a in DEMO_ACCOUNTS if a.owns_records]
    owners = User.objects.filter(username__in=names).select_related("team").order_by("username")
    counts = {"customers": 0, "orders": 0, "quotes": 0}
    for owner in owners:
        currency = CURRENCY_BY_TEAM.get(owner.team.name if owner.team else "", "USD")
        people = list(
            person_list(user=owner).filter(owner=owner).order_by("id")[:CUSTOMERS_PER_OWNER]
        )
        if not people:
            continue
        shop.rng.shuffle(people)
        profiles = [p for p, n in PROFILES for _i in range(n)]
        items: list[OrderData] = []
        for n, person in enumerate(people):
            profile = profiles[n] if n < len(profiles) else "once"
            items += _customer_orders(shop, person, profile, currency)
        for n, item in enumerate(items):
            item["external_id"] = f"{EXTERNAL_PREFIX}{owner.pk}-{n}"
        quoted = _quotes(shop, owner, people, currency)
        items += [order for _quote, order in quoted if order is not None]
        written = _write(owner, items)
        for order in written:
            if order.external_id.startswith(f"{EXTERNAL_PREFIX}quote-"):
                quote_id = int(order.external_id.rsplit("-", 1)[1])
                Order.objects.filter(pk=order.pk).update(quote_id=quote_id)
        counts["customers"] += len(people)
        counts["orders"] += len(written)
        counts["quotes"] += len(quoted)
    return (
        _(
            "Added a purchase history: %(orders)s orders of %(customers)s customers and "
            "%(quotes)s quotes over two years, and computed the analytics."
        )
        % counts
    )


@transaction.atomic
def remove() -> None:
    """The history's orders, its products and every analytics snapshot (they were
    computed from the demo). The quotes go with the sales demo (demo users own them)."""
    Order.objects.filter(external_id__startswith=EXTERNAL_PREFIX).delete()
    Snapshot.objects.all().delete()
    Product.objects.filter(sku__in=[p[0] for p in PRODUCTS]).delete()
