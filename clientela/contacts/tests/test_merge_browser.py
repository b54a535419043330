"""End-to-end: from the likely-duplicates page, open the merge, pick a value, merge,
see the record kept with the picked value, and undo (Chromium via Playwright)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from clientela.contacts import data_quality

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_merge_from_the_duplicates_page_and_undo(
    page: Any, login_as: Any, rep_north: Any, person_factory: Any
) -> None:
    kept = person_factory(rep_north, first_name="Maria", last_name="Lopez")
    dup = person_factory(rep_north, first_name="María", last_name="López", notes="Likes tea")
    data_quality.duplicate_scan_request(actor=rep_north, kind="person")
    login_as(rep_north)

    page.goto("/people/duplicates/?min_score=0.6")
    page.get_by_role("link", name=re.compile("Merge")).first.click()
    page.wait_for_url(re.compile(r"/people/merge/\?a=\d+&b=\d+"))
    page.locator("#merge-moving").wait_for()
    page.locator("label[for='pick-first_name-other']").click()
    page.get_by_role("button", name=re.compile("^Merge$")).click()
    page.wait_for_url(f"**/people/{kept.pk}/")
    page.get_by_role("heading", name="María Lopez").wait_for()
    page.get_by_text("Likes tea").first.wait_for()

    with page.expect_response(lambda r: "/undo/" in r.url and r.request.method == "POST"):
        page.get_by_role("button", name=re.compile("Undo")).first.click()
    page.wait_for_url(f"**/people/{dup.pk}/")
    page.get_by_role("heading", name="María López").wait_for()
    page.goto(f"/people/{kept.pk}/")
    page.get_by_role("heading", name="Maria Lopez").wait_for()
