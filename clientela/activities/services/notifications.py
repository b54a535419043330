"""In-app notifications (the bell) sent by any app: a mention on a ticket, an SLA
warning, an escalation."""

from __future__ import annotations

from collections.abc import Iterable

from clientela.activities.models import Notification
from clientela.core.models import User


def notifications_send(
    *, users: Iterable[User], title: str, body: str = "", url: str = ""
) -> list[Notification]:
    """One unread notification per user (each at most once, inactive users left out)."""
    unique = {user.pk: user for user in users if user.is_active}
    return Notification.objects.bulk_create(
        Notification(user=user, title=title[:300], body=body, url=url[:300])
        for user in unique.values()
    )
