"""Demo service data for ``clientela demo``: a Support and a Complaints queue with their
agents, an SLA policy on a Madrid business calendar (Spain's and Madrid's holidays),
categories and root causes, and 500 tickets over the last 90 days in every status —
some answered late, some breached and still open, complaints with their resolution and
compensation, and customers' ratings of most solved ones. Made through the services,
then dated back (the services stamp "now"), and their SLA clocks worked out again for
those dates. Replies are logged, not e-mailed, and nobody is asked for a rating.
Choices follow the seed; dates are relative to the load day."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from clientela.contacts.selectors import person_list
from clientela.core.demo import DEMO_PREFIX
from clientela.core.models import Team, User
from clientela.service import demo_kb
from clientela.service.calendars import calendar_of
from clientela.service.choices import (
    AssignmentMode,
    CategoryKind,
    SlaBehaviour,
    TicketChannel,
    TicketPriority,
    TicketStatus,
    TicketType,
)
from clientela.service.models import (
    BusinessCalendar,
    Category,
    Queue,
    QueueMember,
    ServiceSettings,
    SlaPolicy,
    SlaTarget,
    Ticket,
    TicketRating,
)
from clientela.service.services import sla
from clientela.service.services import tickets as services
from clientela.service.services.conversation import ticket_customer_message, ticket_reply
from clientela.service.sla.calendars import business_time_between

TICKETS = 500
DAYS = 90
#: Monday–Thursday 9–14 and 16–19, Friday 8–15: a Spanish shop's hours.
MADRID_HOURS = [[[540, 840], [960, 1140]]] * 4 + [[[480, 900]], [], []]
#: Business minutes to the first response and to the solution, per priority.
TARGETS = {
    TicketPriority.URGENT: (60, 480),
    TicketPriority.HIGH: (120, 960),
    TicketPriority.NORMAL: (240, 1440),
    TicketPriority.LOW: (480, 2880),
}
CATEGORIES: dict[str, tuple[str, ...]] = {
    CategoryKind.TICKET: (
        gettext_noop("Billing"),
        gettext_noop("Delivery"),
        gettext_noop("Product"),
        gettext_noop("Account"),
    ),
    CategoryKind.COMPLAINT: (
        gettext_noop("Late delivery"),
        gettext_noop("Damaged product"),
        gettext_noop("Wrong invoice"),
        gettext_noop("Poor service"),
    ),
    CategoryKind.ROOT_CAUSE: (
        gettext_noop("Carrier"),
        gettext_noop("Warehouse"),
        gettext_noop("Billing error"),
        gettext_noop("Training"),
    ),
}
SUBJECTS = (
    gettext_noop("Where is my order?"),
    gettext_noop("The invoice has the wrong address"),
    gettext_noop("How do I change my password?"),
    gettext_noop("The product arrived damaged"),
    gettext_noop("Can I return an item?"),
    gettext_noop("I was charged twice"),
    gettext_noop("The delivery is a week late"),
    gettext_noop("Question about the warranty"),
    gettext_noop("Please update my billing details"),
    gettext_noop("The size does not fit"),
)
REPLIES = (
    gettext_noop("Thank you for writing. We are looking into it and will come back to you today."),
    gettext_noop("We have sent a replacement; you will have it within two working days."),
    gettext_noop("The corrected invoice is attached to your account."),
)
#: (status, share of the tickets): most are done, a good part still to do.
STATUSES = (
    (TicketStatus.CLOSED, 0.35),
    (TicketStatus.SOLVED, 0.2),
    (TicketStatus.OPEN, 0.18),
    (TicketStatus.NEW, 0.12),
    (TicketStatus.PENDING, 0.1),
    (TicketStatus.ON_HOLD, 0.05),
)


def _user(name: str) -> User:
    return User.objects.get(username=f"{DEMO_PREFIX}{name}")


def _setup(admin: User) -> tuple[Queue, Queue, dict[str, list[Category]]]:
    calendar = BusinessCalendar.objects.create(
        name=_(gettext_noop("Madrid office")),
        time_zone="Europe/Madrid",
        hours=MADRID_HOURS,
        country="ES",
        subdivision="MD",
    )
    policy = SlaPolicy.objects.create(
        name=_(gettext_noop("Standard")), calendar=calendar, breach_raises_priority=True
    )
    for priority, (first, solve) in TARGETS.items():
        SlaTarget.objects.create(
            policy=policy,
            priority=priority,
            first_response_minutes=first,
            resolution_minutes=solve,
        )
    south = Team.objects.get(name="South")
    support = Queue.objects.create(
        name=_("Support"),
        email="support@example.com",
        team=south,
        manager=_user("manager-south"),
        assignment=AssignmentMode.ROUND_ROBIN,
        max_open_per_agent=60,
        sla_policy=policy,
    )
    complaints = Queue.objects.create(
        name=_("Complaints"),
        email="complaints@example.com",
        team=south,
        manager=_user("manager-south"),
        assignment=AssignmentMode.LEAST_OPEN,
        sla_policy=policy,
    )
    for queue, agents in (
        (support, (("support", 2), ("sales-south", 1), ("sales-south2", 1))),
        (complaints, (("support", 1), ("manager-south", 1))),
    ):
        for name, weight in agents:
            QueueMember.objects.create(queue=queue, user=_user(name), weight=weight)
    categories = {
        kind: [Category.objects.create(kind=kind, name=_(name)) for name in names]
        for kind, names in CATEGORIES.items()
    }
    return support, complaints, categories


def ticket_count(customers: int) -> int:
    """500 tickets, fewer for a small demo (two per customer with an e-mail)."""
    return min(TICKETS, 2 * customers)


def _pick_status(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for status, share in STATUSES:
        total += share
        if roll < total:
            return status
    return TicketStatus.CLOSED


def load(seed: int) -> str:
    rng = random.Random(seed + 14)
    admin = _user("admin")
    ServiceSettings.load()
    support, complaints, categories = _setup(admin)
    demo_kb.load(admin, random.Random(seed + 7))
    customers = list(person_list(user=admin).exclude(email="").order_by("id")[:300])
    if not customers:
        return ""
    now = timezone.now()
    count = ticket_count(len(customers))
    # The demo's customers are not e-mailed "How did we do?": their ratings are made up
    # below instead.
    desk = ServiceSettings.load()
    ServiceSettings.objects.filter(pk=desk.pk).update(csat_enabled=False)
    try:
        for n in range(count):
            _one_ticket(rng, admin, n, now, (support, complaints), categories, customers)
    finally:
        ServiceSettings.objects.filter(pk=desk.pk).update(csat_enabled=desk.csat_enabled)
    rated = _ratings(rng, now)
    breached = Ticket.objects.filter(sla_state="breached").count()
    return _(
        "Added %(n)s tickets in two queues (%(breached)s past their SLA, %(rated)s rated)."
    ) % {"n": count, "breached": breached, "rated": rated}


#: Scores as customers give them: mostly happy, a few not.
SCORE_WEIGHTS = {5: 46, 4: 30, 3: 11, 2: 8, 1: 5}
COMMENTS = {
    5: (gettext_noop("Fast and friendly, thank you!"), gettext_noop("Solved on the first call.")),
    4: (gettext_noop("Good, although it took a couple of days."),),
    3: (gettext_noop("It works now, but I had to explain it twice."),),
    2: (gettext_noop("Too slow to answer."),),
    1: (gettext_noop("Nobody called me back."),),
}


def _ratings(rng: random.Random, now: datetime.datetime) -> int:
    """Ratings on about two thirds of the solved and closed tickets with a customer,
    given a few hours to two days after the solution, in the customer's language."""
    done = Ticket.objects.filter(
        status__in=[TicketStatus.SOLVED, TicketStatus.CLOSED],
        person__isnull=False,
        solved_at__isnull=False,
        rating__isnull=True,
    ).order_by("id")
    scores, weights = list(SCORE_WEIGHTS), list(SCORE_WEIGHTS.values())
    ratings = []
    for ticket in done.only("id", "solved_at", "assignee_id", "queue_id", "language"):
        if rng.random() > 0.65:
            continue
        score = rng.choices(scores, weights)[0]
        comment = ""
        if rng.random() < 0.2:
            with override(ticket.language):
                comment = _(rng.choice(COMMENTS[score]))
        assert ticket.solved_at is not None
        rated_at = min(ticket.solved_at + datetime.timedelta(hours=rng.uniform(1, 48)), now)
        ratings.append(
            TicketRating(
                ticket_id=ticket.pk,
                score=score,
                comment=comment,
                rated_at=rated_at,
                agent_id=ticket.assignee_id,
                queue_id=ticket.queue_id,
                language=ticket.language,
            )
        )
    TicketRating.objects.bulk_create(ratings, batch_size=500)
    return len(ratings)


