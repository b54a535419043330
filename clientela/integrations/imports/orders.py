"""The order import: the same job, chunks, checkpoint, dry run, report and undo as the
contacts import (``runner``), for files with one row per order line.

A chunk is cut only where the order number changes, so an order's lines are always
converted, checked and written together (``rows``). Per chunk: each row is read
(``order_rows``); the rows are grouped by order number; an order's own values (its
customer, date, currency, status) are the first non-empty cell of its lines, and lines
that disagree (two currencies, two customers) fail the order as a whole. An order whose
number is already there (imported before, or pushed by the shop) is skipped. The
customers are found by external id, e-mail or exact name among the people the user may
see, and the missing ones created through ``contacts.bulk`` (the people import's
checks, audit and search entries); the products by SKU or name, the missing ones
created in the catalogue through ``sales.bulk`` (a user who may not change the
catalogue gets the line as text, noted). The orders are then checked and written by
``sales.bulk`` (``order_create``'s rules, in bulk). An order is imported whole or not
at all.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.contacts import bulk as contacts_bulk
from clientela.integrations.imports import runner
from clientela.integrations.imports.convert import Issue
from clientela.integrations.imports.dates import date_order, default_date_order
from clientela.integrations.imports.order_parties import (
    Customer,
    Known,
    catalogue_products,
    made_sku,
    product_key,
)
from clientela.integrations.imports.order_rows import OrderConverter, OrderRow
from clientela.integrations.imports.readers import Row
from clientela.integrations.imports.runner import (
    CHUNK,
    DATE_SAMPLE,
    PREVIEW_ROWS,
    ChunkResult,
    table_for,
)
from clientela.integrations.models import ImportedAction, ImportJob, ImportRowIssue, RowIssueKind
from clientela.sales import bulk as sales_bulk
from clientela.sales import money
from clientela.sales.choices import OrderStatus
from clientela.sales.models import Order, Product, SalesSettings
from clientela.sales.services.orders import OrderData

#: Where a line's problem (``lines.<n>.<field>``) is in the file.
_LINE_FIELDS = {"quantity": "quantity", "unit_price": "unit_price", "description": "product"}
_ORDER_FIELDS = {
    "currency": "currency",
    "person_id": "customer_email",
    "ordered_at": "ordered_at",
    "status": "status",
    "external_id": "order_number",
    "notes": "notes",
}


#: What the lines of an order must agree on.
_AGREE = (
    ("currency", gettext_lazy("currency")),
    ("email", gettext_lazy("customer e-mail")),
    ("external_id", gettext_lazy("customer id")),
)


@dataclass
class OrderChunk(ChunkResult):
    """A chunk's result with what an order import also counts."""

    orders: int = 0
    created_people: int = 0
    created_products: int = 0


@dataclass
class Group:
    """The rows of one order."""

    order: str
    rows: list[OrderRow] = field(default_factory=list)
    person: int | None = None
    #: The row of each line written (a line total split in two gives two lines).
    line_rows: list[int] = field(default_factory=list)
    notes: list[tuple[int, Issue]] = field(default_factory=list)

    def first(self, name: str) -> Any:
        for row in self.rows:
            if value := getattr(row, name):
                return value
        return getattr(self.rows[0], name)

    def values(self, name: str) -> list[Any]:
        return list(dict.fromkeys(v for r in self.rows if (v := getattr(r, name))))


