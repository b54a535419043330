"""Every write of the analytics app: checking an analysis' parameters, queuing a refresh
(``refresh``: snapshots queued, the ``analytics.tasks.refresh`` job started) and the
worker's computation of a snapshot (``run_snapshot``).

A snapshot replaces the previous one of its kind only when it is done: until then, and
for good when it fails, pages and the API read the previous one, and a failed one keeps
its error for the page to say why."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.analytics import compute
from clientela.analytics.analyses import analysis_of, registered
from clientela.analytics.choices import AnalysisKind, SnapshotStatus
from clientela.analytics.errors import BadInput
from clientela.analytics.models import Snapshot
from clientela.core.permissions import can

logger = logging.getLogger(__name__)

#: A longer period is a typo (or a very slow analysis), not an analysis.
MAX_DAYS = 3653
#: A snapshot still queued or running this long after it was asked for was left by a
#: worker that stopped: the next refresh marks it failed and queues a new one.
STALE_AFTER = datetime.timedelta(hours=2)


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The day after the same day ``months`` earlier (so 12 months end on ``day``)."""
    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    last = [
        31,
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month - 1]
    return datetime.date(year, month, min(day.day, last)) + datetime.timedelta(days=1)


def clean_period(
    start: datetime.date | None, end: datetime.date | None, *, kind: str = AnalysisKind.ABC
) -> compute.Period:
    """The period of an analysis (default: the kind's ``default_months`` up to today, or
    every order); ``ValidationError`` on ``from``/``to`` when reversed or longer than
    ten years."""
    end = end or timezone.localdate()
    months = analysis_of(kind).default_months
    if start is None and months is not None:
        start = months_before(end, months)
    if start is None:
        return compute.Period(None, end)
    if start > end:
        raise ValidationError({"to": [_("The end date is before the start date.")]})
    if (end - start).days > MAX_DAYS:
        raise ValidationError({"from": [_("Choose a period of at most ten years.")]})
    return compute.Period(start, end)


def clean_as_of(day: datetime.date | None) -> datetime.date | None:
    """A day to compute an analysis as of (a backtest): not after today, not more than
    ten years ago; ``ValidationError`` on ``as_of`` otherwise. None stays None (today)."""
    if day is None:
        return None
    today = timezone.localdate()
    if day > today:
        raise ValidationError({"as_of": [_("The as-of day cannot be in the future.")]})
    if (today - day).days > MAX_DAYS:
        raise ValidationError({"as_of": [_("Choose an as-of day at most ten years ago.")]})
    return day


def clean_thresholds(a: Any = None, b: Any = None, c: Any = None) -> compute.Thresholds:
    """Class A, B and C thresholds in whole percent (default 80/15/5); they must be
    whole numbers from 1 to 98 that add up to 100."""
    default = compute.Thresholds()
    values: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    for name, raw, fallback in (("a", a, default.a), ("b", b, default.b), ("c", c, default.c)):
        if raw is None or raw == "":
            values[name] = fallback
            continue
        try:
            values[name] = int(str(raw).strip())
        except ValueError:
            errors[name] = [_("Enter a whole number of percent.")]
            continue
        if not 1 <= values[name] <= 98:
            errors[name] = [_("Enter a percentage from 1 to 98.")]
    if not errors and sum(values.values()) != 100:
        errors["c"] = [
            _(
                "The thresholds of classes A, B and C must add up to 100 %% "
                "(they add up to %(n)s %%)."
            )
            % {"n": sum(values.values())}
        ]
    if errors:
        raise ValidationError(errors)
    return compute.Thresholds(values["a"], values["b"], values["c"])


def may_refresh(user: Any) -> bool:
    """Whoever may read orders may ask for fresh figures (they see only their share)."""
    return can(user, "read", "sales.order")


