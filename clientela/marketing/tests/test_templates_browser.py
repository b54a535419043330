"""The template form and preview in Chromium: a merge field clicked goes into the HTML
box of the open language tab, the template saves, and its page shows the e-mail filled
in for a person inside the sandboxed frame, under the CSP (no violation reported)."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.marketing.models import EmailTemplate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_write_a_template_and_preview_it(
    open_as: Any, marketer: Any, person_factory: Any, artifacts_dir: Any
) -> None:
    ana = person_factory(marketer, first_name="Ana", preferred_language="es")
    page = open_as(marketer, 1280)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security" in m.text else None)
    page.goto("/email_templates/new/")
    page.fill("#id_name", "Bienvenida")
    page.select_option("#id_default_language", "es")
    page.click("#tab-es")
    page.fill("#id_subject_es", "Hola")
    box = page.locator("#id_html_es")
    typed = "<style>p { color: #0a0 }</style><p>Hola </p>"
    box.fill(typed)
    at = typed.index("</p>")
    box.evaluate(f"el => {{ el.focus(); el.selectionStart = el.selectionEnd = {at}; }}")
    page.click('[data-merge-field="first_name"]')
    assert box.input_value() == "<style>p { color: #0a0 }</style><p>Hola {{ first_name }}</p>"
    page.click("button[type=submit].btn-primary")
    page.wait_for_url("**/email_templates/*/")
    template = EmailTemplate.objects.get()
    page.goto(f"/email_templates/{template.pk}/?person={ana.pk}")
    frame = page.frame_locator("iframe[sandbox]")
    frame.locator("p").wait_for()
    assert frame.locator("p").inner_text() == "Hola Ana"
    assert "rgb(0, 170, 0)" in frame.locator("p").evaluate("el => getComputedStyle(el).color")
    page.screenshot(path=str(artifacts_dir / "email-template-preview.png"))
    assert problems == []
