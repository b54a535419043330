"""The private iCalendar feed a phone or calendar app subscribes to.

No login and no session: the secret token in the URL is the credential (calendar apps
cannot log in), so an unknown or revoked token is a plain 404, telling nothing about
whether it ever existed.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from clientela.activities import feeds


@require_safe
@never_cache
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    user = feeds.calendar_feed_user(token)
    if user is None:
        raise Http404
    response = HttpResponse(
        feeds.calendar_feed_ics(user=user), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="clientela.ics"'
    # The URL itself is the secret: keep it out of other sites' logs.
    response["Referrer-Policy"] = "no-referrer"
    return response
