"""Imports: the job (one uploaded file on its way in), the per-row report, what each
job wrote (for resuming and for undo) and the saved column mappings.

The job is the checkpoint: ``rows_done`` is raised in the same transaction as the chunk
of rows it counts, so a worker killed mid-chunk leaves the database exactly as it was
after the last whole chunk, and the next run starts at ``rows_done``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clientela.core.models import TimeStampedModel


class ImportKind(models.TextChoices):
    PEOPLE = "people", _("People")
    ORGANIZATIONS = "organizations", _("Organizations")
    ORDERS = "orders", _("Orders")


class OnDuplicate(models.TextChoices):
    """What an import does with a row that matches a record already there."""

    SKIP = "skip", _("Skip the row")
    UPDATE = "update", _("Update the existing record")
    CREATE = "create", _("Create a new record anyway")


class ImportStatus(models.TextChoices):
    READING = "reading", _("Reading the file")
    NEW = "new", _("Waiting for the column mapping")
    CHECKING = "checking", _("Checking (dry run)")
    CHECKED = "checked", _("Checked (dry run)")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    UNDONE = "undone", _("Undone")


def _upload_to(job: ImportJob, filename: str) -> str:
    return f"imports/{job.user_id}/{filename}"


class ImportJob(TimeStampedModel):
    """One file being imported: where it is, how its columns map, what to do with
    duplicates, how far the import got and what it counted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("kind of record"), max_length=20, choices=ImportKind)
    file = models.FileField(_("file"), upload_to=_upload_to, max_length=300)
    filename = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size"), default=0)
    format = models.CharField(_("format"), max_length=10)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=2, blank=True)
    headers = models.JSONField(_("columns"), default=list)
    #: One target key per column ("" = ignored), see ``imports.mapping``.
    mapping = models.JSONField(_("mapping"), default=list)
    on_exact = models.CharField(
        _("when e-mail, phone or external id match"),
        max_length=10,
        choices=OnDuplicate,
        default=OnDuplicate.UPDATE,
    )
    on_similar = models.CharField(
        _("when the name is similar (same city or organization)"),
        max_length=10,
        choices=OnDuplicate,
        default=OnDuplicate.SKIP,
    )
    #: The country of rows that give none (their addresses and local phone numbers);
    #: "" = the company's default country (``core.company.default_country``).
    country = models.CharField(_("country of rows without one"), max_length=2, blank=True)
    #: For consent columns, what the whole file declares: ``{"legal_basis", "wording"}``
    #: ({} when no column is about consent; ``imports.consents``).
    consent_terms = models.JSONField(_("consent terms"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus, default=ImportStatus.NEW
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    #: Rows written with cells left out, and how many cells (``imports.salvage``).
    partial = models.PositiveIntegerField(_("rows with cells left out"), default=0)
    cells_left_out = models.PositiveIntegerField(_("cells left out"), default=0)
    #: The dry run's counts and first rows as they will be saved.
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="import_user_idx")]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, round(100 * self.rows_done / self.rows_total))

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.UNDONE)


class RowIssueKind(models.TextChoices):
    ERROR = "error", _("Error")
    DUPLICATE = "duplicate", _("Duplicate")
    NOTE = "note", _("Note")  # imported, with something left out or assumed


class ImportRowIssue(models.Model):
    """A row that failed (row, column, value, why) or was skipped as a duplicate, in the
    dry run (``dry_run``) or the import itself."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues")
    dry_run = models.BooleanField(default=False)
    kind = models.CharField(max_length=10, choices=RowIssueKind, default=RowIssueKind.ERROR)
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=255, blank=True)
    value = models.CharField(_("value"), max_length=300, blank=True)
    message = models.CharField(_("message"), max_length=500)

    class Meta:
        ordering = ["row", "id"]
        indexes = [models.Index(fields=["job", "dry_run", "row"], name="import_issue_idx")]
        verbose_name = _("import problem")
        verbose_name_plural = _("import problems")

    def __str__(self) -> str:
        return f"{self.row}: {self.message}"

    @classmethod
    def of(
        cls,
        job: ImportJob,
        row: int,
        message: str,
        *,
        dry_run: bool,
        column: str = "",
        value: str = "",
        kind: str = RowIssueKind.ERROR,
    ) -> ImportRowIssue:
        """An unsaved problem of ``row``, each text cut to its column's length."""
        return cls(
            job=job,
            dry_run=dry_run,
            kind=kind,
            row=row,
            column=column[:255],
            value=value[:300],
            message=message[:500],
        )


class ImportedAction(models.TextChoices):
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    #: An order import's customers and catalogue products (its orders are "created").
    PERSON = "person", _("Customer created")
    PRODUCT = "product", _("Product created")


class ImportedRecord(models.Model):
    """A record a job created or updated, and its version right after: the undo trashes
    the created ones still at that version (nothing edited since)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="records")
    row = models.PositiveIntegerField()
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=ImportedAction)
    version = models.PositiveIntegerField()
    #: For an update: the record's data before it (service input, JSON), for the undo.
    before = models.JSONField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["job", "action"], name="imported_record_idx")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row} {self.action} #{self.object_id}"


class ImportMapping(TimeStampedModel):
    """A saved column mapping ("our shop's spreadsheet"): header name -> target key,
    offered for any later file of the same kind."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind of record"), max_length=20, choices=ImportKind)
    columns = models.JSONField(_("columns"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="uniq_import_mapping_name")
        ]
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")

    def __str__(self) -> str:
        return self.name
