"""Upcoming birthdays, the greeting e-mail in the person's language (received by a
real SMTP server), its entry on the timeline, and the automatic greeting."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from clientela.activities import birthdays, services
from clientela.activities.birthdays import upcoming_birthdays
from clientela.activities.models import Interaction
from clientela.activities.tasks import ensure_birthday_greetings_scheduled
from clientela.activities.timeline import timeline
from clientela.contacts.birthdays import Birthday
from clientela.core.errors import NotFound
from clientela.core.services.company import company_profile_update

pytestmark = pytest.mark.django_db


def test_celebrated_on_keeps_feb_29_on_feb_28_in_common_years() -> None:
    for leapling in (Birthday(2, 29, 2000), Birthday(2, 29)):
        assert leapling.on(2027) == datetime.date(2027, 2, 28)
        assert leapling.on(2028) == datetime.date(2028, 2, 29)


def _freeze_today(monkeypatch: Any, day: datetime.date) -> None:
    noon = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    monkeypatch.setattr(timezone, "now", lambda: noon)


def test_upcoming_birthdays_next_7_days_visible_only(
    rep_north: Any, rep_south: Any, person_factory: Any, monkeypatch: Any
) -> None:
    _freeze_today(monkeypatch, datetime.date(2027, 12, 28))
    today = person_factory(rep_north, first_name="Today", birthday=Birthday(12, 28, 1980))
    new_year = person_factory(rep_north, first_name="NewYear", birthday=Birthday(1, 2, 1990))
    person_factory(rep_north, first_name="TooLate", birthday=Birthday(1, 4, 1990))
    person_factory(rep_north, first_name="Past", birthday=Birthday(12, 27, 1990))
    person_factory(rep_south, first_name="South", birthday=Birthday(12, 29, 1990))
    found = upcoming_birthdays(user=rep_north)
    assert [b.person for b in found] == [today, new_year]
    assert found[0].is_today
    assert found[0].age == 47
    assert found[1].date == datetime.date(2028, 1, 2)
    assert found[1].days_away == 5


def test_feb_29_birthday_shows_on_feb_28_in_common_years(
    rep_north: Any, person_factory: Any, monkeypatch: Any
) -> None:
    leapling = person_factory(rep_north, birthday=Birthday(2, 29, 2000))
    _freeze_today(monkeypatch, datetime.date(2027, 2, 25))
    (found,) = upcoming_birthdays(user=rep_north)
    assert found.person == leapling
    assert found.date == datetime.date(2027, 2, 28)
    _freeze_today(monkeypatch, datetime.date(2028, 2, 25))
    (found,) = upcoming_birthdays(user=rep_north)
    assert found.date == datetime.date(2028, 2, 29)


@pytest.mark.parametrize(
    ("language", "subject", "greeting"),
    [
        ("en", "Happy birthday, Ana Pérez!", "Dear Ana Pérez"),
        ("es", "¡Feliz cumpleaños, Ana Pérez!", "Estimado/a Ana Pérez"),
    ],
)
def test_greeting_is_sent_in_the_persons_language_and_logged(
    rep_north: Any,
    person_factory: Any,
    settings: Any,
    smtp_server: Any,
    language: str,
    subject: str,
    greeting: str,
) -> None:
    smtp_server.use(settings)
    settings.DEFAULT_FROM_EMAIL = "Tienda Ana <shop@example.com>"
    person = person_factory(
        rep_north,
        first_name="Ana",
        last_name="Pérez",
        email="ana.perez@example.com",
        preferred_language=language,
        birthday=Birthday(3, 1, 1985),
    )
    interaction = birthdays.birthday_greeting_send(actor=rep_north, person=person)
    (message,) = smtp_server.messages
    assert message["Subject"] == subject
    assert message["From"] == "Tienda Ana <shop@example.com>"
    assert message["To"] == "ana.perez@example.com"
    assert message.get_content_charset() == "utf-8"
    body = message.get_content()
    assert body.startswith(greeting)
    assert "Tienda Ana" in body
    assert interaction.channel == "email"
    assert interaction.direction == "out"
    assert interaction.subject == subject
    page = timeline(user=rep_north, person=person)
    assert interaction in [e.obj for e in page.entries]


def test_greeting_needs_an_email_and_a_visible_person(
    rep_north: Any, rep_south: Any, person_factory: Any, settings: Any, smtp_server: Any
) -> None:
    smtp_server.use(settings)
    no_email = person_factory(rep_north)
    with pytest.raises(ValidationError) as exc:
        birthdays.birthday_greeting_send(actor=rep_north, person=no_email)
    assert "email" in exc.value.message_dict
    south = person_factory(rep_south, email="s@example.com")
    with pytest.raises(NotFound):
        birthdays.birthday_greeting_send(actor=rep_north, person=south)
    assert not Interaction.objects.exists()
    assert smtp_server.messages == []


def test_mail_server_refusing_logs_nothing(
    rep_north: Any, person_factory: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    person = person_factory(rep_north, email="a@example.com")
    with pytest.raises(ValidationError) as exc:
        birthdays.birthday_greeting_send(actor=rep_north, person=person)
    assert "email" in exc.value.message_dict
    assert not Interaction.objects.exists()


def test_automatic_greeting_once_per_person_per_year(
    rep_north: Any, rep_north2: Any, person_factory: Any, settings: Any, smtp_server: Any
) -> None:
    smtp_server.use(settings)
    today = timezone.localdate()
    born = today.replace(year=1990) if (today.month, today.day) != (2, 29) else today
    mine = person_factory(rep_north, email="mine@example.com", birthday=born)
    person_factory(rep_north, email="nobday@example.com")
    person_factory(rep_north2, email="other@example.com", birthday=born)  # owner opted out
    services.activity_preferences_update(
        user=rep_north, email_reminders=True, auto_birthday_greetings=True
    )
    assert birthdays.send_automatic_greetings() == 1
    assert birthdays.send_automatic_greetings() == 0
    assert [m["To"] for m in smtp_server.messages] == ["mine@example.com"]
    assert Interaction.objects.filter(people=mine, related_type="birthday").count() == 1


@pytest.mark.django_db(transaction=True)
def test_hourly_greeting_run_is_queued_once_and_requeues_itself(
    rep_north: Any, person_factory: Any, settings: Any, smtp_server: Any
) -> None:
    smtp_server.use(settings)
    today = timezone.localdate()
    born = today.replace(year=1990) if (today.month, today.day) != (2, 29) else today
    person_factory(rep_north, email="mine@example.com", birthday=born)
    services.activity_preferences_update(
        user=rep_north, email_reminders=True, auto_birthday_greetings=True
    )
    assert ensure_birthday_greetings_scheduled() is True
    assert ensure_birthday_greetings_scheduled() is False
    queued = DBTaskResult.objects.get(task_path__endswith="send_birthday_greetings")
    assert queued.run_after > timezone.now()
    DBTaskResult.objects.update(run_after=timezone.now())
    call_command("db_worker", batch=True, interval=0, verbosity=0)
    assert [m["To"] for m in smtp_server.messages] == ["mine@example.com"]
    waiting = DBTaskResult.objects.filter(
        task_path__endswith="send_birthday_greetings", status="READY"
    )
    assert waiting.count() == 1
    assert waiting.get().run_after > timezone.now()


def test_upcoming_birthdays_work_with_sql_logging_on(rep_north: Any, person_factory: Any) -> None:
    # With DEBUG (or a debug cursor) Django logs each query by "%"-formatting it with
    # its parameters; a stray "%m" in the SQL then raised a 500 on "My day".

    person_factory(rep_north, birthday=Birthday(1, 1, 1990))
    connection.force_debug_cursor = True
    try:
        upcoming_birthdays(user=rep_north, days=366)
    finally:
        connection.force_debug_cursor = False


def test_greeting_ends_with_the_company_footer_in_the_persons_language(
    admin: Any, rep_north: Any, person_factory: Any, mailoutbox: list[Any]
) -> None:
    company_profile_update(
        actor=admin,
        data={"name": "Ana & Co", "legal_name": "Tienda Ana S.L.", "tax_id": "B1 & B2"},
    )
    person = person_factory(
        rep_north,
        first_name="Ana",
        last_name="O'Neil",
        email="ana@example.com",
        preferred_language="es",
    )
    birthdays.birthday_greeting_send(actor=rep_north, person=person)
    (message,) = mailoutbox
    # Plain text: nothing is HTML-escaped.
    assert message.body.startswith("Estimado/a Ana O'Neil:")
    assert "Todo el equipo de Ana & Co" in message.body
    assert message.body.rstrip().endswith("Tienda Ana S.L. · Id. fiscal: B1 & B2")


def test_birthdays_without_a_year_across_new_year(
    rep_north: Any, person_factory: Any, monkeypatch: Any
) -> None:
    _freeze_today(monkeypatch, datetime.date(2027, 12, 28))
    today = person_factory(rep_north, first_name="Today", birthday="--12-28")
    full = person_factory(rep_north, first_name="Full", birthday=Birthday(12, 31, 1990))
    last_day = person_factory(rep_north, first_name="LastDay", birthday="--01-03")
    person_factory(rep_north, first_name="TooLate", birthday="--01-04")
    person_factory(rep_north, first_name="Leap", birthday="--02-29")
    found = upcoming_birthdays(user=rep_north)
    assert [b.person for b in found] == [today, full, last_day]
    assert [b.date for b in found] == [
        datetime.date(2027, 12, 28),
        datetime.date(2027, 12, 31),
        datetime.date(2028, 1, 3),
    ]
    # No year, no age; the full date still says it.
    assert [b.age for b in found] == [None, 37, None]
    assert found[0].is_today


def test_feb_29_without_a_year_is_greeted_on_feb_28_in_common_years(
    rep_north: Any, person_factory: Any, settings: Any, smtp_server: Any, monkeypatch: Any
) -> None:
    smtp_server.use(settings)
    leapling = person_factory(rep_north, email="leap@example.com", birthday="--02-29")
    person_factory(rep_north, email="march@example.com", birthday="--03-01")
    services.activity_preferences_update(
        user=rep_north, email_reminders=True, auto_birthday_greetings=True
    )
    _freeze_today(monkeypatch, datetime.date(2027, 2, 27))
    assert birthdays.send_automatic_greetings() == 0
    _freeze_today(monkeypatch, datetime.date(2027, 2, 28))
    (found,) = upcoming_birthdays(user=rep_north, days=1)
    assert (found.person, found.is_today, found.age) == (leapling, True, None)
    assert birthdays.send_automatic_greetings() == 1
    assert [m["To"] for m in smtp_server.messages] == ["leap@example.com"]


def test_upcoming_birthdays_read_the_month_day_index(
    admin: Any, person_factory: Any, monkeypatch: Any
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL's planner picks by statistics: any index does for one row")
    _freeze_today(monkeypatch, datetime.date(2027, 12, 28))
    person_factory(admin, birthday="--12-30")
    plan = birthdays.upcoming_people(user=admin).explain()
    assert "person_birthday_idx" in plan, plan


def test_long_windows_read_ranges_across_new_year(
    rep_north: Any, person_factory: Any, monkeypatch: Any
) -> None:
    _freeze_today(monkeypatch, datetime.date(2027, 12, 1))
    december = person_factory(rep_north, first_name="December", birthday="--12-01")
    january = person_factory(rep_north, first_name="January", birthday="--01-29")
    person_factory(rep_north, first_name="Past", birthday="--11-30")
    person_factory(rep_north, first_name="Later", birthday="--01-30")
    found = upcoming_birthdays(user=rep_north, days=60)
    assert [b.person for b in found] == [december, january]
