"""Every page at a phone's 390 px (Chromium): an admin with the demo's data (people,
organizations, deals, quotes with lines, orders, tasks, appointments) plus an import
waiting with a preview of long e-mails and a few notifications walks every page of the
menus and the settings, a detail page of each kind listed there, the search results,
the forecast, the currencies, the import preview and "My day"; the test fails listing
every page wider than the window, and when the notification drop-down leaves the
screen. In English and Spanish (longer words). Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from clientela.activities.models import Notification
from clientela.contacts.models import Person
from clientela.core.models import User
from clientela.core.testing.browser import overflow
from clientela.integrations import services as imports
from clientela.integrations.models import ImportJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
#: A detail page: /<kind>/<id>/ (one per kind is enough).
DETAIL = re.compile(r"^/((?:[a-z-]+/)+)\d+/$")
#: Pages whose screenshot goes to test-artifacts/.
SCREENSHOTS = {"/my-day/": "my-day", "/quotes/": "quotes", "/settings/currencies/": "currencies"}
#: Not pages of the app (files, the API's own pages, leaving the session).
SKIP = re.compile(r"^/(api/|admin/|account/logout/|static/|media/|i18n/)|/(export|download)")
LONG_EMAILS = (
    "First name,Last name,E-mail,City\n"
    + "".join(
        f"Name{i},Surname{i},very.long.address.number.{i}@subdomain.example-company.com,Madrid\n"
        for i in range(6)
    )
    # One unbroken address longer than the phone's width.
    + "Ana,García,"
    + "a" * 60
    + "@example.com,Sevilla\n"
)


#: The outermost elements reaching past the window's right edge (what to fix).
CULPRITS = """() => {
  const edge = document.documentElement.clientWidth + 1;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.classList.length ? '.' + [...el.classList].slice(0, 3).join('.') : '');
  const found = [];
  // Not into what scrolls or clips by itself, nor into fixed panels (the phone menu).
  const walk = (el) => {
    for (const child of el.children) {
      const style = getComputedStyle(child);
      if (style.position === 'fixed' || style.display === 'none') continue;
      if (child.getBoundingClientRect().right > edge) {
        found.push(name(child) + ' ' + Math.round(child.getBoundingClientRect().right));
      } else if (style.overflowX === 'visible') {
        walk(child);
      }
    }
  };
  walk(document.body);
  return found.slice(0, 3);
}"""


def _links(page: Any, selector: str) -> list[str]:
    hrefs = page.eval_on_selector_all(selector, "links => links.map(a => a.getAttribute('href'))")
    return [href.split("#")[0] for href in hrefs if href and href.startswith("/")]


def _details(page: Any, seen_kinds: set[str]) -> list[str]:
    """The first detail page of each kind not seen yet among the page's main links."""
    found = []
    for href in _links(page, "main a[href]"):
        match = DETAIL.match(href)
        if match and match.group(1) not in seen_kinds:
            seen_kinds.add(match.group(1))
            found.append(href)
    return found


