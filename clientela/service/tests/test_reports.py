"""The service reports on a small hand-made set of tickets whose figures are known:
the backlog by age, SLA attainment, business-hours medians (across a weekend and a
holiday), complaints; who sees what; the page, its CSV downloads and bad periods."""

from __future__ import annotations

import csv
import datetime
import io
import zoneinfo
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clientela.core.models import Team
from clientela.core.tests.test_permissions import set_rights
from clientela.service.choices import TicketStatus, TicketType
from clientela.service.models import Category, Queue, Ticket, TicketRating
from clientela.service.reports import REPORTS, report_of, times
from clientela.service.services import tickets as services
from clientela.service.tests.helpers import make_policy, make_queue

pytestmark = pytest.mark.django_db

MADRID = zoneinfo.ZoneInfo("Europe/Madrid")
#: Monday–Friday 9:00–17:00.
OFFICE_HOURS = [[[540, 1020]]] * 5 + [[], []]
START = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
END = datetime.datetime(2025, 4, 1, tzinfo=datetime.UTC)
PERIOD = {"date_from": "2025-01-01", "date_to": "2025-03-31"}


def at(day: str, hour: float) -> datetime.datetime:
    """Madrid wall-clock time ``hour`` (9.5 is 9:30) of ``day``."""
    date = datetime.date.fromisoformat(day)
    minutes = round(hour * 60)
    return datetime.datetime.combine(date, datetime.time(minutes // 60, minutes % 60), MADRID)


def make(actor: Any, base: dict[str, Any] | None = None, **fields: Any) -> Ticket:
    """A ticket made through the service, then set to a known state (its times and SLA
    columns as they would stand after its history): ``base`` overridden by ``fields``."""
    ticket = services.ticket_create(actor=actor, data={"subject": "Report me"})
    Ticket.objects.filter(pk=ticket.pk).update(**{**(base or {}), **fields})
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def data(admin: Any) -> dict[str, Any]:
    """Five tickets with SLA clocks and one complaint without, January–March 2025.

    t1 Support high, Fri 10 Jan 16:00 → answered Mon 10:00 (2 h; due 9:30: late), solved
       Tue 17:00 (17 h; due Wed: in time). A complaint: Rude agent / Training, solved.
    t2 Billing normal, Fri 14 Mar 12:00 → answered Tue 18 Mar 12:00 across the weekend
       and Monday's holiday (8 h; due 13:00: in time); not solved, its resolution due
       20 Mar and running: breached. A complaint: Late delivery / Courier.
    t3 Support normal, Wed 15 Jan 9:00 → answered 9:30 (0.5 h), solved 15:00 (6 h), both
       in time.
    t4 Support urgent, Mon 3 Feb: answered late, unsolved and breached while running. A
       complaint: Late delivery / Courier.
    t5 Billing low, Mon 10 Feb: paused before its targets: left out of attainment.
    t6 no queue, no SLA, Mon 3 Mar: a complaint without category or cause.
    """
    policy = make_policy(hours=OFFICE_HOURS, country="", subdivision="")
    policy.calendar.extra_holidays = ["2025-03-17"]
    policy.calendar.save()
    support, billing = make_queue("Support"), make_queue("Billing")
    late = Category.objects.create(kind="complaint", name="Late delivery")
    rude = Category.objects.create(kind="complaint", name="Rude agent")
    courier = Category.objects.create(kind="root_cause", name="Courier")
    training = Category.objects.create(kind="root_cause", name="Training")
    common = {"sla_policy": policy, "status": TicketStatus.OPEN, "sla_running_since": None}
    complaint = {"type": TicketType.COMPLAINT}
    return {
        "t1": make(
            admin,
            common | complaint,
            queue=support,
            priority="high",
            created_at=at("2025-01-10", 16),
            first_response_due_at=at("2025-01-13", 9.5),
            first_responded_at=at("2025-01-13", 10),
            resolution_due_at=at("2025-01-15", 12),
            solved_at=at("2025-01-14", 17),
            status=TicketStatus.SOLVED,
            complaint_category=rude,
            root_cause=training,
        ),
        "t2": make(
            admin,
            common | complaint,
            queue=billing,
            priority="normal",
            created_at=at("2025-03-14", 12),
            first_response_due_at=at("2025-03-18", 13),
            first_responded_at=at("2025-03-18", 12),
            resolution_due_at=at("2025-03-20", 12),
            sla_running_since=at("2025-03-18", 12),
            complaint_category=late,
            root_cause=courier,
        ),
        "t3": make(
            admin,
            common,
            queue=support,
            priority="normal",
            created_at=at("2025-01-15", 9),
            first_response_due_at=at("2025-01-15", 10),
            first_responded_at=at("2025-01-15", 9.5),
            resolution_due_at=at("2025-01-15", 17),
            solved_at=at("2025-01-15", 15),
            status=TicketStatus.SOLVED,
        ),
        "t4": make(
            admin,
            common | complaint,
            queue=support,
            priority="urgent",
            created_at=at("2025-02-03", 9),
            first_response_due_at=at("2025-02-03", 10),
            first_responded_at=at("2025-02-03", 11),
            resolution_due_at=at("2025-02-05", 9),
            sla_running_since=at("2025-02-03", 9),
            complaint_category=late,
            root_cause=courier,
        ),
        "t5": make(
            admin,
            common,
            queue=billing,
            priority="low",
            status=TicketStatus.PENDING,
            created_at=at("2025-02-10", 9),
            first_response_due_at=at("2025-02-10", 12),
            resolution_due_at=at("2025-02-12", 9),
        ),
        "t6": make(
            admin,
            complaint,
            sla_policy=None,
            first_response_due_at=None,
            resolution_due_at=None,
            sla_running_since=None,
            created_at=at("2025-03-03", 10),
        ),
    }


def rows(key: str, user: Any, queue: Any = None) -> list[dict[str, Any]]:
    report = report_of(key)
    assert report is not None
    return report.compute(user=user, start=START, end=END, queue=queue)


def pick(found: list[dict[str, Any]], *keys: str) -> list[tuple[Any, ...]]:
    return [tuple(str(row[k]) if k == "label" else row[k] for k in keys) for row in found]


SLA = ("label", "fr_met", "fr_total", "fr_pct", "res_met", "res_total", "res_pct")


def test_sla_attainment_by_queue_counts_ended_or_breached_clocks(
    admin: Any, data: dict[str, Any]
) -> None:
    assert pick(rows("sla-by-queue", admin), *SLA) == [
        ("Billing", 1, 1, 100.0, 0, 1, 0.0),
        ("Support", 1, 3, 33.3, 2, 3, 66.7),
    ]


def test_sla_attainment_by_priority_and_month(admin: Any, data: dict[str, Any]) -> None:
    assert pick(rows("sla-by-priority", admin), *SLA) == [
        ("Normal", 2, 2, 100.0, 1, 2, 50.0),
        ("High", 0, 1, 0.0, 1, 1, 100.0),
        ("Urgent", 0, 1, 0.0, 0, 1, 0.0),
    ]
    assert pick(rows("sla-by-month", admin), *SLA) == [
        ("January 2025", 1, 2, 50.0, 2, 2, 100.0),
        ("February 2025", 0, 1, 0.0, 0, 1, 0.0),
        ("March 2025", 1, 1, 100.0, 0, 1, 0.0),
    ]


TIMES = ("label", "fr_median", "fr_count", "res_median", "res_count")


def test_median_times_in_business_hours_skip_nights_weekends_and_holidays(
    admin: Any, data: dict[str, Any]
) -> None:
    # Support: answers in 2 h (Fri 16–17, Mon 9–10), 0.5 h and 2 h; solutions in 17 h
    # (1 + 8 + 8) and 6 h. Billing: 8 h (Fri 12–17, Monday a holiday, Tue 9–12).
    assert pick(rows("times-by-queue", admin), *TIMES) == [
        ("Billing", 8.0, 1, None, 0),
        ("Support", 2.0, 3, 11.5, 2),
    ]
    assert pick(rows("times-by-month", admin), *TIMES) == [
        ("January 2025", 1.25, 2, 11.5, 2),
        ("February 2025", 2.0, 1, None, 0),
        ("March 2025", 8.0, 1, None, 0),
    ]


def test_complaints_by_category_and_root_cause(admin: Any, data: dict[str, Any]) -> None:
    keys = ("label", "open", "done", "total")
    assert pick(rows("complaints-by-category", admin), *keys) == [
        ("Late delivery", 2, 0, 2),
        ("Rude agent", 0, 1, 1),
        ("Not set", 1, 0, 1),
    ]
    assert pick(rows("complaints-by-root-cause", admin), *keys) == [
        ("Courier", 2, 0, 2),
        ("Training", 0, 1, 1),
        ("Not set", 1, 0, 1),
    ]


def test_a_queue_filter_narrows_every_report(admin: Any, data: dict[str, Any]) -> None:
    billing = Queue.objects.get(name="Billing")
    assert pick(rows("sla-by-queue", admin, billing), *SLA) == [("Billing", 1, 1, 100.0, 0, 1, 0.0)]
    assert pick(rows("complaints-by-root-cause", admin, billing), "label", "total") == [
        ("Courier", 1)
    ]


def test_open_tickets_by_queue_and_age(admin: Any) -> None:
    support, billing = make_queue("Support"), make_queue("Billing")
    now = timezone.now()
    ages = [
        (support, datetime.timedelta(hours=2), TicketStatus.NEW),
        (support, datetime.timedelta(days=2), TicketStatus.OPEN),
        (support, datetime.timedelta(days=2), TicketStatus.PENDING),
        (support, datetime.timedelta(days=2), TicketStatus.SOLVED),
        (support, datetime.timedelta(days=10), TicketStatus.ON_HOLD),
        (billing, datetime.timedelta(days=5), TicketStatus.OPEN),
        (billing, datetime.timedelta(days=40), TicketStatus.OPEN),
        (None, datetime.timedelta(days=20), TicketStatus.OPEN),
    ]
    for queue, age, status in ages:
        make(admin, queue=queue, created_at=now - age, status=status)
    report = report_of("open-by-age")
    assert report is not None
    found = report.compute(user=admin, start=now - datetime.timedelta(days=60), end=now, queue=None)
    keys = ("label", "under_1d", "d1_3", "d3_7", "w1_4", "over_4w", "total")
    assert pick(found, *keys) == [
        ("Billing", 0, 0, 1, 0, 1, 2),
        ("Support", 1, 2, 0, 1, 0, 4),
        ("No queue", 0, 0, 0, 1, 0, 1),
    ]


def test_a_north_rep_counts_only_the_tickets_she_may_see(
    admin: Any, rep_north: Any, rep_south: Any, data: dict[str, Any]
) -> None:
    north, south = Team.objects.get(name="North"), Team.objects.get(name="South")
    Ticket.objects.update(owner=rep_north, team=north)
    Ticket.objects.filter(pk__in=[data["t2"].pk, data["t4"].pk]).update(owner=rep_south, team=south)
    # The North rep sees t1, t3, t5 and t6: only the Rude agent complaint and t6's.
    assert pick(rows("complaints-by-category", rep_north), "label", "total") == [
        ("Rude agent", 1),
        ("Not set", 1),
    ]
    assert pick(rows("sla-by-queue", rep_north), *SLA) == [("Support", 1, 2, 50.0, 2, 2, 100.0)]
    assert pick(rows("complaints-by-category", rep_south), "label", "total") == [
        ("Late delivery", 2)
    ]


def test_the_page_shows_every_report_with_its_chart_and_table(
    client: Any, admin: Any, data: dict[str, Any]
) -> None:
    t1 = data["t1"]
    TicketRating.objects.create(
        ticket=t1, score=5, rated_at=at("2025-02-03", 10), agent=admin, queue=t1.queue
    )
    client.force_login(admin)
    response = client.get(reverse("service:reports"), PERIOD)
    assert response.status_code == 200
    page = response.content.decode()
    for report in REPORTS:
        assert f'id="report-{report.key}"' in page
        assert f'data-chart="chart-{report.key}"' in page
    assert "33.3 %" in page
    assert "No tickets in this period" not in page


def test_the_page_measures_business_hours_once_for_both_breakdowns(
    client: Any, admin: Any, data: dict[str, Any], monkeypatch: Any
) -> None:
    calls: list[int] = []
    measure = times._measure

    def counted(**kwargs: Any) -> Any:
        calls.append(1)
        return measure(**kwargs)

    monkeypatch.setattr(times, "_measure", counted)
    client.force_login(admin)
    page = client.get(reverse("service:reports"), PERIOD).content.decode()
    assert 'id="report-times-by-queue"' in page
    assert 'id="report-times-by-month"' in page
    assert len(calls) == 1
    client.get(reverse("service:reports"), PERIOD)  # the next request measures afresh
    assert len(calls) == 2


def test_an_empty_period_says_so(client: Any, admin: Any, data: dict[str, Any]) -> None:
    client.force_login(admin)
    empty = {"date_from": "2024-01-01", "date_to": "2024-02-01"}
    response = client.get(reverse("service:reports"), empty)
    assert response.content.decode().count("No tickets in this period.") == len(REPORTS)
    assert b"<canvas" not in response.content


def test_the_default_period_is_the_last_twelve_months(client: Any, admin: Any) -> None:
    client.force_login(admin)
    response = client.get(reverse("service:reports"))
    assert response.status_code == 200
    form = response.context["form"]
    today = timezone.localdate()
    assert form.cleaned_data["date_to"] == today
    assert form.cleaned_data["date_from"].day == 1
    assert (today - form.cleaned_data["date_from"]).days in range(334, 366)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"date_from": "2025-13-01"}, "date_from", "Enter a valid date."),
        ({"date_from": "2025-03-01", "date_to": "2025-02-01"}, "date_to", "before the start"),
        ({"date_from": "2015-01-01", "date_to": "2025-01-01"}, "date_to", "at most five years"),
        ({"queue": "999999"}, "queue", "Select a valid choice."),
        ({"queue": "abc"}, "queue", "Select a valid choice."),
    ],
)
def test_a_bad_period_or_queue_is_a_form_error(
    client: Any, admin: Any, params: dict[str, str], field: str, message: str
) -> None:
    client.force_login(admin)
    for url in (reverse("service:reports"), reverse("service:report-csv", args=["sla-by-queue"])):
        response = client.get(url, params)
        assert response.status_code == 400
        errors = response.context["form"].errors
        assert message in " ".join(errors[field])
        assert message in response.content.decode()


