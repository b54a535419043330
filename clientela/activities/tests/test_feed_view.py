"""The private calendar feed: its URL from the API, the .ics a calendar app fetches
(parsed back with icalendar), renewal, and revoked or unknown tokens."""

from __future__ import annotations

import datetime
from typing import Any

import icalendar
import pytest
from django.test import Client

from clientela.activities.tests.test_api import APPOINTMENTS, READ_WRITE, TASKS, iso, meeting, soon
from clientela.core.testing.api import Api

pytestmark = pytest.mark.django_db

FEED_URL = "/api/v1/calendar/feed-url"


@pytest.fixture
def north(rep_north: Any) -> Api:
    return Api(rep_north, READ_WRITE)


def fetch(url: str) -> Any:
    """What a phone does: a plain GET of the URL, no login, no token header."""
    return Client().get(url.removeprefix("http://testserver"))


def test_feed_url_flow(north: Api, rep_north: Any, rep_north2: Any, rep_south: Any) -> None:
    start = soon(24)
    visit = north.post(
        APPOINTMENTS,
        meeting(start, title="Visit Acme", location="Gran Vía 1", time_zone="Europe/Madrid"),
    ).json()
    invited = (
        Api(rep_north2, READ_WRITE)
        .post(
            APPOINTMENTS,
            meeting(start + datetime.timedelta(days=1), title="Team lunch")
            | {"attendee_ids": [rep_north.pk]},
        )
        .json()
    )
    call = north.post(TASKS, {"title": "Call Ana", "due_at": iso(start), "priority": "high"}).json()
    done = north.post(TASKS, {"title": "Done already"}).json()
    north.post(f"{TASKS}/{done['id']}/complete", {})
    Api(rep_south, READ_WRITE).post(APPOINTMENTS, meeting(start, title="Not mine"))

    response = north.get(FEED_URL)
    assert response.status_code == 200, response.content
    url = response.json()["url"]
    assert url.startswith("http://testserver/calendar/")
    assert url.endswith(".ics")

    feed = fetch(url)
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(feed.content)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Visit Acme", "Team lunch"}
    event = events["Visit Acme"]
    assert event.decoded("dtstart") == datetime.datetime.fromisoformat(visit["start_at"])
    assert event.decoded("dtend") == datetime.datetime.fromisoformat(visit["end_at"])
    assert str(event["dtstart"].params["TZID"]) == "Europe/Madrid"
    assert str(event["location"]) == "Gran Vía 1"
    assert events["Team lunch"].decoded("dtstart") == datetime.datetime.fromisoformat(
        invited["start_at"]
    )
    todos = calendar.walk("VTODO")
    assert [str(t["summary"]) for t in todos] == ["Call Ana"]
    assert todos[0].decoded("due") == datetime.datetime.fromisoformat(call["due_at"])

    # Asking again shows the same URL; it keeps working.
    again = north.get(FEED_URL)
    assert again.status_code == 200
    assert again.json()["url"] == url
    assert fetch(url).status_code == 200

    renewed = north.post(FEED_URL, {})
    assert renewed.status_code == 200, renewed.content
    new_url = renewed.json()["url"]
    assert new_url != url
    assert fetch(url).status_code == 404
    assert fetch(new_url).status_code == 200


def test_feeds_are_per_user(north: Api, rep_south: Any) -> None:
    Api(rep_south, READ_WRITE).post(APPOINTMENTS, meeting(soon(), title="Southern visit"))
    south_url = Api(rep_south, READ_WRITE).get(FEED_URL).json()["url"]
    north_url = north.get(FEED_URL).json()["url"]
    assert north_url != south_url
    north_feed = icalendar.Calendar.from_ical(fetch(north_url).content)
    assert north_feed.walk("VEVENT") == []
    south_feed = icalendar.Calendar.from_ical(fetch(south_url).content)
    assert [str(e["summary"]) for e in south_feed.walk("VEVENT")] == ["Southern visit"]


@pytest.mark.parametrize("token", ["nope", "x" * 300, "%00"])
def test_unknown_token_is_404(north: Api, token: str) -> None:
    north.get(FEED_URL)
    assert Client().get(f"/calendar/{token}.ics").status_code == 404


def test_feed_of_a_deactivated_user_is_404(north: Api, rep_north: Any) -> None:
    url = north.get(FEED_URL).json()["url"]
    rep_north.is_active = False
    rep_north.save(update_fields=["is_active"])
    assert fetch(url).status_code == 404


def test_feed_only_answers_reads(north: Api) -> None:
    url = north.get(FEED_URL).json()["url"].removeprefix("http://testserver")
    assert Client().post(url).status_code == 405
    assert Client().head(url).status_code == 200


def test_feed_url_needs_a_token_and_the_scopes(rep_north: Any) -> None:
    assert Client().get(FEED_URL).status_code == 401
    reader = Api(rep_north, ("activities:read",))
    denied = reader.post(FEED_URL, {})
    assert denied.status_code == 403
    assert denied.json()["required_scope"] == "activities:write"
    contacts_only = Api(rep_north, ("contacts:read",))
    assert contacts_only.get(FEED_URL).status_code == 403
