"""Test data of the analytics kinds for the generic tests in ``core.testing``: a
dashboard is personal (``KindFactory.personal``), made by its owner and shared with
the owner's team (the generic tests lift the owner's rights, so a rep may share too),
so the owner's teammates read it and nobody else does."""

from __future__ import annotations

from clientela.analytics.dashboards import services
from clientela.analytics.models import Dashboard
from clientela.core.testing.kinds import KindFactory, register_kind_factory

DASHBOARDS = register_kind_factory(
    KindFactory(
        resource=Dashboard.RESOURCE,
        make=lambda owner, label: services.dashboard_create(
            actor=owner, data={"name": label, "team_id": owner.team_id}
        ),
        api_body=lambda actor, label: {"name": label},
        change={"name": "Renamed"},
        required_field="name",
        owner_key=None,
        personal=True,
    )
)
