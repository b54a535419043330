""" "My day", everyone's home page: today's and overdue tasks, today's appointments,
birthdays this week with a one-click greeting, the user's recent interactions and
unread notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clientela.activities import birthdays, selectors
from clientela.activities.models import Appointment, Task
from clientela.contacts import selectors as contact_selectors
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
