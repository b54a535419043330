"""Running an import job: the dry run and the import itself, chunk by chunk.

Both read the file from the job's checkpoint, convert each chunk of rows
(``convert``), match it against what is there (``matching``), and write it through the
contacts services (``contacts.bulk`` for new records, ``services.*_update`` for the
records a row updates, with the changes ``records.update_data`` finds). The dry run
does exactly the same inside a transaction it rolls back, so its report is what the
import will do; the import commits each chunk together with the job's counters and
checkpoint (``rows_done``), so a killed worker resumes at the first row not committed,
losing and doubling nothing.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contacts import bulk, bulk_updates, services
from clientela.contacts import selectors as contacts_selectors
from clientela.contacts.bulk_updates import Current
from clientela.contacts.models import Organization, Person
from clientela.core.choices import Interface
from clientela.core.context import interface
from clientela.core.db import insert_rows
from clientela.core.models import User
from clientela.integrations.imports import consents, salvage
from clientela.integrations.imports.convert import Converted, Converter, Issue
from clientela.integrations.imports.counts import Counts, summary
from clientela.integrations.imports.dates import date_order, default_date_order
from clientela.integrations.imports.matching import Matcher, keys_from_record
from clientela.integrations.imports.process import no_gc_rounds, no_sqlite_mmap
from clientela.integrations.imports.readers import ImportFileError, Row, Table, open_table
from clientela.integrations.imports.records import (
    data_from_json,
    preview_of,
    record_data,
    update_data,
)
from clientela.integrations.models import (
    ImportedAction,
    ImportedRecord,
    ImportJob,
    ImportRowIssue,
    ImportStatus,
    OnDuplicate,
    RowIssueKind,
)

#: Rows per transaction (and per checkpoint): ``CLIENTELA_IMPORT_CHUNK``, which tests
#: also lower to stop an import part-way (a small file in several chunks).
CHUNK = settings.CLIENTELA_IMPORT_CHUNK
#: Rows the dry run keeps "as they will be saved" for the preview.
PREVIEW_ROWS = 20
#: Rows sampled to tell day-first from month-first dates.
DATE_SAMPLE = 2000
#: The importers of kinds other than contacts (``orders`` registers its own).
IMPORTERS: dict[str, Callable[..., Any]] = {}


class _Rollback(Exception):
    """Raised at the end of a dry-run chunk to undo its writes."""


@dataclass
class ChunkResult:
    counts: Counts = field(default_factory=Counts)
    issues: list[ImportRowIssue] = field(default_factory=list)
    #: (row, object id, action, version, data before) of each record written.
    records: list[tuple[int, int, str, int, dict[str, Any] | None]] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)


def table_for(job: ImportJob) -> Table:
    return open_table(job.file.path, filename=job.filename)


def _chunks(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while True:
        chunk = list(itertools.islice(rows, size))
        if not chunk:
            return
        yield chunk


def make_converter(job: ImportJob, table: Table) -> Converter:
    order = default_date_order(job.headers)
    if "birthday" in job.mapping:
        column = job.mapping.index("birthday")
        sample = (r.cells[column] for r in itertools.islice(table.rows(), DATE_SAMPLE))
        order = date_order(sample, default=order)
    owners: dict[str, Any] = {}
    if "owner" in job.mapping:
        # HubSpot and Salesforce write the owner's full name, others the login or the
        # e-mail: any of the three finds the user (the login first).
        for user in User.objects.filter(is_active=True):
            for key in (user.get_full_name(), user.email, user.username):
                if key.strip():
                    owners[key.strip().casefold()] = user
    return Converter(
        kind=job.kind,
        headers=job.headers,
        mapping=job.mapping,
        order=order,
        owners=owners,
        country=job.country,
        neutralized=table.format == "csv",
    )


class Importer:
    """One pass over a job's file (``dry_run`` or for real)."""

    def __init__(self, job: ImportJob, *, dry_run: bool) -> None:
        self.job = job
        self.dry_run = dry_run
        self.actor = job.user
        self.table = table_for(job)
        self.converter = make_converter(job, self.table)
        self.matcher = Matcher(kind=job.kind, user=self.actor)
        self.people = job.kind == "people"
        self.terms = consents.ConsentTerms.of(job.consent_terms)
        self.reference = f"import #{job.pk}: {job.filename}"[:300]

    # --- a chunk ---------------------------------------------------------------------------

    def _convert(self, rows: list[Row], result: ChunkResult) -> list[Converted]:
        converted = []
        for row in rows:
            item = self.converter.convert(row.number, row.cells)
            for index, message in reversed(row.problems):
                if index is None:  # the row as a whole (cells past the header, bad bytes)
                    item.issues.insert(0, Issue(column="", value="", message=message))
                elif target := self.job.mapping[index]:
                    # A cell the reader could not use (a spreadsheet's formula): left out
                    # like any unusable optional cell; the row is kept if it still says
                    # who it is.
                    column = self.job.headers[index]
                    value = row.cells[index][:300]
                    item.left_out.append(Issue(column, value, message, target=target))
            converted.append(item)
        return converted

    def _organization_ids(self, names: set[str]) -> dict[str, int]:
        """Folded name -> id of the visible organization of that name, creating the
        missing ones (people-with-organization rows)."""
        if not names:
            return {}
        wanted = {n.strip().casefold(): n.strip()[:200] for n in names if n.strip()}
        found: dict[str, int] = {}
        variants = sorted({v for n in wanted.values() for v in (n, n.title(), n.upper())})
        for pk, name in contacts_selectors.organization_names(user=self.actor, names=variants):
            found.setdefault(name.casefold(), pk)
        missing = [k for k in wanted if k not in found]
        if missing:
            outcomes = bulk.organizations_create_many(
                actor=self.actor, items=[{"name": wanted[k]} for k in missing]
            )
            for key, outcome in zip(missing, outcomes, strict=True):
                if outcome.record is not None:
                    found[key] = outcome.record.pk
        return found

    def _issue(
        self, row: int, message: str, *, column: str = "", value: str = "", kind: str = "error"
    ) -> ImportRowIssue:
        return ImportRowIssue.of(
            self.job, row, message, dry_run=self.dry_run, column=column, value=value, kind=kind
        )

    def _errors(self, item: Converted, errors: dict[str, list[str]]) -> list[ImportRowIssue]:
        issues = []
        cells = self._cells.get(item.number)
        for key, messages in errors.items():
            for message in messages:
                column = self.converter.column_of(key, cells, message)
                value = ""
                if column and cells is not None:
                    value = cells[self.job.headers.index(column)]
                issues.append(self._issue(item.number, message, column=column, value=value))
        return issues

    def process(self, rows: list[Row]) -> ChunkResult:
        """Convert, check, match and write one chunk; the caller owns the transaction.

        Every row is validated by the services (``bulk.*_check``) before anything is
        written, so a refused row leaves nothing behind: its organization is never
        created, and no later row is skipped as its duplicate."""
        result = ChunkResult()
        result.counts.rows = len(rows)
        self._cells = {r.number: r.cells for r in rows}
        converted = self._convert(rows, result)
        good: list[Converted] = []
        for c in converted:
            if c.ok:
                good.append(c)
                continue
            result.counts.failed += 1
            result.issues += [
                self._issue(c.number, i.message, column=i.column, value=i.value) for i in c.issues
            ]
        accepted = self._check(good, result)
        keys = [
            keys_from_record(
                self.job.kind, chk.record, chk.details, [n for n, _t in c.organizations]
            )
            for c, chk in accepted
        ]
        self.matcher.prepare(keys)
        to_create: list[tuple[Converted, bulk.Checked]] = []
        to_update: list[tuple[Converted, int]] = []
        pending: dict[int, int] = {}  # placeholder id -> row number
        for (c, chk), k in zip(accepted, keys, strict=True):
            match = self.matcher.match(k)
            policy: str
            if match is None:
                policy = OnDuplicate.CREATE
            else:
                policy = self.job.on_exact if match.rule == "exact" else self.job.on_similar
            if match is not None and match.record_id < 0 and policy == OnDuplicate.UPDATE:
                policy = OnDuplicate.SKIP  # the record it matches is not saved yet
            if policy == OnDuplicate.SKIP and match is not None:
                result.counts.skipped += 1
                what = (
                    _("row %(n)s of this file") % {"n": pending[match.record_id]}
                    if match.record_id < 0
                    else f"#{match.record_id}"
                )
                result.issues.append(
                    self._issue(
                        c.number,
                        _("Skipped: the same as %(what)s (%(why)s).")
                        % {"what": what, "why": match.reason},
                        kind=RowIssueKind.DUPLICATE,
                    )
                )
            elif policy == OnDuplicate.UPDATE and match is not None:
                to_update.append((c, match.record_id))
            else:
                placeholder = -(len(pending) + 1)
                pending[placeholder] = c.number
                self.matcher.remember(k, placeholder)
                to_create.append((c, chk))
        if self.people:
            self._memberships(to_create, to_update)
        self._create(to_create, result)
        self._update(to_update, result)
        return result

    def _check(
        self, good: list[Converted], result: ChunkResult
    ) -> list[tuple[Converted, bulk.Checked]]:
        """The rows the services accept, once what they refuse in a row is left out
        (``salvage``); the others failed, with their reasons."""
        accepted: list[tuple[Converted, bulk.Checked]] = []
        pending = list(good)
        for round_ in range(salvage.ROUNDS + 1):
            if not pending:
                break
            pending = self._identified(pending, result)
            checks = self._service_check(pending)
            retry: list[Converted] = []
            for c, checked in zip(pending, checks, strict=True):
                if not isinstance(checked, dict):
                    accepted.append((c, checked))
                    continue
                dropped = salvage.leave_out(c, checked) if round_ < salvage.ROUNDS else None
                if dropped is None:
                    result.counts.failed += 1
                    result.issues += self._errors(c, checked)
                    continue
                c.left_out += [self._left_out_issue(c, *item) for item in dropped]
                retry.append(c)
            pending = retry
        accepted.sort(key=lambda pair: pair[0].number)
        for c, _checked in accepted:
            result.issues += self._notes(c)
        return accepted

    def _identified(self, rows: list[Converted], result: ChunkResult) -> list[Converted]:
        """The rows with something that identifies the record; the others failed."""
        if not self.people:
            return rows
        kept = []
        for c in rows:
            if why := salvage.identify(c):
                result.counts.failed += 1
                result.issues.append(self._issue(c.number, why))
            else:
                kept.append(c)
        return kept

    def _service_check(self, rows: list[Converted]) -> list[bulk.Checked | dict[str, list[str]]]:
        if self.people:
            for c in rows:
                if c.organizations:
                    # Ids of 0: resolved (and created) once the row is known to be written.
                    c.data["memberships"] = [
                        services.MembershipInput(0, title, position == 0)
                        for position, (_name, title) in enumerate(c.organizations)
                    ]
        check = bulk.people_check if self.people else bulk.organizations_check
        return check(actor=self.actor, items=[c.data for c in rows])  # type: ignore[misc]

    def _left_out_issue(self, c: Converted, key: str, value: str, message: str) -> Issue:
        cells = self._cells.get(c.number)
        column = self.converter.column_of(key, cells, value and f"“{value}”")
        return Issue(column, value[:300], message, target=key)

    def _column_position(self, issue: Issue) -> int:
        """Where the issue's column is in the file (a row's report reads in its order)."""
        headers = self.job.headers
        return headers.index(issue.column) if issue.column in headers else len(headers)

    def _notes(self, c: Converted) -> list[ImportRowIssue]:
        """A written row's report: each cell left out, then what was assumed."""
        left_out = [
            self._issue(
                c.number,
                _("Left out: %(why)s") % {"why": i.message},
                column=i.column,
                value=i.value,
                kind=RowIssueKind.NOTE,
            )
            for i in sorted(c.left_out, key=self._column_position)
        ]
        notes = [
            self._issue(c.number, n.message, column=n.column, value=n.value, kind=RowIssueKind.NOTE)
            for n in c.notes
        ]
        return left_out + notes

    def _memberships(
        self,
        to_create: list[tuple[Converted, bulk.Checked]],
        to_update: list[tuple[Converted, int]],
    ) -> None:
        """The organizations of the rows that will be written, found or created."""
        rows = [c for c, _chk in to_create] + [c for c, _pk in to_update]
        org_ids = self._organization_ids({n for c in rows for n, _t in c.organizations})

        def resolved(c: Converted) -> list[services.MembershipInput]:
            return [
                services.MembershipInput(org_ids[key], title, position == 0)
                for position, (name, title) in enumerate(c.organizations)
                if (key := name.strip().casefold()) in org_ids
            ]

        for c, checked in to_create:
            checked.memberships = resolved(c)
        for c, _pk in to_update:
            if c.organizations:
                c.data["memberships"] = resolved(c)
            else:
                c.data.pop("memberships", None)

    def _create(self, items: list[tuple[Converted, bulk.Checked]], result: ChunkResult) -> None:
        if not items:
            return
        records: list[Person | Organization]
        if self.dry_run:
            # What the services accepted is what would be written: the dry run stops here.
            records = [chk.record for _c, chk in items]
        else:
            write = bulk.people_write if self.people else bulk.organizations_write
            records = write(actor=self.actor, checked=[chk for _c, chk in items])
        for (c, _chk), record in zip(items, records, strict=True):
            result.counts.created += 1
            result.counts.written(c)
            if not self.dry_run:
                result.records.append(
                    (c.number, record.pk, ImportedAction.CREATED.value, record.version, None)
                )
            if len(result.preview) < PREVIEW_ROWS:
                result.preview.append(preview_of(c.number, record, c))
        self._consents(
            [(c, record) for (c, _chk), record in zip(items, records, strict=True)], result
        )

    def _update(self, items: list[tuple[Converted, int]], result: ChunkResult) -> None:
        """The rows that update a record, all at once (``contacts.bulk_updates``, the
        same steps as ``person_update``), each keeping the record's data before it for
        the undo."""
        if not items:
            return
        before: dict[int, dict[str, Any]] = {}
        found: dict[int, Person | Organization] = {}

        def merge(position: int, current: Current, data: dict[str, Any]) -> dict[str, Any]:
            read = {**current.details, "tags": current.tags, "memberships": current.memberships}
            found[position] = current.record
            before[position] = record_data(current.record, read)
            return update_data(current.record, data, read)

        model = Person if self.people else Organization
        written: list[tuple[Converted, Person | Organization]] = []
        outcomes = bulk_updates.update_many(
            actor=self.actor,
            model=model,
            items=[(pk, c.data) for c, pk in items],
            merge=merge,
            dry_run=self.dry_run,
        )
        for position, ((c, pk), outcome) in enumerate(zip(items, outcomes, strict=True)):
            if isinstance(outcome, dict):
                result.counts.failed += 1
                result.issues += self._errors(c, outcome)
                continue
            if outcome is None:
                result.counts.skipped += 1  # nothing new in the row: the same file again
                if position in found:  # its consent cells still count: a file of consents
                    written.append((c, found[position]))
                continue
            result.counts.updated += 1
            result.counts.written(c)
            written.append((c, outcome))
            result.records.append(
                (c.number, pk, ImportedAction.UPDATED.value, outcome.version, before[position])
            )
            if len(result.preview) < PREVIEW_ROWS:
                result.preview.append(preview_of(c.number, outcome, c, updated=True))
        self._consents(written, result)

    def _consents(
        self, rows: list[tuple[Converted, Person | Organization]], result: ChunkResult
    ) -> None:
        """The consent cells of the rows written: counted (what the dry run shows), and
        on the import recorded for each row's person through marketing's service; a
        consent refused is a note on its row, the row stays imported."""
        rows = [(c, record) for c, record in rows if c.consents]
        granted, withdrawn = consents.tally(c.consents for c, _record in rows)
        result.counts.consents_granted += granted
        result.counts.consents_withdrawn += withdrawn
        if self.dry_run:
            return
        for c, record in rows:
            assert isinstance(record, Person)
            problems = consents.record(
                actor=self.actor,
                person=record,
                consents=c.consents,
                terms=self.terms,
                reference=self.reference,
            )
            result.issues += [self._issue(c.number, p, kind=RowIssueKind.NOTE) for p in problems]

    # --- whole passes ------------------------------------------------------------------------

    def rows(self) -> Iterator[list[Row]]:
        start = 0 if self.dry_run else self.job.rows_done
        return _chunks(self.table.rows(start=start), CHUNK)


