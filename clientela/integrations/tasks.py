"""Background jobs of imports (the ``django_tasks`` API, see ``activities.tasks``): the
reading of a large upload, the dry run of a large file and the import itself. All are
safe to run twice: a job not in the state the task expects is left alone, and an import
resumes at its checkpoint.

``services`` imports this module to queue the jobs, so the jobs import ``services`` when
they run."""

from __future__ import annotations

from django_tasks import task

from clientela.integrations.models import ImportJob, ImportStatus


@task()
def read_import(job_id: int) -> int:
    """Read the columns and count the rows of job ``job_id``'s file (an upload too large
    to read in the request); returns the rows (-1: nothing to do, or the file failed)."""
    from clientela.integrations.services import import_read  # noqa: PLC0415

    job = ImportJob.objects.filter(pk=job_id, status=ImportStatus.READING).first()
    if job is None:
        return -1
    job = import_read(job=job)
    return job.rows_total if job.status == ImportStatus.NEW else -1


@task()
def check_import(job_id: int) -> int:
    """The dry run of job ``job_id``; returns the rows that would fail (-1: nothing to do)."""
    from clientela.integrations.services import import_check_run  # noqa: PLC0415

    job = ImportJob.objects.filter(pk=job_id, status=ImportStatus.CHECKING).first()
    if job is None:
        return -1
    return import_check_run(job=job).failed


@task()
def run_import(job_id: int) -> int:
    """Import job ``job_id`` from its checkpoint; returns the rows imported this run."""
    from clientela.integrations.services import import_run  # noqa: PLC0415

    job = ImportJob.objects.filter(
        pk=job_id, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]
    ).first()
    counts = import_run(job=job) if job is not None else None
    if counts is None:  # gone, finished, or another process has it
        return -1
    return counts.created + counts.updated


def resume_imports() -> None:
    """Worker start-up hook: queue again the imports a stopped worker left behind."""
    from clientela.integrations.services import import_resume_stale  # noqa: PLC0415

    import_resume_stale()
