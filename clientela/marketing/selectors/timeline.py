"""What marketing adds to a person's or an organization's timeline (``activities``),
through ``core.registry.register_timeline_source`` in ``apps.py``: each campaign e-mail
the person was sent, of a campaign the user may read, with what they did with it
(opened, clicked, unsubscribed, bounced). One query on the deliveries' person index."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clientela.activities.timeline import members_of
from clientela.contacts.models import Organization, Person
from clientela.core.registry import TimelineBefore, TimelineFilters, TimelineSource
from clientela.marketing.models import Campaign, Delivery
from clientela.marketing.selectors.campaigns import clicked


def delivery_entries(
    *,
    user: Any,
    person: Person | None,
    organization: Organization | None,
    before: TimelineBefore,
    limit: int,
    filters: TimelineFilters,
) -> list[tuple[datetime.datetime, Any]]:
    """The campaign e-mails sent to the person, or to the organization's people; a
    timeline filtered to one user's doings has none (nobody in particular sent them)."""
    if filters.actor_id is not None:
        return []
    campaigns = Campaign.objects.alive().visible_to(user).values("pk")
    if person is not None:
        people = Q(person_id=person.pk)
    else:
        assert organization is not None
        people = Q(person_id__in=members_of(organization))
    rows = (
        Delivery.objects.filter(people, before.q("sent_at"), campaign__in=campaigns)
        .filter(sent_at__isnull=False)
        .select_related("campaign")
        .annotate(clicked=clicked())
        .order_by("-sent_at", "-id")[:limit]
    )
    return [(row.sent_at, row) for row in rows if row.sent_at is not None]


SOURCES = (
    TimelineSource(
        key="campaign-email",
        label=_("Campaign e-mail"),
        icon="bi-megaphone",
        entries=delivery_entries,
        template="marketing/campaigns/_timeline_delivery.html",
        filter_label=_("Campaign e-mails"),
        order=70,
    ),
)
