"""The editable contact history in Chromium (Playwright), as a sales rep at 1280 and
390 px, in English and Spanish: logging on a timeline that already has entries raises
no htmx error, an entry is edited in place (Escape cancels), deleted and brought back
with the Undo. Screenshots go to test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.activities import services
from clientela.activities.models import Interaction
from clientela.core.testing.browser import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

WORDS = {
    "en": {"edit": "Edit", "delete": "Delete", "undo": "Undo", "save": "Save"},
    "es": {"edit": "Editar", "delete": "Eliminar", "undo": "Deshacer", "save": "Guardar"},
}

#: Collects the htmx errors and the console's errors of the page, from its first script.
WATCH = """
window.__errors = [];
document.addEventListener("htmx:oobErrorNoTarget", (e) => window.__errors.push("oob"));
document.addEventListener("htmx:responseError", (e) => window.__errors.push("response"));
"""


def _errors(page: Any, console: list[str]) -> list[str]:
    return [*page.evaluate("window.__errors"), *console]


def _post(page: Any, fragment: str) -> Any:
    """Waits for htmx's POST to a URL containing ``fragment`` and its answer (the live
    server shares the test's database connection on SQLite: no polling it meanwhile)."""
    return page.expect_response(
        lambda r: r.request.method == "POST" and fragment in r.url, timeout=60_000
    )


def _overflow(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def _log(page: Any, subject: str) -> None:
    page.click("#log-person-open")
    page.locator("#log-person.show").wait_for()
    page.fill("#id_log_person_subject", subject)
    with _post(page, "/log/") as answer:
        page.click("#log-form-person button[type=submit]")
    assert answer.value.status == 200
    page.locator("#log-form-person .alert-success").wait_for()
    page.locator("#timeline-entries-person .timeline-entry", has_text=subject).wait_for()


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("language", ["en", "es"])
def test_log_edit_delete_and_undo_on_the_timeline(
    page: Any,
    login_as: Any,
    rep_north: Any,
    person_factory: Any,
    artifacts_dir: Any,
    language: str,
    width: int,
) -> None:
    words = WORDS[language]
    person = person_factory(rep_north, first_name="Bea")
    call = services.interaction_create(
        actor=rep_north,
        data={"channel": "call", "subject": "First call", "person_ids": [person.pk]},
    )
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.add_init_script(WATCH)
    login_as(rep_north, language=language)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"/people/{person.pk}/", wait_until="networkidle")
    shot = f"{artifacts_dir}/history-%s-{language}-{width}.png"

    # Logging on a timeline that already has an entry: no oob swap without a target.
    _log(page, "Second call")
    assert _errors(page, console) == []

    # Edit in place; Escape puts the entry back unchanged.
    entry = page.locator(f"#entry-interaction-{call.pk}")
    entry.get_by_role("button", name=words["edit"]).click()
    subject = page.locator(f"#id_edit_{call.pk}_subject")
    subject.wait_for()
    subject.press("Escape")
    entry.get_by_role("button", name=words["edit"]).wait_for()
    assert subject.count() == 0
    entry.get_by_role("button", name=words["edit"]).click()
    subject.fill("First call, corrected")
    page.screenshot(path=shot % "edit")
    assert _overflow(page) <= 1
    with _post(page, f"/interactions/{call.pk}/edit/") as answer:
        entry.get_by_role("button", name=words["save"]).click()
    assert answer.value.status == 200
    entry.get_by_text("First call, corrected").wait_for()
    # The keyboard is back on the entry's Edit button.
    wait_until(page, f"document.activeElement.closest('#entry-interaction-{call.pk}') !== null")

    # Delete, then Undo from the message in its place.
    with _post(page, f"/interactions/{call.pk}/delete/") as answer:
        entry.get_by_role("button", name=words["delete"]).click()
    assert answer.value.status == 200
    undo = entry.get_by_role("button", name=words["undo"])
    undo.wait_for()
    page.screenshot(path=shot % "deleted")
    assert _overflow(page) <= 1
    with _post(page, f"/interactions/{call.pk}/restore/") as answer:
        undo.click()
    assert answer.value.status == 200
    entry.get_by_role("button", name=words["edit"]).wait_for()
    assert _errors(page, console) == []
    restored = Interaction.objects.get(pk=call.pk)
    assert (restored.subject, restored.deleted_at) == ("First call, corrected", None)


def test_empty_timeline_message_goes_and_a_refused_edit_shows_its_errors_in_place(
    page: Any, login_as: Any, rep_north: Any, person_factory: Any
) -> None:
    person = person_factory(rep_north, first_name="Cleo")
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.add_init_script(WATCH)
    login_as(rep_north)
    page.goto(f"/people/{person.pk}/", wait_until="networkidle")
    # A person's timeline always has its "Created"; filtered to calls, it is empty.
    page.select_option("#timeline-person form[hx-trigger=change] select[name=channel]", "call")
    empty = page.locator("#timeline-empty-person")
    empty.wait_for()
    _log(page, "Very first call")
    assert empty.is_hidden()
    call = Interaction.objects.get()
    entry = page.locator(f"#entry-interaction-{call.pk}")
    entry.get_by_role("button", name="Edit").click()
    page.locator(f"#id_edit_{call.pk}_occurred_at").fill("")
    with _post(page, f"/interactions/{call.pk}/edit/") as answer:
        entry.get_by_role("button", name="Save").click()
    assert answer.value.status == 422
    # htmx swaps the refused form in (data-swap-errors), with the field's error.
    page.locator(f"#id_edit_{call.pk}_occurred_at-errors").wait_for()
    # Chromium logs every 4xx answer as a failed load; that one was expected.
    assert [e for e in _errors(page, console) if "status of 422" not in e] == []
    assert Interaction.objects.get().occurred_at == call.occurred_at
