"""Settings → Mailboxes in Chromium (Playwright), at 1280 and 390 px, in English and
Spanish: an admin adds a mailbox on a real Dovecot, tests the connection, sees a wrong
password's error, and looks at the messages no module took; no page wider than the
screen. Screenshots go to test-artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from clientela.core.choices import InboundSource
from clientela.core.inbound.services import inbound_receive
from clientela.core.models import Mailbox
from clientela.core.testing.browser import SCREEN_IDS, SCREENS, shot_that_fits
from clientela.core.testing.dovecot import Dovecot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "add": "Add mailbox",
        "test": "Test connection",
        "connected": "Connected: the folder “INBOX” holds 1 message.",
        "refused": "The server refused the user name or password.",
        "save": "Save",
    },
    "es": {
        "add": "Añadir buzón",
        "test": "Probar la conexión",
        "connected": "Conectado: la carpeta «INBOX» contiene 1 mensaje.",
        "refused": "El servidor rechazó el nombre de usuario o la contraseña.",
        "save": "Guardar",
    },
}


@pytest.mark.parametrize(("width", "language"), SCREENS, ids=SCREEN_IDS)
def test_admin_adds_and_tests_a_mailbox(
    open_as: Any,
    admin: Any,
    dovecot: Dovecot,
    artifacts_dir: Path,
    width: int,
    language: str,
) -> None:
    words = WORDS[language]
    dovecot.append(b"From: a@example.com\r\nSubject: one\r\n\r\nHello\r\n")
    page = open_as(admin, width, language=language)
    page.goto("/settings/mailboxes/")
    page.get_by_role("link", name=words["add"]).click()
    page.fill("#id_name", "Support")
    page.fill("#id_host", dovecot.host)
    page.select_option("#id_security", "none")
    page.fill("#id_port", str(dovecot.port))
    page.fill("#id_username", dovecot.user)
    page.fill("#id_password", dovecot.password)
    page.get_by_role("button", name=words["add"]).click()
    page.wait_for_url("**/settings/mailboxes/*/")
    mailbox = Mailbox.objects.get()
    assert mailbox.password == dovecot.password
    assert dovecot.password not in page.content()
    assert page.input_value("#id_password") == ""

    page.get_by_role("button", name=words["test"]).click()
    page.get_by_text(words["connected"]).wait_for()
    shot_that_fits(page, artifacts_dir / f"mailbox-{width}-{language}.png", full_page=True)

    page.fill("#id_password", "not-the-password")
    page.get_by_role("button", name=words["save"], exact=True).click()
    page.get_by_role("button", name=words["test"]).click()
    page.get_by_text(words["refused"]).first.wait_for()
    assert "not-the-password" not in page.content()

    inbound_receive(
        raw=b"From: Someone With A Rather Long Name <someone.with.a.long.address@example.com>"
        b"\r\nSubject: " + b"A subject that goes on and on " * 6 + b"\r\n\r\nx",
        source=InboundSource.MAILBOX,
        mailbox=mailbox,
    )
    page.goto("/settings/inbound/")
    page.get_by_text("A subject that goes on").first.wait_for()
    shot_that_fits(page, artifacts_dir / f"inbound-{width}-{language}.png", full_page=True)
