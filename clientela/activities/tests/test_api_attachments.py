"""Attachments through the API: multipart upload to an interaction, download with the
same token, the services' size and type checks, and visibility."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clientela.activities.models import Attachment
from clientela.activities.tests.test_api import INTERACTIONS, READ_WRITE, call_body
from clientela.core.testing.api import Api, fields

pytestmark = pytest.mark.django_db

#: Binary, NUL bytes included, as real documents are.
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>stream\x00\x01\xff\nendobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def north(rep_north: Any) -> Api:
    return Api(rep_north, READ_WRITE)


def upload(api: Api, interaction_id: int, name: str, content: bytes, **headers: Any) -> Any:
    return api.client.post(
        f"{INTERACTIONS}/{interaction_id}/attachments",
        {"file": SimpleUploadedFile(name, content)},
        **api.auth,
        **headers,
    )


def test_upload_lists_and_downloads_an_attachment(north: Api) -> None:
    interaction_id = north.post(INTERACTIONS, call_body()).json()["id"]
    response = upload(north, interaction_id, "quote.pdf", PDF)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["version"] == 2
    [attachment] = data["attachments"]
    assert (attachment["name"], attachment["size"], attachment["content_type"]) == (
        "quote.pdf",
        len(PDF),
        "application/pdf",
    )
    assert attachment["url"].startswith("http://testserver/api/v1/interactions/")
    assert north.get(f"{INTERACTIONS}/{interaction_id}").json()["attachments"] == [attachment]
    listed = north.get(INTERACTIONS).json()["items"][0]
    assert listed["attachments"] == [attachment]

    download = north.get(attachment["url"].removeprefix("http://testserver"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]


def test_files_larger_than_the_request_memory_limit_stream_through(north: Api) -> None:
    interaction_id = north.post(INTERACTIONS, call_body()).json()["id"]
    content = PDF + b"\x00" * (3 * 1024 * 1024)  # over Django's 2.5 MB in-memory cap
    response = upload(north, interaction_id, "scan.pdf", content)
    assert response.status_code == 201, response.content
    assert response.json()["attachments"][0]["size"] == len(content)


def test_other_teams_cannot_upload_or_download(north: Api, rep_south: Any) -> None:
    interaction_id = north.post(INTERACTIONS, call_body()).json()["id"]
    attachment = upload(north, interaction_id, "quote.pdf", PDF).json()["attachments"][0]
    south = Api(rep_south, READ_WRITE)
    assert south.get(attachment["url"].removeprefix("http://testserver")).status_code == 404
    assert upload(south, interaction_id, "x.pdf", PDF).status_code == 404
    assert Attachment.objects.count() == 1
    missing = f"{INTERACTIONS}/{interaction_id}/attachments/{attachment['id'] + 1}"
    assert north.get(missing).status_code == 404


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", b"MZ\x90\x00rest"),
        ("notes.pdf", b"\x7fELF\x02\x01\x01"),  # a program renamed
        ("big.pdf", b"%PDF" + b"0" * (1024 * 1024 + 1)),
    ],
)
def test_forbidden_or_oversized_files_are_422_and_nothing_is_stored(
    north: Api, settings: Any, name: str, content: bytes
) -> None:
    settings.CLIENTELA_MAX_ATTACHMENT_MB = 1
    interaction_id = north.post(INTERACTIONS, call_body()).json()["id"]
    response = upload(north, interaction_id, name, content)
    assert response.status_code == 422, response.content
    assert "attachments" in fields(response)
    assert not Attachment.objects.exists()
    assert north.get(f"{INTERACTIONS}/{interaction_id}").json()["version"] == 1
    assert not list((Path(settings.MEDIA_ROOT)).rglob("*.*"))


def test_upload_without_a_file_is_422(north: Api) -> None:
    interaction_id = north.post(INTERACTIONS, call_body()).json()["id"]
    response = north.client.post(
        f"{INTERACTIONS}/{interaction_id}/attachments", {"other": "x"}, **north.auth
    )
    assert response.status_code == 422
    assert "file" in fields(response)


def test_an_attachment_whose_file_is_gone_is_404_on_the_api_and_the_page(
    north: Api, rep_north: Any, client: Any
) -> None:
    interaction_id = north.post(INTERACTIONS, call_body()).json()["id"]
    [attachment] = upload(north, interaction_id, "gone.pdf", PDF).json()["attachments"]
    stored = Attachment.objects.get(pk=attachment["id"])
    Path(stored.file.path).unlink()  # lost from media/ (a restore without the files)
    assert north.get(attachment["url"].removeprefix("http://testserver")).status_code == 404
    client.force_login(rep_north)
    page = client.get(reverse("activities:attachment-download", args=[interaction_id, stored.pk]))
    assert page.status_code == 404
