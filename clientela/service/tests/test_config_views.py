"""The service desk's settings pages: admins see and change them, others get 404,
refused input comes back with the errors next to the fields and nothing saved; the
agent's away toggle."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from clientela.core.models import Team
from clientela.service.models import AgentStatus, BusinessCalendar, Category, Queue, SlaPolicy
from clientela.service.tests.helpers import make_policy, make_queue

pytestmark = pytest.mark.django_db


def _list(part: str) -> str:
    return reverse("service:settings-list", kwargs={"part": part})


def _new(part: str) -> str:
    return reverse("service:settings-new", kwargs={"part": part})


def test_admin_sees_every_page_with_empty_states(client: Any, admin: Any) -> None:
    client.force_login(admin)
    page = client.get(reverse("core:settings"))
    assert reverse("service:settings") in page.content.decode()
    for part, empty in (
        ("queues", "No queues yet"),
        ("categories", "No categories yet"),
        ("calendars", "No business calendars yet"),
        ("policies", "No SLA policies yet"),
    ):
        answer = client.get(_list(part))
        assert answer.status_code == 200
        assert empty in answer.content.decode()
        assert client.get(_new(part)).status_code == 200
    assert client.get(reverse("service:settings")).status_code == 200
    assert client.get(_list("nonsense")).status_code == 404


def test_a_rep_gets_404_everywhere(client: Any, rep_north: Any) -> None:
    queue = make_queue()
    client.force_login(rep_north)
    urls = [
        reverse("service:settings"),
        _list("queues"),
        _new("calendars"),
        reverse("service:settings-edit", kwargs={"part": "queues", "pk": queue.pk}),
    ]
    assert [client.get(u).status_code for u in urls] == [404] * 4
    delete = reverse("service:settings-delete", kwargs={"part": "queues", "pk": queue.pk})
    assert client.post(delete).status_code == 404
    assert Queue.objects.exists()


def test_queue_form_with_weighted_agents(client: Any, admin: Any, rep_north: Any) -> None:
    client.force_login(admin)
    team = Team.objects.get(name="North")
    answer = client.post(
        _new("queues"),
        {
            "name": "Support",
            "team": team.pk,
            "assignment": "round_robin",
            "max_open_per_agent": 0,
            "reassign_after_minutes": 30,
            "active": "on",
            f"weight_{rep_north.pk}": 2,
        },
    )
    assert answer.status_code == 302
    queue = Queue.objects.get()
    assert [(m.user_id, m.weight) for m in queue.memberships.all()] == [(rep_north.pk, 2)]
    page = client.get(reverse("service:settings-edit", kwargs={"part": "queues", "pk": queue.pk}))
    assert 'value="2"' in page.content.decode()
    refused = client.post(
        _new("queues"),
        {
            "name": "support",
            "team": team.pk,
            "assignment": "manual",
            "max_open_per_agent": 0,
            "reassign_after_minutes": 0,
        },
    )
    assert refused.status_code == 422
    assert "already taken" in refused.content.decode()
    assert Queue.objects.count() == 1


def test_calendar_week_grid_and_its_errors(client: Any, admin: Any) -> None:
    client.force_login(admin)
    data = {
        "name": "Madrid",
        "time_zone": "Europe/Madrid",
        "country": "ES",
        "subdivision": "MD",
        "extra_holidays": "2026-12-24\n2026-12-31",
        "day_0": "09:00-14:00, 16:00-19:00",
        "day_4": "8:00-15:00",
    }
    assert client.post(_new("calendars"), data).status_code == 302
    calendar = BusinessCalendar.objects.get()
    assert calendar.hours[0] == [[540, 840], [960, 1140]]
    assert calendar.hours[4] == [[480, 900]]
    assert calendar.extra_holidays == ["2026-12-24", "2026-12-31"]
    for bad, words in (
        ({"day_0": "nine to five"}, "09:00-14:00"),
        ({"day_0": "", "day_4": ""}, "no working time"),
        ({"day_0": "09:00-14:00, 13:00-15:00"}, 'id="id_day_0-errors"'),
        ({"day_2": "18:00-09:00"}, 'id="id_day_2-errors"'),
        ({"extra_holidays": "2999-01-01"}, "outside the years"),
    ):
        answer = client.post(_new("calendars"), {**data, "name": "Other", **bad})
        assert answer.status_code == 422, bad
        assert words in answer.content.decode(), bad
    assert BusinessCalendar.objects.count() == 1


def test_policy_targets_as_hours_and_minutes(client: Any, admin: Any) -> None:
    calendar = make_policy().calendar
    client.force_login(admin)
    answer = client.post(
        _new("policies"),
        {
            "name": "Gold",
            "calendar": calendar.pk,
            "position": 1,
            "active": "on",
            "urgent_first_response_hours": 0,
            "urgent_first_response_minutes": 30,
            "urgent_resolution_hours": 4,
            "urgent_resolution_minutes": 0,
        },
    )
    assert answer.status_code == 302
    target = SlaPolicy.objects.get(name="Gold").targets.get()
    assert (target.priority, target.first_response_minutes, target.resolution_minutes) == (
        "urgent",
        30,
        240,
    )
    refused = client.post(
        _new("policies"),
        {"name": "Bad", "calendar": calendar.pk, "position": 0, "low_resolution_hours": 2},
    )
    assert refused.status_code == 422
    assert 'id="id_low_first_response_hours-errors"' in refused.content.decode()
    assert not SlaPolicy.objects.filter(name="Bad").exists()


def test_categories_and_service_settings(client: Any, admin: Any) -> None:
    client.force_login(admin)
    answer = client.post(_new("categories"), {"new-kind": "ticket", "new-name": "Billing"})
    assert answer.status_code == 302
    category = Category.objects.get()
    edit = reverse("service:settings-edit", kwargs={"part": "categories", "pk": category.pk})
    client.post(edit, {f"c{category.pk}-name": "Invoices"})
    category.refresh_from_db()
    assert (category.name, category.active) == ("Invoices", False)
    settings_page = reverse("service:settings")
    clocks = {f"clock_{s}": "running" for s in ("new", "open", "pending", "on_hold")}
    clocks |= {"clock_solved": "stopped", "clock_closed": "stopped"}
    clocks |= {"csat_enabled": "on", "csat_valid_days": "14"}
    refused = client.post(settings_page, {"ticket_prefix": "S-", "warn_ratio": "0.99", **clocks})
    assert refused.status_code == 422
    assert "0.50" in refused.content.decode()
    saved = client.post(settings_page, {"ticket_prefix": "S-", "warn_ratio": "0.75", **clocks})
    assert saved.status_code == 302


def test_the_away_toggle_shows_to_agents_and_works(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    tickets = reverse("service:ticket-list")
    assert "I'm away" not in client.get(tickets).content.decode()
    make_queue(agents=[rep_north])
    assert "I'm away" in client.get(tickets).content.decode()
    client.post(reverse("service:away"), {"away": "1", "next": tickets})
    assert AgentStatus.objects.get(user=rep_north).away is True
    assert "I'm back" in client.get(tickets).content.decode()
    client.post(reverse("service:away"), {"away": "0"})
    assert AgentStatus.objects.get(user=rep_north).away is False
