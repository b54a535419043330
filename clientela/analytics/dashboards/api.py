"""Dashboards over the API: ``/api/v1/dashboards`` (list, create, get, change, delete),
served by ``core.api.records`` from the kind's declaration (``analytics.kinds``) with
the schemas, reader and rendering below. A user lists their own dashboards and those
shared with their team; only the owner changes or deletes one (anyone else: 404). A
layout is checked as the page checks it (``layout.clean_layout``): a bad one is 422 on
``layout`` with one message per problem, and nothing is saved."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field
from pydantic import StrictInt

from clientela.analytics.dashboards import selectors
from clientela.analytics.dashboards.layout import MAX_ITEMS
from clientela.analytics.models import Dashboard
from clientela.core.api import PageParams, api_user
from clientela.core.api.schemas import InputSchema, OutputSchema, RecordId, omissible

_PLACE = "On the 12-column grid; the server checks it fits the widget's sizes."


class LayoutItemIn(InputSchema):
    id: str = Field(
        description="The widget's id on this dashboard: 1 to 20 of a-z, 0-9, _ and -; "
        "unique on the dashboard."
    )
    widget: str = Field(
        description="A widget of the catalogue the user may use (e.g. sales.open_deals, "
        "analytics.revenue_by_month; docs/analytics.md lists them)."
    )
    x: StrictInt = Field(description=f"Column, 0 to 11. {_PLACE}")
    y: StrictInt = Field(description="Row from the top, 0 to 1000.")
    w: StrictInt = Field(description=f"Width in columns. {_PLACE}")
    h: StrictInt = Field(description="Height in rows, at most 12.")
    filters: dict[str, Any] = Field(
        default_factory=dict,
        description="Only those the widget offers: `period` (this_month, this_quarter, "
        "this_year, last_30_days, last_90_days, last_12_months, or empty), `team` and "
        "`owner` (ids).",
    )


class DashboardIn(InputSchema):
    name: str = omissible("Required on create; unique among the owner's dashboards.")
    team_id: RecordId | None = Field(
        None,
        description="Share it with this team (managers: their own team; admins: any); "
        "null: with nobody. Others may not share (403).",
    )
    layout: list[LayoutItemIn] = omissible(
        f"Replaces the whole layout (at most {MAX_ITEMS} widgets); empty on create when left out."
    )


class LayoutItemOut(OutputSchema):
    id: str
    widget: str
    x: int
    y: int
    w: int
    h: int
    filters: dict[str, Any]


class DashboardOut(OutputSchema):
    id: int
    name: str
    owner_id: int
    team_id: int | None
    layout: list[LayoutItemOut]
    created_at: datetime.datetime
    updated_at: datetime.datetime


def dashboards_query(request: HttpRequest, params: PageParams) -> QuerySet[Dashboard]:
    """The dashboards the token's user sees, by name (``RecordKind.api_list``)."""
    return selectors.dashboard_list(user=api_user(request))


def dashboard_out(dashboard: Dashboard) -> DashboardOut:
    return DashboardOut(
        id=dashboard.pk,
        name=dashboard.name,
        owner_id=dashboard.owner_id,
        team_id=dashboard.team_id,
        layout=[LayoutItemOut(**item) for item in dashboard.layout],
        created_at=dashboard.created_at,
        updated_at=dashboard.updated_at,
    )


DASHBOARD_DOCS = {
    "list": "Your own dashboards and those shared with your team, by name.",
    "create": "A new dashboard of yours: `name` required; `layout` empty unless given.",
    "get": "A dashboard of yours or one shared with your team.",
    "update": "Send only the fields to change; `layout` replaces the whole layout. "
    "The owner only (404 for anyone else, the team it is shared with included).",
    "delete": "Deletes the dashboard for good (the owner only; 404 for anyone else).",
}
