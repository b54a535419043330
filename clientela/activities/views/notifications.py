"""The notification bell: the unread count (a small fragment the header refreshes
every 30 seconds), the dropdown list, the full list, and marking read."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from clientela.activities import selectors, services
from clientela.core.views.records import AuthedRequest, safe_next_url

MENU_LIMIT = 8
PAGE_LIMIT = 200


#: htmx stops polling when an answer has this status.
STOP_POLLING = 286


@require_GET
@never_cache
def notification_badge(request: AuthedRequest) -> HttpResponse:
    """The unread count. Not behind ``login_required``: once the session has expired,
    the redirect to the login page would be swapped into the bell every 30 seconds;
    an empty answer that stops the polling is given instead."""
    if not request.user.is_authenticated:
        return HttpResponse(status=STOP_POLLING)
    count = selectors.unread_notification_count(user=request.user)
    return render(request, "activities/_notification_badge.html", {"unread": count})


@login_required
@require_GET
@never_cache
def notification_menu(request: AuthedRequest) -> HttpResponse:
    notifications = list(selectors.notification_list(user=request.user)[:MENU_LIMIT])
    return render(request, "activities/_notification_menu.html", {"notifications": notifications})


@login_required
@require_GET
def notification_list(request: AuthedRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    notifications = selectors.notification_list(user=request.user, unread_only=unread_only)
    return render(
        request,
        "activities/notification_list.html",
        {"notifications": notifications[:PAGE_LIMIT], "unread_only": unread_only},
    )


@login_required
@require_POST
def notification_read(request: AuthedRequest, pk: int) -> HttpResponse:
    """Mark one read, then open what it is about (its own link, if local)."""
    notification = selectors.notification_list(user=request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404()
    services.notification_mark_read(user=request.user, notification_id=notification.pk)
    if request.htmx and not request.POST.get("open"):
        return render(
            request,
            "activities/_notification_badge.html",
            {"unread": selectors.unread_notification_count(user=request.user)},
        )
    url = notification.url
    if url and safe_next_url(request, url):
        return redirect(url)
    return redirect("activities:notification-list")


@login_required
@require_POST
def notification_read_all(request: AuthedRequest) -> HttpResponse:
    services.notification_mark_read(user=request.user)
    if request.htmx:
        return render(request, "activities/_notification_badge.html", {"unread": 0})
    return redirect("activities:notification-list")
