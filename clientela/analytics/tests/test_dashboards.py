"""Dashboards (issue 13, item 9): a first dashboard for a user with none; a bad layout is
refused with every problem named and changes nothing; only the owner changes a
dashboard (to anyone else a change is not found); another user's unshared dashboard
is not found, a shared one is read-only for the team; managers share with their own
team only; the layout endpoint answers 422 with the errors; exports are the widget's
figures as the reader may see them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from openpyxl import load_workbook

from clientela.analytics.dashboards import layout as layouts
from clientela.analytics.dashboards import selectors, services
from clientela.analytics.models import Dashboard
from clientela.core.errors import NotFound
from clientela.core.models import AuditEntry, RolePermission, Team
from clientela.core.permissions import forget_rights
from clientela.sales.tests.deal_helpers import make_deal, make_pipeline, stage

pytestmark = pytest.mark.django_db

PIPELINE = "sales.pipeline_by_stage"


def item(item_id: str, widget: str = PIPELINE, **values: Any) -> dict[str, Any]:
    return {"id": item_id, "widget": widget, "x": 0, "y": 0, "w": 6, "h": 4, **values}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- services ------------------------------------------------------------------------------


def test_a_user_without_a_dashboard_gets_the_default_one(rep_north: Any) -> None:
    dashboard = services.dashboard_ensure_default(actor=rep_north)
    assert dashboard is not None
    keys = [i["widget"] for i in dashboard.layout]
    assert keys == [
        "sales.open_deals",
        "sales.pipeline_by_stage",
        "analytics.revenue_by_month",
        "analytics.top_customers",
        "sales.quote_conversion",
        "analytics.rfm_distribution",
    ]
    # Packed on the 12 columns without overlaps, in reading order.
    cells = [
        (x, y)
        for i in dashboard.layout
        for x in range(i["x"], i["x"] + i["w"])
        for y in range(i["y"], i["y"] + i["h"])
    ]
    assert len(cells) == len(set(cells))
    assert all(i["x"] + i["w"] <= 12 for i in dashboard.layout)
    # Asked again, the same one (no second default).
    assert services.dashboard_ensure_default(actor=rep_north) == dashboard
    assert Dashboard.objects.filter(owner=rep_north).count() == 1


def test_a_role_that_reads_no_sales_gets_no_dashboard(make_user: Any) -> None:
    support = make_user("sid_support", "support", "South")
    _deny(support, "sales.")
    assert services.dashboard_ensure_default(actor=support) is None


def test_a_bad_layout_is_refused_with_every_problem_and_nothing_saved(rep_north: Any) -> None:
    dashboard = services.dashboard_create(
        actor=rep_north, data={"name": "Mine", "layout": [item("a")]}
    )
    before = list(dashboard.layout)
    bad = [
        item("a", x=8, w=6),  # does not fit
        item("b", widget="no.such_widget"),
        item(
            "c", widget="analytics.revenue_by_month", h=40, filters={"period": "x", "colour": "red"}
        ),
        item("a"),  # id used twice
        item("d", w=1),  # below the widget's smallest width
        item("e", filters={"team": 999999}),
        "not an object",
    ]
    with pytest.raises(ValidationError) as caught:
        services.dashboard_update(actor=rep_north, dashboard=dashboard, data={"layout": bad})
    problems = caught.value.message_dict["layout"]
    assert "Widget 1: it does not fit in the 12 columns." in problems
    assert "Widget 2: there is no widget “no.such_widget” you may use." in problems
    assert "Widget 3: height must be a whole number from 2 to 12." in problems
    assert "Widget 3: unknown period “x”." in problems
    assert "Widget 3: it has no filter “colour”." in problems
    assert "Widget 4: its id is missing, malformed or used twice." in problems
    assert "Widget 5: width must be a whole number from 2 to 12." in problems
    assert "Widget 6: there is no team with this id." in problems
    assert "Widget 7: it must be an object." in problems
    dashboard.refresh_from_db()
    assert dashboard.layout == before


def test_a_layout_is_not_a_list(rep_north: Any) -> None:
    dashboard = services.dashboard_create(actor=rep_north, data={"name": "Mine", "layout": []})
    with pytest.raises(ValidationError) as caught:
        services.dashboard_update(actor=rep_north, dashboard=dashboard, data={"layout": {"a": 1}})
    assert caught.value.message_dict["layout"] == ["The layout must be a list of widgets."]


def _deny(user: Any, resources: str) -> None:
    """Take the read right on ``resources`` (a prefix) from the user's role."""
    rights = RolePermission.objects.filter(role=user.role, resource__startswith=resources)
    rights.update(can_read=False)
    RolePermission.objects.filter(role=user.role).first().save()  # type: ignore[union-attr]
    user.refresh_from_db()
    forget_rights(user)