def test_the_csv_holds_the_table_under_translated_headers(
    client: Any, admin: Any, data: dict[str, Any]
) -> None:
    client.force_login(admin)
    url = reverse("service:report-csv", args=["sla-by-queue"])
    response = client.get(url, PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="sla-by-queue-2025-01-01-2025-03-31.csv"' in response["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table == [
        [
            "Queue",
            "First response met",
            "First responses in time",
            "First responses counted",
            "Resolution met",
            "Resolutions in time",
            "Resolutions counted",
        ],
        ["Billing", "100.0", "1", "1", "0.0", "0", "1"],
        ["Support", "33.3", "1", "3", "66.7", "2", "3"],
    ]
    admin.language = "es"
    admin.save(update_fields=["language"])
    spanish = client.get(reverse("service:report-csv", args=["times-by-month"]), PERIOD)
    header, january, february, _march = csv.reader(io.StringIO(spanish.content.decode()))
    assert header[0] == "Mes"
    assert header[2] == "Tickets respondidos"
    assert january == ["enero de 2025", "1.25", "2", "11.5", "2"]
    assert february == ["febrero de 2025", "2.0", "1", "", "0"]


def test_a_csv_cell_never_becomes_a_formula(client: Any, admin: Any, data: dict[str, Any]) -> None:
    Category.objects.filter(name="Courier").update(name="=HYPERLINK(1)")
    client.force_login(admin)
    response = client.get(reverse("service:report-csv", args=["complaints-by-root-cause"]), PERIOD)
    assert "'=HYPERLINK(1),2,0,2" in response.content.decode()


