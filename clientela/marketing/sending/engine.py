"""The worker's side of a campaign: write the audience down, then send it in batches.

One run (``campaign_run``) holds the campaign's lease, so no two workers send it at
once; it plans the deliveries if that was not done, then claims due rows in id order
(``pending`` → ``sending``, committed) and sends them one by one over one connection:
each message is written to the server in full, recorded as ``handed`` (committed), then
its final "." sent and the server's answer recorded (``sent`` or ``failed``). A worker
killed mid-batch leaves a ``handed`` row at most, which the next run takes as sent (the
server has it), and ``sending`` rows that never reached the server, which go back to
``pending``: each recipient gets the message once, unless the kill falls in the
instant between the hand-over's commit and the final "." (then it is missed, never
sent twice).

Before a batch goes out, rows whose person has since withdrawn consent or whose
address was suppressed are ``skipped``. An A/B test sends its test groups first, then
waits ``ab_wait_minutes``, picks the winner (``abtest.pick_winner``) and releases the
held rest with the winning variant. A run ends when nothing is due: it answers when
the next run is due (a later local send time, the test's decision), or None when the
campaign is finished, paused or cancelled.
"""

from __future__ import annotations

import datetime
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from clientela.marketing.abtest import VariantResult, pick_winner
from clientela.marketing.choices import AbMetric, CampaignStatus, DeliveryStatus
from clientela.marketing.models import Campaign, Delivery
from clientela.marketing.selectors.campaigns import clicked, opened
from clientela.marketing.sending import channels, planning, sources
from clientela.marketing.sending.transport import Outcome, TransportDown

logger = logging.getLogger("clientela.marketing")

#: Rows claimed at once: the per-batch queries (claim, consent check, merge fields)
#: cost ~0.12 ms a message at 200, ~0.05 ms at 500 (measured, bench/README.md).
BATCH = 500
#: When the mail server cannot be reached, the next try.
RETRY = datetime.timedelta(minutes=1)
ACTIVE = (CampaignStatus.SCHEDULED, CampaignStatus.SENDING, CampaignStatus.TESTING)


@dataclass
class RunResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    #: When the campaign needs its next run; None: nothing left to do for now.
    next_run: datetime.datetime | None = None


def _acquire(campaign_id: int, token: str, now: datetime.datetime) -> bool:
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(lease_token=token)
    return bool(
        Campaign.objects.filter(free, pk=campaign_id, status__in=ACTIVE).update(
            lease_token=token,
            lease_until=now + datetime.timedelta(seconds=settings.CLIENTELA_CAMPAIGN_LEASE_SECONDS),
        )
    )


class _Lease:
    """The campaign's lease, renewed while a batch is sent once a third of it has
    passed: a batch can take longer than the lease (a throttle, a slow server), and a
    lease that ran out lets another worker put this one's claimed rows back and send
    them again."""

    def __init__(self, campaign_id: int, token: str) -> None:
        self.campaign_id, self.token = campaign_id, token
        self.every = settings.CLIENTELA_CAMPAIGN_LEASE_SECONDS / 3
        self.renewed = time.monotonic()

    def hold(self) -> bool:
        """Whether this worker still holds the campaign (renewing it when due)."""
        if time.monotonic() - self.renewed < self.every:
            return True
        self.renewed = time.monotonic()
        return _acquire(self.campaign_id, self.token, timezone.now())


def _release(campaign_id: int, token: str) -> None:
    Campaign.objects.filter(pk=campaign_id, lease_token=token).update(
        lease_token="", lease_until=None
    )


def recover(campaign: Campaign) -> int:
    """A dead worker's rows: those it had handed to the mail server are sent (the server
    took them unless the connection broke in the instant between the hand-over and the
    final "."), those it had only claimed go back to ``pending``. The number of the
    former."""
    rows = Delivery.objects.filter(campaign=campaign)
    with transaction.atomic():
        handed = rows.filter(status=DeliveryStatus.HANDED).update(
            status=DeliveryStatus.SENT,
            sent_at=timezone.now(),
            error="taken as sent: the worker stopped after handing it to the mail server",
        )
        rows.filter(status=DeliveryStatus.SENDING).update(status=DeliveryStatus.PENDING)
    if handed:
        logger.warning(
            "campaign %s: %s message(s) of a stopped worker taken as sent", campaign.pk, handed
        )
    return handed


def _claim(campaign: Campaign, now: datetime.datetime, size: int) -> list[Delivery]:
    due = Delivery.objects.filter(
        campaign=campaign, status=DeliveryStatus.PENDING, send_after__lte=now
    ).order_by("id")
    ids = list(due.values_list("id", flat=True)[:size])
    if not ids:
        return []
    with transaction.atomic():
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING
        )
    return list(
        Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING)
        .only("id", "person_id", "variant", "address", "language")
        .order_by("id")
    )


