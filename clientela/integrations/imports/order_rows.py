"""From a row of an order file (one order line) to what the order import needs: the
order's number, its customer, its date, the product, the quantity and price, the
currency and the status, each read from the text shops write ("$1,234.50", "12,50 €",
"2024-03-01 10:15:00 -0500", "paid", "completed", "Refund"…).

Problems are ``convert.Issue`` like the contacts import's: a required cell that cannot
be read (no order number, no product, a negative quantity, an unreadable date, a
currency that is not one) fails the row; an optional one (an unknown status, over-long
notes) is left out and noted, the row kept.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core.normalize import fold
from clientela.integrations.exports.cells import unneutralize
from clientela.integrations.imports.convert import Issue, split_full_name
from clientela.integrations.imports.dates import parse_date
from clientela.sales import money

MAX_NOTES = 10000
_SYMBOLS = {"€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₽": "RUB", "₩": "KRW"}
_NOT_NUMBER = re.compile(r"[^\d,.\-]")
_PLAIN = re.compile(r"^\d{1,15}(?:\.\d{1,6})?$")
_OFFSET = re.compile(r"^(.*\d)\s*(?:UTC|GMT)?\s*([+-])(\d{2}):?(\d{2})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*([ap]\.?m\.?)?$", re.IGNORECASE)

#: Words of the statuses shops write, by the order status they mean; a cancelled or
#: refunded word wins, then one that says the order is still open, then a done one.
CANCELLED_WORDS = (
    "cancel",
    "refund",
    "void",
    "failed",
    "payment error",
    "anulad",
    "reembolsad",
    "devuelt",
)
OPEN_WORDS = (
    "unfulfilled",
    "partial",
    "pending",
    "processing",
    "on hold",
    "awaiting",
    "authorized",
    "open",
    "draft",
    "pendiente",
    "en curso",
    "abierto",
)
DONE_WORDS = (
    "fulfilled",
    "completed",
    "complete",
    "delivered",
    "shipped",
    "paid",
    "payment accepted",
    "payment",
    "closed",
    "entregado",
    "enviado",
    "pagado",
    "completado",
)


@dataclass
class OrderRow:
    """One line of an order as read from the file."""

    number: int
    order: str = ""
    email: str = ""
    external_id: str = ""
    first_name: str = ""
    last_name: str = ""
    ordered_at: datetime.datetime | None = None
    sku: str = ""
    product: str = ""
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    line_total: Decimal | None = None
    currency: str = ""
    status: str = ""
    notes: str = ""
    issues: list[Issue] = field(default_factory=list)
    left_out: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues

    @property
    def has_customer(self) -> bool:
        return bool(self.email or self.external_id or self.first_name or self.last_name)


def parse_amount(text: str) -> Decimal:
    """An amount as shops and spreadsheets write it: "1234.5", "$1,234.50", "1.234,50 €",
    "(12.00)" (negative). Raises ValueError."""
    value = text.strip()
    if _PLAIN.match(value):  # "12.50", what most files hold: read as it is
        return Decimal(value)
    negative = value.startswith("(") and value.endswith(")")
    value = _NOT_NUMBER.sub("", value)
    if value.startswith("-"):
        negative, value = not negative, value[1:]
    if "-" in value or not any(ch.isdigit() for ch in value):
        raise ValueError(text)
    if "," in value and "." in value:
        thousands = "," if value.rfind(".") > value.rfind(",") else "."
        value = value.replace(thousands, "")
    if "," in value:
        head, _sep, tail = value.rpartition(",")
        # "1,234" is a thousand; "12,5" and "12,50" are decimal commas.
        value = value.replace(",", "") if len(tail) == 3 else f"{head.replace(',', '')}.{tail}"
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(text) from None
    if not amount.is_finite():
        raise ValueError(text)
    return -amount if negative else amount


def currency_code(text: str) -> str:
    """The ISO 4217 code of a currency cell ("usd", "€"); ValueError for none."""
    value = text.strip()
    code = _SYMBOLS.get(value, value.upper())
    if not money.is_currency(code):
        raise ValueError(text)
    return code


def parse_moment(text: str, time_text: str = "", order: str = "dmy") -> datetime.datetime:
    """A date or date and time ("2024-03-01", "2024-03-01 10:15:00 -0500",
    "2007-01-01T00:00:00Z", "01/03/2024 10:15 pm", or a date and a separate time cell),
    aware: without a zone, in the installation's. Raises ValueError with a message."""
    value = " ".join(f"{text} {time_text}".split())
    if match := _OFFSET.match(value):
        value = f"{match[1]}{match[2]}{match[3]}:{match[4]}"
    try:
        moment = datetime.datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        moment = _date_and_time(value, order)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _date_and_time(value: str, order: str) -> datetime.datetime:
    why = _("Not a date we can read; write it as YYYY-MM-DD (and HH:MM).")
    for cut in range(len(value), 0, -1):
        if cut < len(value) and value[cut] != " ":
            continue
        try:
            day = parse_date(value[:cut], order)
        except ValueError as exc:
            # A date that cannot be (31/02) says so; other text was not a date.
            if str(exc) == _("This date does not exist."):
                why = str(exc)
            continue
        rest = value[cut:].strip()
        if not rest:
            return datetime.datetime.combine(day, datetime.time())
        if match := _TIME.match(rest):
            hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
            meridian = (match[4] or "").lower().replace(".", "")
            if meridian:
                hour = hour % 12 + (12 if meridian == "pm" else 0)
            try:
                return datetime.datetime.combine(day, datetime.time(hour, minute, second))
            except ValueError:
                break
        break
    raise ValueError(why)