@pytest.fixture
def walker(settings: Any, tmp_path: Path) -> User:
    """The demo's admin, with the demo's records, an import waiting with its preview and
    unread notifications."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("demo", people=60, organizations=8, verbosity=0)
    admin = User.objects.get(username="demo-admin")
    job = imports.import_upload(
        actor=admin,
        upload=SimpleUploadedFile("long-emails.csv", LONG_EMAILS.encode()),
        filename="long-emails.csv",
        kind="people",
    )
    imports.import_check(actor=admin, job=job)
    for n in range(3):
        Notification.objects.create(
            user=admin, title=f"Reminder: call the customer about the renewal number {n}"
        )
    return admin


def _common_word() -> str:
    names = Counter(Person.objects.values_list("last_name", flat=True))
    return names.most_common(1)[0][0]


class PhoneWalk:
    """A page at the phone's width that remembers every address visited and how much
    too wide each was (with what reaches past the edge)."""

    def __init__(self, page: Any, artifacts_dir: Path, language: str) -> None:
        self.page = page
        self.artifacts_dir = artifacts_dir
        self.language = language
        self.visited: set[str] = set()
        self.too_wide: dict[str, str] = {}
        self.seen_kinds: set[str] = set()

    def visit(self, url: str) -> None:
        if url in self.visited:
            return
        self.visited.add(url)
        response = self.page.goto(url, wait_until="networkidle")
        assert response is not None, url
        assert response.ok, f"{url}: {response.status}"
        extra = overflow(self.page)
        if extra > 1:
            culprits = ", ".join(self.page.evaluate(CULPRITS))
            self.too_wide[url] = f"{extra} px too wide ({culprits})"
        path = url.split("?")[0]
        if path in SCREENSHOTS:
            self.screenshot(SCREENSHOTS[path], full_page=True)

    def screenshot(self, name: str, full_page: bool = False) -> None:
        shot = self.artifacts_dir / f"phone-{name}-{WIDTH}px-{self.language}.png"
        self.page.screenshot(path=str(shot), full_page=full_page)

    def menus_and_settings(self) -> None:
        """Every page of the menus and the settings, then a detail page of each kind
        listed there (and of the kinds those pages link to)."""
        self.visit("/my-day/")
        pages = set(_links(self.page, "nav a[href]"))
        self.visit("/settings/")
        pages |= set(_links(self.page, "main a[href^='/settings/']"))
        pages = {url for url in pages if not SKIP.search(url)}
        assert len(pages) > 15, sorted(pages)  # the menus and the settings were found
        details: list[str] = []
        for url in sorted(pages):
            self.visit(url)
            details += _details(self.page, self.seen_kinds)
        for url in details:
            self.visit(url)
            for more in _details(self.page, self.seen_kinds):  # an order's quote…
                self.visit(more)

    def report(self) -> str:
        wide = "\n".join(f"{url}: {why}" for url, why in sorted(self.too_wide.items()))
        return f"{len(self.too_wide)} of {len(self.visited)} pages:\n{wide}"


def _box(locator: Any) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None, locator
    return dict(box)


def _check_import_and_quotes(walk: PhoneWalk, job: ImportJob) -> None:
    walk.visit(f"/imports/{job.pk}/")
    # Long e-mails read on a line or two, not in 4-character lines.
    cell = walk.page.locator("#import-preview td", has_text="very.long.address.number.0")
    assert _box(cell)["width"] > WIDTH * 0.8
    walk.screenshot("import-preview", full_page=True)
    # The quotes' totals stay on the screen (the phone hides other columns for them).
    walk.page.goto("/quotes/")
    total = _box(walk.page.get_by_role("columnheader", name="Total"))  # alike in Spanish
    assert total["x"] + total["width"] <= WIDTH, total


def _bell_box(walk: PhoneWalk) -> dict[str, float]:
    """Where the notification drop-down opens."""
    page = walk.page
    page.goto("/my-day/")
    page.locator("#notification-bell > button").click()
    page.locator("#notification-menu .fw-semibold").first.wait_for()
    walk.screenshot("notifications")
    return _box(page.locator("#notification-bell .dropdown-menu"))


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_page_is_wider_than_a_phone(
    open_as: Any,
    walker: User,
    artifacts_dir: Path,
    language: str,
) -> None:
    page = open_as(walker, WIDTH, language=language)
    walk = PhoneWalk(page, artifacts_dir, language)
    walk.menus_and_settings()
    # The records of the brief, whatever the menus held.
    for kind in ("people/", "organizations/", "deals/", "quotes/", "orders/", "tasks/"):
        assert kind in walk.seen_kinds, (kind, sorted(walk.seen_kinds))
    _check_import_and_quotes(walk, ImportJob.objects.get(user=walker))
    walk.visit(f"/search/?q={_common_word()}")
    # The forecast's table over two years around the demo's deals (made relative to today).
    year = timezone.localdate().year
    walk.visit(f"/forecast/?period=custom&date_from={year - 1}-01-01&date_to={year}-12-31")
    assert page.locator("#forecast-chart").count() == 1
    walk.visit("/forecast/")
    walk.visit("/settings/currencies/")
    walk.visit("/my-day/birthdays/")
    bell = _bell_box(walk)

    assert not walk.too_wide, walk.report()
    assert bell["x"] >= 0, bell
    assert bell["x"] + bell["width"] <= WIDTH, bell


def test_the_walk_sees_a_wide_page(open_as: Any, admin: User) -> None:
    # The walk proves something only if a page wider than the phone is noticed.
    page = open_as(admin, WIDTH)
    page.goto("/my-day/")
    assert overflow(page) <= 1
    # (Through the CSSOM: the policy blocks style attributes added by a script.)
    page.evaluate(
        "const wide = document.createElement('div'); wide.style.width = '600px';"
        "wide.textContent = 'wide';"
        "document.querySelector('main').append(wide);"
    )
    assert overflow(page) > 1