class OrderImporter:
    """One pass over an order file (``dry_run`` or for real): ``rows`` and ``process``
    as ``runner.Importer``'s."""

    def __init__(self, job: ImportJob, *, dry_run: bool) -> None:
        self.job = job
        self.dry_run = dry_run
        self.actor = job.user
        self.table = table_for(job)
        order = default_date_order(job.headers)
        if "ordered_at" in job.mapping:
            column = job.mapping.index("ordered_at")
            sample = (
                r.cells[column].split(" ")[0]
                for r in itertools.islice(self.table.rows(), DATE_SAMPLE)
            )
            order = date_order(sample, default=order)
        self.converter = OrderConverter(
            headers=job.headers,
            mapping=job.mapping,
            order=order,
            neutralized=self.table.format == "csv",
        )
        self.base_currency = SalesSettings.load().base_currency
        self.seen: set[str] = set()

    # --- chunks ----------------------------------------------------------------------

    def rows(self) -> Iterator[list[Row]]:
        """Chunks of about ``CHUNK`` rows, cut where the order number changes."""
        start = 0 if self.dry_run else self.job.rows_done
        column = self.job.mapping.index("order_number")
        chunk: list[Row] = []
        last: str | None = None
        for row in self.table.rows(start=start):
            key = row.cells[column].strip()
            if len(chunk) >= CHUNK and key != last:
                yield chunk
                chunk = []
            chunk.append(row)
            last = key
        if chunk:
            yield chunk

    def _issue(
        self, row: int, message: str, *, column: str = "", value: str = "", kind: str = "error"
    ) -> ImportRowIssue:
        return ImportRowIssue.of(
            self.job, row, message, dry_run=self.dry_run, column=column, value=value, kind=kind
        )

    def process(self, rows: list[Row]) -> OrderChunk:
        result = OrderChunk()
        result.counts.rows = len(rows)
        groups: dict[str, Group] = {}
        failed: list[OrderRow] = []
        for row in rows:
            item = self.converter.convert(row.number, row.cells)
            for _index, message in row.problems:
                item.issues.append(Issue("", "", message))
            if not item.order:
                failed.append(item)
                continue
            groups.setdefault(item.order, Group(item.order)).rows.append(item)
        for item in failed:
            self._fail_rows(result, [item])
        good = [g for g in groups.values() if self._group_ok(g, result)]
        good = self._not_there(good, result)
        good = self._customers(good, result)
        products = self._products(good, result)
        self._orders(good, products, result)
        return result

    # --- checks of a whole order -------------------------------------------------------

    def _fail_rows(self, result: OrderChunk, items: list[OrderRow], why: str = "") -> None:
        """Fail ``items``: each with its own problems, or ``why`` when it has none."""
        for item in items:
            result.counts.failed += 1
            if item.issues:
                result.issues += [
                    self._issue(item.number, i.message, column=i.column, value=i.value)
                    for i in item.issues
                ]
            elif why:
                result.issues.append(self._issue(item.number, why))

    def _fail_group(self, group: Group, result: OrderChunk, message: str = "") -> None:
        """The order fails whole: ``message`` on its first row (if given), each row with
        its own problems, the others naming the order."""
        if message:
            result.issues.append(self._issue(group.rows[0].number, message))
        why = _("Not imported: order %(order)s has a line that failed.") % {"order": group.order}
        for item in group.rows:
            result.counts.failed += 1
            if item.issues:
                result.issues += [
                    self._issue(item.number, i.message, column=i.column, value=i.value)
                    for i in item.issues
                ]
            elif not message or item is not group.rows[0]:
                result.issues.append(self._issue(item.number, message or why))

    def _group_ok(self, group: Group, result: OrderChunk) -> bool:
        if group.order in self.seen:
            self._fail_group(
                group,
                result,
                _(
                    "The lines of order %(order)s are not together in the file: keep an "
                    "order's lines one after another."
                )
                % {"order": group.order},
            )
            return False
        self.seen.add(group.order)
        if any(not r.ok for r in group.rows):
            self._fail_group(group, result)
            return False
        if len(group.rows) > 1:
            for name, label in _AGREE:
                values = group.values(name)
                if len(values) > 1:
                    self._fail_group(
                        group,
                        result,
                        _("The lines of order %(order)s disagree on the %(what)s: %(values)s.")
                        % {"order": group.order, "what": label, "values": ", ".join(values)},
                    )
                    return False
        if not any(r.has_customer for r in group.rows):
            self._fail_group(
                group,
                result,
                _("Order %(order)s has no customer: give an e-mail, a customer id or a name.")
                % {"order": group.order},
            )
            return False
        if group.first("ordered_at") is None:
            self._fail_group(
                group,
                result,
                _("Order %(order)s has no date.") % {"order": group.order},
            )
            return False
        return True

    def _not_there(self, groups: list[Group], result: OrderChunk) -> list[Group]:
        """The orders whose number is not taken yet; the others are skipped."""
        numbers = [g.order for g in groups]
        taken = set(
            Order.objects.filter(external_id__in=numbers).values_list("external_id", flat=True)
        )
        kept = []
        for group in groups:
            if group.order not in taken:
                kept.append(group)
                continue
            result.counts.skipped += len(group.rows)
            result.issues.append(
                self._issue(
                    group.rows[0].number,
                    _("Skipped: order %(order)s is already there (same order number).")
                    % {"order": group.order},
                    kind=RowIssueKind.DUPLICATE,
                )
            )
        return kept

    # --- customers ---------------------------------------------------------------------

    def _customers(self, groups: list[Group], result: OrderChunk) -> list[Group]:
        """Each order's customer found or created (people the user may see)."""
        wanted = {g.order: Customer.of(g.rows, g.first("email")) for g in groups}
        known = Known(self.actor, list(wanted.values()))
        missing: dict[str, Customer] = {}
        for customer in wanted.values():
            if known.find(customer) is None:
                missing.setdefault(customer.key, customer)
        created = self._create_people(list(missing.values()), groups, result)
        for customer, pk in created:
            known.remember(customer, pk)
        kept = []
        for group in groups:
            customer = wanted[group.order]
            group.person = known.find(customer)
            if group.person is None:
                self._fail_group(group, result, customer.error)
            else:
                kept.append(group)
        return kept

    def _create_people(
        self, customers: list[Customer], groups: list[Group], result: OrderChunk
    ) -> list[tuple[Customer, int]]:
        if not customers:
            return []
        checks = contacts_bulk.people_check(
            actor=self.actor,
            items=[c.data() for c in customers],  # type: ignore[misc]
        )
        retry = []
        accepted: list[tuple[Customer, Any]] = []
        for customer, checked in zip(customers, checks, strict=True):
            if isinstance(checked, dict) and "emails" in checked and customer.email:
                # An e-mail the services refuse is left out; the customer kept.
                customer.dropped = _("Left out the customer e-mail “%(value)s”: %(why)s") % {
                    "value": customer.email,
                    "why": " ".join(checked["emails"]),
                }
                customer.email = ""
                retry.append(customer)
            elif isinstance(checked, dict):
                customer.error = _("The customer could not be created: %(why)s") % {
                    "why": " ".join(m for ms in checked.values() for m in ms)
                }
            else:
                accepted.append((customer, checked))
        if retry:
            again = contacts_bulk.people_check(
                actor=self.actor,
                items=[c.data() for c in retry],  # type: ignore[misc]
            )
            for customer, checked in zip(retry, again, strict=True):
                if isinstance(checked, dict):
                    customer.error = _("The customer could not be created: %(why)s") % {
                        "why": " ".join(m for ms in checked.values() for m in ms)
                    }
                else:
                    accepted.append((customer, checked))
        if not accepted:
            return []
        records = contacts_bulk.people_write(actor=self.actor, checked=[c for _x, c in accepted])
        first_rows = {c.key: c.row for c, _chk in accepted}
        for (customer, _checked), record in zip(accepted, records, strict=True):
            result.created_people += 1
            if not self.dry_run:
                row = first_rows[customer.key]
                result.records.append(
                    (row, record.pk, ImportedAction.PERSON.value, record.version, None)
                )
            if customer.dropped:
                result.issues.append(
                    self._issue(customer.row, customer.dropped, kind=RowIssueKind.NOTE)
                )
        return [(c, r.pk) for (c, _chk), r in zip(accepted, records, strict=True)]

    # --- products ----------------------------------------------------------------------

    def _products(self, groups: list[Group], result: OrderChunk) -> dict[str, int | None]:
        """Product key (folded SKU, else "name:" + folded name) -> id, found or created;
        None where it could not be created (the line is kept as text)."""
        first: dict[str, tuple[OrderRow, str]] = {}
        for group in groups:
            currency = group.first("currency") or self.base_currency
            for row in group.rows:
                first.setdefault(product_key(row), (row, currency))
        found = catalogue_products(
            {r.sku for r, _c in first.values() if r.sku},
            {r.product for r, _c in first.values() if not r.sku},
        )
        missing = [k for k in first if k not in found]
        if missing:
            self._add_products(missing, first, found, result)
        return found

    def _add_products(
        self,
        missing: list[str],
        first: dict[str, tuple[OrderRow, str]],
        found: dict[str, int | None],
        result: OrderChunk,
    ) -> None:
        items = []
        for key in missing:
            row, currency = first[key]
            price = row.unit_price
            if price is None and row.line_total is not None and row.quantity:
                price = row.line_total / row.quantity
            price = money.quantize(price or Decimal(0), currency)
            name = row.product or row.sku
            sku = row.sku or made_sku(name)
            items.append(
                {"sku": sku, "name": name[:200], "unit_price": price, "currency": currency}
            )
        try:
            outcomes = sales_bulk.products_create_many(actor=self.actor, items=items)  # type: ignore[arg-type]
        except PermissionDenied:
            outcomes = [{"sku": [_("Only admins and managers may add products.")]}] * len(items)
        for key, outcome in zip(missing, outcomes, strict=True):
            row = first[key][0]
            if isinstance(outcome, Product):
                found[key] = outcome.pk
                result.created_products += 1
                if not self.dry_run:
                    result.records.append(
                        (row.number, outcome.pk, ImportedAction.PRODUCT.value, 1, None)
                    )
                continue
            found[key] = None
            result.issues.append(
                self._issue(
                    row.number,
                    _(
                        "The product “%(name)s” is not in the catalogue and could not be "
                        "added (%(why)s): the line keeps its name as text."
                    )
                    % {
                        "name": row.product or row.sku,
                        "why": " ".join(m for ms in outcome.values() for m in ms),
                    },
                    column=self.converter.column("sku" if row.sku else "product"),
                    value=row.sku or row.product,
                    kind=RowIssueKind.NOTE,
                )
            )

    # --- orders ------------------------------------------------------------------------

    def _order_data(self, group: Group, products: dict[str, int | None]) -> OrderData:
        currency = group.first("currency") or self.base_currency
        lines: list[dict[str, Any]] = []
        for row in group.rows:
            product_id = products.get(product_key(row))
            base = {
                "product_id": product_id,
                "description": row.product or row.sku,
                "discount_percent": "0",
                "tax_rate": "0",
            }
            for quantity, price in _line_prices(row, currency, group):
                lines.append({**base, "quantity": quantity, "unit_price": price})
                group.line_rows.append(row.number)
        statuses = [r.status for r in group.rows if r.status]
        status = statuses[0] if statuses else OrderStatus.FULFILLED
        return {
            "external_id": group.order,
            "person_id": group.person,
            "currency": currency,
            "status": status,
            "ordered_at": group.first("ordered_at"),
            "lines": lines,  # type: ignore[typeddict-item]
            "notes": "\n".join(group.values("notes")),
        }

    def _orders(
        self, groups: list[Group], products: dict[str, int | None], result: OrderChunk
    ) -> None:
        if not groups:
            return
        data = [self._order_data(g, products) for g in groups]
        checks = sales_bulk.orders_check(actor=self.actor, items=data)
        accepted: list[tuple[Group, sales_bulk.CheckedOrder]] = []
        for group, checked in zip(groups, checks, strict=True):
            if isinstance(checked, dict):
                self._order_errors(group, checked, result)
            else:
                accepted.append((group, checked))
        orders = (
            [c.order for _g, c in accepted]
            if self.dry_run
            else sales_bulk.orders_write(actor=self.actor, checked=[c for _g, c in accepted])
        )
        for (group, _checked), order in zip(accepted, orders, strict=True):
            result.counts.created += len(group.rows)
            result.orders += 1
            for row in group.rows:
                if row.left_out:
                    result.counts.partial += 1
                    result.counts.cells += len(row.left_out)
                for i in row.left_out:
                    result.issues.append(
                        self._issue(
                            row.number,
                            _("Left out: %(why)s") % {"why": i.message},
                            column=i.column,
                            value=i.value,
                            kind=RowIssueKind.NOTE,
                        )
                    )
            for number, issue in group.notes:
                result.issues.append(
                    self._issue(
                        number,
                        issue.message,
                        column=issue.column,
                        value=issue.value,
                        kind=RowIssueKind.NOTE,
                    )
                )
            if not self.dry_run:
                result.records.append(
                    (group.rows[0].number, order.pk, ImportedAction.CREATED.value, 1, None)
                )
            if len(result.preview) < PREVIEW_ROWS:
                result.preview.append(_preview(group, order))

    def _order_errors(self, group: Group, errors: dict[str, list[str]], result: OrderChunk) -> None:
        for key, messages in errors.items():
            parts = key.split(".")
            if parts[0] == "lines" and len(parts) >= 2 and parts[1].isdigit():
                n = int(parts[1])
                number = group.line_rows[n] if n < len(group.line_rows) else group.rows[0].number
                target = _LINE_FIELDS.get(parts[2] if len(parts) > 2 else "", "product")
            else:
                number, target = group.rows[0].number, _ORDER_FIELDS.get(key, "")
            row = next(r for r in group.rows if r.number == number)
            for message in messages:
                row.issues.append(Issue(self.converter.column(target), "", message, target))
        self._fail_group(group, result)


