"""The activities tab of the user's account: reminders by e-mail, automatic birthday
greetings, and the private calendar feed URL (copy, renew)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from clientela.activities import services
from clientela.activities.forms import ActivityPreferencesForm
from clientela.activities.models import ActivityPreferences
from clientela.core.forms import add_service_errors
from clientela.core.views.records import AuthedRequest


def _current(request: AuthedRequest) -> ActivityPreferences:
    # The user's own settings row, not a CRM record: no scoped selector is involved.
    prefs = ActivityPreferences.objects.filter(user=request.user).first()
    return prefs or ActivityPreferences(user=request.user)


def feed_url(request: AuthedRequest, token: str) -> str:
    return request.build_absolute_uri(reverse("activities:calendar-feed", args=[token]))


@login_required
@require_http_methods(["GET", "POST"])
def activity_preferences(request: AuthedRequest) -> HttpResponse:
    prefs = _current(request)
    form = ActivityPreferencesForm(
        request.POST if request.method == "POST" else None,
        initial={
            "email_reminders": prefs.email_reminders,
            "auto_birthday_greetings": prefs.auto_birthday_greetings,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_preferences_update(
                user=request.user,
                email_reminders=form.cleaned_data["email_reminders"],
                auto_birthday_greetings=form.cleaned_data["auto_birthday_greetings"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Preferences saved."))
            return redirect("activities:preferences")
    return render(
        request,
        "activities/preferences.html",
        {
            "form": form,
            "feed_url": feed_url(request, services.calendar_feed_token(user=request.user)),
        },
    )


@login_required
@require_POST
def feed_renew(request: AuthedRequest) -> HttpResponse:
    """A new feed URL; the old one stops working at once."""
    services.calendar_feed_renew(user=request.user)
    messages.success(
        request,
        _("Your calendar feed has a new address; subscribe to it again on your devices."),
    )
    return redirect("activities:preferences")
