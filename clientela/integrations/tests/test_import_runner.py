"""The runner: chunks committed with their checkpoint, so a job that stops part-way
resumes where it stopped, every row exactly once; the dry run rolls back every chunk."""

from __future__ import annotations

import json
from typing import Any

import pytest

from clientela.contacts.birthdays import Birthday
from clientela.contacts.models import EmailAddress, Organization, Person
from clientela.contacts.services import AddressInput, EmailInput, PhoneInput
from clientela.core.models import AuditEntry
from clientela.integrations import services
from clientela.integrations.imports import runner
from clientela.integrations.models import ImportedRecord, ImportStatus
from clientela.integrations.tests.test_import_services import _media, csv_file, import_file

pytestmark = pytest.mark.django_db

__all__ = ["_media"]


def people_rows(n: int) -> bytes:
    rows = [["first_name", "last_name", "email", "organization"]]
    rows += [[f"P{i}", "Test", f"p{i}@example.com", f"Org {i % 3}"] for i in range(n)]
    return csv_file(rows)


def test_a_chunk_that_fails_leaves_the_committed_ones_and_the_rerun_finishes(
    rep_north: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "CHUNK", 4)
    job = import_file(rep_north, people_rows(10), dry_run=True)
    assert job.rows_total == 10
    services.import_start(actor=rep_north, job=job)

    real = runner.Importer.process
    calls = {"n": 0}

    def flaky(self: runner.Importer, rows: list[Any]) -> runner.ChunkResult:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return real(self, rows)

    monkeypatch.setattr(runner.Importer, "process", flaky)
    with pytest.raises(RuntimeError):
        services.import_run(job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "disk full" in job.error
    assert (job.rows_done, job.created) == (4, 4)
    assert Person.objects.count() == 4

    # A failed job is not taken up again by accident; it is resumed on purpose.
    assert services.import_run(job=job) is None
    job = services.import_resume(actor=rep_north, job=job, queue=False)
    counts = services.import_run(job=job)
    job.refresh_from_db()
    assert counts is not None
    assert (counts.created, counts.rows) == (6, 6)
    assert (job.status, job.rows_done, job.created, job.failed, job.skipped) == (
        ImportStatus.DONE,
        10,
        10,
        0,
        0,
    )
    assert Person.objects.count() == 10
    addresses = list(EmailAddress.objects.values_list("address", flat=True))
    assert sorted(addresses) == sorted(f"p{i}@example.com" for i in range(10))
    assert Organization.objects.count() == 3
    assert ImportedRecord.objects.filter(job=job).count() == 10
    assert AuditEntry.objects.filter(action="create", content_type__model="person").count() == 10


def test_dry_run_in_chunks_writes_nothing_and_counts_all(
    rep_north: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "CHUNK", 3)
    progress: list[int] = []
    job = import_file(rep_north, people_rows(7), dry_run=True)
    counts = runner.dry_run(job, progress=progress.append)
    assert progress == [3, 3, 1]
    assert (counts.created, counts.rows) == (7, 7)
    assert (Person.objects.count(), Organization.objects.count()) == (0, 0)
    job.refresh_from_db()
    assert (job.rows_done, job.preview["created"], len(job.preview["rows"])) == (0, 7, 7)


def test_duplicates_across_chunks_are_found(
    rep_north: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "CHUNK", 2)
    rows = [["first_name", "last_name", "email"]]
    rows += [["Ana", "Ruiz", "ana@example.com"], ["Bea", "Soto", "bea@example.com"]]
    rows += [["Ana", "Ruiz", "ana@example.com"]]
    job = import_file(rep_north, csv_file(rows))
    assert (job.created, job.skipped, job.updated) == (2, 1, 0)


def test_update_data_keeps_what_the_row_leaves_empty(rep_north: Any, person_factory: Any) -> None:
    person = person_factory(
        rep_north, first_name="Ana", notes="n", emails=[EmailInput("a@x.es", "work", True)]
    )
    data = runner.update_data(
        person,
        {"first_name": "", "notes": "new", "emails": [EmailInput("A@X.ES"), EmailInput("b@x.es")]},
    )
    assert "first_name" not in data
    assert data["notes"] == "new"
    assert [(e.address, e.is_primary) for e in data["emails"]] == [
        ("a@x.es", True),
        ("b@x.es", False),
    ]


def test_record_data_round_trips_through_json(rep_north: Any, person_factory: Any) -> None:
    person = person_factory(
        rep_north,
        birthday=Birthday(1, 2, 1990),
        phones=[PhoneInput("+34612345678", "mobile", True)],
        addresses=[AddressInput("ES", "work", "Calle 1", "Madrid", "", "28001", True)],
        tags=["a"],
    )
    raw = json.loads(json.dumps(runner.record_data(person)))
    data = runner.data_from_json(raw, people=True)
    assert data["birthday"] == "1990-01-02"  # its text, which the services read
    assert [p.number for p in data["phones"]] == ["+34612345678"]
    assert data["addresses"][0].city == "Madrid"
    assert data["tags"] == ["a"]
