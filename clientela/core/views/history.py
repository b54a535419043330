"""A record's history in the reader's words.

Audit entries keep each change as the stored values' display strings (``core.audit``),
so the history reads the same after the schema moves on. This module turns them into
what a person reads, in their language and time zone: field labels (the kind's own,
then the model's verbose names), choice labels ("open" → "Abierto"), custom fields by
their label, dates and times in the reader's format and zone (the short forms every
page uses, ``SHORT_DATE_FORMAT`` / ``SHORT_DATETIME_FORMAT``), amounts with their
currency, Yes/No; internal fields (version, ids, timestamps…) are left out. A value
that does not parse as its field's type is shown as it was stored.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_currency, format_decimal
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy, to_locale
from django.utils.translation import gettext as _

from clientela.core.choices import CustomFieldType
from clientela.core.kinds import record_kinds
from clientela.core.models import CRMRecord, CustomField
from clientela.core.selectors import audit_history

HISTORY_LIMIT = 50
#: What the reader has no use for: bookkeeping columns and ids.
HIDDEN = frozenset(
    {"id", "pk", "version", "created_at", "updated_at", "deleted_at", "search", "tag_key"}
)
#: Keys several kinds audit that are not model fields; a kind's ``history_labels`` win.
COMMON_LABELS: dict[str, Any] = {
    "custom": gettext_lazy("Custom fields"),
    "tags": gettext_lazy("Tags"),
    "lines": gettext_lazy("Lines"),
    "merged": gettext_lazy("Merged with"),
    "merged_into": gettext_lazy("Merged into"),
    "related": gettext_lazy("Related to"),
    "reminders": gettext_lazy("Reminders (minutes before)"),
    "attachments": gettext_lazy("Attachments"),
}
#: The digits of a stored amount (``sales.models.money_field``): a decimal field of this
#: shape on a model with a ``currency`` field holds money in that currency.
MONEY_SHAPE = (18, 3)
#: The mark a list of e-mails or phones puts on the primary one ("ana@example.com *").
_PRIMARY = re.compile(r" \*(?=, |$)")
_CUSTOM_KEY = r"[-\w]+"

Change = tuple[str, str | None, str | None]
Format = Callable[[str], str]


@dataclass
class HistoryRow:
    entry: Any
    changes: list[Change]


def hidden(model: type[models.Model], key: str) -> bool:
    """Whether ``key`` is bookkeeping: ``HIDDEN``, or the id column of a relation
    (``organization_id``; a field of its own such as ``external_id`` or a tax id is
    shown)."""
    if key in HIDDEN:
        return True
    if not key.endswith("_id"):
        return False
    try:
        return bool(model._meta.get_field(key[:-3]).is_relation)
    except FieldDoesNotExist:
        return False


def field_label(model: type[models.Model], key: str, labels: Mapping[str, Any]) -> str:
    """The human name of an audited field: ``labels`` first (lists and other keys that
    are not model fields), then the common ones, then the model field's verbose name."""
    if key in labels:
        return str(labels[key])
    if key in COMMON_LABELS:
        return str(COMMON_LABELS[key])
    try:
        field = model._meta.get_field(key)
    except FieldDoesNotExist:
        return capfirst(key.replace("_", " ")) or key
    return str(capfirst(getattr(field, "verbose_name", key)))


def history_rows(record: CRMRecord, *, labels: Mapping[str, Any]) -> list[HistoryRow]:
    """The newest audit entries of a record already fetched through a scoped selector,
    each change as (label, old, new) for people to read."""
    reader = _Reader(type(record), labels)
    # Entries come newest first: the currency after each one is the record's current
    # one, or what an entry after it changed it from.
    currency = str(getattr(record, "currency", "") or "")
    rows = []
    for entry in audit_history(record=record)[:HISTORY_LIMIT]:
        changes: Mapping[str, Any] = entry.changes or {}
        old_currency, new_currency = _pair(changes.get("currency"), currency)
        rows.append(HistoryRow(entry, reader.changes(changes, (old_currency, new_currency))))
        currency = old_currency
    return rows


def entry_changes(
    model: type[models.Model], changes: Mapping[str, Any], labels: Mapping[str, Any]
) -> list[Change]:
    """The changes of one audit entry of something that is not a kind of record and
    has no amounts (a user account), for people to read."""
    return _Reader(model, labels).changes(changes, ("", ""))


