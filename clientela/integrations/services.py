"""Every write of an import: upload, mapping, dry run, start, run, undo, and saved
mappings. The rows themselves are written by the contacts services (through
``imports.runner``), so permissions, validation, audit and search hold for imported
records as for any other."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from clientela.contacts import bulk, services
from clientela.contacts import selectors as contacts_selectors
from clientela.contacts.models import Person
from clientela.core.choices import Interface
from clientela.core.context import interface
from clientela.core.errors import NotFound
from clientela.core.models import User
from clientela.core.permissions import require
from clientela.integrations.imports import consents, runner
from clientela.integrations.imports.mapping import (
    guess_kind,
    guess_mapping,
    import_kind,
    targets_for,
)
from clientela.integrations.imports.readers import (
    ImportFileError,
    checked_bytes,
    checked_size,
    open_table,
    work_size,
)
from clientela.integrations.models import (
    ImportedAction,
    ImportJob,
    ImportKind,
    ImportMapping,
    ImportStatus,
    OnDuplicate,
)
from clientela.integrations.tasks import check_import, read_import, run_import
from clientela.sales import bulk as sales_bulk
from clientela.sales.models import Order, Product
from clientela.sales.services import catalogue

#: Files up to this many rows are checked in the request; larger ones by the worker.
INLINE_ROWS = 5000


def stale_before() -> datetime.datetime:
    """A running import whose last heartbeat is older than this is taken for dead
    (``CLIENTELA_IMPORT_STALE_SECONDS``)."""
    return timezone.now() - datetime.timedelta(seconds=settings.CLIENTELA_IMPORT_STALE_SECONDS)


def import_is_stale(job: ImportJob) -> bool:
    """Whether ``job`` is marked running but its worker has gone quiet."""
    return job.status == ImportStatus.RUNNING and (
        job.heartbeat_at is None or job.heartbeat_at < stale_before()
    )


def _require(actor: User, kind: str) -> None:
    require(actor, "create", import_kind(kind).resource)


def import_upload(
    *, actor: User, upload: File[Any], filename: str, kind: str = "", read_now: bool = False
) -> ImportJob:
    """Store an uploaded file as a new job. A small file is read at once (its columns
    and rows counted, the kind of record and the mapping guessed); a larger one is only
    stored, size-checked, and read by the worker (``read_import``), so the request
    answers at once whatever the file holds; ``read_now`` reads any file at once (the
    command line, which has no request to keep short). No transaction is open while a
    file is read. Raises ValidationError ``{"file": …}`` for a file that cannot be
    imported, and stores nothing then."""
    if kind and kind not in ImportKind.values:
        raise ValidationError({"kind": [_("Choose people, organizations or orders.")]})
    if kind:
        _require(actor, kind)
    job = ImportJob(user=actor, filename=(filename or "import")[:255], kind=kind or "people")
    try:
        checked_bytes(upload.size)  # an upload over the limit is refused before it is stored
        job.file.save(job.filename, upload, save=False)
        checked_size(Path(job.file.path))
        if not read_now and work_size(job.file.path) > settings.CLIENTELA_IMPORT_INLINE_KB * 1024:
            job.size = job.file.size
            job.status, job.preview = ImportStatus.READING, {"guess_kind": not kind}
            job.save()
            transaction.on_commit(lambda: read_import.enqueue(job.pk))
            return job
        _read(job, guess=not kind)
    except ImportFileError as exc:
        job.file.delete(save=False)
        raise ValidationError({"file": [_file_message(exc)]}) from None
    except Exception:
        job.file.delete(save=False)
        raise
    job.save()
    return job


def _file_message(exc: ImportFileError) -> str:
    if exc.line:
        return _("Line %(line)s: %(message)s") % {"line": exc.line, "message": exc.message}
    return exc.message


def _read(job: ImportJob, *, guess: bool) -> None:
    """Read the file's columns, count its rows (within the limits of the settings) and
    guess the kind (when ``guess``) and the mapping; writes nothing."""
    table = open_table(job.file.path, filename=job.filename)
    job.rows_total = table.count_rows()
    if guess:
        job.kind = guess_kind(table.headers)
    _require(job.user, job.kind)
    job.size = job.file.size
    job.format, job.encoding, job.delimiter = table.format, table.encoding, table.delimiter
    job.headers = table.headers
    job.mapping = guess_mapping(table.headers, job.kind)


def import_read(*, job: ImportJob) -> ImportJob:
    """The worker's reading of a large upload (``read_import``): the job then waits for
    its mapping, or has failed with the reason (a limit of the settings, a damaged
    file, a kind of record the user may not create)."""
    try:
        _read(job, guess=bool((job.preview or {}).get("guess_kind")))
    except ImportFileError as exc:
        _fail(job, _file_message(exc))
    except PermissionDenied as exc:
        _fail(job, str(exc))
    else:
        ImportJob.objects.filter(pk=job.pk, status=ImportStatus.READING).update(
            status=ImportStatus.NEW,
            preview={},
            updated_at=timezone.now(),
            **{
                name: getattr(job, name)
                for name in (
                    "kind",
                    "rows_total",
                    "size",
                    "format",
                    "encoding",
                    "delimiter",
                    "headers",
                    "mapping",
                )
            },
        )
    job.refresh_from_db()
    return job


#: The statuses in which a job may be discarded: no worker is writing its rows.
DISCARDABLE = (
    ImportStatus.READING,
    ImportStatus.NEW,
    ImportStatus.CHECKED,
    ImportStatus.FAILED,
)


def import_discard(*, actor: User, job: ImportJob) -> None:
    """Delete a job that wrote nothing that stays (not started, checked, or failed) and
    its file; a failed import keeps the records it wrote before it stopped."""
    _own(actor, job)
    if job.status not in DISCARDABLE:
        raise ValidationError({"job": [_("A running or finished import cannot be discarded.")]})
    deleted, _rows = ImportJob.objects.filter(pk=job.pk, status__in=DISCARDABLE).delete()
    if deleted:
        job.file.delete(save=False)


def _check_mapping(kind: str, headers: list[str], mapping: list[str]) -> list[str]:
    if not isinstance(mapping, list) or len(mapping) != len(headers):
        raise ValidationError({"mapping": [_("Give one target (or none) per column.")]})
    targets = {t.key: t for t in targets_for(kind)}
    errors: list[str] = []
    seen: dict[str, str] = {}
    for header, key in zip(headers, mapping, strict=True):
        if not key:
            continue
        target = targets.get(key)
        if target is None:
            errors.append(
                _("Column “%(column)s”: there is no field “%(key)s”.")
                % {"column": header, "key": key}
            )
        elif not target.multiple and key in seen:
            errors.append(
                _("“%(field)s” is taken by the columns “%(a)s” and “%(b)s”; keep one.")
                % {"field": target.label, "a": seen[key], "b": header}
            )
        seen.setdefault(key, header)
    if not errors and kind == ImportKind.ORDERS:
        errors += _order_mapping_errors(set(mapping))
    elif not errors and kind == ImportKind.PEOPLE:
        if not {"first_name", "last_name", "full_name"} & set(mapping):
            errors.append(_("Map at least one column to a name."))
    elif not errors and "name" not in mapping:
        errors.append(_("Map a column to the organization's name."))
    if errors:
        raise ValidationError({"mapping": errors})
    return mapping


def _order_mapping_errors(mapped: set[str]) -> list[str]:
    """What an order file's mapping must have: the order number, a customer, a
    product, a price."""
    errors = []
    if "order_number" not in mapped:
        errors.append(_("Map a column to the order number."))
    customer = {"customer_email", "customer_external_id", "customer_name"}
    if not mapped & (customer | {"customer_first_name", "customer_last_name"}):
        errors.append(_("Map a column to the customer (e-mail, customer id or name)."))
    if not mapped & {"sku", "product"}:
        errors.append(_("Map a column to the product (SKU or name)."))
    if not mapped & {"unit_price", "line_total"}:
        errors.append(_("Map a column to the unit price or the line total."))
    if "ordered_at" not in mapped:
        errors.append(_("Map a column to the date of the order."))
    return errors


@transaction.atomic
def import_configure(
    *,
    actor: User,
    job: ImportJob,
    kind: str,
    mapping: list[str],
    on_exact: str = OnDuplicate.UPDATE,
    on_similar: str = OnDuplicate.SKIP,
    country: str = "",
    consent_terms: dict[str, Any] | None = None,
) -> ImportJob:
    """Set the kind, the column mapping, the duplicate rules and the country of rows
    without one, and for consent columns the legal basis and wording the file's consent
    was given on (``imports.consents.clean_terms``); any earlier dry run is void (it
    must be run again)."""
    _own(actor, job)
    if job.status not in (ImportStatus.NEW, ImportStatus.CHECKED):
        raise ValidationError({"job": [_("This import has already started.")]})
    errors: dict[str, list[str]] = {}
    if kind not in ImportKind.values:
        errors["kind"] = [_("Choose people, organizations or orders.")]
    for name, value in (("on_exact", on_exact), ("on_similar", on_similar)):
        if value not in OnDuplicate.values:
            errors[name] = [_("Choose skip, update or create.")]
    country = (country or "").strip().upper()
    if country and country not in countries:
        errors["country"] = [_("Choose a country from the list.")]
    if errors:
        raise ValidationError(errors)
    _require(actor, kind)
    job.kind, job.on_exact, job.on_similar = kind, on_exact, on_similar
    job.country = country
    job.mapping = _check_mapping(kind, job.headers, mapping)
    job.consent_terms = consents.clean_terms(job.mapping, consent_terms or {}, actor)
    job.status = ImportStatus.NEW
    job.preview = {}
    job.save()
    job.issues.all().delete()
    return job


def import_check(*, actor: User, job: ImportJob) -> ImportJob:
    """The dry run: in the request for a small file, queued for the worker otherwise."""
    _own(actor, job)
    if job.status not in (ImportStatus.NEW, ImportStatus.CHECKED):
        raise ValidationError({"job": [_("This import has already started.")]})
    _check_mapping(job.kind, job.headers, job.mapping)
    if job.rows_total <= INLINE_ROWS:
        _dry_run(job)
        return job
    job.status = ImportStatus.CHECKING
    job.save(update_fields=["status", "updated_at"])

    transaction.on_commit(lambda: check_import.enqueue(job.pk))
    return job


def _dry_run(job: ImportJob, progress: Any = None) -> runner.Counts:
    try:
        return runner.dry_run(job, progress=progress)
    except ImportFileError as exc:
        job.status, job.error = ImportStatus.FAILED, exc.message
        job.save(update_fields=["status", "error", "updated_at"])
        raise ValidationError({"file": [exc.message]}) from None


def import_check_run(*, job: ImportJob, progress: Any = None) -> runner.Counts:
    """The dry run itself (the worker's task, the command line)."""
    return _dry_run(job, progress)


@transaction.atomic
def import_start(*, actor: User, job: ImportJob, queue: bool = True) -> ImportJob:
    """Queue a checked import for the worker (``queue=False``: the caller runs it
    itself with ``import_run``, as the command line does)."""
    _own(actor, job)
    if job.status != ImportStatus.CHECKED:
        raise ValidationError({"job": [_("Check the file (dry run) before importing it.")]})
    job.status = ImportStatus.QUEUED
    job.save(update_fields=["status", "updated_at"])
    if queue:
        transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return job


@transaction.atomic
def import_resume(
    *, actor: User, job: ImportJob, queue: bool = True, force: bool = False
) -> ImportJob:
    """Queue again an import that stopped (failed, or its worker died): it goes on at
    its checkpoint. A job still marked running counts as stopped once its heartbeat is
    stale, or at once with ``force`` (the command line's ``--resume``: the user knows
    the process that ran it is gone)."""
    _own(actor, job)
    running_dead = job.status == ImportStatus.RUNNING and (force or import_is_stale(job))
    if job.status not in (ImportStatus.FAILED, ImportStatus.QUEUED) and not running_dead:
        raise ValidationError({"job": [_("Only a stopped import can be resumed.")]})
    job.status, job.error = ImportStatus.QUEUED, ""
    job.save(update_fields=["status", "error", "updated_at"])
    if queue:
        transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return job


def _claim(job: ImportJob) -> bool:
    """Take the job for this process: one conditional UPDATE, so two workers (or a
    worker and the command line) never import the same rows at once. A job still
    marked running is taken only when its last heartbeat is stale (a dead worker)."""
    now = timezone.now()
    stale = stale_before()
    claimable = Q(status=ImportStatus.QUEUED) | Q(
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True), status=ImportStatus.RUNNING
    )
    taken = ImportJob.objects.filter(claimable, pk=job.pk).update(
        status=ImportStatus.RUNNING, heartbeat_at=now, updated_at=now
    )
    return taken == 1