def dry_run(job: ImportJob, *, progress: Callable[[int], None] | None = None) -> Counts:
    """Check every row as the import would, write nothing; store the report."""
    job.issues.filter(dry_run=True).delete()
    importer = IMPORTERS.get(job.kind, Importer)(job, dry_run=True)
    counts = Counts()
    preview: list[dict[str, Any]] = []
    with interface(Interface.IMPORT):
        for rows in importer.rows():
            holder: list[ChunkResult] = []
            try:
                with transaction.atomic(), no_gc_rounds():
                    holder.append(importer.process(rows))
                    raise _Rollback
            except _Rollback:
                pass
            result = holder[0]
            counts.add(result.counts)
            ImportRowIssue.objects.bulk_create(result.issues, batch_size=1000)
            preview += result.preview[: PREVIEW_ROWS - len(preview)]
            if progress:
                progress(len(rows))
    job.preview = {
        "rows": preview,
        "created": counts.created,
        "updated": counts.updated,
        "skipped": counts.skipped,
        "failed": counts.failed,
        "partial": counts.partial,
        "cells": counts.cells,
        "consents_granted": counts.consents_granted,
        "consents_withdrawn": counts.consents_withdrawn,
        "order": importer.converter.order,
    }
    job.rows_total = counts.rows
    job.status = ImportStatus.CHECKED
    job.save(update_fields=["preview", "rows_total", "status", "updated_at"])
    return counts


