"""The import pages: upload (good and bad files), the column mapping (and its bad
values), the dry run's problems and report, start → run → done → undo, saved mappings,
the progress partial, and who may see what (others' imports 404, readers 403/404)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import override_settings
from django.urls import reverse

from clientela.contacts.models import Person
from clientela.integrations import services
from clientela.integrations.models import (
    ImportJob,
    ImportMapping,
    ImportRowIssue,
    ImportStatus,
)
from clientela.integrations.views import imports

pytestmark = pytest.mark.django_db

GOOD_CSV = (
    "First name,Last name,E-mail,City,Country,Notes\n"
    "Ana,García,ana@example.com,Madrid,Spain,VIP\n"
    "Luis,Pérez,not-an-email,Sevilla,ES,\n"
    "Marta,López,marta@example.com,Bilbao,España,Likes tea\n"
).encode()
#: Row 3's e-mail starts like a formula: the report must not let a spreadsheet run it.
FORMULA_CSV = (
    "First name,Last name,E-mail\nAna,García,ana@example.com\nLuis,Pérez,=HYPERLINK(1)\n"
).encode()


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(client: Any, content: bytes, name: str = "people.csv", kind: str = "") -> Any:
    return client.post(
        reverse("integrations:import-new"),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv"), "kind": kind},
    )


def detail(job: ImportJob) -> str:
    return reverse("integrations:import-detail", kwargs={"pk": job.pk})


def uploaded(user: Any, content: bytes = GOOD_CSV, name: str = "people.csv") -> ImportJob:
    return services.import_upload(
        actor=user, upload=SimpleUploadedFile(name, content), filename=name, kind="people"
    )


def checked(user: Any, content: bytes = GOOD_CSV) -> ImportJob:
    job = uploaded(user, content)
    services.import_check(actor=user, job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED
    return job


def mapping_post(job: ImportJob, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": job.kind,
        "on_exact": "update",
        "on_similar": "skip",
        "action": "check",
    }
    data.update({f"map_{i}": key for i, key in enumerate(job.mapping)})
    data.update(overrides)
    return data


def text(response: HttpResponse) -> str:
    return response.content.decode()


# --- list and upload ---------------------------------------------------------------------


def test_empty_list_offers_a_new_import(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    response = client.get(reverse("integrations:import-list"))
    assert response.status_code == 200
    assert "No imports yet" in text(response)
    assert reverse("integrations:import-new") in text(response)


def test_list_shows_own_imports_only_admin_sees_all(
    client: Any, rep_north: Any, rep_north2: Any, admin: Any
) -> None:
    uploaded(rep_north, name="mine.csv")
    uploaded(rep_north2, name="theirs.csv")
    client.force_login(rep_north)
    page = text(client.get(reverse("integrations:import-list")))
    assert "mine.csv" in page
    assert "theirs.csv" not in page
    client.force_login(admin)
    page = text(client.get(reverse("integrations:import-list")))
    assert "mine.csv" in page
    assert "theirs.csv" in page


def test_list_is_paginated(client: Any, rep_north: Any, settings: Any) -> None:
    settings.CLIENTELA_PAGE_SIZE = 5
    for n in range(7):
        uploaded(rep_north, name=f"file{n}.csv")
    client.force_login(rep_north)
    first = text(client.get(reverse("integrations:import-list")))
    # Newest first: the last upload is on page 1, the first one on page 2.
    assert "file6.csv" in first
    assert "file0.csv" not in first
    second = text(client.get(reverse("integrations:import-list") + "?page=2"))
    assert "file0.csv" in second
    assert "file6.csv" not in second
    assert client.get(reverse("integrations:import-list") + "?page=zz").status_code == 200


def test_upload_form_accepts_the_formats(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    page = text(client.get(reverse("integrations:import-new")))
    assert 'accept=".csv,.tsv,.txt,.xlsx,.vcf"' in page
    preset = text(
        client.get(reverse("integrations:import-new-kind", kwargs={"kind": "organizations"}))
    )
    assert '<option value="organizations" selected>' in preset


def test_upload_good_file_goes_to_the_mapping(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    response = upload(client, GOOD_CSV)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(job)
    assert (job.user, job.kind, job.rows_total) == (rep_north, "people", 3)
    page = text(client.get(detail(job)))
    assert 'id="mapping-form"' in page
    # Headers, sample values and the guessed targets preselected.
    assert "Last name" in page
    assert "ana@example.com" in page
    assert "Sevilla" in page
    assert '<option value="email" selected>' in page
    assert "— ignore —" in page


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"", "people.csv", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "x.csv", "binary"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 4, "report.pdf", "not a text"),
        (b"First name,Last name\n", "people.csv", "no data rows"),
        (b"just some words without any separator\n", "notes.doc", "cannot tell"),
    ],
)
def test_upload_bad_files_show_the_error_on_the_form(
    client: Any, rep_north: Any, content: bytes, name: str, expected: str
) -> None:
    client.force_login(rep_north)
    response = upload(client, content, name)
    assert response.status_code == 400
    assert expected in text(response)
    assert not ImportJob.objects.exists()


@override_settings(CLIENTELA_MAX_IMPORT_MB=1)
def test_upload_too_big_file_is_refused(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    big = b"First name,Last name\n" + b"Ana,Garcia\n" * 120_000
    response = upload(client, big)
    assert response.status_code == 400
    assert "CLIENTELA_MAX_IMPORT_MB" in text(response)
    assert not ImportJob.objects.exists()


def test_upload_without_a_file_or_with_a_bad_kind(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    response = client.post(reverse("integrations:import-new"), {"kind": "people"})
    assert response.status_code == 400
    assert "This field is required" in text(response)
    response = upload(client, GOOD_CSV, kind="dragons")
    assert response.status_code == 400
    assert "Select a valid choice" in text(response)
    assert not ImportJob.objects.exists()


# --- mapping -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"map_0": "shoe_size"}, "there is no field"),
        ({"map_0": "last_name"}, "is taken by the columns"),
        ({"kind": "dragons"}, "Choose people, organizations or orders"),
        ({"map_0": "", "map_1": ""}, "Map at least one column to a name"),
        ({"on_exact": "explode"}, "Choose skip, update or create"),
    ],
)
def test_mapping_bad_values_are_shown_and_nothing_changes(
    client: Any, rep_north: Any, overrides: dict[str, str], expected: str
) -> None:
    job = uploaded(rep_north)
    before = list(job.mapping)
    client.force_login(rep_north)
    response = client.post(detail(job), mapping_post(job, **overrides))
    assert response.status_code == 400
    assert expected in text(response)
    job.refresh_from_db()
    assert job.status == ImportStatus.NEW
    assert job.mapping == before
    # The form comes back with what was posted.
    assert 'id="mapping-form"' in text(response)


def test_mapping_for_organizations_needs_a_name_column(client: Any, rep_north: Any) -> None:
    job = uploaded(rep_north)
    client.force_login(rep_north)
    data = mapping_post(job, kind="organizations")
    data.update({f"map_{i}": "" for i in range(len(job.headers))})
    data["map_2"] = "email"
    response = client.post(detail(job), data)
    assert response.status_code == 400
    assert "organization&#x27;s name" in text(response) or "organization's name" in text(response)


def test_switching_the_kind_guesses_again(client: Any, rep_north: Any) -> None:
    job = uploaded(rep_north)
    client.force_login(rep_north)
    page = text(client.get(detail(job) + "?kind=organizations"))
    assert '<option value="organizations" selected>' in page
    assert '<option value="industry"' in page  # an organization target
    assert text(client.get(detail(job) + "?kind=nonsense")).count('value="first_name"') > 0


def test_check_shows_the_dry_run_with_problems(client: Any, rep_north: Any) -> None:
    job = uploaded(rep_north)
    client.force_login(rep_north)
    response = client.post(detail(job), mapping_post(job, map_5="", on_exact="skip"))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.on_exact, job.mapping[5]) == (ImportStatus.CHECKED, "skip", "")
    page = text(client.get(detail(job)))
    assert "would fail" in page
    assert "would be created" in page
    assert 'id="import-preview"' in page
    assert "ana@example.com" in page
    issue = ImportRowIssue.objects.get(job=job, dry_run=True)
    assert issue.row == 3
    assert issue.value == "not-an-email"
    assert 'id="import-issue-table"' in page
    assert "not-an-email" in page
    assert "Import 3 rows" in page
    assert not Person.objects.exists()  # a dry run saves nothing


def test_issues_page_through_htmx(client: Any, rep_north: Any, settings: Any) -> None:
    settings.CLIENTELA_PAGE_SIZE = 5
    rows = "".join(f"P{n},Q{n},bad{n}\n" for n in range(8))
    job = checked(rep_north, f"First name,Last name,E-mail\n{rows}".encode())
    client.force_login(rep_north)
    response = client.get(
        detail(job) + "?page=2", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="import-issues"
    )
    body = text(response)
    assert response.status_code == 200
    assert "<html" not in body
    assert 'id="import-issues"' in body
    assert "bad7" in body
    assert "bad0" not in body


def test_save_and_apply_a_mapping(client: Any, rep_north: Any) -> None:
    job = uploaded(rep_north)
    client.force_login(rep_north)
    response = client.post(
        detail(job), mapping_post(job, action="save", mapping_name="Shop sheet", map_5="tags")
    )
    assert response.status_code == 200
    assert "Mapping “Shop sheet” saved" in text(response)
    saved = ImportMapping.objects.get(name="Shop sheet")
    assert saved.columns["Notes"] == "tags"
    assert saved.columns["E-mail"] == "email"
    # Apply: the saved mapping's choices come back ("Notes" as tags), nothing saved yet.
    response = client.post(detail(job), mapping_post(job, action="apply", saved="Shop sheet"))
    assert response.status_code == 200
    body = text(response)
    assert "Mapping “Shop sheet” applied" in body
    assert '<option value="tags" selected>' in body
    job.refresh_from_db()
    assert job.mapping[5] == "notes"
    assert job.status == ImportStatus.NEW


def test_save_and_apply_bad_input(client: Any, rep_north: Any) -> None:
    job = uploaded(rep_north)
    client.force_login(rep_north)
    response = client.post(detail(job), mapping_post(job, action="save", mapping_name="  "))
    assert response.status_code == 400
    assert "Give the mapping a name" in text(response)
    response = client.post(detail(job), mapping_post(job, action="apply", saved="nope"))
    assert response.status_code == 400
    assert "Choose one of the saved mappings" in text(response)
    response = client.post(
        detail(job), mapping_post(job, action="save", mapping_name="x", kind="dragons")
    )
    assert response.status_code == 400
    assert not ImportMapping.objects.exists()


def test_change_the_mapping_goes_back_to_new(client: Any, rep_north: Any) -> None:
    job = checked(rep_north)
    client.force_login(rep_north)
    response = client.post(reverse("integrations:import-reconfigure", kwargs={"pk": job.pk}))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.NEW
    assert not job.issues.exists()
    assert 'id="mapping-form"' in text(client.get(detail(job)))


# --- report --------------------------------------------------------------------------------


def report(client: Any, job: ImportJob, run: str = "check") -> list[list[str]]:
    response = client.get(
        reverse("integrations:import-report", kwargs={"pk": job.pk}) + f"?run={run}"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_report_csv_lists_the_problems_neutralized(client: Any, rep_north: Any) -> None:
    job = checked(rep_north, FORMULA_CSV)
    client.force_login(rep_north)
    rows = report(client, job)
    assert rows[0] == ["Row", "Column", "Value", "Message", "Kind"]
    assert len(rows) == 2
    row, column, value, message, kind = rows[1]
    assert (row, column, kind) == ("3", "E-mail", "note")  # left out, the row imported
    assert value == "'=HYPERLINK(1)"
    assert message
    # The import's own report is empty before it ran; a bad run value is a 404.
    assert report(client, job, "import") == [["Row", "Column", "Value", "Message", "Kind"]]
    bad = client.get(reverse("integrations:import-report", kwargs={"pk": job.pk}) + "?run=x")
    assert bad.status_code == 404


# --- start, run, done, undo ----------------------------------------------------------------


def test_start_runs_a_small_import_inline_and_undo(client: Any, rep_north: Any) -> None:
    job = checked(rep_north)
    client.force_login(rep_north)
    response = client.post(reverse("integrations:import-start", kwargs={"pk": job.pk}))
    assert response.status_code == 302
    job.refresh_from_db()
    # Luis's e-mail is left out, not his row.
    assert (job.status, job.created, job.failed) == (ImportStatus.DONE, 3, 0)
    assert set(Person.objects.values_list("last_name", flat=True)) == {"García", "López", "Pérez"}
    page = text(client.get(detail(job)))
    assert "Undo this import" in page
    assert "not-an-email" in page
    assert reverse("contacts:person-list") in page
    assert report(client, job, "import")[1][2] == "not-an-email"
    # Undo: a confirmation first (GET), the undo on POST.
    undo_url = reverse("integrations:import-undo", kwargs={"pk": job.pk})
    assert "Undo the import" in text(client.get(undo_url))
    response = client.post(undo_url, follow=True)
    assert "Import undone" in text(response)
    job.refresh_from_db()
    assert job.status == ImportStatus.UNDONE
    assert not Person.objects.filter(deleted_at__isnull=True).exists()
    assert "was undone" in text(client.get(detail(job)))
    # Again: the service refuses, shown as a message.
    response = client.post(undo_url, follow=True)
    assert response.status_code == 200
    assert "Only a finished import can be undone" in text(response)
    assert client.get(undo_url).status_code == 302


def test_start_queues_a_large_import_then_the_worker_runs_it(
    client: Any, rep_north: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(imports, "INLINE_ROWS_RUN", 1)
    job = checked(rep_north)
    client.force_login(rep_north)
    client.post(reverse("integrations:import-start", kwargs={"pk": job.pk}))
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED
    page = text(client.get(detail(job)))
    assert 'hx-trigger="every 1s"' in page
    assert "progress-bar" in page
    progress_url = reverse("integrations:import-progress", kwargs={"pk": job.pk})
    polled = client.get(progress_url)
    assert 'hx-trigger="every 1s"' in text(polled)
    assert "HX-Refresh" not in polled
    services.import_run(job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    polled = client.get(progress_url)
    assert polled["HX-Refresh"] == "true"
    assert "every 1s" not in text(polled)
    # Starting twice is refused with a message, not a 500.
    response = client.post(reverse("integrations:import-start", kwargs={"pk": job.pk}), follow=True)
    assert "Check the file (dry run) before importing it" in text(response)


def test_start_needs_a_checked_import(client: Any, rep_north: Any) -> None:
    job = uploaded(rep_north)
    client.force_login(rep_north)
    response = client.post(reverse("integrations:import-start", kwargs={"pk": job.pk}), follow=True)
    assert "Check the file (dry run)" in text(response)
    job.refresh_from_db()
    assert job.status == ImportStatus.NEW


def test_failed_job_shows_the_error(client: Any, rep_north: Any) -> None:
    job = uploaded(rep_north)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, error="Disk on fire")
    client.force_login(rep_north)
    page = text(client.get(detail(job)))
    assert "The import failed" in page
    assert "Disk on fire" in page
    # Posting a mapping to a job past it: a message, no change.
    response = client.post(detail(job), mapping_post(job), follow=True)
    assert "can no longer be changed" in text(response)


# --- who may see what ------------------------------------------------------------------------


def job_urls(job: ImportJob) -> list[tuple[str, str]]:
    kw = {"pk": job.pk}
    return [
        ("get", detail(job)),
        ("post", detail(job)),
        ("get", reverse("integrations:import-progress", kwargs=kw)),
        ("post", reverse("integrations:import-reconfigure", kwargs=kw)),
        ("post", reverse("integrations:import-start", kwargs=kw)),
        ("get", reverse("integrations:import-undo", kwargs=kw)),
        ("post", reverse("integrations:import-undo", kwargs=kw)),
        ("get", reverse("integrations:import-report", kwargs=kw)),
    ]


def test_a_rep_cannot_see_another_users_import(
    client: Any, rep_north: Any, rep_north2: Any
) -> None:
    job = checked(rep_north)
    client.force_login(rep_north2)
    for method, url in job_urls(job):
        assert getattr(client, method)(url).status_code == 404, url
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED


def test_admin_sees_everyones_import(client: Any, rep_north: Any, admin: Any) -> None:
    job = checked(rep_north)
    client.force_login(admin)
    assert client.get(detail(job)).status_code == 200


def test_a_reader_gets_403_or_404_everywhere(client: Any, rep_north: Any, reader: Any) -> None:
    job = checked(rep_north)
    client.force_login(reader)
    for url in (
        reverse("integrations:import-list"),
        reverse("integrations:import-new"),
        reverse("integrations:import-new-kind", kwargs={"kind": "people"}),
    ):
        assert client.get(url).status_code == 403
    assert upload(client, GOOD_CSV).status_code == 403
    for method, url in job_urls(job):
        assert getattr(client, method)(url).status_code in (403, 404), url
    # Even the reader's "own" job (e.g. rights taken away after the upload).
    ImportJob.objects.filter(pk=job.pk).update(user=reader)
    for method, url in job_urls(job):
        assert getattr(client, method)(url).status_code == 403, url
    assert not ImportJob.objects.filter(user=reader).exclude(status=ImportStatus.CHECKED).exists()


def test_anonymous_is_sent_to_login(client: Any) -> None:
    response = client.get(reverse("integrations:import-list"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_bad_ids_are_404(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    assert client.get("/imports/999999/").status_code == 404
    assert client.get("/imports/abc/").status_code == 404
    assert client.get("/imports/99999999999999999999/").status_code == 404
    assert client.get("/imports/999999/report.csv").status_code == 404


def test_writes_are_post_only(client: Any, rep_north: Any) -> None:
    job = checked(rep_north)
    client.force_login(rep_north)
    for name in ("import-start", "import-reconfigure"):
        assert client.get(reverse(f"integrations:{name}", kwargs={"pk": job.pk})).status_code == 405


# --- entry points -----------------------------------------------------------------------------


def test_the_lists_and_settings_link_to_the_import(client: Any, rep_north: Any, admin: Any) -> None:
    client.force_login(rep_north)
    people = text(client.get(reverse("contacts:person-list")))
    assert reverse("integrations:import-new-kind", kwargs={"kind": "people"}) in people
    organizations = text(client.get(reverse("contacts:organization-list")))
    assert (
        reverse("integrations:import-new-kind", kwargs={"kind": "organizations"}) in organizations
    )
    client.force_login(admin)
    assert reverse("integrations:import-list") in text(client.get(reverse("core:settings")))