def _mark(
    status: str, ids: list[int], *, sent_at: datetime.datetime | None = None, only_from: str = ""
) -> int:
    """Set the status of the rows ``ids`` (those in ``only_from`` if given); how many."""
    if not ids:
        return 0
    sets = "status = %s"
    params: list[Any] = [status]
    if sent_at is not None:
        sets = sets + ", sent_at = %s"
        params.append(sent_at)
    where = f"id IN ({', '.join(['%s'] * len(ids))})"
    params.extend(ids)
    if only_from:
        where = where + " AND status = %s"
        params.append(only_from)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE marketing_delivery SET {sets} WHERE {where}", params)  # noqa: S608
        return int(cursor.rowcount)


class _TakenOver(Exception):
    """Rows this worker claimed were put back by another (its lease had run out)."""


def _commit_round(sent: list[int], handed: list[int]) -> None:
    """One commit: the previous round's sent messages, and this round's as handed over
    (before any of their final "." goes out). If another worker has put any of this
    round's rows back meanwhile, nothing is committed (``_TakenOver``): they are its
    rows now, and the previous round's stay ``handed``, which it takes as sent."""
    with transaction.atomic():
        _mark(DeliveryStatus.SENT, sent, sent_at=timezone.now())
        marked = _mark(DeliveryStatus.HANDED, handed, only_from=DeliveryStatus.SENDING)
        if marked != len(handed):
            raise _TakenOver
    sent.clear()


class _Throttle:
    """At most ``per_minute`` messages a minute, spread evenly."""

    def __init__(
        self,
        per_minute: int | None,
        sleep: Callable[[float], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.gap = 60.0 / per_minute if per_minute else 0.0
        self.sleep, self.clock = sleep, clock
        self.next_at = clock()

    def wait(self) -> None:
        if not self.gap:
            return
        delay = self.next_at - self.clock()
        if delay > 0:
            self.sleep(delay)
        self.next_at = max(self.next_at, self.clock()) + self.gap


def _send_round(
    rows: list[Delivery],
    fields: dict[int, dict[str, str]],
    channel: Any,
    throttle: _Throttle,
    result: RunResult,
    sent: list[int],
) -> None:
    """Up to ``channel.width`` messages, one per connection, step by step (see
    ``channels``). Sent ids are added to ``sent``, committed with the next round's
    hand-over. A connection that breaks raises ``TransportDown`` once the others' answers
    are in; its message is left ``handed`` if it may have left, else ``pending``."""
    ready: list[tuple[int, Delivery]] = []
    for slot, row in enumerate(rows):
        throttle.wait()
        ready.append((slot, row))
        _refused(channel.start(slot, row, fields.get(row.person_id or 0, {})), ready, result)
    prepared: list[tuple[int, Delivery]] = []
    for slot, row in ready:
        prepared.append((slot, row))
        _refused(channel.prepare(slot), prepared, result)
    _commit_round(sent, [row.pk for _slot, row in prepared])
    left, down = _hand_over(channel, prepared)
    for slot, row in left:
        try:
            outcome = channel.outcome(slot)
        except TransportDown as exc:
            down = down or exc
            continue  # it may have left: ``recover`` takes it as sent
        if outcome.sent:
            sent.append(row.pk)
            result.sent += 1
        else:
            _refused(outcome, [(slot, row)], result)
    if down is not None:
        raise down


def _refused(outcome: Outcome | None, rows: list[tuple[int, Delivery]], result: RunResult) -> None:
    """A refusal of the last of ``rows``: recorded, and that row taken off the list."""
    if outcome is None:
        return
    _slot, row = rows.pop()
    Delivery.objects.filter(pk=row.pk).update(status=DeliveryStatus.FAILED, error=outcome.error)
    result.failed += 1


def _hand_over(
    channel: Any, prepared: list[tuple[int, Delivery]]
) -> tuple[list[tuple[int, Delivery]], TransportDown | None]:
    """Let each prepared message go until a connection breaks; those after it, and the
    one it broke on if it surely did not leave, wait for the next run (``pending``)."""
    for index, (slot, _row) in enumerate(prepared):
        try:
            channel.hand_over(slot)
        except TransportDown as exc:
            unsent = prepared[index + 1 :] if exc.left else prepared[index:]
            _mark(DeliveryStatus.PENDING, [r.pk for _slot, r in unsent])
            return prepared[:index], exc
    return prepared, None


def _send_batch(
    campaign: Campaign,
    rows: list[Delivery],
    channel: Any,
    throttle: _Throttle,
    result: RunResult,
    lease: _Lease,
) -> None:
    allowed = sources.still_reachable(campaign, rows)
    skipped = [row.pk for row in rows if row.pk not in allowed]
    if skipped:
        Delivery.objects.filter(pk__in=skipped).update(
            status=DeliveryStatus.SKIPPED, error="no consent or suppressed at sending time"
        )
        result.skipped += len(skipped)
    to_send = [row for row in rows if row.pk in allowed]
    fields = channel.fields_of(to_send)
    sent: list[int] = []
    try:
        with channel:
            width = channel.width
            for first in range(0, len(to_send), width):
                if not lease.hold():
                    break  # another worker has it now (and puts the rest back)
                _send_round(to_send[first : first + width], fields, channel, throttle, result, sent)
    except _TakenOver:
        # Its messages were not let go (leaving ``with channel`` inside a message breaks
        # the connection, and the server drops it); the rows are the other worker's.
        logger.warning("campaign %s: taken over by another worker", campaign.pk)
        return
    except TransportDown:
        # What was not handed over waits for the next run; what may have left (handed
        # over when a connection broke) is taken as sent by ``recover``.
        _commit_round(sent, [])
        Delivery.objects.filter(
            pk__in=[r.pk for r in to_send], status=DeliveryStatus.SENDING
        ).update(status=DeliveryStatus.PENDING)
        recover(campaign)
        raise
    _commit_round(sent, [])


def _decide_test(campaign: Campaign, now: datetime.datetime) -> datetime.datetime | None:
    """Pick an A/B test's winner once its wait is over and release the held rows;
    the time to come back when the wait is not over yet."""
    first_sent = Delivery.objects.filter(campaign=campaign, sent_at__isnull=False).aggregate(
        first=Min("sent_at")
    )["first"]
    decide_at = (first_sent or now) + datetime.timedelta(minutes=campaign.ab_wait_minutes)
    if now < decide_at:
        return decide_at
    success = opened() if campaign.ab_metric == AbMetric.OPENS else Q(clicked())
    counts = (
        Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.SENT)
        .values("variant")
        .annotate(n=Count("id"), hits=Count("id", filter=success))
    )
    by_key = {row["variant"]: (row["hits"], row["n"]) for row in counts}
    keys = list(campaign.variants.order_by("key").values_list("key", flat=True))
    verdict = pick_winner([VariantResult(k, *by_key.get(k, (0, 0))) for k in keys])
    with transaction.atomic():
        Campaign.objects.filter(pk=campaign.pk).update(
            ab_winner=verdict.key,
            ab_p_value=verdict.p_value,
            ab_decided_at=now,
            status=CampaignStatus.SENDING,
        )
        Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.HELD).update(
            status=DeliveryStatus.PENDING, variant=verdict.key, send_after=now
        )
    campaign.ab_winner, campaign.ab_decided_at = verdict.key, now
    return None


