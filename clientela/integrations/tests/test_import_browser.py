"""The import in a real browser: upload a small CSV, fix one column's field, check the
file, see the problem row, import (small files run in the request), see it done; and
the mapping page at phone width (a screenshot in test-artifacts/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from clientela.integrations import services

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

CSV = (
    "First name,Last name,E-mail,City,Country,Comments\n"
    "Ana,García,ana@example.com,Madrid,Spain,gold\n"
    "Luis,Pérez,not-an-email,Sevilla,ES,\n"
    "Marta,López,marta@example.com,Bilbao,España,silver\n"
)


@pytest.fixture
def csv_file(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / "old-system.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def is_post(path: str) -> Any:
    return lambda r: r.request.method == "POST" and r.url.split("?")[0].endswith(path)


def test_upload_map_check_and_import(
    page: Any, login_as: Any, rep_north: Any, csv_file: Path
) -> None:
    login_as(rep_north)
    page.goto("/imports/")
    page.get_by_role("link", name="New import").first.click()
    page.locator("input[type=file]").set_input_files(str(csv_file))
    with page.expect_response(is_post("/imports/new/")) as answer:
        page.get_by_role("button", name="Upload").click()
    assert answer.value.status == 302
    page.locator("#mapping-form").wait_for()
    # "Comments" was guessed as notes; the shop used it for tags.
    comments = page.get_by_label("Comments")
    assert comments.input_value() == "notes"
    comments.select_option("tags")
    with page.expect_response(lambda r: r.request.method == "POST" and "/imports/" in r.url):
        page.locator("#import-check").click()
    page.locator("#import-preview").wait_for()
    issues = page.locator("#import-issue-table")
    assert "not-an-email" in issues.inner_text()
    summary = page.locator("#import-summary").inner_text()
    assert summary == "3 rows will be imported, 1 with 1 cell left out, 0 will fail."
    assert page.locator("#import-start").inner_text().strip() == "Import 3 rows"
    assert "gold" in page.locator("#import-preview").inner_text()
    with page.expect_response(is_post("/start/")) as started:
        page.locator("#import-start").click()
    assert started.value.status == 302
    page.get_by_role("link", name="Undo this import").wait_for()
    # Three created, Luis without his bad e-mail; none failed.
    assert page.locator("[data-counts] .text-success").inner_text() == "3"
    assert page.locator("[data-counts] .text-danger").inner_text() == "0"
    assert "not-an-email" in page.locator("#import-issue-table").inner_text()


def test_mapping_page_at_phone_width(
    page: Any, login_as: Any, rep_north: Any, csv_file: Path, artifacts_dir: Path
) -> None:
    job = services.import_upload(
        actor=rep_north,
        upload=SimpleUploadedFile("old-system.csv", csv_file.read_bytes()),
        filename="old-system.csv",
    )
    login_as(rep_north)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/imports/{job.pk}/")
    page.locator("#mapping-form").wait_for()
    # Rows stack: nothing wider than the screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    select = page.locator("#map-0")
    box = select.bounding_box()
    assert box is not None
    assert box["width"] > 300
    page.screenshot(path=str(artifacts_dir / "import-mapping-390px.png"), full_page=True)
