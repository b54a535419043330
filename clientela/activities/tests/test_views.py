"""The activities pages: the timeline panel on person and organization pages, "My day",
the notification bell and the activities preferences (tasks and appointments are in
``test_views_tasks.py``)."""

from __future__ import annotations

import datetime
from typing import Any, cast

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clientela.activities import services
from clientela.activities.models import ActivityPreferences, Interaction, Notification, Task
from clientela.activities.selectors import MY_DAY_LIMIT
from clientela.contacts.birthdays import Birthday

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def count_queries(action: Any) -> int:
    count = 0

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        action()
    return count


def log(actor: Any, person: Any, **data: Any) -> Interaction:
    data.setdefault("channel", "call")
    data.setdefault("occurred_at", timezone.now())
    return services.interaction_create(
        actor=actor, data=cast(Any, {"person_ids": [person.pk], **data})
    )


def log_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "channel": "call",
        "direction": "out",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "12",
        "subject": "Called about the renewal",
        "body": "She wants a quote.",
        "outcome": "Quote to send",
    }
    data.update(overrides)
    return data


# --- the timeline panel ---------------------------------------------------------------


def test_person_page_shows_the_timeline_with_escaped_entries(
    client: Any, rep_north: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north)
    log(rep_north, person, subject="<script>alert(1)</script>", body="Line <b>one</b>")
    client.force_login(rep_north)
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert 'id="panel-timeline"' in page
    assert "Log an interaction" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
    assert "Line &lt;b&gt;one&lt;/b&gt;" in page
    assert f"/tasks/new/?person={person.pk}" in page
    assert f"/appointments/new/?person={person.pk}" in page


def test_a_note_shows_no_direction_a_call_does(
    client: Any, rep_north: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north)
    note_pk = log(rep_north, person, channel="note", subject="Likes green").pk
    call_pk = log(rep_north, person, channel="call", direction="in", subject="Called us").pk
    client.force_login(rep_north)
    page: str = client.get(f"/people/{person.pk}/").content.decode()

    def entry(pk: int) -> str:
        start = page.index(f'id="entry-interaction-{pk}"')
        return page[start : page.index("</li>", start)]

    note, call = entry(note_pk), entry(call_pk)
    assert "Inbound" in call
    assert "Inbound" not in note
    assert "Outbound" not in note


def test_log_an_interaction_inline_prepends_the_entry(
    client: Any, rep_north: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north)
    client.force_login(rep_north)
    response = client.post(f"/timeline/person/{person.pk}/log/", log_form(), **HTMX)
    assert response.status_code == 200
    interaction = Interaction.objects.get()
    assert list(interaction.people.all()) == [person]
    assert interaction.owner == rep_north
    assert interaction.duration_minutes == 12
    body = response.content.decode()
    assert 'hx-swap-oob="afterbegin:#timeline-entries-person"' in body
    assert f'id="entry-interaction-{interaction.pk}"' in body
    assert "Called about the renewal" in body


def test_log_on_an_organization_links_the_organization(
    client: Any, rep_north: Any, organization_factory: Any
) -> None:
    org = organization_factory(rep_north)
    client.force_login(rep_north)
    client.post(f"/timeline/organization/{org.pk}/log/", log_form(), **HTMX)
    assert Interaction.objects.get().organization == org
    page = client.get(f"/organizations/{org.pk}/").content.decode()
    assert "Called about the renewal" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"channel": "pigeon"}, "Select a valid choice"),
        ({"occurred_at": "yesterday-ish"}, "Enter a valid date/time"),
        ({"duration_minutes": "-5"}, "greater than or equal to 0"),
        ({"subject": "x" * 201}, "at most 200 characters"),
    ],
)
def test_log_bad_input_shows_errors_and_saves_nothing(
    client: Any, rep_north: Any, person_factory: Any, overrides: dict[str, str], message: str
) -> None:
    person = person_factory(rep_north)
    client.force_login(rep_north)
    response = client.post(f"/timeline/person/{person.pk}/log/", log_form(**overrides), **HTMX)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "hx-swap-oob" not in response.content.decode()
    assert not Interaction.objects.exists()


def test_log_refuses_a_forbidden_attachment(
    client: Any, rep_north: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north)
    client.force_login(rep_north)
    upload = SimpleUploadedFile("tool.exe", b"MZ\x90\x00rest", content_type="application/x-dosexec")
    response = client.post(
        f"/timeline/person/{person.pk}/log/", {**log_form(), "attachments": upload}, **HTMX
    )
    assert "is-invalid" in response.content.decode() or "alert-danger" in response.content.decode()
    assert not Interaction.objects.exists()


