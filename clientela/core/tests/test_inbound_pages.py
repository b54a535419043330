"""The Mailboxes section of the settings: admins only, the password never in a page,
bad input on the form, "Test connection" against Dovecot, the last error shown, and
the messages that need a look with their source downloadable."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from clientela.core.choices import InboundSource
from clientela.core.inbound.services import inbound_receive, mailbox_create
from clientela.core.models import InboundMessage, Mailbox, User
from clientela.core.testing.dovecot import Dovecot

SECRET = "Pw-never-shown-42"
LIST = "/settings/mailboxes/"
NEW = "/settings/mailboxes/new/"
MESSAGES = "/settings/inbound/"

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client: Client, admin: User) -> Client:
    client.force_login(admin)
    return client


def form_data(**extra: Any) -> dict[str, Any]:
    return {
        "name": "Support",
        "host": "imap.example.com",
        "security": "ssl",
        "port": "993",
        "username": "support@example.com",
        "password": SECRET,
        "folder": "INBOX",
        "poll_minutes": "5",
        "active": "on",
    } | extra


def make_mailbox(admin: User, **extra: Any) -> Mailbox:
    data = form_data(**extra) | {"port": 993, "poll_minutes": 5, "active": True}
    return mailbox_create(actor=admin, data=data)  # type: ignore[arg-type]


@pytest.mark.parametrize("who", ["rep_north", "manager_north", "support"])
def test_non_admins_get_404(client: Client, admin: User, who: str, request: Any) -> None:
    mailbox = make_mailbox(admin)
    stored = inbound_receive(raw=b"From: a@example.com\r\nSubject: x\r\n\r\nx", source="api")
    client.force_login(request.getfixturevalue(who))
    for url in (
        LIST,
        NEW,
        MESSAGES,
        f"{LIST}{mailbox.pk}/",
        f"{MESSAGES}{stored.pk}/raw/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (f"{LIST}{mailbox.pk}/test/", f"{LIST}{mailbox.pk}/delete/"):
        assert client.post(url).status_code == 404, url
    assert Mailbox.objects.filter(pk=mailbox.pk).exists()


def test_the_settings_navigation_links_the_mailboxes(admin_client: Client) -> None:
    page = admin_client.get("/settings/").content.decode()
    assert f'href="{LIST}"' in page


def test_admin_adds_a_mailbox_and_the_password_never_comes_back(admin_client: Client) -> None:
    response = admin_client.post(NEW, form_data())
    mailbox = Mailbox.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}{mailbox.pk}/"
    assert mailbox.password == SECRET
    for url in (LIST, f"{LIST}{mailbox.pk}/"):
        page = admin_client.get(url).content.decode()
        assert "Support" in page
        assert SECRET not in page, url
    edit = admin_client.get(f"{LIST}{mailbox.pk}/").content.decode()
    assert 'type="password"' in edit
    assert "Leave blank to keep the stored password." in edit


def test_editing_with_a_blank_password_keeps_it(admin_client: Client, admin: User) -> None:
    mailbox = make_mailbox(admin)
    response = admin_client.post(
        f"{LIST}{mailbox.pk}/", form_data(password="", poll_minutes="15", name="Help desk")
    )
    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert (mailbox.password, mailbox.poll_minutes, mailbox.name) == (SECRET, 15, "Help desk")


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"host": "imap example.com"}, "host", "Enter a host name such as imap.example.com."),
        ({"port": "70000"}, "port", "Ensure this value is less than or equal to 65535."),
        ({"password": ""}, "password", "This field is required."),
        ({"security": "magic"}, "security", "Select a valid choice."),
        ({"poll_minutes": "0"}, "poll_minutes", "Ensure this value is greater than or equal to 1."),
    ],
)
def test_bad_input_is_shown_on_the_form_and_nothing_saved(
    admin_client: Client, extra: dict[str, Any], field: str, message: str
) -> None:
    response = admin_client.post(NEW, form_data(**extra))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="id_{field}-errors"' in page
    assert message in page
    assert SECRET not in page
    assert not Mailbox.objects.exists()


def test_a_name_taken_is_a_form_error(admin_client: Client, admin: User) -> None:
    make_mailbox(admin)
    response = admin_client.post(NEW, form_data(host="other.example.com"))
    assert "Another mailbox has this name." in response.content.decode()
    assert Mailbox.objects.count() == 1


def test_the_last_error_is_on_the_mailbox_page_without_the_password(
    admin_client: Client, admin: User
) -> None:
    mailbox = make_mailbox(admin)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_error="The server refused the user name or password.", failures=3
    )
    page = admin_client.get(f"{LIST}{mailbox.pk}/").content.decode()
    assert "The server refused the user name or password." in page
    assert "Failing" in page
    assert SECRET not in page
    listing = admin_client.get(LIST).content.decode()
    assert "Failing" in listing


def test_test_connection_against_dovecot(
    admin_client: Client, admin: User, dovecot: Dovecot
) -> None:
    dovecot.append(b"From: a@example.com\r\nSubject: one\r\n\r\nHello\r\n")
    data = dovecot.mailbox_data() | {"port": dovecot.port}
    mailbox = mailbox_create(actor=admin, data=data)  # type: ignore[arg-type]
    page = admin_client.post(f"{LIST}{mailbox.pk}/test/", follow=True).content.decode()
    assert "Connected: the folder “INBOX” holds 1 message." in page
    Mailbox.objects.filter(pk=mailbox.pk).update(password="wrong-one")
    page = admin_client.post(f"{LIST}{mailbox.pk}/test/", follow=True).content.decode()
    assert "Connection failed: The server refused the user name or password." in page
    assert "wrong-one" not in page


def test_deleting_a_mailbox_keeps_its_messages(admin_client: Client, admin: User) -> None:
    mailbox = make_mailbox(admin)
    stored = inbound_receive(
        raw=b"From: a@example.com\r\nSubject: kept\r\n\r\nx",
        source=InboundSource.MAILBOX,
        mailbox=mailbox,
    )
    response = admin_client.post(f"{LIST}{mailbox.pk}/delete/")
    assert response.status_code == 302
    assert not Mailbox.objects.exists()
    stored.refresh_from_db()
    assert stored.mailbox is None


def test_messages_needing_a_look_are_listed_and_their_source_downloads(
    admin_client: Client,
) -> None:
    broken = inbound_receive(raw=b"\x00\x01 garbage", source=InboundSource.API)
    unhandled = inbound_receive(
        raw=b"From: a@example.com\r\nSubject: Nobody wants me\r\n\r\nx", source="api"
    )
    InboundMessage.objects.create(
        source="api",
        message_key="k-taken",
        raw=b"x",
        received_at=unhandled.received_at,
        status="taken",
        subject="Already taken",
    )
    page = admin_client.get(MESSAGES).content.decode()
    assert "Nobody wants me" in page
    assert f'href="{MESSAGES}{broken.pk}/raw/"' in page
    assert "Already taken" not in page
    assert "Already taken" in admin_client.get(MESSAGES, {"status": "taken"}).content.decode()
    listing = admin_client.get(LIST).content.decode()
    assert "1 message needs a look" in listing
    raw = admin_client.get(f"{MESSAGES}{broken.pk}/raw/")
    assert raw["Content-Type"] == "message/rfc822"
    assert raw["Content-Disposition"] == f'attachment; filename="message-{broken.pk}.eml"'
    assert raw.content == b"\x00\x01 garbage"
    assert admin_client.get(f"{MESSAGES}999999/raw/").status_code == 404


def test_the_pages_in_spanish(client: Client, admin: User) -> None:
    mailbox = make_mailbox(admin)
    admin.language = "es"
    admin.save(update_fields=["language"])
    client.force_login(admin)
    page = client.get(LIST).content.decode()
    assert "Buzones" in page
    assert "Añadir buzón" in page
    edit = client.get(f"{LIST}{mailbox.pk}/").content.decode()
    assert "Probar la conexión" in edit
    assert "Déjela en blanco para conservar la contraseña guardada." in edit
