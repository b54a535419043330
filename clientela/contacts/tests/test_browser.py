"""End-to-end: Chromium (Playwright) against a live server, as a user would work.

Log in, create an organization and a person in it, find the person with the header
search, edit them, switch to Spanish, and use the pages at phone width (a screenshot
is saved under test-artifacts/)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from clientela.contacts.birthdays import Birthday
from clientela.contacts.models import Organization, Person
from clientela.core.testing.browser import overflow
from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page: Any, username: str) -> None:
    page.goto("/account/login/")
    page.get_by_label(re.compile("user ?name", re.I)).fill(username)
    page.get_by_label(re.compile("password", re.I)).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("log in", re.I)).click()
    # Logged in: the home page is whatever the first top-bar page is.
    page.wait_for_url(lambda url: "/account/login/" not in url)


def test_log_in_create_find_and_edit_a_person(page: Any, rep_north: Any) -> None:
    _log_in(page, rep_north.username)

    page.goto("/organizations/new/")
    page.get_by_label("Name", exact=True).fill("Panadería Núñez")
    page.get_by_role("button", name=re.compile("^save", re.I)).click()
    page.wait_for_url(re.compile(r"/organizations/\d+/$"))
    org = Organization.objects.get(name="Panadería Núñez")

    page.goto("/people/new/")
    page.get_by_label("First name").fill("Inés")
    page.get_by_label("Last name").fill("Ortiz")
    page.locator("input[name='emails-0-address']").fill("ines.ortiz@example.es")
    page.locator("input[name='phones-0-number']").fill("+34 612 34 56 78")
    page.locator("select[name='memberships-0-organization']").select_option(str(org.pk))
    page.locator("input[name='memberships-0-job_title']").fill("Owner")
    # The birthday by keyboard, without the year: month, Tab, day (English order).
    page.get_by_label("Month").focus()
    page.keyboard.type("may")  # the list's type-ahead
    page.keyboard.press("Tab")
    page.keyboard.type("21")
    page.get_by_role("button", name=re.compile("^save", re.I)).click()
    page.wait_for_url(re.compile(r"/people/\d+/$"))
    person = Person.objects.get(last_name="Ortiz")
    assert person.birthday == Birthday(5, 21)
    page.get_by_text("May 21").first.wait_for()
    assert person.phone == "+34612345678"
    assert person.organizations.get() == org
    page.get_by_text("Panadería Núñez").first.wait_for()

    # Header search, accent-insensitive, results as you type.
    page.goto("/people/")
    page.locator("#header-search").press_sequentially("ines ort", delay=30)
    hit = page.locator("#search-results a", has_text="Inés Ortiz")
    hit.wait_for()
    hit.click()
    page.wait_for_url(f"**/people/{person.pk}/")

    page.goto(f"/people/{person.pk}/edit/")
    page.get_by_label("Last name").fill("Ortiz Vega")
    page.get_by_role("button", name=re.compile("^save", re.I)).click()
    page.wait_for_url(f"**/people/{person.pk}/")
    page.get_by_role("heading", name=re.compile("Inés Ortiz Vega")).wait_for()
    person.refresh_from_db()
    assert person.last_name == "Ortiz Vega"
    assert person.version == 2
    # The history shows the change with old and new value.
    assert page.get_by_text("Ortiz Vega").count() >= 1


def test_bad_input_shows_inline_errors_in_the_browser(
    page: Any, login_as: Any, rep_north: Any
) -> None:
    login_as(rep_north)
    page.goto("/people/new/")
    page.get_by_label("Last name").fill("Nobody")
    page.locator("input[name='emails-0-address']").fill("not-an-email")
    page.get_by_role("button", name=re.compile("^save", re.I)).click()
    page.locator(".invalid-feedback, .alert-danger").first.wait_for()
    assert "not-an-email" in page.content()
    assert not Person.objects.filter(last_name="Nobody").exists()


def test_switch_to_spanish(page: Any, login_as: Any, rep_north: Any) -> None:
    login_as(rep_north)
    page.goto("/account/preferences/")
    page.locator("select[name='language']").select_option("es")
    page.get_by_role("button", name=re.compile("save", re.I)).click()
    page.goto("/people/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_role("button", name="Contactos").wait_for()
    assert "Organizaciones" in page.content()


@pytest.mark.parametrize("language", ["en", "es"])
def test_phone_width_layout(
    open_as: Any,
    rep_north: Any,
    person_factory: Any,
    artifacts_dir: Any,
    language: str,
) -> None:
    person = person_factory(
        rep_north, first_name="Lucía", last_name="Fernández", email="lucia@example.es", tags=["VIP"]
    )
    page = open_as(rep_north, 390, language=language)
    for path in ("/people/", f"/people/{person.pk}/", f"/people/{person.pk}/edit/"):
        page.goto(path)
        # Nothing forces the page to scroll sideways at phone width.
        assert overflow(page) <= 1, f"{path} is {overflow(page)}px wider than the phone"
    page.goto("/people/")
    page.get_by_text("Fernández").first.wait_for()
    page.screenshot(path=str(artifacts_dir / f"people-list-390px-{language}.png"), full_page=True)
    # The menu sits behind the toggler and opens on tap.
    toggler = page.locator(".navbar-toggler")
    assert toggler.is_visible()
    toggler.tap()
    page.locator("#main-nav .nav-compact a[href='/organizations/']").wait_for(state="visible")
