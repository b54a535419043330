"""Delete, Undo and the trash in Chromium (Playwright), as a sales rep, at 1280 and
390 px, in English and Spanish. Screenshots go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.core.testing.browser import overflow
from clientela.sales.models import Lead
from clientela.sales.services.leads import lead_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {"delete": "Delete", "undo": "Undo", "restore": "Restore", "trash": "Trash"},
    "es": {"delete": "Eliminar", "undo": "Deshacer", "restore": "Restaurar", "trash": "Papelera"},
}


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["en", "es"])
def test_delete_undo_then_restore_from_the_trash(
    open_as: Any,
    rep_north: Any,
    artifacts_dir: Any,
    language: str,
    width: int,
) -> None:
    words = WORDS[language]
    lead = lead_create(actor=rep_north, data={"first_name": "Trudy", "last_name": "Trash"})
    page = open_as(rep_north, width, language=language)
    page.goto(f"/leads/{lead.pk}/delete/")
    page.locator("main form button[type=submit].btn-danger").click()
    alert = page.locator(".alert", has_text="Trudy Trash")
    alert.get_by_role("button", name=words["undo"]).wait_for()
    page.screenshot(path=str(artifacts_dir / f"trash-undo-{language}-{width}.png"))
    assert overflow(page) <= 1
    alert.get_by_role("button", name=words["undo"]).click()
    page.wait_for_url(f"**/leads/{lead.pk}/")
    lead.refresh_from_db()
    assert lead.deleted_at is None
    # Deleted again, it waits in the rep's own trash.
    page.goto(f"/leads/{lead.pk}/delete/")
    page.locator("main form button[type=submit].btn-danger").click()
    page.wait_for_url("**/leads/")
    page.goto("/trash/")
    assert page.locator("h1").inner_text().strip() == words["trash"]
    row = page.locator("tbody tr", has_text="Trudy Trash")
    row.wait_for()
    page.screenshot(path=str(artifacts_dir / f"trash-page-{language}-{width}.png"))
    assert overflow(page) <= 1
    row.get_by_role("button", name=words["restore"]).click()
    # Back on the trash page, which no longer lists it.
    page.locator("tbody tr", has_text="Trudy Trash").wait_for(state="detached")
    assert Lead.objects.get(pk=lead.pk).deleted_at is None