def refresh(
    actor: Any,
    *,
    kinds: Iterable[str] | None = None,
    as_of: datetime.date | None = None,
    parameters: dict[str, dict[str, Any]] | None = None,
    queue: bool = True,
) -> list[Snapshot]:
    """Queue a snapshot of each of ``kinds`` (every registered analysis) as of ``as_of``
    (today) and the job that computes them; ``parameters`` by kind replace that kind's
    defaults (ABC's ``{"thresholds": …}``). A kind already queued or running is not
    queued twice: its waiting snapshot is returned. ``actor`` None is the nightly run."""
    if actor is not None and not may_refresh(actor):
        raise PermissionDenied(_("Your role does not allow you to read orders."))
    known = registered()
    wanted = list(dict.fromkeys(str(k) for k in (known if kinds is None else kinds)))
    if not wanted:
        raise ValidationError({"kinds": [_("Choose at least one analysis.")]})
    unknown = [k for k in wanted if k not in known]
    if unknown:
        raise ValidationError(
            {"kinds": [_("There is no analysis %(kind)s.") % {"kind": ", ".join(unknown)}]}
        )
    end = as_of or timezone.localdate()
    snapshots: list[Snapshot] = []
    new: list[int] = []
    with transaction.atomic():
        for kind in wanted:
            waiting = _waiting(kind, end)
            if waiting is not None and waiting.created_at < timezone.now() - STALE_AFTER:
                # Its worker stopped (or none ran): say so, and queue a new one.
                waiting.status, waiting.finished_at = SnapshotStatus.FAILED, timezone.now()
                waiting.error = _("no worker finished it within %(hours)s hours") % {
                    "hours": int(STALE_AFTER.total_seconds() // 3600)
                }
                waiting.save(update_fields=["status", "finished_at", "error"])
                waiting = None
            if waiting is not None:
                snapshots.append(waiting)
                continue
            period = clean_period(None, end, kind=kind)
            chosen = (parameters or {}).get(kind)
            snapshot = Snapshot.objects.create(
                kind=kind,
                # The last moment the figures cover: now, or the end of the day asked for.
                as_of=timezone.now()
                if as_of is None
                else period.bounds()[1] - datetime.timedelta(seconds=1),
                period_start=period.start,
                period_end=period.end,
                parameters=analysis_of(kind).default_parameters() if chosen is None else chosen,
                requested_by=actor,
            )
            snapshots.append(snapshot)
            new.append(snapshot.pk)
        if new and queue:
            from clientela.analytics.tasks import refresh as refresh_task  # noqa: PLC0415

            transaction.on_commit(lambda: refresh_task.enqueue(new))
    return snapshots


def _waiting(kind: str, day: datetime.date) -> Snapshot | None:
    """The snapshot of ``kind`` queued or running (as of ``day`` for a kind that keeps
    one snapshot per as-of day), if any."""
    waiting = Snapshot.objects.filter(
        kind=kind, status__in=[SnapshotStatus.QUEUED, SnapshotStatus.RUNNING]
    )
    if analysis_of(kind).keep_per_as_of:
        start, end = compute.Period(day, day).bounds()
        waiting = waiting.filter(as_of__gte=start, as_of__lt=end)
    return waiting.first()


def _progress(snapshot: Snapshot, percent: int, **fields: Any) -> None:
    snapshot.progress = max(0, min(100, percent))
    for name, value in fields.items():
        setattr(snapshot, name, value)
    snapshot.save(update_fields=["progress", *fields])


def _delete_rows(kind: str, snapshot_ids: list[int]) -> None:
    for model in analysis_of(kind).rows:
        model.objects.filter(snapshot_id__in=snapshot_ids).delete()  # type: ignore[attr-defined]


def run_snapshot(snapshot_id: int, *, forget_replaced: bool = True) -> Snapshot:
    """Compute one queued snapshot (the worker's job) with its kind's ``run``
    (``analytics.analyses``). Done: it becomes the one pages read and, unless
    ``forget_replaced`` is False (the caller runs ``snapshot_forget_replaced`` later),
    the older finished ones of its kind are deleted. Failed: its rows are deleted, the
    error is kept (in plain words for ``BadInput``) and the previous snapshot stays."""
    snapshot = Snapshot.objects.get(pk=snapshot_id)
    if snapshot.status != SnapshotStatus.QUEUED:
        return snapshot
    _progress(snapshot, 0, status=SnapshotStatus.RUNNING, started_at=timezone.now())
    try:
        outcome = analysis_of(snapshot.kind).run(snapshot, lambda pct: _progress(snapshot, pct))
    except Exception as exc:
        if isinstance(exc, BadInput):
            error = str(exc.message)
        else:
            logger.exception("analytics snapshot %s failed", snapshot.pk)
            error = str(exc) or type(exc).__name__
        _delete_rows(snapshot.kind, [snapshot.pk])
        snapshot.status, snapshot.error = SnapshotStatus.FAILED, error
        snapshot.finished_at = timezone.now()
        snapshot.save(update_fields=["status", "error", "finished_at"])
        return snapshot
    with transaction.atomic():
        snapshot.parameters = {
            **snapshot.parameters,
            **outcome.parameters,
            "base_currency": outcome.base_currency,
            "missing_rates": sorted(outcome.missing_rates),
        }
        snapshot.status, snapshot.progress = SnapshotStatus.DONE, 100
        snapshot.finished_at = timezone.now()
        snapshot.save()
        if forget_replaced:
            _forget_older(snapshot)
    return snapshot


def snapshot_forget_replaced(snapshot_id: int) -> None:
    """Delete what a finished snapshot replaced (``_forget_older``), in a transaction of
    its own. Pages already read the new snapshot (the newest finished one), so the
    worker does this after computing every snapshot it was given: deleting the 100,000
    rows of the previous RFM snapshot does not delay the figures."""
    with transaction.atomic():
        snapshot = Snapshot.objects.filter(pk=snapshot_id, status=SnapshotStatus.DONE).first()
        if snapshot is not None:
            _forget_older(snapshot)


def _forget_older(snapshot: Snapshot) -> None:
    """Delete the finished and failed snapshots of the kind older than ``snapshot`` (for
    a kind that keeps one per as-of day, those ``_replaced_by`` it)."""
    older = Snapshot.objects.filter(
        kind=snapshot.kind,
        status__in=[SnapshotStatus.DONE, SnapshotStatus.FAILED],
        created_at__lte=snapshot.created_at,
    ).exclude(pk=snapshot.pk)
    if analysis_of(snapshot.kind).keep_per_as_of:
        ids = _replaced_by(snapshot, list(older.order_by("-created_at", "-id")))
    else:
        ids = list(older.values_list("pk", flat=True))
    _delete_rows(snapshot.kind, ids)
    Snapshot.objects.filter(pk__in=ids).delete()


#: Snapshots as of past days (backtests) kept per kind that keeps one per as-of day.
MAX_BACKTESTS = 10


def _is_backtest(snapshot: Snapshot) -> bool:
    """As of a day before the one it was asked for (the nightly run and "Refresh now"
    compute as of the day they run)."""
    return bool(
        timezone.localtime(snapshot.as_of).date() < timezone.localtime(snapshot.created_at).date()
    )


def _replaced_by(snapshot: Snapshot, older: list[Snapshot]) -> list[int]:
    """Of ``older`` (newest first), the ids that a finished ``snapshot`` of a kind kept
    per as-of day replaces: those of its own as-of day; the previous current one when it
    is itself current (as of the day it was computed); the backtests beyond the newest
    ``MAX_BACKTESTS`` (``snapshot`` counted)."""
    day = timezone.localtime(snapshot.as_of).date()
    current = not _is_backtest(snapshot)
    kept_backtests = 0 if current else 1
    replaced: list[int] = []
    for other in older:
        if timezone.localtime(other.as_of).date() == day:
            replaced.append(other.pk)
        elif not _is_backtest(other):
            if current:
                replaced.append(other.pk)
        elif kept_backtests >= MAX_BACKTESTS:
            replaced.append(other.pk)
        else:
            kept_backtests += 1
    return replaced
