"""Resuming a failed import from its page, and undo refused to a role that may import
but not delete (a message, not a 403 page)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from clientela.contacts.models import Person
from clientela.integrations import services
from clientela.integrations.models import ImportJob, ImportStatus
from clientela.integrations.tests.test_import_views import checked, detail, mapping_post, uploaded

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_failed_import_resumes_from_its_page(client: Any, admin: Any) -> None:
    job = checked(admin)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, error="killed")
    client.force_login(admin)
    page = client.get(detail(job)).content.decode()
    resume = reverse("integrations:import-resume", kwargs={"pk": job.pk})
    assert resume in page
    assert client.post(resume).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.QUEUED
    assert services.import_run(job=job) is not None
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Person.objects.filter(last_name__in=["García", "López"]).count() == 2
    # Done is not stopped: resuming again is refused with a message, nothing changes.
    response = client.post(resume, follow=True)
    assert "Only a stopped import can be resumed." in response.content.decode()
    assert Person.objects.count() == 3


def test_a_job_is_run_by_one_process_only(admin: Any) -> None:
    job = checked(admin)
    services.import_start(actor=admin, job=job, queue=False)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    job.refresh_from_db()
    # Running with a fresh heartbeat: someone else has it.
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=job.updated_at)
    assert services.import_run(job=job) is None
    assert Person.objects.count() == 0


def test_undo_without_delete_rights_says_why(client: Any, marketer: Any, admin: Any) -> None:
    job = checked(marketer)
    services.import_start(actor=marketer, job=job, queue=False)
    services.import_run(job=job)
    client.force_login(marketer)
    undo = reverse("integrations:import-undo", kwargs={"pk": job.pk})
    response = client.post(undo, follow=True)
    assert response.status_code == 200
    assert "your role does not allow" in response.content.decode()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Person.objects.filter(deleted_at__isnull=True).count() == 3


def test_mapping_page_sets_the_import_country(client: Any, admin: Any) -> None:
    job = uploaded(admin)
    client.force_login(admin)
    page = client.get(detail(job)).content.decode()
    assert 'name="country"' in page
    bad = client.post(detail(job), mapping_post(job, country="XX"))
    assert bad.status_code == 400
    assert "Choose a country from the list." in bad.content.decode()
    job.refresh_from_db()
    assert job.country == ""
    good = client.post(detail(job), mapping_post(job, country="ES"))
    assert good.status_code == 302
    job.refresh_from_db()
    assert (job.country, job.status) == ("ES", ImportStatus.CHECKED)
