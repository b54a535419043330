"""``/api/v1/dashboards``, served from the kind's declaration (``analytics.kinds``): the
owner's round trip (create with a layout, list, get, rename, share, replace the layout,
delete); a bad layout is 422 with the page's messages and nothing saved; another
user's unshared dashboard is 404, a shared one is read by the team and 404 to its
writes; sharing follows the page's rules; the OpenAPI contract."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from clientela.analytics.dashboards import services
from clientela.analytics.models import Dashboard
from clientela.analytics.tests.test_dashboards import PIPELINE, client_for, item
from clientela.core.models import AuditEntry, Team
from clientela.core.testing.api import (
    Api,
    check_case,
    contract_cases,
    fields,
    kept_test_connection,
    openapi_schema,
    schema_settings,
    schema_token,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/dashboards"
READ_WRITE = ("analytics:read", "analytics:write")


def api(user: Any, scopes: tuple[str, ...] = READ_WRITE) -> Api:
    return Api(user, scopes)


def test_the_owner_creates_reads_changes_and_deletes_a_dashboard(manager_north: Any) -> None:
    boss = api(manager_north)
    created = boss.post(URL, {"name": "Weekly", "layout": [item("a")]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["name"], body["owner_id"], body["team_id"]) == ("Weekly", manager_north.pk, None)
    assert body["layout"] == [{**item("a"), "filters": {}}]
    url = f"{URL}/{body['id']}"
    assert boss.get(url).json() == body
    assert [d["id"] for d in boss.get(URL).json()["items"]] == [body["id"]]

    layout = [item("a", x=6), item("b", widget="sales.open_deals", w=3, h=3)]
    layout[1]["filters"] = {"team": manager_north.team_id}
    changed = boss.patch(url, {"name": "Team", "team_id": manager_north.team_id, "layout": layout})
    assert changed.status_code == 200, changed.content
    assert changed.json()["name"] == "Team"
    assert changed.json()["team_id"] == manager_north.team_id
    assert changed.json()["layout"][1]["filters"] == {"team": manager_north.team_id}
    dashboard = Dashboard.objects.get(pk=body["id"])
    assert [i["x"] for i in dashboard.layout] == [6, 0]
    entry = AuditEntry.objects.filter(object_id=dashboard.pk, action="update").get()
    assert entry.changes == {"name": ["Weekly", "Team"], "team": [None, "North"]}

    assert boss.delete(url).status_code == 204
    assert boss.get(url).status_code == 404
    assert not Dashboard.objects.filter(pk=body["id"]).exists()


def test_a_bad_layout_is_422_with_every_problem_and_nothing_saved(rep_north: Any) -> None:
    dashboard = services.dashboard_create(
        actor=rep_north, data={"name": "Mine", "layout": [item("a")]}
    )
    rep, url = api(rep_north), f"{URL}/{dashboard.pk}"
    bad = [item("a", x=8), item("b", widget="no.such_widget"), item("a", filters={"colour": 1})]
    refused = rep.patch(url, {"name": "Renamed", "layout": bad})
    assert refused.status_code == 422, refused.content
    messages = [e["message"] for e in refused.json()["errors"] if e["field"] == "layout"]
    assert messages == [
        "Widget 1: it does not fit in the 12 columns.",
        "Widget 2: there is no widget “no.such_widget” you may use.",
        "Widget 3: its id is missing, malformed or used twice.",
        "Widget 3: it has no filter “colour”.",
    ]
    dashboard.refresh_from_db()
    assert (dashboard.name, dashboard.layout[0]["x"]) == ("Mine", 0)
    # The name and the layout refused together, each on its field; nothing created.
    both = rep.post(URL, {"name": "Mine", "layout": "not a list"})
    assert both.status_code == 422
    assert fields(both) == {"layout"}
    both = rep.post(URL, {"name": " ", "layout": [item("a", w=20)]})
    assert both.status_code == 422
    assert fields(both) == {"name", "layout"}
    # A place that is not a whole number is refused by the schema, naming it.
    typed = rep.patch(url, {"layout": [item("a", x="3")]})
    assert typed.status_code == 422
    assert fields(typed) == {"layout.0.x"}
    assert Dashboard.objects.filter(owner=rep_north).count() == 1
    dashboard.refresh_from_db()
    assert dashboard.layout[0]["x"] == 0


def test_another_users_unshared_dashboard_is_not_found(rep_north: Any, rep_north2: Any) -> None:
    dashboard = services.dashboard_create(actor=rep_north, data={"name": "Mine"})
    other, url = api(rep_north2), f"{URL}/{dashboard.pk}"
    assert other.get(url).status_code == 404
    assert other.patch(url, {"name": "Theirs"}).status_code == 404
    assert other.delete(url).status_code == 404
    assert other.get(URL).json()["items"] == []
    dashboard.refresh_from_db()
    assert dashboard.name == "Mine"


def test_the_team_reads_a_shared_dashboard_but_its_writes_are_not_found(
    manager_north: Any, rep_north: Any, rep_south: Any
) -> None:
    dashboard = services.dashboard_create(
        actor=manager_north,
        data={"name": "Team board", "layout": [item("a")], "team_id": manager_north.team_id},
    )
    rep, url = api(rep_north), f"{URL}/{dashboard.pk}"
    assert rep.get(url).json()["name"] == "Team board"
    assert [d["id"] for d in rep.get(URL).json()["items"]] == [dashboard.pk]
    assert rep.patch(url, {"layout": []}).status_code == 404
    assert rep.delete(url).status_code == 404
    dashboard.refresh_from_db()
    assert len(dashboard.layout) == 1
    assert api(rep_south).get(url).status_code == 404


def test_sharing_follows_the_pages_rules(
    manager_north: Any, rep_north: Any, admin: Any, rep_south: Any
) -> None:
    south = Team.objects.get(name="South")
    rep = api(rep_north)
    mine = rep.post(URL, {"name": "Mine"}).json()
    # A rep may not share (they see the dashboard: 403), and nothing changes.
    refused = rep.patch(f"{URL}/{mine['id']}", {"name": "New", "team_id": rep_north.team_id})
    assert refused.status_code == 403
    assert Dashboard.objects.get(pk=mine["id"]).name == "Mine"
    assert rep.post(URL, {"name": "Shared", "team_id": rep_north.team_id}).status_code == 403
    # Sending the team back unchanged is no share.
    assert rep.patch(f"{URL}/{mine['id']}", {"team_id": None}).status_code == 200
    boss = api(manager_north)
    theirs = boss.post(URL, {"name": "Team", "team_id": south.pk})
    assert theirs.status_code == 422
    assert fields(theirs) == {"team_id"}
    assert boss.post(URL, {"name": "Team", "team_id": 999999}).status_code == 422
    assert api(admin).post(URL, {"name": "All", "team_id": south.pk}).status_code == 201
    assert [d["name"] for d in api(rep_south).get(URL).json()["items"]] == ["All"]


def test_scopes_are_the_analytics_ones(rep_north: Any) -> None:
    read_only = api(rep_north, ("analytics:read",))
    assert read_only.get(URL).status_code == 200
    refused = read_only.post(URL, {"name": "Mine"})
    assert refused.status_code == 403
    assert refused.json()["required_scope"] == "analytics:write"
    assert api(rep_north, ("sales:read",)).get(URL).status_code == 403
    assert not Dashboard.objects.exists()


def test_the_page_and_the_api_show_the_same_dashboard(rep_north: Any) -> None:
    created = api(rep_north).post(
        URL, {"name": "From the API", "layout": [item("a", widget=PIPELINE)]}
    )
    pk = created.json()["id"]
    page = client_for(rep_north).get(f"/analytics/dashboards/{pk}/")
    assert page.status_code == 200
    assert "From the API" in page.content.decode()


schema = openapi_schema(r"^/api/v1/dashboards")


@pytest.fixture
def token(admin: Any) -> Iterator[str]:
    services.dashboard_create(actor=admin, data={"name": "Existing", "layout": [item("a")]})
    with kept_test_connection():
        yield schema_token(admin, READ_WRITE)


@contract_cases(schema)
@schema_settings(max_examples=15)
def test_dashboards_api_conforms_to_its_openapi(case: Any, token: str) -> None:
    check_case(case, token)