def test_a_rep_may_not_place_a_widget_their_role_may_not_read(rep_north: Any) -> None:
    _deny(rep_north, "sales.quote")
    dashboard = services.dashboard_create(actor=rep_north, data={"name": "Mine", "layout": []})
    with pytest.raises(ValidationError):
        services.dashboard_widget_add(
            actor=rep_north, dashboard=dashboard, key="sales.quote_conversion"
        )
    assert "sales.quote_conversion" not in [w["widget"] for w in services.default_layout(rep_north)]


def test_add_move_filter_reorder_and_remove(rep_north: Any, manager_north: Any) -> None:
    dashboard = services.dashboard_create(actor=rep_north, data={"name": "Mine", "layout": []})
    services.dashboard_widget_add(actor=rep_north, dashboard=dashboard, key=PIPELINE)
    services.dashboard_widget_add(
        actor=rep_north, dashboard=dashboard, key="analytics.revenue_by_month"
    )
    services.dashboard_widget_add(actor=rep_north, dashboard=dashboard, key="sales.open_deals")
    dashboard.refresh_from_db()
    assert [(i["id"], i["x"], i["y"], i["w"]) for i in dashboard.layout] == [
        ("w1", 0, 0, 6),
        ("w2", 6, 0, 6),
        ("w3", 0, 4, 3),
    ]
    assert dashboard.layout[1]["filters"] == {"period": "last_12_months"}
    services.dashboard_move(
        actor=rep_north,
        dashboard=dashboard,
        positions=[{"id": "w3", "x": 9, "y": 4, "w": 3, "h": 3}],
    )
    services.dashboard_widget_filters(
        actor=rep_north,
        dashboard=dashboard,
        item_id="w1",
        filters={"owner": manager_north.pk, "team": manager_north.team_id},
    )
    dashboard.refresh_from_db()
    assert dashboard.layout[2] | {"filters": {}} == {
        "id": "w3",
        "widget": "sales.open_deals",
        "x": 9,
        "y": 4,
        "w": 3,
        "h": 3,
        "filters": {},
    }
    assert dashboard.layout[0]["filters"] == {
        "owner": manager_north.pk,
        "team": manager_north.team_id,
    }
    # The order from a phone's single column: the open deals first.
    services.dashboard_reorder(actor=rep_north, dashboard=dashboard, order=["w3", "w1", "w2"])
    dashboard.refresh_from_db()
    ranked = sorted(dashboard.layout, key=lambda i: (i["y"], i["x"]))
    assert [i["id"] for i in ranked] == ["w3", "w1", "w2"]
    services.dashboard_widget_remove(actor=rep_north, dashboard=dashboard, item_id="w1")
    dashboard.refresh_from_db()
    assert {i["id"] for i in dashboard.layout} == {"w2", "w3"}
    with pytest.raises(ValidationError):
        services.dashboard_widget_remove(actor=rep_north, dashboard=dashboard, item_id="w1")


def test_pack_keeps_the_reading_order() -> None:
    packed = layouts.pack(
        [
            {"id": "a", "w": 6, "h": 2},
            {"id": "b", "w": 12, "h": 4},
            {"id": "c", "w": 3, "h": 2},
        ]
    )
    assert [(i["id"], i["x"], i["y"]) for i in packed] == [("a", 0, 0), ("b", 0, 2), ("c", 0, 6)]


