"""How a condition's value is checked for its field's type and operator: every
problem is a translated message (``ValueProblem``) that the parser places at the
value's path."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core.conditions.fields import ConditionField, FieldType

MAX_TEXT = 200
MAX_IN = 100
MAX_DAYS = 36600
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RELATIVE = re.compile(r"^([+-]?)(\d{1,5})d$")


class ValueProblem(Exception):
    """A value that does not fit its field; ``str()`` is the message for the user."""


@dataclass(frozen=True)
class DateValue:
    """A day, either fixed ("2026-03-01") or counted from today ("-30d", "today"), so
    that "ordered in the last 30 days" stays true as time passes. ``resolve()`` gives
    the day in the current time zone."""

    fixed: datetime.date | None = None
    offset_days: int = 0

    def resolve(self, today: datetime.date | None = None) -> datetime.date:
        if self.fixed is not None:
            return self.fixed
        return (today or timezone.localdate()) + datetime.timedelta(days=self.offset_days)

    def to_json(self) -> str:
        if self.fixed is not None:
            return self.fixed.isoformat()
        if not self.offset_days:
            return "today"
        return f"{self.offset_days:+d}d"


@dataclass(frozen=True)
class AmountDays:
    """An amount over the last ``days`` days."""

    amount: Decimal
    days: int

    def to_json(self) -> dict[str, Any]:
        return {"amount": format(self.amount, "f"), "days": self.days}


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueProblem(_("Enter text."))
    text = value.strip()
    if not text:
        raise ValueProblem(_("Enter a value."))
    if len(text) > MAX_TEXT:
        raise ValueProblem(_("At most %(n)s characters.") % {"n": MAX_TEXT})
    return text


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueProblem(_("Enter a number."))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueProblem(_("Enter a number.")) from None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 15:
        raise ValueProblem(_("Enter a number."))
    return number


def _date(value: Any) -> DateValue:
    text = value.strip().lower() if isinstance(value, str) else ""
    if text == "today":
        return DateValue(offset_days=0)
    relative = _RELATIVE.match(text)
    if relative:
        days = int(relative.group(2))
        if days > MAX_DAYS:
            raise ValueProblem(_("Enter a date."))
        return DateValue(offset_days=-days if relative.group(1) == "-" else days)
    if not _ISO_DATE.match(text):
        raise ValueProblem(_("Enter a date (YYYY-MM-DD, or -30d for 30 days ago)."))
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise ValueProblem(_("Enter a date (YYYY-MM-DD, or -30d for 30 days ago).")) from None
    if not 1800 <= day.year <= 2200:
        raise ValueProblem(_("Enter a date between 1800 and 2200."))
    return DateValue(fixed=day)


def _choice(condition_field: ConditionField, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueProblem(_("Choose a value."))
    text = str(value)
    if text not in {v for v, _label in condition_field.choice_list()}:
        raise ValueProblem(_("“%(value)s” is not one of the choices.") % {"value": text[:50]})
    return text


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueProblem(_("Enter true or false."))
    return value


def _amount_days(value: Any) -> AmountDays:
    if not isinstance(value, dict) or set(value) != {"amount", "days"}:
        raise ValueProblem(_("Enter an amount and a number of days."))
    amount = _number(value["amount"])
    days = value["days"]
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise ValueProblem(_("Enter a number of days from 1 to %(n)s.") % {"n": MAX_DAYS})
    return AmountDays(amount, days)


def _scalar(condition_field: ConditionField, value: Any) -> Any:
    kind = condition_field.type
    if kind == FieldType.NUMBER:
        return _number(value)
    if kind == FieldType.DATE:
        return _date(value)
    if kind == FieldType.CHOICE:
        return _choice(condition_field, value)
    if kind == FieldType.BOOL:
        return _bool(value)
    if kind == FieldType.AMOUNT_DAYS:
        return _amount_days(value)
    return _text(value)  # text and tags


def clean_value(condition_field: ConditionField, op: str, value: Any) -> Any:
    """``value`` checked and converted for ``condition_field`` under ``op``: a bool for
    ``exists``, a list for ``in``, else one value of the field's type."""
    if op == "exists":
        return True if value is None else _bool(value)
    if op == "in":
        if not isinstance(value, list) or not value:
            raise ValueProblem(_("Enter a list of values."))
        if len(value) > MAX_IN:
            raise ValueProblem(_("At most %(n)s values.") % {"n": MAX_IN})
        return [_scalar(condition_field, v) for v in value]
    return _scalar(condition_field, value)


def value_json(value: Any) -> Any:
    """A cleaned value back as JSON (what a segment stores)."""
    if isinstance(value, list):
        return [value_json(v) for v in value]
    if isinstance(value, DateValue | AmountDays):
        return value.to_json()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return value
