"""The Content Security Policy in Chromium: an admin walks every page of the top bar,
the user menu and the settings, plus the pages with the most JavaScript (a person's
timeline, the calendar, the forecast's chart, the deal board, the API docs, the merge
page, the API tokens), and no page breaks the policy; the behaviours moved out of inline
code (a confirm before revoking a token, "Mark all read", the merge page's radio
buttons, the copy button) still work."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest

from clientela.activities import services as activities
from clientela.activities.models import Notification
from clientela.core.models import ApiToken
from clientela.core.services import api_token_create
from clientela.core.testing.browser import wait_until
from clientela.sales.tests.deal_helpers import make_deal, make_pipeline

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Runs before any script of every page: collects the browser's policy violations.
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile || "page"}:${event.lineNumber}) ${event.sample || ""}`
  );
});
"""


class PolicyWatch:
    """A logged-in admin's page that remembers, per address, every violation the page
    reported and every console message about the policy."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.found: dict[str, list[str]] = {}
        page.add_init_script(WATCH_VIOLATIONS)
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.found.setdefault(self.page.url, []).append(f"console: {message.text}")

    def collect(self) -> None:
        """Keep the violations of the page shown now (before it is left)."""
        events = self.page.evaluate("window.__cspViolations || []")
        if events:
            self.found.setdefault(self.page.url, []).extend(events)

    def visit(self, url: str) -> None:
        response = self.page.goto(url, wait_until="networkidle")
        assert response is not None, url
        assert response.ok, f"{url}: {response.status}"
        # Without the header the walk would pass for nothing.
        policy = response.headers.get("content-security-policy", "")
        assert re.search(r"(^|; )script-src 'self'( 'nonce-[\w+/=]+')?(;|$)", policy), url
        self.collect()

    def report(self) -> str:
        lines = [f"{url}: {event}" for url, events in self.found.items() for event in events]
        return "\n".join(lines)


@pytest.fixture
def watch(open_as: Any, admin: Any) -> PolicyWatch:
    return PolicyWatch(open_as(admin, 1280))


def _links(page: Any, selector: str) -> set[str]:
    hrefs = page.eval_on_selector_all(selector, "links => links.map(a => a.getAttribute('href'))")
    return {href for href in hrefs if href and href.startswith("/")}


def test_every_page_keeps_to_the_policy(
    watch: PolicyWatch, admin: Any, person_factory: Any
) -> None:
    person = person_factory(admin, first_name="Ada", last_name="Lovelace")
    other = person_factory(admin, first_name="Ada", last_name="Lovelace", notes="twin")
    activities.interaction_create(
        actor=admin, data={"channel": "call", "subject": "First call", "person_ids": [person.pk]}
    )
    start = datetime.datetime(2030, 3, 6, 9, tzinfo=datetime.UTC)
    end = start + datetime.timedelta(hours=1)
    activities.appointment_create(
        actor=admin, data={"title": "Site visit", "start_at": start, "end_at": end}
    )
    pipeline = make_pipeline()
    make_deal(admin, pipeline, close_date=datetime.date(2030, 6, 15))
    api_token_create(user=admin, name="Robot", scopes=["contacts:read"])

    page = watch.page
    watch.visit("/")
    pages = _links(page, "nav a[href]")
    watch.visit("/settings/")
    pages |= _links(page, "main a[href^='/settings/']")
    pages -= {"/", "/settings/"}
    assert len(pages) > 15, sorted(pages)  # the menus and the settings were found
    for url in sorted(pages):
        watch.visit(url)

    watch.visit(f"/people/{person.pk}/")
    page.get_by_text("First call").first.wait_for()
    watch.visit("/calendar/?view=week&date=2030-03-04")
    page.locator("#calendar .fc-event", has_text="Site visit").wait_for()
    watch.visit("/forecast/?period=custom&date_from=2030-01-01&date_to=2030-12-31")
    wait_until(page, "window.Chart && Chart.getChart('forecast-chart') !== undefined")
    watch.visit(f"/deals/board/?pipeline={pipeline.pk}")
    page.get_by_text("Ovens for the bakery").first.wait_for()
    watch.visit(f"/people/merge/?a={person.pk}&b={other.pk}")
    watch.visit("/account/tokens/")
    watch.visit("/api/v1/docs")
    page.locator("#swagger-ui .information-container").wait_for()
    page.locator("#swagger-ui .opblock").first.wait_for()
    watch.collect()
    # The header search swaps its results in with htmx.
    watch.visit("/people/")
    page.locator("#header-search").fill("Ada")
    page.locator("#search-results a").first.wait_for()
    watch.collect()

    assert not watch.found, watch.report()


def test_the_watch_sees_a_violation(watch: PolicyWatch) -> None:
    # The walk above proves something only if a broken page would be noticed.
    watch.visit("/people/")
    watch.page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=1>')")
    wait_until(watch.page, "window.__cspViolations.length > 0")
    watch.collect()
    assert any("script-src" in event for event in watch.found[watch.page.url])


def test_revoking_a_token_asks_first(watch: PolicyWatch, admin: Any) -> None:
    token, _clear = api_token_create(user=admin, name="Robot", scopes=["contacts:read"])
    page = watch.page
    watch.visit("/account/tokens/")
    questions: list[str] = []

    def answer(accept: bool) -> Any:
        def handle(dialog: Any) -> None:
            questions.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        return handle

    page.once("dialog", answer(False))
    page.get_by_role("button", name="Revoke").click()
    page.wait_for_timeout(300)  # a submitted form would be loading the next page by now
    token.refresh_from_db()
    assert token.revoked_at is None
    assert questions == ["Revoke the token “Robot”? Programs using it stop working at once."]

    page.once("dialog", answer(True))
    with page.expect_navigation():
        page.get_by_role("button", name="Revoke").click()
    page.locator(".badge", has_text="Revoked").wait_for()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    watch.collect()
    assert not watch.found, watch.report()


def test_a_new_token_is_copied_with_its_button(watch: PolicyWatch) -> None:
    page = watch.page
    watch.visit("/account/tokens/")
    page.get_by_label("Name").fill("Robot")
    page.locator("input[name=scopes][value='contacts:read']").check()
    page.get_by_role("button", name="Create token").click()
    page.locator("#new-token-value").wait_for()
    page.locator("#copy-token").click()
    page.locator("#copy-token", has_text="Copied").wait_for()
    watch.collect()
    assert not watch.found, watch.report()


def test_mark_all_read_in_the_bell(watch: PolicyWatch, admin: Any) -> None:
    Notification.objects.create(user=admin, title="Reminder: call Ada")
    page = watch.page
    watch.visit("/people/")
    page.locator("#notification-bell > button").click()
    menu = page.locator("#notification-menu")
    menu.locator(".fw-semibold", has_text="Reminder: call Ada").wait_for()
    with page.expect_response(lambda r: r.url.endswith("/notifications/read-all/")):
        menu.get_by_role("button", name="Mark all read").click()
    wait_until(page, "!document.querySelector('#notification-menu .fw-semibold')")
    assert Notification.objects.get(user=admin).read_at is not None
    watch.collect()
    assert not watch.found, watch.report()


def test_choosing_the_record_to_keep_reloads_the_merge(
    watch: PolicyWatch, admin: Any, person_factory: Any
) -> None:
    first = person_factory(admin, first_name="Maria", last_name="Lopez")
    second = person_factory(admin, first_name="María", last_name="López")
    page = watch.page
    watch.visit(f"/people/merge/?a={first.pk}&b={second.pk}")
    kept = page.locator("#merge-survivor-form input[name=survivor]:checked").get_attribute("value")
    assert kept is not None
    switch_to = second.pk if int(kept) == first.pk else first.pk
    with page.expect_navigation():
        page.locator(f"#keep-{switch_to}").check()
    assert f"survivor={switch_to}" in page.url
    assert page.locator(f"#merge-form input[name=survivor][value='{switch_to}']").count() == 1
    watch.collect()
    assert not watch.found, watch.report()
