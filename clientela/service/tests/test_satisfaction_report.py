"""CSAT per agent, queue and month, counted over the tickets the asking user may read:
the selector, the reports (Service > Reports) and their CSV; and tags and custom fields on
tickets (form, API, the list's tag filter)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from clientela.core.permissions import can
from clientela.core.services import custom_field_create
from clientela.core.testing.api import Api
from clientela.service.models import Ticket, TicketRating
from clientela.service.selectors.satisfaction import csat_summary, csat_total
from clientela.service.services import tickets as services
from clientela.service.tests.helpers import make_queue

pytestmark = pytest.mark.django_db

MADRID = datetime.timezone(datetime.timedelta(hours=1))


def _rated(admin: Any, queue: Any, agent: Any, score: int, when: datetime.datetime) -> Ticket:
    ticket = services.ticket_create(actor=admin, data={"subject": "Q", "queue_id": queue.pk})
    TicketRating.objects.create(ticket=ticket, score=score, rated_at=when, agent=agent, queue=queue)
    return ticket


@pytest.fixture
def ratings(admin: Any, rep_north: Any, rep_south: Any) -> dict[str, Any]:
    north = make_queue("Support", team="North", agents=[rep_north])
    south = make_queue("Complaints", team="South", agents=[rep_south])
    january = datetime.datetime(2026, 1, 15, 10, tzinfo=MADRID)
    february = datetime.datetime(2026, 2, 3, 10, tzinfo=MADRID)
    for score, when in ((5, january), (4, january), (2, february)):
        _rated(admin, north, rep_north, score, when)
    _rated(admin, south, rep_south, 1, february)
    return {"north": north, "south": south}


def test_csat_per_agent_queue_and_month(admin: Any, ratings: Any, rep_north: Any) -> None:
    by_queue = csat_summary(user=admin, group_by="queue")
    assert [(r.label, r.count, r.satisfied, r.csat, r.average) for r in by_queue] == [
        ("Complaints", 1, 0, Decimal("0.0"), Decimal("1.00")),
        ("Support", 3, 2, Decimal("66.7"), Decimal("3.67")),
    ]
    by_month = csat_summary(user=admin, group_by="month")
    assert [(r.key, r.count) for r in by_month] == [
        (datetime.date(2026, 1, 1), 2),
        (datetime.date(2026, 2, 1), 2),
    ]
    by_agent = csat_summary(user=admin, group_by="agent")
    assert {r.key: r.count for r in by_agent} == {rep_north.pk: 3, by_agent[1].key: 1}
    total = csat_total(by_queue)
    assert (total.count, total.csat, total.average) == (4, Decimal("50.0"), Decimal("3.00"))
    february = csat_summary(
        user=admin,
        group_by="queue",
        start=datetime.date(2026, 2, 1),
        end=datetime.date(2026, 2, 28),
    )
    assert sum(r.count for r in february) == 2
    with pytest.raises(ValueError, match="group_by"):
        csat_summary(user=admin, group_by="team")


def test_a_rep_counts_only_the_tickets_they_may_see(ratings: Any, rep_south: Any) -> None:
    rows = csat_summary(user=rep_south, group_by="queue")
    assert [(r.label, r.count) for r in rows] == [("Complaints", 1)]


def test_the_reports_chart_and_download_what_the_user_may_see(
    client: Any, ratings: Any, rep_south: Any
) -> None:
    client.force_login(rep_south)
    period = {"date_from": "2026-01-01", "date_to": "2026-12-31"}
    page = client.get(reverse("service:reports"), period)
    assert page.status_code == 200
    html = page.content.decode()
    for key in ("csat-by-agent", "csat-by-queue", "csat-by-month"):
        assert reverse("service:report-csv", args=[key]) in html
    assert "Satisfaction by queue" in html
    csv = client.get(reverse("service:report-csv", args=["csat-by-queue"]), period)
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0] == "Queue,Ratings,Satisfied (4–5),CSAT,Average score"
    # The South agent sees the South queue's one rating, not North's three.
    assert lines[1:] == ["Complaints,1,0,0.0,1.0"]
    february = client.get(
        reverse("service:report-csv", args=["csat-by-month"]),
        {"date_from": "2026-02-01", "date_to": "2026-02-28"},
    )
    assert february.content.decode().splitlines()[1:] == ["February 2026,1,0,0.0,1.0"]


def test_without_the_ticket_read_right_there_is_no_report(client: Any, marketer: Any) -> None:
    client.force_login(marketer)
    expected = 200 if can(marketer, "read", Ticket.RESOURCE) else 404
    url = reverse("service:report-csv", args=["csat-by-queue"])
    assert client.get(url).status_code == expected


# --- tags and custom fields -----------------------------------------------------------------


@pytest.fixture
def warranty(admin: Any) -> Any:
    return custom_field_create(
        actor=admin,
        resource=Ticket.RESOURCE,
        key="warranty",
        label="Warranty",
        field_type="choice",
        choices=["yes", "no"],
    )


def test_tags_and_custom_fields_through_the_api(admin: Any, warranty: Any) -> None:
    api = Api(admin, ("service:read", "service:write"))
    made = api.post(
        "/api/v1/tickets",
        {"subject": "Broken", "tags": ["vip", "Return"], "custom": {"warranty": "yes"}},
    )
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["tags"], body["custom"], body["rating"]) == (
        ["Return", "vip"],
        {"warranty": "yes"},
        None,
    )
    tag_id = Ticket.objects.get(pk=body["id"]).tags.get(name="vip").pk
    listed = api.get("/api/v1/tickets", {"tag": tag_id}).json()["items"]
    assert [t["id"] for t in listed] == [body["id"]]
    for bad, field in (
        ({"custom": {"warranty": "maybe"}}, "custom.warranty"),
        ({"custom": {"colour": "red"}}, "custom.colour"),
        ({"tags": ["x" * 51]}, "tags"),
    ):
        answer = api.patch(f"/api/v1/tickets/{body['id']}", bad)
        assert answer.status_code == 422, answer.json()
        assert field in str(answer.json())
    ticket = Ticket.objects.get(pk=body["id"])
    assert ticket.custom == {"warranty": "yes"}
    assert sorted(t.name for t in ticket.tags.all()) == ["Return", "vip"]


def test_tags_and_custom_fields_on_the_form(client: Any, admin: Any, warranty: Any) -> None:
    client.force_login(admin)
    form = client.get(reverse("service:ticket-create")).content.decode()
    assert 'name="cf_warranty"' in form
    assert 'name="tags"' in form
    data = {
        "subject": "Broken",
        "type": "question",
        "priority": "normal",
        "status": "new",
        "channel": "phone",
        "language": "en",
        "tags": "vip, return",
        "cf_warranty": "nope",
    }
    refused = client.post(reverse("service:ticket-create"), data)
    assert refused.status_code in (200, 422)
    assert not Ticket.objects.exists()
    saved = client.post(reverse("service:ticket-create"), {**data, "cf_warranty": "no"})
    assert saved.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.custom == {"warranty": "no"}
    assert sorted(t.name for t in ticket.tags.all()) == ["return", "vip"]
    page = client.get(reverse("service:ticket-detail", args=[ticket.pk])).content.decode()
    assert 'id="ticket-tags"' in page
    assert "Warranty" in page
    tag = ticket.tags.get(name="vip")
    listed = client.get(reverse("service:ticket-list"), {"tag": tag.pk}).content.decode()
    assert ticket.subject in listed
    settings_page = client.get(reverse("core:custom-field-list")).content.decode()
    assert 'value="service.ticket"' in settings_page