def test_names_are_checked_and_changes_audited(rep_north: Any) -> None:
    dashboard = services.dashboard_create(actor=rep_north, data={"name": "Sales", "layout": []})
    services.dashboard_create(actor=rep_north, data={"name": "Other", "layout": []})
    for name, message in (
        ("  ", "Give the dashboard a name."),
        ("Other", "You already have a dashboard with this name."),
        ("x" * 101, "Keep the name to 100 characters."),
    ):
        with pytest.raises(ValidationError) as caught:
            services.dashboard_update(actor=rep_north, dashboard=dashboard, data={"name": name})
        assert caught.value.message_dict["name"] == [message]
    services.dashboard_update(actor=rep_north, dashboard=dashboard, data={"name": "Weekly"})
    entry = AuditEntry.objects.filter(object_id=dashboard.pk, action="update").get()
    assert entry.changes == {"name": ["Sales", "Weekly"]}


def test_a_name_taken_meanwhile_is_refused_not_a_500(
    rep_north: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests may both find a name free; the database's constraint then refuses
    the second, with the message the check gives."""
    services.dashboard_create(actor=rep_north, data={"name": "Mine"})
    other = services.dashboard_create(actor=rep_north, data={"name": "Other"})
    monkeypatch.setattr(services, "_clean_name", lambda owner, name, exclude=None: name)
    writes: list[Callable[[], Any]] = [
        lambda: services.dashboard_create(actor=rep_north, data={"name": "Mine"}),
        lambda: services.dashboard_update(actor=rep_north, dashboard=other, data={"name": "Mine"}),
    ]
    for write in writes:
        with pytest.raises(ValidationError) as caught:
            write()
        assert caught.value.message_dict == {
            "name": ["You already have a dashboard with this name."]
        }
    names = Dashboard.objects.filter(owner=rep_north).values_list("name", flat=True)
    assert sorted(names) == ["Mine", "Other"]


def test_only_the_owner_changes_a_dashboard(rep_north: Any, rep_north2: Any) -> None:
    dashboard = services.dashboard_create(
        actor=rep_north, data={"name": "Mine", "layout": [item("a")]}
    )
    for change in (
        lambda: services.dashboard_update(
            actor=rep_north2, dashboard=dashboard, data={"name": "Theirs"}
        ),
        lambda: services.dashboard_widget_remove(
            actor=rep_north2, dashboard=dashboard, item_id="a"
        ),
        lambda: services.dashboard_delete(actor=rep_north2, dashboard=dashboard),
    ):
        with pytest.raises(NotFound):
            change()
    dashboard.refresh_from_db()
    assert (dashboard.name, len(dashboard.layout)) == ("Mine", 1)


def test_managers_share_with_their_own_team_and_reps_not_at_all(
    manager_north: Any, rep_north: Any, admin: Any
) -> None:
    south, _created = Team.objects.get_or_create(name="South")
    mine = services.dashboard_create(actor=manager_north, data={"name": "Team", "layout": []})
    with pytest.raises(ValidationError):
        services.dashboard_update(actor=manager_north, dashboard=mine, data={"team_id": south.pk})
    services.dashboard_update(
        actor=manager_north, dashboard=mine, data={"team_id": manager_north.team.pk}
    )
    mine.refresh_from_db()
    assert mine.team_id == manager_north.team_id
    reps = services.dashboard_create(actor=rep_north, data={"name": "Rep's", "layout": []})
    with pytest.raises(PermissionDenied):
        services.dashboard_update(
            actor=rep_north, dashboard=reps, data={"team_id": rep_north.team.pk}
        )
    admins = services.dashboard_create(actor=admin, data={"name": "All", "layout": []})
    services.dashboard_update(actor=admin, dashboard=admins, data={"team_id": south.pk})


# --- visibility and pages --------------------------------------------------------------------


def test_another_users_unshared_dashboard_is_not_found(rep_north: Any, rep_north2: Any) -> None:
    dashboard = services.dashboard_create(
        actor=rep_north, data={"name": "Mine", "layout": [item("a")]}
    )
    other = client_for(rep_north2)
    assert other.get(f"/analytics/dashboards/{dashboard.pk}/").status_code == 404
    assert (
        other.get(f"/analytics/dashboards/{dashboard.pk}/widgets/a/export.csv").status_code == 404
    )
    response = other.post(
        f"/analytics/dashboards/{dashboard.pk}/layout/",
        json.dumps({"items": [{"id": "a", "x": 6}]}),
        content_type="application/json",
    )
    assert response.status_code == 404
    assert client_for(rep_north).get(f"/analytics/dashboards/{dashboard.pk}/").status_code == 200
    assert selectors.dashboard_list(user=rep_north2).count() == 0


def test_a_shared_dashboard_is_read_only_for_the_team(
    manager_north: Any, rep_north: Any, rep_south: Any
) -> None:
    dashboard = services.dashboard_create(
        actor=manager_north,
        data={"name": "Team board", "layout": [item("a")], "team_id": manager_north.team_id},
    )
    url = f"/analytics/dashboards/{dashboard.pk}/"
    page = client_for(rep_north).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="dashboard-shared"' in html
    assert "widget-remove" not in html
    assert '"editable": false' in html
    moved = client_for(rep_north).post(
        url + "layout/",
        json.dumps({"items": [{"id": "a", "x": 6}]}),
        content_type="application/json",
    )
    # Its owner alone changes it: to the team, every change is not found.
    assert moved.status_code == 404
    assert client_for(rep_north).post(url + "widgets/a/remove/").status_code == 404
    assert client_for(rep_north).post(url + "rename/", {"name": "Mine"}).status_code == 404
    assert client_for(rep_north).post(url + "delete/").status_code == 404
    dashboard.refresh_from_db()
    assert dashboard.layout[0]["x"] == 0
    # Not South's team: not found.
    assert client_for(rep_south).get(url).status_code == 404


def test_the_layout_endpoint_saves_a_drop_and_answers_422_with_the_errors(rep_north: Any) -> None:
    dashboard = services.dashboard_create(
        actor=rep_north, data={"name": "Mine", "layout": [item("a")]}
    )
    url = f"/analytics/dashboards/{dashboard.pk}/layout/"
    client = client_for(rep_north)
    ok = client.post(
        url,
        json.dumps({"items": [{"id": "a", "x": 6, "y": 1, "w": 6, "h": 5}]}),
        content_type="application/json",
    )
    assert ok.status_code == 200
    bad = client.post(
        url, json.dumps({"items": [{"id": "a", "x": 10, "w": 6}]}), content_type="application/json"
    )
    assert bad.status_code == 422
    assert bad.json() == {"errors": ["Widget 1: it does not fit in the 12 columns."]}
    for body in (b"{not json", b"[1, 2]", json.dumps({"items": [{"id": "zz"}]}).encode()):
        answer = client.post(url, body, content_type="application/json")
        assert answer.status_code == 422
        assert answer.json()["errors"]
    dashboard.refresh_from_db()
    assert {k: dashboard.layout[0][k] for k in "xywh"} == {"x": 6, "y": 1, "w": 6, "h": 5}


def test_the_page_makes_the_default_dashboard_and_forms_report_errors(
    rep_north: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(rep_north)
    first = client.get("/analytics/dashboards/")
    dashboard = Dashboard.objects.get(owner=rep_north)
    assert first.status_code == 302
    assert first["Location"] == f"/analytics/dashboards/{dashboard.pk}/"
    client.get(first["Location"])
    # A few grouped queries per widget, whatever the data.
    with django_assert_max_num_queries(30):
        page = client.get(first["Location"])
    assert page.status_code == 200
    assert page.content.decode().count('class="grid-stack-item"') == 6
    answer = client.post(
        f"/analytics/dashboards/{dashboard.pk}/widgets/w2/filters/",
        {"f-w2-team": "999999"},
        follow=True,
    )
    assert "Select a valid choice" in answer.content.decode()
    client.post(
        f"/analytics/dashboards/{dashboard.pk}/widgets/w3/filters/",
        {"f-w3-period": "this_year", "f-w3-owner": str(rep_north.pk), "f-w3-team": ""},
    )
    dashboard.refresh_from_db()
    assert dashboard.layout[2]["widget"] == "analytics.revenue_by_month"
    assert dashboard.layout[2]["filters"] == {"period": "this_year", "owner": rep_north.pk}
    shown = client.get(f"/analytics/dashboards/{dashboard.pk}/").content.decode()
    assert "· nora_north</summary>" in shown
    answer = client.post(
        f"/analytics/dashboards/{dashboard.pk}/add/", {"widget": "nope"}, follow=True
    )
    assert "There is no widget “nope” you may use." in answer.content.decode()
    created = client.post("/analytics/dashboards/new/", {"name": "Second"})
    second = Dashboard.objects.get(owner=rep_north, name="Second")
    assert created["Location"] == f"/analytics/dashboards/{second.pk}/"
    assert second.layout == []
    client.post(f"/analytics/dashboards/{second.pk}/delete/")
    assert not Dashboard.objects.filter(pk=second.pk).exists()


def test_the_manage_forms_rename_and_share_through_the_kinds_update(
    manager_north: Any, rep_north: Any
) -> None:
    dashboard = services.dashboard_create(actor=manager_north, data={"name": "Mine"})
    url = f"/analytics/dashboards/{dashboard.pk}/"
    client = client_for(manager_north)
    client.post(url + "rename/", {"name": "Weekly"})
    client.post(url + "share/", {"team": str(manager_north.team_id)})
    dashboard.refresh_from_db()
    assert (dashboard.name, dashboard.team_id) == ("Weekly", manager_north.team_id)
    south = Team.objects.get_or_create(name="South")[0]
    for team, message in (
        (str(south.pk), "Managers share dashboards with their own team."),
        ("999999", "There is no team with this id."),
        ("abc", "There is no team with this id."),
    ):
        answer = client.post(url + "share/", {"team": team}, follow=True)
        assert message in answer.content.decode()
    client.post(url + "share/", {"team": ""})
    dashboard.refresh_from_db()
    assert dashboard.team_id is None
    # A rep sees their own dashboard, but may not share it.
    own = services.dashboard_create(actor=rep_north, data={"name": "Rep's"})
    shared = client_for(rep_north).post(
        f"/analytics/dashboards/{own.pk}/share/", {"team": str(rep_north.team_id)}
    )
    assert shared.status_code == 403
    own.refresh_from_db()
    assert own.team_id is None


# --- exports ---------------------------------------------------------------------------------


def test_a_widget_exports_its_figures_as_csv_and_xlsx(
    admin: Any, rep_north: Any, rep_south: Any
) -> None:
    pipeline = make_pipeline()
    make_deal(rep_north, pipeline, amount="1500.00", stage_id=stage(pipeline, "Demo").pk)
    make_deal(admin, pipeline, amount="700.00", stage_id=stage(pipeline, "Offer").pk)
    make_deal(rep_south, pipeline, amount="9000.00", stage_id=stage(pipeline, "Offer").pk)
    dashboard = services.dashboard_create(
        actor=rep_north, data={"name": "Mine", "layout": [item("a")]}
    )
    client = client_for(rep_north)
    answer = client.get(f"/analytics/dashboards/{dashboard.pk}/widgets/a/export.csv")
    assert answer["Content-Disposition"] == 'attachment; filename="sales-pipeline_by_stage.csv"'
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    # North's two deals (the admin is in North too), not South's.
    assert rows[0] == ["Stage", "Value (USD)", "Deals"]
    assert rows[1:] == [["Demo", "1500.00", "1"], ["Offer", "700.00", "1"]]
    answer = client.get(f"/analytics/dashboards/{dashboard.pk}/widgets/a/export.xlsx")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet is not None
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["Stage", "Value (USD)", "Deals"],
        ["Demo", 1500, 1],
        ["Offer", 700, 1],
    ]
    assert (
        client.get(f"/analytics/dashboards/{dashboard.pk}/widgets/a/export.pdf").status_code == 404
    )
    assert (
        client.get(f"/analytics/dashboards/{dashboard.pk}/widgets/zz/export.csv").status_code == 404
    )
