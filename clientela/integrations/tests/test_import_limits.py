"""Hostile uploads: the upload only stores a large file and answers at once (the job
"reading", its task queued); the worker reads it within the limits of the settings
(rows, columns, cell size, the uncompressed size of an .xlsx checked from its zip
directory before it is parsed) and fails the job with a clear message; the failed job's
page stays small and the job can be discarded."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from clientela.integrations import tasks
from clientela.integrations.imports.readers import ImportFileError, open_table
from clientela.integrations.models import ImportJob, ImportStatus

pytestmark = pytest.mark.django_db

_OOXML = "application/vnd.openxmlformats-"
_SHEET_ML = f"{_OOXML}officedocument.spreadsheetml"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    f'<Default Extension="rels" ContentType="{_OOXML}package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_SHEET_ML}.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    f'ContentType="{_SHEET_ML}.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS_NS}">'
    f'<Relationship Id="rId1" Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{_DOC_RELS}">'
    '<sheets><sheet name="People" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS_NS}">'
    f'<Relationship Id="rId1" Type="{_DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def _cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _sheet(rows: int) -> Iterator[bytes]:
    yield (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData>"
    )
    yield f'<row r="1">{_cell("A1", "First name")}{_cell("B1", "Last name")}</row>'.encode()
    for number in range(2, rows + 2):
        cells = _cell(f"A{number}", "Ana") + _cell(f"B{number}", "García")
        yield f'<row r="{number}">{cells}</row>'.encode()
    yield b"</sheetData></worksheet>"


def huge_xlsx(rows: int) -> bytes:
    """A valid workbook whose one sheet holds ``rows`` rows, its XML written as a
    stream (never held whole in memory): small zipped, large unpacked."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for chunk in _sheet(rows):
                sheet.write(chunk)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(client: Any, content: bytes, name: str) -> Any:
    # The task is queued on commit, as outside the test's transaction.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse("integrations:import-new"),
            {"file": SimpleUploadedFile(name, content), "kind": ""},
        )


def queued_read(job: ImportJob) -> DBTaskResult[Any, Any]:
    """The read_import task queued for ``job`` (the upload itself read nothing)."""
    result = DBTaskResult.objects.get(
        task_path=tasks.read_import.module_path, args_kwargs__args=[job.pk]
    )
    assert result.args_kwargs["args"] == [job.pk]
    return result


def run_queued_read(job: ImportJob) -> ImportJob:
    queued_read(job)
    tasks.read_import.call(job.pk)
    job.refresh_from_db()
    return job


def detail(job: ImportJob) -> str:
    return reverse("integrations:import-detail", kwargs={"pk": job.pk})


def test_a_small_xlsx_that_unpacks_huge_is_stored_then_failed_by_the_worker(
    client: Any, rep_north: Any, settings: Any
) -> None:
    settings.CLIENTELA_IMPORT_MAX_XLSX_MB = 1
    content = huge_xlsx(60_000)  # ~6 MB of sheet XML
    assert len(content) < 600_000
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(content)).infolist())
    assert unpacked > 10 * len(content)
    client.force_login(rep_north)
    response = upload(client, content, "people.xlsx")
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(job)
    # Stored, not read: no columns, no rows counted, waiting for the worker.
    assert (job.status, job.headers, job.rows_total) == (ImportStatus.READING, [], 0)
    page = client.get(detail(job)).content.decode()
    assert "Reading the file" in page
    assert 'hx-trigger="every 1s"' in page
    job = run_queued_read(job)
    assert job.status == ImportStatus.FAILED
    assert "CLIENTELA_IMPORT_MAX_XLSX_MB" in job.error
    assert "unpacks to" in job.error
    page = client.get(detail(job)).content.decode()
    assert "CLIENTELA_IMPORT_MAX_XLSX_MB" in page


