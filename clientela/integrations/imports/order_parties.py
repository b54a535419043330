"""Who and what an order of the order import names: its customer, found among the
people the importing user may see by external id, e-mail or exact name (``Known``) or
described for ``contacts.bulk`` to create (``Customer``), and its products, found in
the catalogue by SKU or name (``catalogue_products``)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from clientela.contacts import selectors as contacts_selectors
from clientela.contacts.details import EmailInput
from clientela.contacts.models import Person
from clientela.core.normalize import fold, normalize_email
from clientela.integrations.imports.order_rows import OrderRow
from clientela.sales.models import Product


@dataclass
class Customer:
    """Who an order is for, as the file says."""

    key: str
    row: int
    email: str
    external_id: str
    first_name: str
    last_name: str
    error: str = ""
    dropped: str = ""

    @classmethod
    def of(cls, rows: list[OrderRow], email: str) -> Customer:
        """The customer of an order's rows (``email``: the first one they give)."""
        row = next(r for r in rows if r.has_customer)
        try:
            email = normalize_email(email) if email else ""
        except Exception:  # the services say why when the customer is created
            email = email.strip()
        name = fold(f"{row.first_name} {row.last_name}".strip())
        key = f"x:{row.external_id}" if row.external_id else f"e:{email}" if email else f"n:{name}"
        return cls(key, row.number, email, row.external_id, row.first_name, row.last_name)

    @property
    def name(self) -> str:
        return fold(f"{self.first_name} {self.last_name}".strip())

    def data(self) -> dict[str, Any]:
        first, last = self.first_name, self.last_name
        if not first and not last:
            last = self.email.split("@")[0] if self.email else self.external_id
        out: dict[str, Any] = {"first_name": first, "last_name": last}
        if self.external_id:
            out["external_id"] = self.external_id
        if self.email:
            out["emails"] = [EmailInput(self.email, "personal", True)]
        return out


class Known:
    """The visible people the customers of a chunk may be: by external id, e-mail and
    exact (folded) name."""

    def __init__(self, actor: Any, customers: list[Customer]) -> None:
        self.by: dict[str, int] = {}
        candidates = contacts_selectors.match_candidates(
            user=actor,
            model=Person,
            external_ids={c.external_id for c in customers if c.external_id},
            emails={c.email for c in customers if c.email},
        )
        for key, value, pk in candidates:
            self.by.setdefault(f"{key}:{value}", pk)
        last_names = {c.last_name for c in customers if c.last_name and not c.external_id}
        for pk, first, last, _city in contacts_selectors.people_named(
            user=actor, last_names=last_names
        ):
            self.by.setdefault("n:" + fold(f"{first} {last}".strip()), pk)

    def find(self, customer: Customer) -> int | None:
        for key in (
            f"x:{customer.external_id}" if customer.external_id else "",
            f"e:{customer.email}" if customer.email else "",
            # A name alone says who it is only when nothing else was given.
            f"n:{customer.name}" if customer.name and not customer.external_id else "",
        ):
            if key and key in self.by:
                return self.by[key]
        return None

    def remember(self, customer: Customer, pk: int) -> None:
        for key in (
            f"x:{customer.external_id}" if customer.external_id else "",
            f"e:{customer.email}" if customer.email else "",
            f"n:{customer.name}" if customer.name else "",
        ):
            if key:
                self.by.setdefault(key, pk)


def catalogue_products(skus: set[str], names: set[str]) -> dict[str, int | None]:
    """The live products sold under these SKUs (any letters) or names, by product key."""
    found: dict[str, int | None] = {}
    live = Product.objects.filter(deleted_at__isnull=True, is_active=True)
    if skus:
        variants = sorted({v for s in skus for v in (s, s.upper(), s.lower())})
        for pk, sku in live.filter(sku__in=variants).values_list("pk", "sku"):
            found.setdefault(fold(sku), pk)
    if names:
        for pk, name in live.filter(name__in=sorted(names)).values_list("pk", "name"):
            found.setdefault("name:" + fold(name), pk)
        # A name written in other letters: the SKU made for it the first time.
        made = {made_sku(n): "name:" + fold(n) for n in names}
        for pk, sku in live.filter(sku__in=sorted(made)).values_list("pk", "sku"):
            found.setdefault(made[sku], pk)
    return found


def made_sku(name: str) -> str:
    """The SKU of a product the import adds from its name alone (the same for the
    same name in any letters, so a later file finds it)."""
    return "IMP-" + hashlib.sha1(fold(name).encode()).hexdigest()[:10].upper()  # noqa: S324


def product_key(row: OrderRow) -> str:
    return fold(row.sku) if row.sku else "name:" + fold(row.product)