def import_run(*, job: ImportJob, progress: Any = None) -> runner.Counts | None:
    """Import the job's rows from its checkpoint (the worker's task, the command
    line); None when another process has it. A failure that is not about a row marks
    the job failed with the reason."""
    if not _claim(job):
        return None
    try:
        return runner.run(job, progress=progress)
    except ImportFileError as exc:
        _fail(job, exc.message)
        raise
    except Exception as exc:
        _fail(job, _("The import stopped: %(error)s") % {"error": exc})
        raise


def _fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, error=message[:2000], finished_at=timezone.now()
    )


def import_resume_stale(*, queued: bool = True) -> list[int]:
    """Jobs a dead worker left running (heartbeat stale), and with ``queued`` those
    queued and maybe lost (a worker starting): queue them again; each resumes at its
    checkpoint. The running workers call it periodically (``watch_imports``), a
    starting worker once with ``queued``."""
    dead = ImportJob.objects.filter(
        Q(heartbeat_at__lt=stale_before()) | Q(heartbeat_at__isnull=True),
        status=ImportStatus.RUNNING,
    )
    stale = list(dead.values_list("pk", flat=True))
    # Queued again (a conditional update: a worker that reports meanwhile keeps it).
    stale = [
        pk
        for pk in stale
        if dead.filter(pk=pk).update(status=ImportStatus.QUEUED, updated_at=timezone.now())
    ]
    if queued:
        waiting = ImportJob.objects.filter(status=ImportStatus.QUEUED).exclude(pk__in=stale)
        stale += list(waiting.values_list("pk", flat=True))
    for pk in stale:
        run_import.enqueue(pk)
    return stale


