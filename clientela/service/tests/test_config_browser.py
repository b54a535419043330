"""The service desk's settings in Chromium (Playwright), at 1280 and 390 px, in
English and Spanish: an admin types a calendar's week (a bad interval is shown next to
its day, then fixed), then an SLA policy's targets in hours and minutes; no page is
wider than the screen. Screenshots go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.core.testing.browser import PHONE_BELOW, SCREEN_IDS, SCREENS, overflow
from clientela.service.models import BusinessCalendar, SlaPolicy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVE = {"en": "Save", "es": "Guardar"}
SAVED = {"en": "Saved.", "es": "Guardado."}


def _save(page: Any, language: str, phone: bool) -> None:
    button = page.get_by_role("button", name=SAVE[language], exact=True)
    if phone:
        button.tap()
    else:
        button.click()


@pytest.mark.parametrize(("width", "language"), SCREENS, ids=SCREEN_IDS)
def test_admin_sets_up_a_calendar_and_a_policy(
    open_as: Any, admin: Any, artifacts_dir: Any, width: int, language: str
) -> None:
    phone = width < PHONE_BELOW
    page = open_as(admin, width, language=language)
    page.goto("/settings/service/calendars/new/")
    page.fill("input[name='name']", "Madrid")
    page.fill("input[name='time_zone']", "Europe/Madrid")
    page.select_option("select[name='country']", "ES")
    page.select_option("select[name='subdivision']", "MD")
    page.fill("input[name='day_0']", "09:00-14:00, 13:00-19:00")
    page.fill("textarea[name='extra_holidays']", "2026-12-24")
    _save(page, language, phone)
    page.locator(".alert-danger, .invalid-feedback").first.wait_for()
    assert overflow(page) <= 1
    page.screenshot(path=str(artifacts_dir / f"service-calendar-error-{width}px-{language}.png"))
    assert not BusinessCalendar.objects.exists()
    page.fill("input[name='day_0']", "09:00-14:00, 16:00-19:00")
    page.fill("input[name='day_4']", "08:00-15:00")
    _save(page, language, phone)
    page.locator(".alert-success").wait_for()
    assert SAVED[language] in page.locator(".alert-success").inner_text()
    calendar = BusinessCalendar.objects.get()
    assert calendar.hours[0] == [[540, 840], [960, 1140]]

    page.goto("/settings/service/policies/new/")
    page.fill("input[name='name']", "Standard")
    page.select_option("select[name='calendar']", str(calendar.pk))
    page.fill("input[name='high_first_response_hours']", "1")
    page.fill("input[name='high_first_response_minutes']", "30")
    page.fill("input[name='high_resolution_hours']", "8")
    assert overflow(page) <= 1
    page.screenshot(path=str(artifacts_dir / f"service-policy-{width}px-{language}.png"))
    _save(page, language, phone)
    page.locator(".alert-success").wait_for()
    target = SlaPolicy.objects.get().targets.get()
    assert (target.priority, target.first_response_minutes, target.resolution_minutes) == (
        "high",
        90,
        480,
    )
    assert overflow(page) <= 1