def test_the_same_xlsx_within_the_limits_is_read_by_the_worker(
    client: Any, rep_north: Any, settings: Any
) -> None:
    settings.CLIENTELA_IMPORT_INLINE_KB = 0
    client.force_login(rep_north)
    upload(client, huge_xlsx(300), "people.xlsx")
    job = run_queued_read(ImportJob.objects.get())
    assert (job.status, job.kind, job.rows_total) == (ImportStatus.NEW, "people", 300)
    assert job.headers == ["First name", "Last name"]
    assert job.mapping == ["first_name", "last_name"]
    assert 'id="mapping-form"' in client.get(detail(job)).content.decode()
    # Too many rows for the settings: the worker says so.
    settings.CLIENTELA_IMPORT_MAX_ROWS = 299
    upload(client, huge_xlsx(300), "more.xlsx")
    job = ImportJob.objects.get(filename="more.xlsx")
    tasks.read_import.call(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "more than 299 rows (CLIENTELA_IMPORT_MAX_ROWS)" in job.error


def test_a_csv_header_of_200000_columns_fails_and_its_page_stays_small(
    client: Any, rep_north: Any, settings: Any
) -> None:
    header = ",".join(f"column{n}" for n in range(200_000))
    content = f"{header}\n{'x,' * 199_999}x\n".encode()
    assert len(content) > 1_500_000
    client.force_login(rep_north)
    response = upload(client, content, "wide.csv")
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.status == ImportStatus.READING
    job = run_queued_read(job)
    assert job.status == ImportStatus.FAILED
    assert "200000 columns" in job.error
    assert "at most 300 (CLIENTELA_IMPORT_MAX_COLUMNS)" in job.error
    assert job.headers == []
    response = client.get(detail(job))
    assert response.status_code == 200
    page = response.content.decode()
    assert "CLIENTELA_IMPORT_MAX_COLUMNS" in page
    assert "column1999" not in page
    assert len(page) < 100_000
    # It can be discarded: the job and its file are gone.
    path = Path(job.file.path)
    assert path.exists()
    response = client.post(reverse("integrations:import-discard", kwargs={"pk": job.pk}))
    assert response.status_code == 302
    assert response["Location"] == reverse("integrations:import-list")
    assert not ImportJob.objects.exists()
    assert not path.exists()


def test_small_files_over_a_limit_are_refused_on_the_form(
    client: Any, rep_north: Any, settings: Any
) -> None:
    client.force_login(rep_north)
    settings.CLIENTELA_IMPORT_MAX_ROWS = 2
    response = upload(client, b"First name,Last name\nAna,Ruiz\nLuis,Mora\nEva,Gil\n", "p.csv")
    assert response.status_code == 400
    assert "CLIENTELA_IMPORT_MAX_ROWS" in response.content.decode()
    settings.CLIENTELA_IMPORT_MAX_CELL = 10
    response = upload(client, b"First name,Last name\nAna,Ruiz\nLuis," + b"M" * 11 + b"\n", "c.csv")
    assert response.status_code == 400
    assert "Line 3: a cell holds more than 10 characters" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_running_and_finished_imports_cannot_be_discarded(
    client: Any, rep_north: Any, rep_south: Any
) -> None:
    job = ImportJob.objects.create(
        user=rep_north, kind="people", filename="x.csv", status=ImportStatus.RUNNING
    )
    client.force_login(rep_north)
    url = reverse("integrations:import-discard", kwargs={"pk": job.pk})
    response = client.post(url, follow=True)
    assert "cannot be discarded" in response.content.decode()
    assert ImportJob.objects.filter(pk=job.pk).exists()
    assert client.get(url).status_code == 405
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED)
    client.force_login(rep_south)
    assert client.post(url).status_code == 404
    assert ImportJob.objects.filter(pk=job.pk).exists()


def test_a_single_line_cell_over_the_csv_modules_own_limit_names_the_setting(
    tmp_path: Path,
) -> None:
    path = tmp_path / "long.csv"
    path.write_text("a,b\n1,2\n3," + "z" * 200_000 + "\n")
    table = open_table(path)
    with pytest.raises(ImportFileError) as error:
        list(table.rows())
    assert error.value.message.startswith("Line 3: a cell holds more than 32767 characters")
