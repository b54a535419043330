"""Background jobs of the contacts app (the ``django_tasks`` API, see
``activities.tasks``): the duplicate scan of a large base. ``data_quality`` imports this
module to queue the scan, so the task imports ``data_quality`` when it runs."""

from __future__ import annotations

from django_tasks import task

from clientela.contacts.models import DuplicateScan, DuplicateScanStatus


@task()
def scan_duplicates(scan_id: int) -> int:
    """Run the queued duplicate scan ``scan_id`` (``data_quality.duplicate_scan_request``
    queues it); returns the number of pairs found, or -1 if the scan is gone or done."""
    from clientela.contacts.data_quality import duplicate_scan_run  # noqa: PLC0415

    scan = DuplicateScan.objects.filter(pk=scan_id, status=DuplicateScanStatus.QUEUED).first()
    if scan is None:
        return -1
    return duplicate_scan_run(scan=scan).pairs