@transaction.atomic
def import_undo(*, actor: User, job: ImportJob) -> int:
    """Undo a finished import as a whole: trash the records it created, put back the
    records it updated. Only while none of them was edited since; all or nothing.
    Returns how many records were undone."""
    _own(actor, job)
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportStatus.DONE:
        raise ValidationError({"job": [_("Only a finished import can be undone.")]})
    if job.kind == ImportKind.ORDERS:
        done = order_undo(actor=actor, job=job)
        job.status, job.undone_at = ImportStatus.UNDONE, timezone.now()
        job.save(update_fields=["status", "undone_at", "updated_at"])
        return done
    model: Any = import_kind(job.kind).model  # people or organizations
    created = dict(
        job.records.filter(action=ImportedAction.CREATED).values_list("object_id", "version")
    )
    updated = list(job.records.filter(action=ImportedAction.UPDATED))
    current = dict(
        model.objects.filter(pk__in=[r.object_id for r in updated]).values_list("pk", "version")
    )
    changed = [r for r in updated if current.get(r.object_id) != r.version]
    if changed:
        raise ValidationError(
            {
                "job": [
                    _("%(n)s of these records were changed since; undo is no longer possible.")
                    % {"n": len(changed)}
                ]
            }
        )
    with interface(Interface.IMPORT):
        try:
            done = bulk.records_trash_many(actor=actor, model=model, versions=created)
        except ValidationError as exc:
            raise ValidationError({"job": exc.messages}) from None
        people = job.kind == ImportKind.PEOPLE
        for record in reversed(updated):
            get = contacts_selectors.person_get if people else contacts_selectors.organization_get
            instance = get(user=actor, pk=record.object_id)
            data = runner.data_from_json(record.before or {}, people=people)
            if people:
                services.person_update(actor=actor, person=instance, data=data)  # type: ignore[arg-type]
            else:
                services.organization_update(
                    actor=actor,
                    organization=instance,  # type: ignore[arg-type]
                    data=data,  # type: ignore[arg-type]
                )
            done += 1
    job.status, job.undone_at = ImportStatus.UNDONE, timezone.now()
    job.save(update_fields=["status", "undone_at", "updated_at"])
    return done


