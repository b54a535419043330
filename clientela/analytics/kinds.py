"""The kinds of record the analytics app owns, declared once (see ``core.kinds``):
dashboards. ``AnalyticsConfig.ready()`` registers them.

A dashboard is a *personal* kind: outside the roles' rights (``rights=False``), every
user signed in keeps their own whatever their role, a manager shares one with their team
(an admin with any), and that team reads it; only its owner changes or deletes it,
admins included, and to anyone else it does not exist (404). The selectors and services
say so; the declaration gives it ``/api/v1/dashboards`` from ``core.api.records`` and the
generic tests (``tests/factories.py``: ``KindFactory.personal``). Its page is its own
(``dashboards.views``: the gridstack grid, widgets, filters, exports), at the kind's
detail URL name; it has no list, form or trash of its own (a delete is for good).

Analytics has no saved analyses to declare besides: an analysis is computed into
snapshots by the worker (``analyses``), not saved by a user under a name."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from clientela.analytics.dashboards import api as dashboard_api
from clientela.analytics.dashboards import selectors as dashboard_selectors
from clientela.analytics.dashboards import services as dashboard_services
from clientela.analytics.models import Dashboard
from clientela.core.api import PageParams
from clientela.core.kinds import RecordKind

SCOPES = ("analytics:read", "analytics:write")

DASHBOARDS = RecordKind(
    resource=Dashboard.RESOURCE,
    model=Dashboard,
    namespace="analytics",
    url_prefix="dashboard",
    path="dashboards",
    singular=_("dashboard"),
    plural=_("Dashboards"),
    icon="bi-grid-1x2",
    rights=False,
    list_selector=dashboard_selectors.dashboard_list,
    get_selector=dashboard_selectors.dashboard_get,
    create=dashboard_services.dashboard_create,
    update=dashboard_services.dashboard_update,
    trash=dashboard_services.dashboard_delete,
    name_fields=("name",),
    api_scopes=SCOPES,
    api_in=dashboard_api.DashboardIn,
    api_patch=dashboard_api.DashboardIn,
    api_out_schema=dashboard_api.DashboardOut,
    api_list_params=PageParams,
    api_list=dashboard_api.dashboards_query,
    api_out=dashboard_api.dashboard_out,
    api_module=dashboard_api.__name__,
    api_docs=dashboard_api.DASHBOARD_DOCS,
)

ALL = (DASHBOARDS,)
