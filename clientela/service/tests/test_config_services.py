"""The service desk's settings through their services: queues and agents, categories,
calendars checked by the SLA arithmetic, SLA policies, the service settings, agents
away; admins only, each bad input on its field with nothing saved."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError

from clientela.core.errors import NotFound
from clientela.core.models import AuditEntry, Team
from clientela.service.models import (
    AgentStatus,
    BusinessCalendar,
    Category,
    Queue,
    ServiceSettings,
    SlaPolicy,
)
from clientela.service.services import config, config_sla
from clientela.service.services import tickets as ticket_services
from clientela.service.tests.helpers import SPANISH_HOURS, make_policy, make_queue

pytestmark = pytest.mark.django_db


def _fields(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return set(exc.value.message_dict)


def test_an_admin_creates_a_queue_with_weighted_agents(
    admin: Any, rep_north: Any, rep_north2: Any
) -> None:
    team = Team.objects.get(name="North")
    queue = config.queue_create(
        actor=admin,
        data={
            "name": " Support ",
            "email": "help@example.com",
            "team_id": team.pk,
            "manager_id": admin.pk,
            "agents": [
                {"user_id": rep_north.pk, "weight": 2},
                {"user_id": rep_north2.pk, "weight": 1},
            ],
            "assignment": "round_robin",
            "max_open_per_agent": 5,
        },
    )
    assert queue.name == "Support"
    assert {(m.user_id, m.weight) for m in queue.memberships.all()} == {
        (rep_north.pk, 2),
        (rep_north2.pk, 1),
    }
    changed = config.queue_update(
        actor=admin, queue=queue, data={"agents": [{"user_id": rep_north2.pk, "weight": 3}]}
    )
    assert [(m.user_id, m.weight) for m in changed.memberships.all()] == [(rep_north2.pk, 3)]
    assert AuditEntry.objects.filter(object_id=queue.pk, action="update").exists()


def test_bad_queue_input_names_each_field_and_saves_nothing(admin: Any, rep_north: Any) -> None:
    make_queue("Support")
    with pytest.raises(ValidationError) as exc:
        config.queue_create(
            actor=admin,
            data={
                "name": "support",
                "email": "not-an-address",
                "team_id": 999999,
                "assignment": "lottery",
                "max_open_per_agent": -1,
                "agents": [{"user_id": rep_north.pk, "weight": 0}],
            },
        )
    assert _fields(exc) == {
        "name",
        "email",
        "team_id",
        "assignment",
        "max_open_per_agent",
        "agents.0.weight",
    }
    assert Queue.objects.count() == 1


def test_only_admins_change_settings(rep_north: Any, manager_north: Any) -> None:
    queue = make_queue()
    for actor in (rep_north, manager_north):
        with pytest.raises(NotFound):
            config.queue_create(actor=actor, data={"name": "X"})
        with pytest.raises(NotFound):
            config.queue_update(actor=actor, queue=queue, data={"name": "Y"})
        with pytest.raises(NotFound):
            config.queue_delete(actor=actor, queue=queue)
        with pytest.raises(NotFound):
            config.service_settings_update(actor=actor, data={"ticket_prefix": "X"})
        with pytest.raises(NotFound):
            config_sla.business_calendar_create(actor=actor, data={"name": "C"})
    assert Queue.objects.get().name == "Support"


def test_a_queue_with_tickets_is_deactivated_not_deleted(admin: Any) -> None:
    empty, used = make_queue("Empty"), make_queue("Used")
    ticket_services.ticket_create(actor=admin, data={"subject": "Q", "queue_id": used.pk})
    config.queue_delete(actor=admin, queue=empty)
    with pytest.raises(ValidationError) as exc:
        config.queue_delete(actor=admin, queue=used)
    assert "deactivate" in str(exc.value)
    assert list(Queue.objects.values_list("name", flat=True)) == ["Used"]


def test_categories_per_kind_renamed_and_deactivated(admin: Any) -> None:
    late = config.category_create(actor=admin, data={"kind": "ticket", "name": "Late"})
    config.category_create(actor=admin, data={"kind": "root_cause", "name": "Late"})
    with pytest.raises(ValidationError) as exc:
        config.category_create(actor=admin, data={"kind": "ticket", "name": "late"})
    assert _fields(exc) == {"name"}
    with pytest.raises(ValidationError) as exc:
        config.category_create(actor=admin, data={"kind": "mood", "name": "Sad"})
    assert "kind" in _fields(exc)
    renamed = config.category_update(
        actor=admin, category=late, data={"name": "Late delivery", "active": False}
    )
    assert (renamed.name, renamed.active) == ("Late delivery", False)
    assert Category.objects.count() == 2


def _calendar(**data: Any) -> Any:
    return {
        "name": "Madrid",
        "time_zone": "Europe/Madrid",
        "hours": SPANISH_HOURS,
        "country": "ES",
        "subdivision": "MD",
        "extra_holidays": ["2026-12-24"],
        **data,
    }


def test_a_calendar_is_saved_when_the_arithmetic_accepts_it(admin: Any) -> None:
    calendar = config_sla.business_calendar_create(
        actor=admin, data=_calendar(country="es", subdivision="md")
    )
    assert (calendar.country, calendar.subdivision) == ("ES", "MD")
    assert calendar.extra_holidays == ["2026-12-24"]


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"hours": [[] for _ in range(7)]}, "hours", "no working time"),
        ({"hours": [[[540, 840], [800, 900]], [], [], [], [], [], []]}, "hours", "overlap"),
        ({"subdivision": "ZZ"}, "subdivision", "not a region"),
        ({"country": "QQ"}, "country", "no public holidays"),
        ({"extra_holidays": ["2300-01-01"]}, "extra_holidays", "outside the years"),
        ({"extra_holidays": ["soon"]}, "extra_holidays", "not a date"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "time zone"),
    ],
)
def test_a_bad_calendar_gets_a_field_error_and_nothing_is_saved(
    admin: Any, data: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        config_sla.business_calendar_create(actor=admin, data=_calendar(**data))
    assert field in exc.value.message_dict
    assert words in " ".join(exc.value.message_dict[field])
    assert not BusinessCalendar.objects.exists()


def test_a_calendar_used_by_a_policy_is_not_deleted(admin: Any) -> None:
    policy = make_policy()
    with pytest.raises(ValidationError):
        config_sla.business_calendar_delete(actor=admin, calendar=policy.calendar)
    assert BusinessCalendar.objects.count() == 1


def test_sla_policy_with_targets_and_conditions(admin: Any) -> None:
    calendar = make_policy().calendar
    policy = config_sla.sla_policy_create(
        actor=admin,
        data={
            "name": "Gold",
            "calendar_id": calendar.pk,
            "position": 1,
            "targets": [
                {"priority": "urgent", "first_response_minutes": 30, "resolution_minutes": 240},
                {"priority": "low", "first_response_minutes": 480, "resolution_minutes": 4800},
            ],
            "breach_raises_priority": True,
        },
    )
    assert {t.priority: t.first_response_minutes for t in policy.targets.all()} == {
        "urgent": 30,
        "low": 480,
    }
    with pytest.raises(ValidationError) as exc:
        config_sla.sla_policy_update(
            actor=admin,
            policy=policy,
            data={
                "targets": [
                    {"priority": "urgent", "first_response_minutes": 0, "resolution_minutes": 5},
                    {"priority": "soon", "first_response_minutes": 1, "resolution_minutes": 5},
                ]
            },
        )
    assert _fields(exc) == {"targets.0.first_response_minutes", "targets.1.priority"}
    assert policy.targets.count() == 2
    config_sla.sla_policy_delete(actor=admin, policy=policy)
    assert not SlaPolicy.objects.filter(name="Gold").exists()


def test_service_settings_and_the_cached_prefix(admin: Any) -> None:
    assert ServiceSettings.prefix() == "T-"
    behaviours = {s: "running" for s in ("new", "open", "pending", "on_hold")}
    behaviours |= {"solved": "stopped", "closed": "stopped"}
    settings = config.service_settings_update(
        actor=admin,
        data={"ticket_prefix": "SUP-", "sla_behaviours": behaviours, "warn_ratio": "0.9"},
    )
    assert settings.warn_ratio == Decimal("0.90")
    assert ServiceSettings.prefix() == "SUP-"
    assert settings.behaviour("pending") == "running"
    for bad in ("0.3", "0.99", "x", 0.8):
        with pytest.raises(ValidationError) as exc:
            config.service_settings_update(actor=admin, data={"warn_ratio": bad})
        assert _fields(exc) == {"warn_ratio"}
    with pytest.raises(ValidationError) as exc:
        config.service_settings_update(
            actor=admin, data={"sla_behaviours": {**behaviours, "open": "sideways"}}
        )
    assert _fields(exc) == {"sla_behaviours.open"}
    assert ServiceSettings.load().warn_ratio == Decimal("0.90")
    cache.clear()


def test_agents_mark_themselves_away_and_managers_may_too(
    admin: Any, rep_north: Any, rep_north2: Any, manager_north: Any
) -> None:
    until = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    status = config.agent_set_away(actor=rep_north, user=rep_north, away=True, until=until)
    assert (status.away, status.away_until) == (True, until)
    with pytest.raises(NotFound):
        config.agent_set_away(actor=rep_north2, user=rep_north, away=False)
    with pytest.raises(NotFound):
        config.agent_set_away(actor=manager_north, user=rep_north, away=False)
    make_queue(agents=[rep_north], manager=manager_north)
    config.agent_set_away(actor=manager_north, user=rep_north, away=False)
    assert AgentStatus.objects.get(user=rep_north).away is False
    with pytest.raises(ValidationError):
        config.agent_set_away(
            actor=admin,
            user=rep_north,
            away=True,
            until=datetime.datetime(2030, 1, 1),  # noqa: DTZ001
        )
