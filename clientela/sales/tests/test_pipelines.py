"""Pipelines and stages: the default pipeline of migration 0002, the services' rules
(one won stage, at least one lost stage, unique names, stages and pipelines in use),
admins only, audit, and the settings page with its errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from clientela.core.errors import NotFound
from clientela.core.models import AuditEntry
from clientela.sales.models import DealStageChange, Pipeline, Stage
from clientela.sales.services import deals as deal_services
from clientela.sales.services import pipelines as services
from clientela.sales.tests.deal_helpers import make_deal, make_pipeline, stage

pytestmark = pytest.mark.django_db

URL = "/settings/pipelines/"


@pytest.fixture
def pipe(db: Any) -> Pipeline:
    return make_pipeline()


def names(pipeline: Pipeline) -> list[str]:
    return list(pipeline.stages.order_by("position", "id").values_list("name", flat=True))


def test_migration_creates_the_default_pipeline() -> None:
    pipeline = Pipeline.objects.get(name="Sales")
    stages = list(pipeline.stages.order_by("position"))
    assert [(s.name, s.probability) for s in stages] == [
        ("New", 10),
        ("Qualified", 25),
        ("Proposal", 50),
        ("Negotiation", 75),
        ("Won", 100),
        ("Lost", 0),
    ]
    assert [s.name for s in stages if s.is_won] == ["Won"]
    assert [s.name for s in stages if s.is_lost] == ["Lost"]
    assert services.pipeline_default() == pipeline


def test_pipeline_default_without_any_active_pipeline() -> None:
    Pipeline.objects.update(is_active=False)
    with pytest.raises(ValidationError) as exc:
        services.pipeline_default()
    assert "pipeline_id" in exc.value.message_dict


# --- pipelines --------------------------------------------------------------------------


def test_create_a_pipeline_with_the_usual_stages(admin: Any) -> None:
    pipeline = services.pipeline_create(actor=admin, data={"name": "  Renewals  "})
    assert pipeline.name == "Renewals"
    assert names(pipeline) == ["New", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]
    entry = AuditEntry.objects.get(object_id=pipeline.pk, content_type__model="pipeline")
    assert entry.action == "create"
    assert "Won 100% ✓" in entry.changes["stages"][1]
    assert "Lost 0% ✗" in entry.changes["stages"][1]


def test_a_pipelines_audit_marks_won_and_lost_in_no_language(admin: Any) -> None:
    """Made in Spanish, read in any language: the marks are not English words."""
    with translation.override("es"):
        pipeline = services.pipeline_create(actor=admin, data={"name": "Renovaciones"})
    entry = AuditEntry.objects.get(object_id=pipeline.pk, content_type__model="pipeline")
    stages = entry.changes["stages"][1]
    assert "(won)" not in stages
    assert "(lost)" not in stages
    assert (stages.count(" ✓"), stages.count(" ✗")) == (1, 1), stages


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        ([{"name": "Open"}, {"name": "Lost", "is_lost": True}], "exactly one won stage"),
        (
            [
                {"name": "Open"},
                {"name": "Won", "is_won": True, "probability": 100},
                {"name": "Won again", "is_won": True, "probability": 100},
                {"name": "Lost", "is_lost": True},
            ],
            "exactly one won stage",
        ),
        ([{"name": "Open"}, {"name": "Won", "is_won": True}], "at least one lost stage"),
        ([{"name": "Won", "is_won": True}, {"name": "Lost", "is_lost": True}], "open stage"),
    ],
)
def test_a_new_pipeline_must_be_valid(
    admin: Any, stages: list[dict[str, Any]], message: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        services.pipeline_create(actor=admin, data={"name": "Bad"}, stages=stages)  # type: ignore[arg-type]
    assert message in " ".join(exc.value.message_dict["stages"])
    assert not Pipeline.objects.filter(name="Bad").exists()


def test_pipeline_stage_input_is_checked_per_row(admin: Any) -> None:
    stages: Any = [
        {"name": "A", "probability": 150},
        {"name": "a"},
        {"name": "W", "is_won": True, "is_lost": True},
    ]
    with pytest.raises(ValidationError) as exc:
        services.pipeline_create(actor=admin, data={"name": "Rows"}, stages=stages)
    assert set(exc.value.message_dict) == {
        "stages.0.probability",
        "stages.1.name",
        "stages.2.is_lost",
    }


def test_pipeline_names_are_unique(admin: Any, pipe: Pipeline) -> None:
    with pytest.raises(ValidationError) as exc:
        services.pipeline_create(actor=admin, data={"name": "test PIPELINE"})
    assert set(exc.value.message_dict) == {"name"}
    with pytest.raises(ValidationError):
        services.pipeline_update(actor=admin, pipeline=pipe, data={"name": "Sales"})


def test_only_admins_change_pipelines(rep_north: Any, manager_north: Any, pipe: Pipeline) -> None:
    for user in (rep_north, manager_north):
        with pytest.raises(NotFound):
            services.pipeline_create(actor=user, data={"name": "Mine"})
        with pytest.raises(NotFound):
            services.pipeline_update(actor=user, pipeline=pipe, data={"name": "Mine"})
        with pytest.raises(NotFound):
            services.stage_create(actor=user, pipeline=pipe, data={"name": "X"})
        with pytest.raises(NotFound):
            services.stage_delete(actor=user, stage=stage(pipe, "Demo"))
        with pytest.raises(NotFound):
            services.stage_move(actor=user, stage=stage(pipe, "Demo"), offset=1)
    assert names(pipe) == ["Lead in", "Demo", "Offer", "Closed won", "Closed lost"]


def test_a_pipeline_with_deals_cannot_be_deleted(
    admin: Any, rep_north: Any, pipe: Pipeline
) -> None:
    deal = make_deal(rep_north, pipe)
    deal_services.deal_trash(actor=rep_north, deal=deal)  # the trash counts too
    with pytest.raises(ValidationError) as exc:
        services.pipeline_delete(actor=admin, pipeline=pipe)
    assert "1 deal" in exc.value.messages[0]
    empty = make_pipeline("Empty", position=3)
    services.pipeline_delete(actor=admin, pipeline=empty)
    assert not Pipeline.objects.filter(name="Empty").exists()
    assert AuditEntry.objects.filter(object_id=empty.pk, content_type__model="pipeline").exists()


def test_the_last_active_pipeline_stays_active(admin: Any) -> None:
    sales = Pipeline.objects.get(name="Sales")
    with pytest.raises(ValidationError) as exc:
        services.pipeline_update(actor=admin, pipeline=sales, data={"is_active": False})
    assert set(exc.value.message_dict) == {"is_active"}
    with pytest.raises(ValidationError):
        services.pipeline_delete(actor=admin, pipeline=sales)


# --- stages -----------------------------------------------------------------------------


def test_add_an_open_stage_before_the_closing_ones(admin: Any, pipe: Pipeline) -> None:
    added = services.stage_create(
        actor=admin, pipeline=pipe, data={"name": "Trial", "probability": 60}
    )
    assert names(pipe) == ["Lead in", "Demo", "Offer", "Trial", "Closed won", "Closed lost"]
    assert added.position == 3
    entry = AuditEntry.objects.get(object_id=pipe.pk, content_type__model="pipeline")
    assert "Trial 60%" in entry.changes["stages"][1]


def test_a_second_lost_stage_is_fine_a_second_won_is_not(admin: Any, pipe: Pipeline) -> None:
    services.stage_create(actor=admin, pipeline=pipe, data={"name": "No budget", "is_lost": True})
    with pytest.raises(ValidationError) as exc:
        services.stage_create(actor=admin, pipeline=pipe, data={"name": "Won too", "is_won": True})
    assert "“Closed won” already is it" in exc.value.message_dict["is_won"][0]


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("Closed won", {"is_won": False}, "is_won"),  # no won stage left
        ("Closed lost", {"is_lost": False}, "is_lost"),  # no lost stage left
        ("Demo", {"is_won": True}, "is_won"),  # two won stages
        ("Demo", {"is_won": True, "is_lost": True}, "is_lost"),
        ("Demo", {"probability": 101}, "probability"),
        ("Demo", {"probability": -1}, "probability"),
        ("Demo", {"name": "offer"}, "name"),
        ("Demo", {"name": "  "}, "name"),
    ],
)
def test_stage_changes_that_would_break_the_pipeline_are_refused(
    admin: Any, pipe: Pipeline, name: str, data: dict[str, Any], field: str
) -> None:
    before = list(
        Stage.objects.filter(pipeline=pipe).values_list("name", "probability", "is_won", "is_lost")
    )
    with pytest.raises(ValidationError) as exc:
        services.stage_update(actor=admin, stage=stage(pipe, name), data=data)  # type: ignore[arg-type]
    assert field in exc.value.message_dict
    after = list(
        Stage.objects.filter(pipeline=pipe).values_list("name", "probability", "is_won", "is_lost")
    )
    assert after == before


def test_swap_the_won_mark_in_two_steps_is_refused_but_rename_works(
    admin: Any, pipe: Pipeline
) -> None:
    renamed = services.stage_update(
        actor=admin, stage=stage(pipe, "Demo"), data={"name": "Live demo", "probability": 45}
    )
    assert (renamed.name, renamed.probability) == ("Live demo", 45)


def test_a_stage_with_deals_keeps_its_kind_and_cannot_be_deleted(
    admin: Any, rep_north: Any, pipe: Pipeline
) -> None:
    make_deal(rep_north, pipe, stage_id=stage(pipe, "Demo").pk)
    with pytest.raises(ValidationError) as exc:
        services.stage_delete(actor=admin, stage=stage(pipe, "Demo"))
    assert "1 deal(s) are in this stage" in exc.value.messages[0]
    services.stage_create(actor=admin, pipeline=pipe, data={"name": "Spare lost", "is_lost": True})
    with pytest.raises(ValidationError) as exc:
        services.stage_update(actor=admin, stage=stage(pipe, "Demo"), data={"is_lost": True})
    assert "Deals are in this stage" in exc.value.message_dict["is_lost"][0]


def test_a_stage_in_the_history_cannot_be_deleted(
    admin: Any, rep_north: Any, pipe: Pipeline
) -> None:
    deal = make_deal(rep_north, pipe)
    deal_services.deal_move(actor=rep_north, deal=deal, stage_id=stage(pipe, "Demo").pk)
    assert DealStageChange.objects.filter(stage=stage(pipe, "Lead in")).exists()
    with pytest.raises(ValidationError) as exc:
        services.stage_delete(actor=admin, stage=stage(pipe, "Lead in"))
    assert "history" in exc.value.messages[0]


def test_deleting_a_stage_the_pipeline_needs_is_refused(admin: Any, pipe: Pipeline) -> None:
    with pytest.raises(ValidationError) as exc:
        services.stage_delete(actor=admin, stage=stage(pipe, "Closed won"))
    assert "exactly one won stage" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.stage_delete(actor=admin, stage=stage(pipe, "Closed lost"))


def test_delete_an_unused_stage_and_reorder(admin: Any, pipe: Pipeline) -> None:
    services.stage_delete(actor=admin, stage=stage(pipe, "Demo"))
    assert names(pipe) == ["Lead in", "Offer", "Closed won", "Closed lost"]
    assert list(pipe.stages.order_by("position").values_list("position", flat=True)) == [0, 1, 2, 3]
    ids = list(pipe.stages.order_by("position").values_list("pk", flat=True))
    services.stage_reorder(actor=admin, pipeline=pipe, stage_ids=[ids[1], ids[0], ids[2], ids[3]])
    assert names(pipe) == ["Offer", "Lead in", "Closed won", "Closed lost"]
    services.stage_move(actor=admin, stage=stage(pipe, "Lead in"), offset=-1)
    assert names(pipe) == ["Lead in", "Offer", "Closed won", "Closed lost"]
    with pytest.raises(ValidationError) as exc:
        services.stage_reorder(actor=admin, pipeline=pipe, stage_ids=ids[:2])
    assert set(exc.value.message_dict) == {"stage_ids"}
    with pytest.raises(ValidationError):
        services.stage_reorder(actor=admin, pipeline=pipe, stage_ids=[*ids[1:], 999999])


# --- the settings page ------------------------------------------------------------------


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_admins_see_the_settings_page(
    admin: Any, rep_north: Any, manager_north: Any, pipe: Pipeline
) -> None:
    assert client_for(rep_north).get(URL).status_code == 404
    assert client_for(manager_north).get(URL).status_code == 404
    assert (
        client_for(rep_north).post(f"{URL}{pipe.pk}/", {f"p{pipe.pk}-name": "X"}).status_code == 404
    )
    response = client_for(admin).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Test pipeline" in html
    assert "Closed won" in html
    # The core settings page links here.
    assert URL in client_for(admin).get("/settings/").content.decode()


def test_add_a_stage_and_see_errors_on_the_page(admin: Any, pipe: Pipeline) -> None:
    client = client_for(admin)
    prefix = f"new{pipe.pk}"
    response = client.post(
        f"{URL}{pipe.pk}/stages/new/",
        {f"{prefix}-name": "Second won", f"{prefix}-probability": "100", f"{prefix}-is_won": "on"},
    )
    assert response.status_code == 200
    assert "already is it" in response.content.decode()
    assert not Stage.objects.filter(name="Second won").exists()
    response = client.post(
        f"{URL}{pipe.pk}/stages/new/",
        {f"{prefix}-name": "Trial", f"{prefix}-probability": "60"},
    )
    assert response.status_code == 302
    assert "Trial" in names(pipe)


def test_edit_delete_and_move_stages_on_the_page(
    admin: Any, rep_north: Any, pipe: Pipeline
) -> None:
    client = client_for(admin)
    demo = stage(pipe, "Demo")
    response = client.post(
        f"/settings/stages/{demo.pk}/",
        {f"s{demo.pk}-name": "Demo", f"s{demo.pk}-probability": "150"},
    )
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    response = client.post(
        f"/settings/stages/{demo.pk}/",
        {f"s{demo.pk}-name": "Live demo", f"s{demo.pk}-probability": "45"},
    )
    assert response.status_code == 302
    demo.refresh_from_db()
    assert (demo.name, demo.probability) == ("Live demo", 45)
    client.post(f"/settings/stages/{demo.pk}/move/", {"direction": "up"})
    assert names(pipe)[0] == "Live demo"
    make_deal(rep_north, pipe, stage_id=demo.pk)
    response = client.post(f"/settings/stages/{demo.pk}/delete/", follow=True)
    assert "was not deleted" in response.content.decode()
    assert Stage.objects.filter(pk=demo.pk).exists()
    offer = stage(pipe, "Offer")
    client.post(f"/settings/stages/{offer.pk}/delete/")
    assert not Stage.objects.filter(pk=offer.pk).exists()


def test_create_rename_and_delete_pipelines_on_the_page(admin: Any, pipe: Pipeline) -> None:
    client = client_for(admin)
    response = client.post(f"{URL}new/", {"new-name": "Sales"})
    assert response.status_code == 200
    assert "already taken" in response.content.decode()
    response = client.post(f"{URL}new/", {"new-name": "Partners", "new-is_active": "on"})
    assert response.status_code == 302
    partners = Pipeline.objects.get(name="Partners")
    response = client.post(
        f"{URL}{partners.pk}/",
        {f"p{partners.pk}-name": "Resellers", f"p{partners.pk}-is_active": "on"},
    )
    assert response.status_code == 302
    partners.refresh_from_db()
    assert partners.name == "Resellers"
    client.post(f"{URL}{partners.pk}/delete/")
    assert not Pipeline.objects.filter(pk=partners.pk).exists()