def status_of(values: list[str]) -> str | None:
    """The order status the shop's status cells mean ("" none given, None unknown)."""
    words = [" ".join(re.split(r"[\s_\-]+", fold(v))) for v in values if v.strip()]
    if not words:
        return ""
    for kind, needles in (
        ("cancelled", CANCELLED_WORDS),
        ("open", OPEN_WORDS),
        ("fulfilled", DONE_WORDS),
    ):
        if any(n in w for w in words for n in needles):
            return kind
    return None


class OrderConverter:
    """Reads the rows of one order file (its headers and mapping)."""

    def __init__(
        self, *, headers: list[str], mapping: list[str], order: str, neutralized: bool
    ) -> None:
        self.headers = headers
        self.mapping = mapping
        self.order = order
        self.neutralized = neutralized
        self.columns: dict[str, list[int]] = {}
        self._moments: dict[tuple[str, str], datetime.datetime | str] = {}
        for index, key in enumerate(mapping):
            if key:
                self.columns.setdefault(key, []).append(index)

    def column(self, key: str) -> str:
        """The header of the first column mapped to ``key`` ("" for none)."""
        indexes = self.columns.get(key)
        return self.headers[indexes[0]] if indexes else ""

    def _cell(self, cells: list[str], key: str) -> str:
        for index in self.columns.get(key, ()):
            value = cells[index].strip()
            if value:
                return unneutralize(value) if self.neutralized and value[0] == "'" else value
        return ""

    def _fail(self, out: OrderRow, key: str, value: str, message: str) -> None:
        out.issues.append(Issue(self.column(key), value[:300], message, target=key))

    def convert(self, number: int, cells: list[str]) -> OrderRow:
        out = OrderRow(number=number)
        cell = self._cell
        out.order = cell(cells, "order_number")[:100]
        if not out.order:
            self._fail(out, "order_number", "", _("The order number is missing."))
        self._customer(out, cells)
        self._moment(out, cells)
        out.sku, out.product = cell(cells, "sku")[:64], cell(cells, "product")[:500]
        if not out.sku and not out.product:
            self._fail(out, "product", "", _("The product is missing: give its SKU or name."))
        self._amounts(out, cells)
        if raw := cell(cells, "currency"):
            try:
                out.currency = currency_code(raw)
            except ValueError:
                self._fail(
                    out,
                    "currency",
                    raw,
                    _("“%(value)s” is not a currency we know: give its ISO code, such as EUR.")
                    % {"value": raw},
                )
        statuses = [cells[i] for i in self.columns.get("status", ())]
        status = status_of(statuses)
        if status is None:
            shown = " / ".join(s.strip() for s in statuses if s.strip())
            out.left_out.append(
                Issue(
                    self.column("status"),
                    shown[:300],
                    _("“%(value)s” is not a status we know; the order is taken as fulfilled.")
                    % {"value": shown},
                    target="status",
                )
            )
        else:
            out.status = status
        notes = "\n".join(cells[i].strip() for i in self.columns.get("notes", ()) if cells[i])
        if len(notes) > MAX_NOTES:
            out.left_out.append(
                Issue(self.column("notes"), notes[:300], _("At most 10,000 characters."), "notes")
            )
        else:
            out.notes = notes
        return out

    def _customer(self, out: OrderRow, cells: list[str]) -> None:
        out.email = self._cell(cells, "customer_email")[:254]
        out.external_id = self._cell(cells, "customer_external_id")[:100]
        first, last = (
            self._cell(cells, "customer_first_name"),
            self._cell(cells, "customer_last_name"),
        )
        if not first and not last and (full := self._cell(cells, "customer_name")):
            first, last = split_full_name(full)
        out.first_name, out.last_name = first[:100], last[:100]

    def _moment(self, out: OrderRow, cells: list[str]) -> None:
        raw = self._cell(cells, "ordered_at")
        if not raw:
            return  # another line of the order may give it
        key = (raw, self._cell(cells, "order_time"))
        moment = self._moments.get(key)
        if moment is None:
            # A shop's orders share their dates (a day's orders, an order's lines).
            try:
                moment = parse_moment(raw, key[1], self.order)
            except ValueError as exc:
                moment = str(exc)
            if len(self._moments) < 100_000:
                self._moments[key] = moment
        if isinstance(moment, str):
            self._fail(out, "ordered_at", raw, moment)
        else:
            out.ordered_at = moment

    def _amounts(self, out: OrderRow, cells: list[str]) -> None:
        raw = self._cell(cells, "quantity")
        try:
            quantity = parse_amount(raw) if raw else Decimal(1)
        except ValueError:
            quantity = None
        if quantity is None or quantity <= 0 or quantity != quantity.quantize(Decimal("0.001")):
            self._fail(
                out,
                "quantity",
                raw,
                _("The quantity must be a positive number with at most 3 decimals."),
            )
        else:
            out.quantity = quantity
        for key in ("line_total", "unit_price"):
            raw = self._cell(cells, key)
            if not raw:
                continue
            try:
                amount = parse_amount(raw)
            except ValueError:
                self._fail(out, key, raw, _("Give the amount as a decimal number such as 108.90."))
                continue
            if amount < 0:
                self._fail(out, key, raw, _("The amount cannot be negative."))
            else:
                setattr(out, key, amount)
        unpriced = out.line_total is None and out.unit_price is None and out.ok
        if unpriced or ("line_total" not in self.columns and "unit_price" not in self.columns):
            self._fail(out, "unit_price", "", _("Give the unit price or the line total."))