def test_an_unknown_report_is_404(client: Any, admin: Any) -> None:
    client.force_login(admin)
    assert client.get(reverse("service:report-csv", args=["nope"])).status_code == 404


def test_without_the_read_right_on_tickets_the_reports_are_404(
    client: Any, admin: Any, rep_north: Any
) -> None:
    set_rights(admin, "sales", Ticket.RESOURCE, can_read=False)
    client.force_login(rep_north)
    assert client.get(reverse("service:reports")).status_code == 404
    assert client.get(reverse("service:report-csv", args=["sla-by-queue"])).status_code == 404
    menu = client.get("/", follow=True)
    assert reverse("service:reports") not in menu.content.decode()


def test_the_menu_links_the_reports(client: Any, admin: Any) -> None:
    client.force_login(admin)
    assert reverse("service:reports") in client.get("/", follow=True).content.decode()


def test_the_page_reads_the_same_number_of_queries_for_more_tickets(
    client: Any, admin: Any, data: dict[str, Any]
) -> None:
    client.force_login(admin)
    url = reverse("service:reports")
    client.get(url, PERIOD)  # warm the caches (settings, calendars) of a first request
    with CaptureQueriesContext(connection) as few:
        client.get(url, PERIOD)
    policy, queue = data["t1"].sla_policy, data["t1"].queue
    for day in range(1, 21):
        make(
            admin,
            queue=queue,
            sla_policy=policy,
            created_at=at(f"2025-01-{day:02d}", 10),
            first_response_due_at=at(f"2025-01-{day:02d}", 12),
            first_responded_at=at(f"2025-01-{day:02d}", 11),
            solved_at=at(f"2025-01-{day:02d}", 16),
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url, PERIOD)
    assert len(many) == len(few)