def run(job: ImportJob, *, progress: Callable[[int], None] | None = None) -> Counts:
    """Import from the job's checkpoint to the end, a committed chunk at a time."""
    now = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.RUNNING, started_at=job.started_at or now, heartbeat_at=now
    )
    importer = IMPORTERS.get(job.kind, Importer)(job, dry_run=False)
    counts = Counts()
    with interface(Interface.IMPORT), no_sqlite_mmap():
        for rows in importer.rows():
            with transaction.atomic(), no_gc_rounds():
                result = importer.process(rows)
                ImportRowIssue.objects.bulk_create(result.issues, batch_size=1000)
                insert_rows(
                    ImportedRecord,
                    ["job_id", "row", "object_id", "action", "version", "before"],
                    [(job.pk, *r) for r in result.records],
                )
                c = result.counts
                ImportJob.objects.filter(pk=job.pk).update(
                    rows_done=F("rows_done") + c.rows,
                    created=F("created") + c.created,
                    updated=F("updated") + c.updated,
                    skipped=F("skipped") + c.skipped,
                    failed=F("failed") + c.failed,
                    partial=F("partial") + c.partial,
                    cells_left_out=F("cells_left_out") + c.cells,
                    heartbeat_at=timezone.now(),
                    updated_at=timezone.now(),
                )
            counts.add(result.counts)
            if progress:
                progress(len(rows))
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.DONE, finished_at=timezone.now(), updated_at=timezone.now()
    )
    job.refresh_from_db()
    return counts


__all__ = [
    "CHUNK",
    "Counts",
    "ImportFileError",
    "Importer",
    "data_from_json",
    "dry_run",
    "make_converter",
    "preview_of",
    "record_data",
    "run",
    "summary",
    "table_for",
    "update_data",
]
