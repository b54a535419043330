"""Validation and filtering of admin-defined custom field values (``CRMRecord.custom``)."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from clientela.core.choices import CustomFieldType
from clientela.core.memo import memoized
from clientela.core.models import CustomField

MAX_TEXT = 1000
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_NUMBER_DIGITS = 18
MAX_DECIMAL_PLACES = 10


def definitions(resource: str) -> list[CustomField]:
    """The resource's custom fields (read once per ``memo_scope``)."""
    return memoized(
        ("core.custom_fields", resource),
        lambda: list(CustomField.objects.filter(resource=resource)),
    )


def _clean_text(field: CustomField, value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationError(_("Enter text."))
    if len(value) > MAX_TEXT:
        raise ValidationError(_("At most %(n)s characters.") % {"n": MAX_TEXT})
    return value.strip()


def _clean_number(field: CustomField, value: Any) -> str:
    if isinstance(value, bool):
        raise ValidationError(_("Enter a number."))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationError(_("Enter a number.")) from None
    if not number.is_finite():
        raise ValidationError(_("Enter a number."))
    return _canonical_number(number)


def _clean_date(field: CustomField, value: Any) -> str:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    # fromisoformat alone would also take 20200101 or 2020-W01-1.
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        raise ValidationError(_("Enter a date as YYYY-MM-DD."))
    try:
        parsed = datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(_("Enter a date as YYYY-MM-DD.")) from None
    if not 1800 <= parsed.year <= 2200:
        raise ValidationError(_("Enter a date between 1800 and 2200."))
    return parsed.isoformat()


def _clean_choice(field: CustomField, value: Any) -> str:
    if str(value) not in [str(c) for c in field.choices]:
        raise ValidationError(
            _("“%(value)s” is not one of the choices: %(choices)s.")
            % {"value": value, "choices": ", ".join(map(str, field.choices))}
        )
    return str(value)


def _clean_boolean(field: CustomField, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes", "on", "sí", "si"}:
        return True
    if text in {"false", "0", "no", "off"}:
        return False
    raise ValidationError(_("Enter yes or no."))


#: How a value of each field type is checked and stored.
_CLEANERS: dict[str, Callable[[CustomField, Any], Any]] = {
    CustomFieldType.TEXT: _clean_text,
    CustomFieldType.NUMBER: _clean_number,
    CustomFieldType.DATE: _clean_date,
    CustomFieldType.CHOICE: _clean_choice,
    CustomFieldType.BOOLEAN: _clean_boolean,
}


def _clean_value(field: CustomField, value: Any) -> Any:
    if value is None or value == "":
        return None
    cleaner = _CLEANERS.get(field.field_type)
    if cleaner is None:  # pragma: no cover - guarded by choices
        raise ValidationError(_("Unknown field type."))
    return cleaner(field, value)


def clean_value(field: CustomField, value: Any) -> Any:
    """One value checked and normalized for ``field`` (None for empty)."""
    return _clean_value(field, value)


def _canonical_number(number: Decimal) -> str:
    """One spelling per number ("10", "10.5"), so "10.0" typed in a filter finds the
    10 stored from a form; bounded so "1e999999" cannot become a megabyte of zeros."""
    number = number.normalize()
    if number.is_zero():
        return "0"
    if number.adjusted() >= MAX_NUMBER_DIGITS:
        raise ValidationError(_("Enter a smaller number."))
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        raise ValidationError(_("At most %(n)s decimal places.") % {"n": MAX_DECIMAL_PLACES})
    return format(number, "f")


#: The spelling a custom number is stored in (conditions compare with it).
canonical_number = _canonical_number


def clean_custom_values(
    resource: str,
    values: dict[str, Any],
    *,
    existing: dict[str, Any] | None = None,
    known: list[CustomField] | None = None,
) -> dict[str, Any]:
    """Validate ``values`` against the resource's custom fields and return the merged,
    normalized dict. Errors are keyed ``custom.<key>``; unknown keys are errors too.
    ``known`` saves the query for callers cleaning many records (the importer)."""
    fields = {f.key: f for f in (definitions(resource) if known is None else known)}
    result = dict(existing or {})
    errors: dict[str, list[str]] = {}
    if not isinstance(values, dict):
        raise ValidationError({"custom": [_("Custom fields must be an object of key: value.")]})
    for key, value in values.items():
        field = fields.get(key)
        if field is None:
            errors[f"custom.{key}"] = [_("There is no custom field “%(key)s”.") % {"key": key}]
            continue
        try:
            cleaned = _clean_value(field, value)
        except ValidationError as exc:
            errors[f"custom.{key}"] = list(exc.messages)
            continue
        if cleaned is None:
            result.pop(key, None)
        else:
            result[key] = cleaned
    for key, field in fields.items():
        if field.required and result.get(key) in (None, ""):
            errors.setdefault(f"custom.{key}", [_("This field is required.")])
    if errors:
        raise ValidationError(errors)
    return result


def filter_q(resource: str, params: dict[str, str], *, prefix: str = "cf_") -> Q:
    """A filter for ``cf_<key>=<value>`` parameters (exact match on the stored value)."""
    fields = {f.key: f for f in definitions(resource)}
    q = Q()
    for name, raw in params.items():
        if not name.startswith(prefix) or raw in ("", None):
            continue
        field = fields.get(name[len(prefix) :])
        if field is None:
            continue
        try:
            value = _clean_value(field, raw)
        except ValidationError:
            # An impossible value matches nothing rather than erroring the whole list.
            return Q(pk__in=[])
        q &= Q(**{f"custom__{field.key}": value})
    return q


def display_value(field: CustomField, value: Any) -> str:
    if value is None or value == "":
        return ""
    if field.field_type == CustomFieldType.BOOLEAN:
        return str(_("Yes")) if value else str(_("No"))
    return str(value)
