"""The settings area in Chromium (Playwright): the users page (filter, open a user,
change their time zone from the list of zones) and the company profile (save with a
logo), at 1280 and 390 px, in English and Spanish, no page wider than the screen.
Screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from clientela.core.models import CompanyProfile, User
from clientela.core.testing.browser import PHONE_BELOW, overflow, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "users": "Users",
        "company": "Company",
        "saved": "saved.",
        "profile_saved": "Company profile saved.",
        "save": "Save",
    },
    "es": {
        "users": "Usuarios",
        "company": "Empresa",
        "saved": "guardado.",
        "profile_saved": "Perfil de la empresa guardado.",
        "save": "Guardar",
    },
}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _click(page: Any, locator: Any, phone: bool) -> None:
    if phone:
        locator.tap()
    else:
        locator.click()


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["en", "es"])
def test_users_page(
    open_as: Any,
    admin: Any,
    rep_north: Any,
    rep_south: Any,
    artifacts_dir: Any,
    language: str,
    width: int,
) -> None:
    words = WORDS[language]
    phone = width < PHONE_BELOW
    page = open_as(admin, width, language=language)
    page.goto("/settings/users/")
    assert page.locator("h1").inner_text().strip() == words["users"]
    # The section is marked in the settings navigation.
    current = page.locator(".settings-nav a[aria-current='page']")
    assert current.inner_text().strip() == words["users"]
    assert page.locator("#user-results tbody tr").count() == 3
    assert overflow(page) <= 1
    page.screenshot(path=str(artifacts_dir / f"settings-users-{width}px-{language}.png"))

    # Filter: the results are replaced in place (htmx), the address keeps the filter.
    if phone:
        page.locator("button[data-bs-target='#filters']").tap()
    search = page.locator("#filters input[name='q']")
    search.fill("sam")
    search.press("Enter")
    page.wait_for_url("**q=sam**")
    page.locator("#user-results tbody tr").first.wait_for()
    wait_until(page, "document.querySelectorAll('#user-results tbody tr').length === 1")
    assert "sam_south" in page.locator("#user-results").inner_text()

    # Open the user and move them to another time zone, picked from the list.
    _click(page, page.locator("#user-results a", has_text="sam_south"), phone)
    page.wait_for_url(f"**/settings/users/{rep_south.pk}/")
    page.select_option("select[name='time_zone']", "America/Mexico_City")
    _click(page, page.get_by_role("button", name=words["save"], exact=True), phone)
    page.locator(".alert-success").wait_for()
    assert words["saved"] in page.locator(".alert-success").inner_text()
    assert overflow(page) <= 1
    page.screenshot(path=str(artifacts_dir / f"settings-user-{width}px-{language}.png"))
    assert User.objects.get(pk=rep_south.pk).time_zone == "America/Mexico_City"


def _logo(tmp_path: Path) -> Path:
    path = tmp_path / "logo.png"
    Image.new("RGB", (480, 160), (30, 110, 200)).save(path, format="PNG")
    return path


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["en", "es"])
def test_company_profile_page(
    open_as: Any,
    admin: Any,
    artifacts_dir: Any,
    tmp_path: Path,
    language: str,
    width: int,
) -> None:
    words = WORDS[language]
    phone = width < PHONE_BELOW
    page = open_as(admin, width, language=language)
    page.goto("/settings/company/")
    assert page.locator("h1").inner_text().strip() == words["company"]
    page.fill("input[name='name']", "Tienda Ana")
    page.fill("input[name='legal_name']", "Tienda Ana S.L.")
    page.fill("textarea[name='address']", "Calle Mayor 1\n28013 Madrid")
    page.fill("input[name='tax_id']", "B12345678")
    page.select_option("select[name='country']", "ES")
    page.select_option("select[name='time_zone']", "Europe/Madrid")
    page.set_input_files("input[name='logo']", str(_logo(tmp_path)))
    _click(page, page.get_by_role("button", name=words["save"], exact=True), phone)
    page.locator(".alert-success").wait_for()
    assert page.locator(".alert-success").inner_text().strip().endswith(words["profile_saved"])
    # The logo is shown as stored (a separate request: wait until it has loaded).
    wait_until(
        page,
        "(() => { const img = document.querySelector('img.company-logo');"
        " return img !== null && img.complete && img.naturalWidth > 0; })()",
    )
    assert page.evaluate("document.querySelector('img.company-logo').naturalWidth") == 480
    assert overflow(page) <= 1
    page.screenshot(
        path=str(artifacts_dir / f"settings-company-{width}px-{language}.png"), full_page=True
    )
    profile = CompanyProfile.objects.get()
    assert (profile.legal_name, profile.country, profile.time_zone) == (
        "Tienda Ana S.L.",
        "ES",
        "Europe/Madrid",
    )
    assert profile.address == "Calle Mayor 1\n28013 Madrid"