def _line_prices(row: OrderRow, currency: str, group: Group) -> list[tuple[str, str]]:
    """(quantity, unit price) of the line(s) a row gives: its unit price, or its line
    total over the quantity; a total that no single unit price gives (25.97 for 2) is
    written as two lines (1 × 12.98 and 1 × 12.99), so the order's total stays exact."""
    quantity = row.quantity or Decimal(1)
    if row.line_total is None:
        return [(str(quantity), str(row.unit_price))]
    total = row.line_total
    unit = (total / quantity).quantize(Decimal("0.001"))
    if money.quantize(quantity * unit, currency) == money.quantize(total, currency):
        return [(str(quantity), str(unit))]
    step = Decimal(1).scaleb(-money.exponent(currency))
    if quantity != quantity.to_integral_value() or quantity < 2:
        return [(str(quantity), str(unit))]  # the services report it
    unit = (total / quantity).quantize(step, rounding=ROUND_DOWN)
    rest = money.quantize(total - (quantity - 1) * unit, currency)
    group.notes.append(
        (
            row.number,
            Issue(
                "",
                str(total),
                _(
                    "The line total %(total)s is not %(qty)s × one price: written as "
                    "%(n)s × %(unit)s and 1 × %(rest)s."
                )
                % {"total": total, "qty": quantity, "n": quantity - 1, "unit": unit, "rest": rest},
            ),
        )
    )
    return [(str(quantity - 1), str(unit)), ("1", str(rest))]


def _preview(group: Group, order: Order) -> dict[str, Any]:
    person = order.person
    return {
        "row": group.rows[0].number,
        "action": "create",
        "record_id": None,
        "name": f"{group.order} · {person}" if person is not None else group.order,
        "email": group.first("email"),
        "phone": "",
        "city": "",
        "country": "",
        "organization": f"{money.money_str(order.total, order.currency)} {order.currency}",
        "birthday": "",
        "tags": ", ".join(dict.fromkeys(r.product or r.sku for r in group.rows)),
    }


runner.IMPORTERS["orders"] = OrderImporter