def _pair(value: Any, default: str) -> tuple[str, str]:
    """(old, new) of a stored change, each ``default`` when absent."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        return default, default
    return value[0] or default, value[1] or default


class _Reader:
    """Formats the changes of one kind of record; custom fields are read once."""

    def __init__(self, model: type[models.Model], labels: Mapping[str, Any]) -> None:
        self.model = model
        self.labels = labels
        self._custom: dict[str, CustomField] | None = None

    def changes(self, changes: Mapping[str, Any], currencies: tuple[str, str]) -> list[Change]:
        rows: list[Change] = []
        for key, value in sorted(changes.items()):
            if hidden(self.model, key):
                continue
            old, new = [*value, None, None][:2] if isinstance(value, list) else (None, value)
            if key == "custom":
                rows += self.custom_changes(old, new)
                continue
            fmt = self.formatter(key)
            if _is_money(self.model, key):
                rows.append(
                    (self.label(key), _money(old, currencies[0]), _money(new, currencies[1]))
                )
            else:
                rows.append((self.label(key), _apply(fmt, old), _apply(fmt, new)))
        return rows

    def label(self, key: str) -> str:
        return field_label(self.model, key, self.labels)

    def formatter(self, key: str) -> Format | None:
        try:
            field = self.model._meta.get_field(key)
        except FieldDoesNotExist:
            if key in getattr(self.model, "HISTORY_DATES", ()):
                return _date
            return _related if key == "related" else _primary_marks
        return _field_format(field)

    # --- custom fields ---------------------------------------------------------------

    def definitions(self) -> dict[str, CustomField]:
        if self._custom is None:
            resource = getattr(self.model, "RESOURCE", "")
            self._custom = {f.key: f for f in CustomField.objects.filter(resource=resource)}
        return self._custom

    def custom_changes(self, old: str | None, new: str | None) -> list[Change]:
        """One row per custom field whose value changed, under its label."""
        fields = self.definitions()
        before, after = _parse_custom(old, fields), _parse_custom(new, fields)
        if before is None or after is None:
            return [(self.label("custom"), old, new)]
        order = {key: i for i, key in enumerate(fields)}
        keys = sorted(set(before) | set(after), key=lambda k: (order.get(k, len(order)), k))
        rows: list[Change] = []
        for key in keys:
            if before.get(key) == after.get(key):
                continue
            field = fields.get(key)
            fmt = _custom_format(field) if field else None
            label = field.label if field else key
            rows.append((label, _apply(fmt, before.get(key)), _apply(fmt, after.get(key))))
        return rows


def _apply(fmt: Format | None, value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if fmt is None:
        return str(value)
    return fmt(str(value))


def _field_format(field: Any) -> Format | None:
    if getattr(field, "choices", None):
        choices = {str(k): str(v) for k, v in field.flatchoices}
        return lambda value: choices.get(value, value)
    if isinstance(field, models.BooleanField):
        return _yes_no
    if isinstance(field, models.DateTimeField):
        return _datetime
    if isinstance(field, models.DateField):
        return _date
    if isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
        return _number
    return None


def _parse_custom(text: str | None, fields: Mapping[str, CustomField]) -> dict[str, str] | None:
    """``"tier=Gold, vip=true"`` (``core.audit.display`` of the ``custom`` dict) back
    into a dict. The keys of the fields defined are tried first, so a text value
    holding ", x=" is not split; then any key-like word (a field since deleted)."""
    if not text:
        return {}
    known = "|".join(re.escape(k) for k in sorted(fields, key=len, reverse=True))
    for keys in ([known] if known else []) + [_CUSTOM_KEY]:
        parts = re.split(rf"(?:^|, )({keys})=", text)
        if parts[0] == "" and len(parts) > 1:
            return dict(zip(parts[1::2], parts[2::2], strict=True))
    return None


def _is_money(model: type[models.Model], key: str) -> bool:
    try:
        field = model._meta.get_field(key)
        model._meta.get_field("currency")
    except FieldDoesNotExist:
        return False
    return (
        isinstance(field, models.DecimalField)
        and (field.max_digits, field.decimal_places) == MONEY_SHAPE
    )


def _money(value: str | None, currency: str) -> str | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(value)
    except InvalidOperation:
        return value
    if not currency:
        return _number(value)
    try:
        return str(format_currency(amount, currency, locale=_locale()))
    except (ValueError, LookupError):
        return f"{_number(value)} {currency}"


def _locale() -> str:
    return to_locale(get_language() or "en")


def _yes_no(value: str) -> str:
    if value.lower() in {"true", "1"}:
        return _("Yes")
    if value.lower() in {"false", "0"}:
        return _("No")
    return value


def _date(value: str) -> str:
    if len(value) == 7 and value.startswith("--"):
        # A month and a day without the year (a birthday: "--05-21"), as "May 21".
        try:
            day = datetime.date(2000, int(value[2:4]), int(value[5:7]))
        except ValueError:
            return value
        return formats.date_format(day, "MONTH_DAY_FORMAT")
    try:
        day = datetime.date.fromisoformat(value[:10])
    except ValueError:
        return value
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _datetime(value: str) -> str:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=datetime.UTC)  # stored in UTC
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _number(value: str) -> str:
    """A number with the decimals it was stored with, in the reader's locale: Babel's
    conventions, as the amounts beside it (Django's differ: "1 234,50" in Spanish)."""
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    if not number.is_finite():
        return value
    exponent = number.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return str(format_decimal(number, format=pattern, locale=_locale()))


def _primary_marks(value: str) -> str:
    return _PRIMARY.sub(" (" + _("primary") + ")", value)


def _related(value: str) -> str:
    """``"sales.deal:12"`` (an activity's generic link) as "Deal #12"."""
    resource, _sep, pk = value.rpartition(":")
    for kind in record_kinds():
        if kind.resource == resource:
            return f"{capfirst(str(kind.singular))} #{pk}"
    return value


_CUSTOM_FORMATS: dict[str, Format] = {
    CustomFieldType.BOOLEAN: _yes_no,
    CustomFieldType.DATE: _date,
    CustomFieldType.NUMBER: _number,
}


def _custom_format(field: CustomField) -> Format | None:
    return _CUSTOM_FORMATS.get(field.field_type)