def _after_due(campaign: Campaign, now: datetime.datetime) -> datetime.datetime | None:
    """Nothing is due: the next run's time, or finish the campaign (None)."""
    rows = Delivery.objects.filter(campaign=campaign)
    if rows.filter(status=DeliveryStatus.HELD).exists():
        back = _decide_test(campaign, now)
        if back is not None:
            Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.TESTING)
            return back
        return now  # the rest is due at once
    later = rows.filter(status=DeliveryStatus.PENDING).aggregate(at=Min("send_after"))["at"]
    if later is not None:
        return cast(datetime.datetime, later)
    Campaign.objects.filter(pk=campaign.pk, status__in=ACTIVE).update(
        status=CampaignStatus.SENT, finished_at=now
    )
    return None


def campaign_run(
    campaign_id: int,
    *,
    batch: int = BATCH,
    sleep: Callable[[float], None] = time.sleep,
) -> RunResult:
    """One worker's turn on a campaign (see the module's docstring)."""
    token = uuid.uuid4().hex
    result = RunResult()
    if not _acquire(campaign_id, token, timezone.now()):
        return result  # another worker holds it, or there is nothing to send
    try:
        campaign = Campaign.objects.get(pk=campaign_id)
        if campaign.planned_at is None:
            planning.plan(campaign)
        recover(campaign)
        if campaign.started_at is None:
            Campaign.objects.filter(pk=campaign.pk).update(
                started_at=timezone.now(), status=CampaignStatus.SENDING
            )
        channel = channels.channel_for(campaign)
        throttle = _Throttle(campaign.throttle, sleep)
        lease = _Lease(campaign_id, token)
        while True:
            now = timezone.now()
            status = Campaign.objects.filter(pk=campaign_id).values_list("status", flat=True)
            if status.first() not in ACTIVE or not _acquire(campaign_id, token, now):
                return result
            rows = _claim(campaign, now, batch)
            if not rows:
                result.next_run = _after_due(campaign, now)
                if result.next_run is None or result.next_run > timezone.now():
                    return result
                continue
            try:
                _send_batch(campaign, rows, channel, throttle, result, lease)
            except TransportDown as exc:
                logger.warning("campaign %s: mail server unreachable: %s", campaign_id, exc)
                result.next_run = timezone.now() + RETRY
                return result
    finally:
        _release(campaign_id, token)
