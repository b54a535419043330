"""A list's filters, declared once: the pages, the API and the exports parse a query
string with the same declaration.

A kind's filters are a dataclass subclassing ``ListFilters`` whose ``FIELDS`` map each
query parameter to a Django form field; ``from_params`` cleans every parameter with its
field into the attribute of the same name and parses ``sort`` (``-key`` descends)
against ``SORTS``. A bad value is reported under its parameter and left out, never
fatal: a list shown with one filter ignored (and an alert saying so) is more use than an
error page, and an API client learns which parameter was wrong.

Each app declares its filters in its ``filters.py``; the selectors apply them.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from clientela.core.kinds import MAX_ID

#: A parameter's messages, by parameter: what ``from_params`` left out and why.
Errors = dict[str, list[str]]
#: sort key -> ORDER BY columns; every order ends in "id" so pages are stable.
Sorts = Mapping[str, Sequence[str]]


class IdParam(forms.Field):
    """A record id: a whole number from 1 to 2**63 - 1 (a larger one would overflow the
    database driver)."""

    default_error_messages: ClassVar[dict[str, StrOrPromise]] = {
        "invalid": gettext_lazy("Enter a whole number.")
    }

    def __init__(self) -> None:
        super().__init__(required=False)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        try:
            pk = int(value)
        except (TypeError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not 0 < pk < MAX_ID:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return pk


class TextParam(forms.Field):
    """Free text, stripped and cut to ``limit`` characters: never refused (a search box
    should not fail on a pasted paragraph)."""

    def __init__(self, *, limit: int) -> None:
        super().__init__(required=False)
        self.limit = limit

    def to_python(self, value: Any) -> str:
        return str(value or "").strip()[: self.limit]


class ChoiceParam(forms.ChoiceField):
    """One of ``choices``; ``message`` (with ``%(value)s``) when it is not."""

    def __init__(self, choices: Any, *, message: Any) -> None:
        super().__init__(
            choices=choices, required=False, error_messages={"invalid_choice": message}
        )


class DateParam(forms.DateField):
    """A day as ISO 8601 (YYYY-MM-DD), whatever the user's locale."""

    def __init__(self, *, message: Any) -> None:
        super().__init__(required=False, input_formats=["iso"], error_messages={"invalid": message})

    def strptime(self, value: str, format: str) -> datetime.date:
        return datetime.date.fromisoformat(value)


def parse_sort(value: str, sorts: Sorts) -> tuple[str, bool] | None:
    """``"-key"`` as (key, descending) if ``key`` is one of ``sorts``, else None."""
    key = value.lstrip("-")
    return (key, value.startswith("-")) if key in sorts else None


def clean_sort(value: str | None, sorts: Sorts, default: str) -> str:
    """``value`` if it names one of ``sorts``, else ``default``: for the lists that
    ignore an unknown sort without a word."""
    key = (value or "").strip()
    return key if parse_sort(key, sorts) else default


def sort_columns(sorts: Sorts, sort: str) -> list[str]:
    """The ORDER BY columns of a known ``sort`` ("-key": each column reversed)."""
    key, descending = sort.lstrip("-"), sort.startswith("-")
    return [f"-{c}" if descending else c for c in sorts[key]]


@dataclass
class ListFilters:
    """The base of a list's filters; subclasses add one dataclass field per entry of
    ``FIELDS`` (defaulting to the field's empty value) and declare ``SORTS`` with
    ``DEFAULT_SORT``, whose key and direction are also the defaults of ``sort`` and
    ``descending``."""

    #: query parameter -> the form field that cleans it into the attribute of that name.
    FIELDS: ClassVar[Mapping[str, forms.Field]] = {}
    SORTS: ClassVar[Sorts] = {}
    DEFAULT_SORT: ClassVar[str] = ""

    sort: str = ""
    descending: bool = False

    @classmethod
    def from_params(cls, params: Mapping[str, Any], **context: Any) -> tuple[Self, Errors]:
        """Parse list parameters (a ``QueryDict`` or a dict); bad values are reported
        (and left out), never fatal. ``context`` goes to ``sorts`` and ``clean``."""
        errors: Errors = {}
        result = cls()
        for name, field in cls.FIELDS.items():
            try:
                value = field.clean(params.get(name))
            except ValidationError as exc:
                errors[name] = list(exc.messages)
            else:
                setattr(result, name, value)
        result.clean(params, errors, **context)
        sorts = cls.sorts(**context)
        sort = str(params.get("sort") or cls.DEFAULT_SORT)
        parsed = parse_sort(sort, sorts)
        if parsed is None:
            errors["sort"] = [
                _("Cannot sort by “%(value)s”; choose one of: %(choices)s.")
                % {"value": sort, "choices": ", ".join(sorts)}
            ]
        else:
            result.sort, result.descending = parsed
        return result, errors

    @classmethod
    def sorts(cls, **context: Any) -> Sorts:
        """The sort keys on offer (``SORTS``; contacts' depend on the kind)."""
        return cls.SORTS

    def clean(self, params: Mapping[str, Any], errors: Errors, **context: Any) -> None:
        """Checks across parameters, or of parameters no field declares; add to
        ``errors`` what is left out."""

    def order_by(self, **context: Any) -> list[str]:
        return sort_columns(self.sorts(**context), self.sort_param)

    @property
    def sort_param(self) -> str:
        """The sort as a query parameter ("-created")."""
        return f"{'-' if self.descending else ''}{self.sort}"


USER_STATUSES = {
    "active": gettext_lazy("Active"),
    "invited": gettext_lazy("Invited"),
    "inactive": gettext_lazy("Deactivated"),
}


@dataclass
class UserFilters(ListFilters):
    """The users list of the settings pages: a search on names, user name and e-mail,
    role, team and status (active, invited and not yet in, deactivated)."""

    FIELDS: ClassVar[Mapping[str, forms.Field]] = {
        "q": TextParam(limit=200),
        "role": IdParam(),
        "team": IdParam(),
        "status": ChoiceParam(
            list(USER_STATUSES.items()), message=gettext_lazy("Unknown status “%(value)s”.")
        ),
    }
    SORTS: ClassVar[Sorts] = {
        "name": ("first_name", "last_name", "username", "id"),
        "username": ("username", "id"),
        "email": ("email", "id"),
        "role": ("role__name", "id"),
        "team": ("team__name", "id"),
        "last_login": ("last_login", "id"),
    }
    DEFAULT_SORT = "name"

    q: str = ""
    role: int | None = None
    team: int | None = None
    status: str = ""
    sort: str = "name"
