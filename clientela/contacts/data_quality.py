"""Writes of the duplicate finder: running and storing a scan, and marking a pair "not
a duplicate" (the finder itself, a read, is ``contacts.duplicates``; the stored pairs
are read through ``selectors.duplicate_pair_list``)."""

from __future__ import annotations

import datetime
import time
from typing import Any

from django.db import transaction
from django.utils import timezone

from clientela.contacts import duplicates
from clientela.contacts.models import (
    DuplicateDismissal,
    DuplicateKind,
    DuplicatePair,
    DuplicateScan,
    DuplicateScanStatus,
)
from clientela.contacts.selectors import organization_get, person_get
from clientela.contacts.tasks import scan_duplicates
from clientela.core.errors import NotFound
from clientela.core.models import User
from clientela.core.permissions import require

#: Below this many records a "Scan now" runs in the request instead of the worker.
INLINE_LIMIT = 5_000
#: A scan still queued or running after this long is not waited for.
STALE_AFTER = datetime.timedelta(hours=1)
#: Pairs written per INSERT.
BATCH = 2_000


def _resource(kind: str) -> str:
    return duplicates.mergeable_kinds()[kind].resource


def duplicate_scan_request(*, actor: User, kind: str) -> DuplicateScan:
    """Start a scan of every record of ``kind`` (for users who may update that kind).
    A small base is scanned at once; a large one by the worker (``tasks.scan_duplicates``)."""
    require(actor, "update", _resource(kind))
    # A scan queued or running for long is taken for dead (a worker killed mid-scan).
    pending = DuplicateScan.objects.filter(
        kind=kind,
        status__in=[DuplicateScanStatus.QUEUED, DuplicateScanStatus.RUNNING],
        created_at__gte=timezone.now() - STALE_AFTER,
    ).first()
    if pending is not None:
        return pending
    scan = DuplicateScan.objects.create(kind=kind, requested_by=actor)
    model = duplicates.model_of(kind)
    if model.objects.filter(deleted_at__isnull=True).count() < INLINE_LIMIT:
        return duplicate_scan_run(scan=scan)

    transaction.on_commit(lambda: scan_duplicates.enqueue(scan.pk))
    return scan


def duplicate_scan_run(*, scan: DuplicateScan) -> DuplicateScan:
    """Run ``scan`` as the system over every live record of its kind and store its
    pairs; once stored, the older scans of the kind (and their pairs) are removed."""
    started = time.monotonic()
    DuplicateScan.objects.filter(pk=scan.pk).update(
        status=DuplicateScanStatus.RUNNING, started_at=timezone.now()
    )
    try:
        records = duplicates.read_records(scan.kind)
        pairs = duplicates.find_in_records(
            records, min_score=duplicates.FLOOR, dismissed=duplicates.dismissed_pairs(scan.kind)
        )
        with transaction.atomic():
            DuplicatePair.objects.bulk_create(
                (
                    DuplicatePair(
                        scan=scan,
                        kind=scan.kind,
                        a_id=p.a,
                        b_id=p.b,
                        score=p.score,
                        reasons=p.reasons,
                    )
                    for p in pairs
                ),
                batch_size=BATCH,
            )
            scan.status = DuplicateScanStatus.DONE
            scan.records, scan.pairs = len(records), len(pairs)
            scan.finished_at = timezone.now()
            scan.seconds = round(time.monotonic() - started, 3)
            scan.save()
            DuplicateScan.objects.filter(kind=scan.kind).exclude(pk=scan.pk).exclude(
                status__in=[DuplicateScanStatus.QUEUED, DuplicateScanStatus.RUNNING]
            ).delete()
    except Exception as exc:
        DuplicateScan.objects.filter(pk=scan.pk).update(
            status=DuplicateScanStatus.FAILED, finished_at=timezone.now(), error=str(exc)[:2000]
        )
        raise
    return scan


def duplicate_dismiss(*, actor: User, kind: str, a: Any, b: Any) -> DuplicateDismissal:
    """Mark the pair ``a``/``b`` as not a duplicate: it is taken out of the stored
    results and never reported again. Both records must be visible to ``actor``
    (``NotFound`` otherwise) and ``actor`` must be allowed to update the kind."""
    get = person_get if kind == DuplicateKind.PERSON else organization_get
    first, second = get(user=actor, pk=a), get(user=actor, pk=b)
    require(actor, "update", _resource(kind))
    a_id, b_id = duplicates.ordered(first.pk, second.pk)
    if a_id == b_id:
        raise NotFound()
    with transaction.atomic():
        dismissal, _created = DuplicateDismissal.objects.get_or_create(
            kind=kind, a_id=a_id, b_id=b_id, defaults={"dismissed_by": actor}
        )
        DuplicatePair.objects.filter(kind=kind, a_id=a_id, b_id=b_id).delete()
    return dismissal