def order_undo(*, actor: User, job: ImportJob) -> int:
    """Undo an order import (inside ``import_undo``'s transaction): its orders cancelled
    and trashed (all, or none when one was changed since), then the customers and the
    catalogue products it created, those nobody has changed or used since."""
    records = job.records.all()
    orders = {r.object_id: r.version for r in records if r.action == ImportedAction.CREATED}
    people = {r.object_id: r.version for r in records if r.action == ImportedAction.PERSON}
    products = [r.object_id for r in records if r.action == ImportedAction.PRODUCT]
    with interface(Interface.IMPORT):
        try:
            done = sales_bulk.orders_trash_many(actor=actor, versions=orders)
        except ValidationError as exc:
            raise ValidationError({"job": exc.messages}) from None
        unchanged = dict(Person.objects.filter(pk__in=list(people)).values_list("pk", "version"))
        kept = {pk: v for pk, v in people.items() if unchanged.get(pk) == v}
        with_orders = set(
            Order.objects.filter(person_id__in=list(kept), deleted_at__isnull=True).values_list(
                "person_id", flat=True
            )
        )
        kept = {pk: v for pk, v in kept.items() if pk not in with_orders}
        done += bulk.records_trash_many(actor=actor, model=Person, versions=kept)
        for product in Product.objects.filter(
            pk__in=sales_bulk.products_unused(products, besides=list(orders)),
            deleted_at__isnull=True,
        ):
            if product.updated_at == product.created_at:
                catalogue.product_trash(actor=actor, product=product)
                done += 1
    return done


def _own(actor: User, job: ImportJob) -> None:
    if job.user_id != actor.pk and not getattr(actor, "is_admin", False):
        raise NotFound()


# --- saved mappings ----------------------------------------------------------------------------


@transaction.atomic
def mapping_save(
    *, actor: User, name: str, kind: str, headers: list[str], mapping: list[str]
) -> ImportMapping:
    """Save (or replace) a named mapping: header -> target for every mapped column."""
    _require(actor, kind if kind in ImportKind.values else ImportKind.PEOPLE)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("Give the mapping a name.")]})
    if len(name) > 100:
        raise ValidationError({"name": [_("At most 100 characters.")]})
    _check_mapping(kind, headers, mapping)
    columns = {h: t for h, t in zip(headers, mapping, strict=True) if t}
    saved, _created = ImportMapping.objects.update_or_create(
        kind=kind, name=name, defaults={"columns": columns, "created_by": actor}
    )
    return saved


def mapping_apply(saved: ImportMapping, headers: list[str], kind: str) -> list[str]:
    """A saved mapping over a file's headers (headers it does not know: the guess)."""
    guessed = guess_mapping(headers, kind)
    return [saved.columns.get(h, guess) for h, guess in zip(headers, guessed, strict=True)]