@transaction.atomic
def _one_ticket(
    rng: random.Random,
    admin: User,
    n: int,
    now: datetime.datetime,
    queues: tuple[Queue, Queue],
    categories: dict[str, list[Category]],
    customers: list[Any],
) -> None:
    complaint = n % 8 == 0
    queue = queues[1] if complaint else queues[0]
    customer = rng.choice(customers)
    status = _pick_status(rng)
    # Older tickets are mostly done; the ones still to do are recent (a few old ones
    # are left behind, so the queue has breaches to show).
    done = status in (TicketStatus.SOLVED, TicketStatus.CLOSED)
    age_days = rng.uniform(3, DAYS) if done else rng.expovariate(1 / 4)
    opened = now - datetime.timedelta(days=min(age_days, DAYS))
    data: dict[str, Any] = {
        "subject": _(rng.choice(SUBJECTS)),
        "description": _(rng.choice(SUBJECTS)),
        "type": TicketType.COMPLAINT
        if complaint
        else rng.choice([TicketType.QUESTION, TicketType.PROBLEM, TicketType.REQUEST]),
        "priority": rng.choice(
            [
                TicketPriority.LOW,
                TicketPriority.NORMAL,
                TicketPriority.NORMAL,
                TicketPriority.HIGH,
                TicketPriority.URGENT,
            ]
        ),
        "channel": rng.choice(
            [TicketChannel.EMAIL, TicketChannel.EMAIL, TicketChannel.PHONE, TicketChannel.WEB]
        ),
        "person_id": customer.pk,
        "queue_id": queue.pk,
        "category_id": rng.choice(categories[CategoryKind.TICKET]).pk,
    }
    if complaint:
        data["complaint_category_id"] = rng.choice(categories[CategoryKind.COMPLAINT]).pk
    ticket = services.ticket_create(actor=admin, data=data)  # type: ignore[arg-type]
    ticket_customer_message(ticket=ticket, body=data["description"], person=customer, opened=True)
    agent = ticket.assignee or admin
    responded = None
    if status != TicketStatus.NEW:
        ticket_reply(actor=agent, ticket=ticket, body=_(rng.choice(REPLIES)), send=False)
        responded = opened + datetime.timedelta(hours=rng.choice([0.5, 1, 2, 3, 6, 20]))
    if complaint and done:
        services.ticket_update(
            actor=admin,
            ticket=ticket,
            data={
                "root_cause_id": rng.choice(categories[CategoryKind.ROOT_CAUSE]).pk,
                "resolution": _("We sent a replacement and a discount voucher."),
                "compensation": str(rng.choice([10, 20, 50])) + ".00",
                "compensation_currency": "EUR",
                "customer_agreed": True,
            },
        )
    if status not in (TicketStatus.NEW, TicketStatus.OPEN):
        services.ticket_set_status(actor=admin, ticket=ticket, status=status)
    solved = None
    if done:
        solved = (responded or opened) + datetime.timedelta(hours=rng.choice([2, 8, 24, 50]))
    _date_back(Ticket.objects.get(pk=ticket.pk), opened, responded, solved, now)


