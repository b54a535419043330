"""Background jobs of the marketing app (the ``django_tasks`` API).

``send_campaign`` is one worker's turn on a campaign (``sending.engine.campaign_run``);
it queues its own next turn when the campaign has one (a later local send time, an
A/B test's decision, a mail server that was down). The minute's sweep
(``campaigns_due``) queues a turn for every campaign that is due and held by no
worker: a scheduled one whose time has come, or one whose worker died (its lease ran
out), so a campaign never stalls. A starting worker runs the sweep at once.
"""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from clientela.core.tasks import ensure_next_run
from clientela.marketing.choices import CampaignStatus
from clientela.marketing.models import Campaign
from clientela.marketing.sending.engine import ACTIVE, campaign_run

PERIOD = datetime.timedelta(minutes=1)


@task()
def send_campaign(campaign_id: int) -> int:
    """Send what is due of one campaign; the number of messages sent."""
    result = campaign_run(campaign_id)
    if result.next_run is not None:
        send_campaign.using(run_after=result.next_run).enqueue(campaign_id)
    return result.sent


def due_campaigns(now: datetime.datetime) -> list[int]:
    """Campaigns a worker should be sending now and none is."""
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    due = Q(send_at__isnull=True) | Q(send_at__lte=now) | ~Q(status=CampaignStatus.SCHEDULED)
    return list(
        Campaign.objects.filter(free, due, status__in=ACTIVE, deleted_at__isnull=True)
        .order_by("send_at", "id")
        .values_list("id", flat=True)
    )


@task()
def campaigns_due() -> int:
    """Queue a turn for every due campaign; then the next sweep a minute on."""
    try:
        found = due_campaigns(timezone.now())
        for campaign_id in found:
            send_campaign.enqueue(campaign_id)
        return len(found)
    finally:
        ensure_campaigns_scheduled(exclude_running=True)


def ensure_campaigns_scheduled(*, exclude_running: bool = False) -> bool:
    after = timezone.now() + PERIOD if exclude_running else None
    return ensure_next_run(campaigns_due, after, exclude_running=exclude_running)
