""" "My day", everyone's home page: today's and overdue tasks, today's appointments,
birthdays this week with a one-click greeting (the first few; the
birthday list has them all), the user's recent interactions and
unread notifications."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clientela.activities import birthdays, selectors
from clientela.activities.models import Appointment, Task
from clientela.contacts import selectors as contact_selectors
from clientela.core.pagination import WindowPaginator
from clientela.core.permissions import can
from clientela.core.views.records import AuthedRequest, not_found_as_404


@login_required
@require_GET
def my_day(request: AuthedRequest) -> HttpResponse:
    day = selectors.my_day(user=request.user)
    return render(
        request,
        "activities/my_day.html",
        {
            "day": day,
            "list_limit": selectors.MY_DAY_LIMIT,
            "can_create_task": can(request.user, "create", Task.RESOURCE),
            "can_create_appointment": can(request.user, "create", Appointment.RESOURCE),
        },
    )


@login_required
@require_GET
def birthday_list(request: AuthedRequest) -> HttpResponse:
    """Every birthday of the coming week that "My day" has no room for, paged."""
    people = birthdays.upcoming_people(user=request.user)
    page = WindowPaginator(people, settings.CLIENTELA_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/_birthday_results.html" if request.htmx else "activities/birthday_list.html",
        {
            "page_obj": page,
            "birthdays": birthdays.upcoming(page.object_list, user=request.user),
            "list_url": reverse("activities:birthday-list"),
            "results_id": "birthday-list",
        },
    )


@login_required
@require_POST
@not_found_as_404
def birthday_greet(request: AuthedRequest, person_pk: int) -> HttpResponse:
    person = contact_selectors.person_get(user=request.user, pk=person_pk)
    try:
        birthdays.birthday_greeting_send(actor=request.user, person=person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Birthday greeting sent to %(name)s and logged on their timeline.")
            % {"name": person},
        )
    return redirect("activities:my-day")
