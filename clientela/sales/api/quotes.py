"""``/quotes/{id}``: the PDF, sending, accepting (which answers the new order) and
rejecting (scopes ``sales:read`` / ``sales:write``), and what ``core.api.records`` needs
to serve ``/quotes`` (quotes with their lines) from the kind's declaration.

Thin like ``activities.api``: reads through ``selectors.quotes`` (a quote outside the
token user's scope is a 404), writes through ``services.quotes`` (the same rules as the
pages). Amounts are decimal strings; errors name the field, lines as
``lines.<n>.<field>``.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Body, Field, Router, Status

from clientela.core.api import (
    CHANGE_ERRORS,
    DETAIL_ERRORS,
    Version,
    api_user,
    expected_version,
    require_scope,
    set_etag,
)
from clientela.core.api.pagination import PageParams
from clientela.core.api.schemas import InputSchema, IsoDate, OutputSchema, RecordId, VersionIn
from clientela.core.choices import Language
from clientela.core.errors import NotFound
from clientela.sales import money
from clientela.sales.api.catalogue import CurrencyCode, DecimalString
from clientela.sales.api.orders_schemas import OrderOut, order_out
from clientela.sales.choices import QuoteStatus
from clientela.sales.models import Quote
from clientela.sales.pdf import quote_pdf
from clientela.sales.selectors import quotes as selectors
from clientela.sales.selectors.orders import order_detail
from clientela.sales.services import quotes as services
from clientela.sales.services.common import MAX_LINES

router = Router(tags=["quotes"])

READ, WRITE = "sales:read", "sales:write"


# --- schemas --------------------------------------------------------------------------


class LineIn(InputSchema):
    product_id: RecordId | None = Field(None, description="A catalogue product, or null.")
    description: str | None = Field(
        None, max_length=500, description="Defaults to the product's name."
    )
    quantity: DecimalString | None = Field(None, description='Defaults to "1".')
    unit: str | None = Field(
        None, max_length=20, description="What the quantity counts; defaults to the product's unit."
    )
    unit_price: DecimalString | None = Field(
        None, description="Defaults to the catalogue price in the quote's currency."
    )
    discount_percent: DecimalString | None = Field(None, description='Defaults to "0".')
    tax_rate: DecimalString | None = Field(None, description="Defaults to the product's rate.")


class QuoteIn(InputSchema):
    person_id: RecordId | None = None
    organization_id: RecordId | None = None
    deal_id: RecordId | None = None
    currency: CurrencyCode | None = Field(None, description="ISO 4217, e.g. EUR.")
    language: Language | None = Field(None, description="Defaults to the person's language.")
    issue_date: IsoDate | None = Field(None, description="Defaults to today.")
    valid_until: IsoDate | None = Field(
        None, description="Defaults to the date plus the company's quote validity."
    )
    notes: str | None = Field(None, max_length=10000)
    lines: list[LineIn] | None = Field(None, max_length=MAX_LINES)


class QuotePatch(QuoteIn):
    version: Version | None = Field(None, description="The version you read (or If-Match).")


class SendIn(InputSchema):
    to: str | None = Field(
        None, max_length=254, description="Defaults to the person's primary e-mail."
    )
    version: Version | None = None


class LineOut(OutputSchema):
    product_id: int | None
    description: str
    quantity: str
    unit: str
    unit_price: str
    discount_percent: str
    tax_rate: str
    subtotal: str
    tax: str
    total: str


class QuoteOut(OutputSchema):
    id: int
    number: str
    revision: int
    label: str
    status: str
    person_id: int | None
    organization_id: int | None
    deal_id: int | None
    currency: str
    language: str
    issue_date: datetime.date
    valid_until: datetime.date
    notes: str
    lines: list[LineOut]
    subtotal: str
    tax_total: str
    total: str
    previous_id: int | None
    sent_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    owner_id: int
    version: int


class QuoteListParams(PageParams):
    status: QuoteStatus | None = None
    person_id: RecordId | None = None
    organization_id: RecordId | None = None
    deal_id: RecordId | None = None


def _m(amount: Any, currency: str) -> str:
    return money.money_str(amount, currency) or "0"


def _lines_out(lines: Any, currency: str) -> list[LineOut]:
    return [
        LineOut(
            product_id=line.product_id,
            description=line.description,
            quantity=format(line.quantity.normalize(), "f"),
            unit=line.unit,
            unit_price=_m(line.unit_price, currency),
            discount_percent=str(line.discount_percent),
            tax_rate=str(line.tax_rate),
            subtotal=_m(line.subtotal, currency),
            tax=_m(line.tax, currency),
            total=_m(line.total, currency),
        )
        for line in lines
    ]


def quote_out(quote: Quote) -> QuoteOut:
    return QuoteOut(
        id=quote.pk,
        number=quote.number,
        revision=quote.revision,
        label=quote.label,
        status=quote.status,
        person_id=quote.person_id,
        organization_id=quote.organization_id,
        deal_id=quote.deal_id,
        currency=quote.currency,
        language=quote.language,
        issue_date=quote.issue_date,
        valid_until=quote.valid_until,
        notes=quote.notes,
        lines=_lines_out(quote.lines.all(), quote.currency),
        subtotal=_m(quote.subtotal, quote.currency),
        tax_total=_m(quote.tax_total, quote.currency),
        total=_m(quote.total, quote.currency),
        previous_id=quote.previous_id,
        sent_at=quote.sent_at,
        decided_at=quote.decided_at,
        owner_id=quote.owner_id,
        version=quote.version,
    )


def quote_data(payload: QuoteIn) -> services.QuoteData:
    """The fields the client sent, as the service's input (a line's null fields are
    left out, so they take their defaults)."""
    data: dict[str, Any] = payload.model_dump(exclude_unset=True, exclude={"version"})
    if data.get("lines") is not None:
        data["lines"] = [{k: v for k, v in line.items() if v is not None} for line in data["lines"]]
    for key in ("currency", "issue_date", "language"):
        if key in data and data[key] is None:
            data.pop(key)
    return cast(services.QuoteData, data)


def _quote(request: HttpRequest, quote_id: int) -> Quote:
    return selectors.quote_get(user=api_user(request), pk=quote_id)


def quotes_query(request: HttpRequest, params: QuoteListParams) -> QuerySet[Quote]:
    return selectors.quote_list(
        user=api_user(request),
        status=params.status,
        person_id=params.person_id,
        organization_id=params.organization_id,
        deal_id=params.deal_id,
    ).prefetch_related("lines")


#: The descriptions of the generic operations in the OpenAPI document.
QUOTE_DOCS = {
    "list": "Newest first. Filter by `status`, `person_id`, `organization_id`, `deal_id`.",
    "create": "A draft quote. `currency`, `lines` and a `person_id` or `organization_id` "
    "are\nrequired; the number is given by the server.",
    "update": "Drafts only. Send only the fields to change; `lines` replaces every line.",
    "delete": "Moves the quote to the trash (not an accepted one).",
}


# --- actions --------------------------------------------------------------------------


@router.get(
    "/quotes/{quote_id}/pdf",
    response=DETAIL_ERRORS,
    openapi_extra={
        "responses": {
            "200": {
                "description": "The quote as a PDF, in the quote's language.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
@require_scope(READ)
def download_pdf(request: HttpRequest, quote_id: RecordId) -> HttpResponse:
    quote = _quote(request, quote_id)
    response = HttpResponse(quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{services.pdf_filename(quote)}"'
    return response


@router.post("/quotes/{quote_id}/send", response={200: QuoteOut, **CHANGE_ERRORS})
@require_scope(WRITE)
def send_quote(
    request: HttpRequest,
    quote_id: RecordId,
    response: HttpResponse,
    payload: Body[SendIn | None] = None,
) -> QuoteOut:
    """E-mails the PDF of a draft (to `to`, or the person's primary e-mail), marks it
    sent and logs the e-mail on the customer's timeline."""
    version = expected_version(request, payload.version if payload else None)
    services.quote_send(
        actor=api_user(request),
        quote=_quote(request, quote_id),
        to=payload.to if payload else None,
        expected_version=version,
    )
    fresh = _quote(request, quote_id)
    set_etag(response, fresh.version)
    return quote_out(fresh)


@router.post("/quotes/{quote_id}/accept", response={201: OrderOut, **CHANGE_ERRORS})
@require_scope(WRITE)
def accept_quote(
    request: HttpRequest,
    quote_id: RecordId,
    response: HttpResponse,
    payload: Body[VersionIn | None] = None,
) -> Status[OrderOut]:
    """Accepts a sent quote that has not expired and answers the order it created,
    as `GET /orders/{order_id}` shows it (its version is the `ETag`)."""
    version = expected_version(request, payload.version if payload else None)
    user = api_user(request)
    order = services.quote_accept(
        actor=user, quote=_quote(request, quote_id), expected_version=version
    )
    try:
        fresh = order_detail(user, order.pk)
    except NotFound:  # a role that may accept the quote but see only its own orders
        fresh = order
    set_etag(response, fresh.version)
    return Status(201, order_out(fresh))


@router.post("/quotes/{quote_id}/reject", response={200: QuoteOut, **CHANGE_ERRORS})
@require_scope(WRITE)
def reject_quote(
    request: HttpRequest,
    quote_id: RecordId,
    response: HttpResponse,
    payload: Body[VersionIn | None] = None,
) -> QuoteOut:
    version = expected_version(request, payload.version if payload else None)
    services.quote_reject(
        actor=api_user(request), quote=_quote(request, quote_id), expected_version=version
    )
    fresh = _quote(request, quote_id)
    set_etag(response, fresh.version)
    return quote_out(fresh)
