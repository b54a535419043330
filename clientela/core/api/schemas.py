"""Schemas every domain's API shares: the error body, the cursor page, references to
users and teams, and input types with the checks pydantic's defaults leave out."""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from typing import Annotated, Any, Generic, Literal, TypeVar, cast

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django_countries import countries
from ninja import Field, Schema
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel, BeforeValidator, ConfigDict, StrictBool, create_model

T = TypeVar("T")

#: The largest id a database integer column holds; bigger ids would overflow SQLite's
#: INTEGER (a 500) instead of simply not being found.
MAX_ID = 2**63 - 1


class ErrorItem(Schema):
    field: str | None = Field(
        None, description="The input field (dotted for nested ones), or null for the request."
    )
    message: str


class ErrorOut(Schema):
    """The one error body of the API."""

    detail: str
    errors: list[ErrorItem] = Field(default_factory=list)


class ScopeErrorOut(ErrorOut):
    required_scope: str | None = None


class ConflictOut(ErrorOut):
    current_version: int


class InputSchema(Schema):
    """Base of request bodies: unknown fields are an error, so a typo ("frist_name")
    is reported instead of silently ignored."""

    model_config = ConfigDict(extra="forbid")


class OutputSchema(BaseModel):
    """Base of response bodies. A plain pydantic model rather than ``ninja.Schema``:
    these are built from values in hand, never read off Django objects, and
    ``Schema``'s per-object validator for that (``DjangoGetter``) cost about a tenth of
    an API read."""


_ENCODER = NinjaJSONEncoder()


def json_time(value: datetime.date | None) -> str | None:
    """A date or time as the API writes it in JSON (ISO 8601; times to the millisecond,
    "Z" for UTC), for answers built as plain JSON values rather than schema objects."""
    return None if value is None else cast(str, _ENCODER.default(value))


def json_answer(data: Any, status: int = 200) -> HttpResponse:
    """``data`` (plain JSON values) as the API's JSON answer, as ninja writes one."""
    return HttpResponse(
        json.dumps(data, cls=NinjaJSONEncoder),
        status=status,
        content_type="application/json; charset=utf-8",
    )


class UserRef(OutputSchema):
    id: int
    username: str


class TeamRef(OutputSchema):
    id: int
    name: str


class CursorPage(OutputSchema, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(
        None, description="Pass as ?cursor= for the next page; null on the last page."
    )


def _date_from_text(value: Any) -> Any:
    # pydantic's lax mode reads numbers as Unix timestamps; a number sent for a date
    # is a client bug, not 1970-01-01.
    if isinstance(value, bool | int | float):
        raise ValueError(_("Enter a date as YYYY-MM-DD."))
    return value


#: A calendar date sent as "YYYY-MM-DD".
IsoDate = Annotated[datetime.date, BeforeValidator(_date_from_text)]


def omissible(description: str | None = None) -> Any:
    """A body field that may be left out (the service then keeps its default or
    value) but not sent as null, which the service would refuse: not nullable in the
    document, unlike ``X | None = None``."""
    return Field(default_factory=_absent, description=description)


def _absent() -> None:
    return None


#: true or false, never 0, 1 or "yes" (pydantic's lax mode would take them).
Flag = StrictBool


def _country(value: Any) -> Any:
    # As the services read a country: any letter case, spaces around ignored.
    if not isinstance(value, str):
        return value
    code = value.strip().upper()
    if code not in countries:
        raise ValueError(
            _("“%(value)s” is not a country code (use e.g. ES, US, MX).") % {"value": value}
        )
    return code


def _country_or_blank(value: Any) -> Any:
    return value if isinstance(value, str) and not value.strip() else _country(value)


_COUNTRIES = [str(code) for code, _name in countries]

#: An ISO 3166-1 alpha-2 country code that the server knows; documented as the enum of
#: the upper-case codes (the server also takes them in lower case).
CountryCode = Annotated[
    str, BeforeValidator(_country), Field(json_schema_extra={"enum": _COUNTRIES})
]
#: The same or "" (none).
CountryCodeOrBlank = Annotated[
    str, BeforeValidator(_country_or_blank), Field(json_schema_extra={"enum": ["", *_COUNTRIES]})
]

#: A record id in a body or a path.
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]


def error_responses(*codes: int) -> dict[int, Any]:
    """The documented error answers of an operation (for OpenAPI and its checkers)."""
    models: dict[int, Any] = {403: ScopeErrorOut, 412: ConflictOut}
    return {code: models.get(code, ErrorOut) for code in codes}


#: The error answers of the usual operations on a kind of record.
LIST_ERRORS = error_responses(401, 403, 422)
DETAIL_ERRORS = error_responses(401, 403, 404, 422)
CREATE_ERRORS = error_responses(400, 401, 403, 413, 422)
CHANGE_ERRORS = error_responses(400, 401, 403, 404, 412, 413, 422)

#: A record's ``version`` as a client sends it back (If-Match or the body).
Version = Annotated[int, Field(ge=1, le=2**31 - 1)]


#: The optional body of a delete or an action: the version the client read. (No
#: docstring: it would become the schema's description in the OpenAPI document.)
class VersionIn(InputSchema):
    version: Version | None = None


def with_sorts(params: type[Schema], sorts: Mapping[str, Any], name: str) -> type[Schema]:
    """``params`` (a list's query parameters with a ``sort`` field), as ``name``, with
    ``sort`` as an enum of ``sorts``' keys, each also with "-" to descend, keeping its
    default and description: the document lists exactly the sorts the server takes."""
    field = params.model_fields["sort"]
    choices = tuple(value for key in sorts for value in (key, f"-{key}"))
    sort = cast(Any, Literal)[choices]
    description = field.description or "A column, or -column to descend."
    return cast(
        type[Schema],
        create_model(
            name,
            __base__=params,
            sort=(sort, Field(field.default, description=description)),
        ),
    )
