"""``/forecast``: what the visible deals closing in a period are worth per owner, per
team and in total, in the base currency (see ``selectors.forecast``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from clientela.core.api import api_user, error_responses, require_scope
from clientela.core.api.schemas import OutputSchema, RecordId
from clientela.sales.selectors import forecast as selectors

router = Router(tags=["forecast"])

READ = "sales:read"
#: A longer period is a typo (or a very slow report), not a forecast.
MAX_DAYS = 3 * 366
#: Read as text to word the errors, documented as what it must be.
_DATE: dict[str, Any] = {"format": "date"}


class ForecastParams(Schema):
    date_from: str = Field(
        ..., alias="from", max_length=20, description="YYYY-MM-DD", json_schema_extra=_DATE
    )
    date_to: str = Field(
        ..., alias="to", max_length=20, description="YYYY-MM-DD, included.", json_schema_extra=_DATE
    )
    pipeline_id: RecordId | None = None
    team_id: RecordId | None = None
    owner_id: RecordId | None = None


class Figures(OutputSchema):
    open: str
    weighted: str
    committed: str
    won: str
    deals: int


class OwnerFigures(Figures):
    owner_id: int | None
    name: str


class TeamFigures(Figures):
    team_id: int | None
    name: str


class ForecastOut(OutputSchema):
    currency: str
    from_: datetime.date = Field(..., serialization_alias="from")
    to: datetime.date
    committed_probability: int
    owners: list[OwnerFigures]
    teams: list[TeamFigures]
    total: Figures
    missing_rates: list[str]


def _date(raw: str, field: str, errors: dict[str, list[str]]) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(raw.strip())
    except ValueError:
        errors[field] = [_("Enter a date as YYYY-MM-DD.")]
        return None


@router.get(
    "/forecast",
    response={200: ForecastOut, **error_responses(401, 403, 422)},
    description="Deals whose expected close date is in `from`–`to` (both included), per "
    "owner and team and in total, in the base currency at today's rates: `open` (open "
    "deals), `weighted` (amount × probability / 100), `committed` (open deals at 90 % or "
    "more), `won` (won deals). Currencies without an exchange rate are left out and "
    "listed in `missing_rates`. Amounts are decimal strings.",
    by_alias=True,
)
@require_scope(READ)
def get_forecast(request: HttpRequest, params: Query[ForecastParams]) -> Any:
    known = {"from", "to", "pipeline_id", "team_id", "owner_id"}
    errors: dict[str, list[str]] = {
        name: [_("Unknown field.")] for name in sorted(set(request.GET) - known)
    }
    start = _date(params.date_from, "from", errors)
    end = _date(params.date_to, "to", errors)
    if start and end and start > end:
        errors["to"] = [_("The end date is before the start date.")]
    elif start and end and (end - start).days > MAX_DAYS:
        errors["to"] = [_("Choose a period of at most three years.")]
    if errors:
        raise ValidationError(errors)
    assert start is not None
    assert end is not None
    result = selectors.forecast(
        api_user(request),
        date_from=start,
        date_to=end,
        pipeline=params.pipeline_id,
        team=params.team_id,
        owner=params.owner_id,
    )

    def figures(row: selectors.ForecastRow) -> dict[str, Any]:
        return {**row.as_strings(), "deals": row.deals}

    return ForecastOut(
        currency=result.base_currency,
        from_=result.date_from,
        to=result.date_to,
        committed_probability=result.committed_probability,
        owners=[OwnerFigures(owner_id=o.key, name=o.name, **figures(o)) for o in result.owners],
        teams=[TeamFigures(team_id=t.key, name=t.name, **figures(t)) for t in result.teams],
        total=Figures(**figures(result.total)),
        missing_rates=result.missing_rates,
    )