def test_attachment_is_listed_and_downloaded_only_by_who_may_see_it(
    client: Any, rep_north: Any, rep_south: Any, person_factory: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    person = person_factory(rep_north)
    client.force_login(rep_north)
    upload = SimpleUploadedFile("notes.txt", b"minutes of the call", content_type="text/plain")
    client.post(f"/timeline/person/{person.pk}/log/", {**log_form(), "attachments": upload})
    interaction = Interaction.objects.get()
    attachment = interaction.attachments.get()
    url = f"/interactions/{interaction.pk}/attachments/{attachment.pk}/"
    assert url in client.get(f"/people/{person.pk}/").content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"minutes of the call"
    assert "attachment" in response["Content-Disposition"]
    client.force_login(rep_south)
    assert client.get(url).status_code == 404


def test_timeline_filters_by_channel_and_user(
    client: Any, rep_north: Any, rep_north2: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north)
    log(rep_north, person, channel="call", subject="A phone call")
    log(rep_north2, person, channel="email", subject="An e-mail")
    client.force_login(rep_north)
    url = f"/timeline/person/{person.pk}/"
    calls = client.get(url, {"channel": "call"}).content.decode()
    assert "A phone call" in calls
    assert "An e-mail" not in calls
    by_ned = client.get(url, {"user": rep_north2.pk}).content.decode()
    assert "An e-mail" in by_ned
    assert "A phone call" not in by_ned
    # A channel that does not exist is no filter at all, not an error.
    assert "A phone call" in client.get(url, {"channel": "nope", "user": "x"}).content.decode()


def test_load_more_pages_through_the_timeline(
    client: Any, rep_north: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north)
    start = timezone.now() - datetime.timedelta(days=1)
    for i in range(30):
        log(
            rep_north,
            person,
            subject=f"Call {i:02d}",
            occurred_at=start + datetime.timedelta(minutes=i),
        )
    client.force_login(rep_north)
    first = client.get(f"/timeline/person/{person.pk}/", {"channel": "call"}).content.decode()
    assert "Call 29" in first
    assert "Call 05" in first
    assert "Call 04" not in first
    assert "Load more" in first
    more_url = first.split('hx-get="')[-1].split('"')[0].replace("&amp;", "&")
    second = client.get(more_url).content.decode()
    assert "Call 04" in second
    assert "Call 00" in second
    assert "Call 05" not in second
    assert "Load more" not in second
    # A malformed cursor starts from the newest rather than failing.
    assert (
        "Call 29"
        in client.get(f"/timeline/person/{person.pk}/", {"before": "junk"}).content.decode()
    )


def test_timeline_page_costs_the_same_queries_for_more_entries(
    client: Any, rep_north: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north)
    client.force_login(rep_north)
    url = f"/timeline/person/{person.pk}/"
    log(rep_north, person)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(20):
        log(rep_north, person, subject=f"More {i}")
    with CaptureQueriesContext(connection) as many:
        assert "More 19" in client.get(url).content.decode()
    assert len(many) == len(few)


def test_other_team_gets_404_and_never_sees_south_activities(
    client: Any, rep_north: Any, rep_south: Any, marketer: Any, person_factory: Any
) -> None:
    north_person = person_factory(rep_north)
    # Marketing sees every person, so it can log on a North person; its interaction
    # belongs to the South team, which a North sales rep does not see.
    log(marketer, north_person, subject="South marketing call")
    log(rep_north, north_person, subject="North call")
    client.force_login(rep_north)
    page = client.get(f"/people/{north_person.pk}/").content.decode()
    assert "North call" in page
    assert "South marketing call" not in page
    client.force_login(rep_south)
    assert client.get(f"/timeline/person/{north_person.pk}/").status_code == 404
    response = client.post(f"/timeline/person/{north_person.pk}/log/", log_form(), **HTMX)
    assert response.status_code == 404
    assert Interaction.objects.count() == 2
    assert client.get(f"/timeline/deal/{north_person.pk}/").status_code == 404


def test_private_interaction_is_shown_only_to_its_author(
    client: Any, rep_north: Any, rep_north2: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north)
    log(rep_north2, person, subject="My private note", channel="note", is_private=True)
    client.force_login(rep_north)
    assert "My private note" not in client.get(f"/people/{person.pk}/").content.decode()
    client.force_login(rep_north2)
    assert "My private note" in client.get(f"/people/{person.pk}/").content.decode()


def test_timeline_needs_login(client: Any, rep_north: Any, person_factory: Any) -> None:
    person = person_factory(rep_north)
    response = client.get(f"/timeline/person/{person.pk}/")
    assert response.status_code == 302
    assert "/account/login/" in response.url


# --- My day -----------------------------------------------------------------------------


def test_my_day_is_the_home_page(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    assert client.get("/").url == "/my-day/"


def test_my_day_lists_tasks_appointments_birthdays_and_notifications(
    client: Any, rep_north: Any, person_factory: Any
) -> None:
    now = timezone.localtime()
    today = now.date()
    person = person_factory(
        rep_north, first_name="Bea", last_name="Birthday", birthday=today.replace(year=1990)
    )
    services.task_create(
        actor=rep_north, data={"title": "Late task", "due_at": now - datetime.timedelta(days=2)}
    )
    end_of_day = now.replace(hour=23, minute=59)
    services.task_create(actor=rep_north, data={"title": "Today task", "due_at": end_of_day})
    services.appointment_create(
        actor=rep_north,
        data={
            "title": "Lunch with Bea",
            "start_at": end_of_day - datetime.timedelta(minutes=30),
            "end_at": end_of_day,
            "attendee_ids": [rep_north.pk],
            "time_zone": "UTC",
        },
    )
    log(rep_north, person, subject="Chatted with Bea")
    Notification.objects.create(user=rep_north, title="Reminder: call Bea")
    client.force_login(rep_north)
    page = client.get("/my-day/").content.decode()
    for text in (
        "Late task",
        "Today task",
        "Lunch with Bea",
        "Bea Birthday",
        "Chatted with Bea",
        "Reminder: call Bea",
        "Send greeting",
    ):
        assert text in page, text


def test_send_birthday_greeting_in_one_click(
    client: Any, rep_north: Any, person_factory: Any
) -> None:
    today = timezone.localdate()
    person = person_factory(
        rep_north, first_name="Bea", birthday=today.replace(year=1990), email="bea@example.com"
    )
    client.force_login(rep_north)
    response = client.post(f"/my-day/birthdays/{person.pk}/greet/", follow=True)
    assert "Birthday greeting sent to" in response.content.decode()
    assert [m.to for m in mail.outbox] == [["bea@example.com"]]
    greeting = Interaction.objects.get()
    assert greeting.channel == "email"
    assert list(greeting.people.all()) == [person]


def test_birthday_greeting_without_email_is_an_error_and_logs_nothing(
    client: Any, rep_north: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north, birthday=Birthday(1, 1, 1990))
    client.force_login(rep_north)
    response = client.post(f"/my-day/birthdays/{person.pk}/greet/", follow=True)
    assert "no e-mail address" in response.content.decode()
    assert not Interaction.objects.exists()
    assert not mail.outbox


def test_birthday_greeting_for_an_invisible_person_is_404(
    client: Any, rep_north: Any, rep_south: Any, person_factory: Any
) -> None:
    person = person_factory(rep_south, email="south@example.com")
    client.force_login(rep_north)
    assert client.post(f"/my-day/birthdays/{person.pk}/greet/").status_code == 404
    assert client.get(f"/my-day/birthdays/{person.pk}/greet/").status_code == 405
    assert not mail.outbox


# --- notifications ----------------------------------------------------------------------


def test_bell_is_in_the_header_and_refreshes_itself(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    page = client.get("/people/").content.decode()
    assert 'id="notification-bell"' in page
    assert 'hx-get="/notifications/badge/" hx-trigger="load, every 30s" hx-target="this"' in page


def test_badge_counts_unread_and_read_marks(client: Any, rep_north: Any, rep_south: Any) -> None:
    first = Notification.objects.create(user=rep_north, title="One", url="/tasks/")
    Notification.objects.create(user=rep_north, title="Two")
    other = Notification.objects.create(user=rep_south, title="Not yours")
    client.force_login(rep_north)
    assert 'data-unread="2"' in client.get("/notifications/badge/").content.decode()
    menu = client.get("/notifications/menu/").content.decode()
    assert "One" in menu
    assert "Two" in menu
    assert "Not yours" not in menu
    response = client.post(f"/notifications/{first.pk}/read/", {"open": "1"})
    assert response.url == "/tasks/"
    assert 'data-unread="1"' in client.get("/notifications/badge/").content.decode()
    assert client.post(f"/notifications/{other.pk}/read/").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None
    client.post("/notifications/read-all/", **HTMX)
    assert "data-unread" not in client.get("/notifications/badge/").content.decode()
    assert Notification.objects.filter(user=rep_south, read_at__isnull=True).count() == 1


def test_notification_with_an_outside_url_does_not_redirect_there(
    client: Any, rep_north: Any
) -> None:
    notification = Notification.objects.create(
        user=rep_north, title="x", url="https://evil.example/"
    )
    client.force_login(rep_north)
    response = client.post(f"/notifications/{notification.pk}/read/", {"open": "1"})
    assert response.url == "/notifications/"


def test_notification_list_page(client: Any, rep_north: Any) -> None:
    Notification.objects.create(user=rep_north, title="Seen", read_at=timezone.now())
    Notification.objects.create(user=rep_north, title="Fresh")
    client.force_login(rep_north)
    everything = client.get("/notifications/").content.decode()
    assert "Seen" in everything
    assert "Fresh" in everything
    unread = client.get("/notifications/", {"unread": "1"}).content.decode()
    assert "Fresh" in unread
    assert "Seen" not in unread


def test_badge_stops_polling_once_logged_out(client: Any) -> None:
    response = client.get("/notifications/badge/", **HTMX)
    assert response.status_code == 286
    assert response.content == b""


# --- preferences ----------------------------------------------------------------------


def test_activity_preferences_are_saved(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    page = client.get("/account/activities/").content.decode()
    assert "Calendar feed" in page
    assert "Reminders and calendar" in page
    response = client.post("/account/activities/", {"auto_birthday_greetings": "on"}, follow=True)
    assert "Preferences saved." in response.content.decode()
    prefs = ActivityPreferences.objects.get(user=rep_north)
    assert prefs.email_reminders is False
    assert prefs.auto_birthday_greetings is True


def _feed_path(page: str) -> str:
    url = page.split('id="feed-url"')[0].rsplit('value="', 1)[1].split('"')[0]
    return url.split("testserver", 1)[1]


def test_the_feed_url_is_shown_again_and_renewing_revokes_the_old_one(
    client: Any, rep_north: Any
) -> None:
    client.force_login(rep_north)
    path = _feed_path(client.get("/account/activities/").content.decode())
    assert path.startswith("/calendar/")
    assert path.endswith(".ics")
    assert _feed_path(client.get("/account/activities/").content.decode()) == path
    client.logout()
    assert client.get(path).status_code == 200
    client.force_login(rep_north)
    renewed = client.post("/account/activities/feed/renew/", follow=True).content.decode()
    new_path = _feed_path(renewed)
    assert new_path != path
    assert "new address" in renewed
    assert client.get(path).status_code == 404
    assert client.get(new_path).status_code == 200


def test_renew_needs_post(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    assert client.get("/account/activities/feed/renew/").status_code == 405


def test_my_day_queries_do_not_grow_with_rows(
    client: Any, rep_north: Any, person_factory: Any, organization_factory: Any
) -> None:
    now = timezone.localtime()
    org = organization_factory(rep_north)

    def add_rows(n: int) -> None:
        for i in range(n):
            person = person_factory(rep_north, birthday=now.date().replace(year=1980))
            services.task_create(
                actor=rep_north,
                data={
                    "title": f"Late {i}",
                    "due_at": now - datetime.timedelta(days=1),
                    "person_ids": [person.pk],
                    "organization_id": org.pk,
                },
            )
            log(rep_north, person, subject=f"Talk {i}")
            Notification.objects.create(user=rep_north, title=f"Note {i}")

    add_rows(1)
    client.force_login(rep_north)
    client.get("/my-day/")
    # Counted with an execute wrapper rather than CaptureQueriesContext: the birthday
    # query's SQL holds a literal "%m", which Django's query logging cannot format.
    few = count_queries(lambda: client.get("/my-day/"))
    add_rows(6)
    many = count_queries(lambda: client.get("/my-day/"))
    assert "Late 5" in client.get("/my-day/").content.decode()
    assert many == few


def test_account_pages_show_the_activities_tab(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    page = client.get("/account/preferences/").content.decode()
    assert 'href="/account/activities/"' in page


def test_top_bar_has_my_day_tasks_and_calendar(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    page = client.get("/my-day/").content.decode()
    for url in ("/my-day/", "/tasks/", "/calendar/"):
        assert f'href="{url}"' in page


def test_my_day_shows_an_overview_and_links_to_the_rest(client: Any, rep_north: Any) -> None:
    yesterday = timezone.now() - datetime.timedelta(days=1)
    for n in range(MY_DAY_LIMIT + 3):
        services.task_create(
            actor=rep_north, data=cast(Any, {"title": f"Late {n}", "due_at": yesterday})
        )
    client.force_login(rep_north)
    page = client.get("/my-day/").content.decode()
    assert (
        page.count('class="list-group-item d-flex align-items-start gap-2 task-item"')
        == MY_DAY_LIMIT
    )
    assert f"{MY_DAY_LIMIT}+" in page
    assert "/tasks/?view=overdue" in page
    assert Task.objects.count() == MY_DAY_LIMIT + 3