def _date_back(
    ticket: Ticket,
    opened: datetime.datetime,
    responded: datetime.datetime | None,
    solved: datetime.datetime | None,
    now: datetime.datetime,
) -> None:
    """The ticket as if opened at ``opened``: its times, and its clock run from then."""
    ticket.created_at = opened
    ticket.first_responded_at = responded
    ticket.solved_at = solved
    ticket.closed_at = solved if ticket.status == TicketStatus.CLOSED else None
    ticket.last_message_at = max(filter(None, (opened, responded, solved)))
    ticket.sla_elapsed, ticket.sla_running_since = 0, opened
    ticket.first_response_due_at = ticket.resolution_due_at = None
    sla.recompute(ticket, now)
    behaviour = ServiceSettings.load().behaviour(ticket.status)
    if behaviour != SlaBehaviour.RUNNING and ticket.sla_policy is not None:
        stop = solved or (responded or opened) + datetime.timedelta(hours=4)
        spent = business_time_between(calendar_of(ticket.sla_policy.calendar), opened, stop)
        ticket.sla_elapsed, ticket.sla_running_since = int(spent.total_seconds()), None
        sla.recompute(ticket, now)
    if ticket.sla_state == "breached":
        # Already escalated: the worker's first pass tells nobody about old tickets.
        ticket.first_response_breached_at = ticket.resolution_breached_at = now
    ticket.save()
    Ticket.objects.filter(pk=ticket.pk).update(created_at=opened)
    ticket.messages.update(created_at=opened)


def _names(*names: str) -> set[str]:
    """``names`` as the demo may have saved them, in any of the languages."""
    found = set(names)
    for language in ("en", "es"):
        with override(language):
            found |= {_(name) for name in names}
    return found


def remove() -> None:
    """What the demo made: the tickets of demo users, its queues, policy, calendar and
    categories (by their names, in whichever language it ran)."""
    Ticket.objects.filter(owner__username__startswith=DEMO_PREFIX).delete()
    demo_kb.remove(_names(*demo_kb.TOPICS))
    Queue.objects.filter(email__in=["support@example.com", "complaints@example.com"]).delete()
    SlaPolicy.objects.filter(name__in=_names(gettext_noop("Standard"))).delete()
    BusinessCalendar.objects.filter(name__in=_names(gettext_noop("Madrid office"))).delete()
    for kind, names in CATEGORIES.items():
        Category.objects.filter(kind=kind, name__in=_names(*names)).delete()
