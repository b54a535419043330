"""E-mail out from the CRM (``services.emails`` and the composer): sent through a real
SMTP server on loopback from the user (or the company address with Reply-To them),
with the signature, a marketing template filled for the person and attachments;
logged with its Message-ID on every person and the deal it is about; the follow-up
task one click away. Bad input and a refusing server log nothing and keep the draft."""

from __future__ import annotations

import datetime
import socket
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from clientela.activities.models import Attachment, Interaction, Task
from clientela.activities.services.emails import email_preferences_update, email_send
from clientela.marketing.services.templates import email_template_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(smtp_server: Any, settings: Any) -> Any:
    smtp_server.use(settings)
    settings.DEFAULT_FROM_EMAIL = "Shop <crm@shop.example>"
    return smtp_server


@pytest.fixture
def ana(rep_north: Any, person_factory: Any) -> Any:
    return person_factory(rep_north, first_name="Ana", last_name="Ruiz", email="ana@client.example")


def stored_files(folder: str = "attachments") -> set[str]:
    if not default_storage.exists(folder):
        return set()
    folders, files = default_storage.listdir(folder)
    found = {f"{folder}/{name}" for name in files}
    for sub in folders:
        found |= stored_files(f"{folder}/{sub}")
    return found


def compose(client: Any, user: Any, query: str, **post: Any) -> Any:
    client.force_login(user)
    data = {"to": "ana@client.example", "subject": "Your order", "body": "Hello {{ first_name }}"}
    url = f"{reverse('activities:email-compose')}?{query}"
    return client.post(url, {**data, **post}, follow=True)


def test_sending_from_a_person_page_delivers_and_logs_with_the_message_id(
    client: Any, smtp: Any, rep_north: Any, ana: Any
) -> None:
    email_preferences_update(user=rep_north, signature="Rep North\nShop & Co", excluded="")
    response = compose(client, rep_north, f"person={ana.pk}")
    [(sent_url, status)] = response.redirect_chain  # reloading the page sends nothing
    assert (status, response.status_code) == (302, 200)
    assert b"email-follow-up" in response.content
    [message] = smtp.messages
    interaction = Interaction.objects.get(channel="email")
    assert sent_url.startswith(reverse("activities:email-sent", args=[interaction.pk]))
    assert message["Message-ID"] == interaction.message_id != ""
    assert interaction.thread_key == interaction.message_id
    assert (interaction.direction, interaction.subject) == ("out", "Your order")
    assert list(interaction.people.all()) == [ana]
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Hello Ana")
    assert "-- \nRep North\nShop & Co" in text
    assert "Rep North<br>Shop &amp; Co" in message.get_body(("html",)).get_content()
    # The server may not send as the rep's domain: the company's address, replies to them.
    assert message["From"].addresses[0].addr_spec == "crm@shop.example"
    assert message["Reply-To"].addresses[0].addr_spec == rep_north.email


def test_a_user_of_an_allowed_domain_sends_from_their_own_address(
    smtp: Any, settings: Any, rep_north: Any, ana: Any
) -> None:
    settings.CLIENTELA_EMAIL_SEND_AS_DOMAINS = [rep_north.email.rpartition("@")[2]]
    email_send(
        actor=rep_north,
        data={"to": ["ana@client.example"], "subject": "Hi", "body": "Hi", "person_ids": [ana.pk]},
    )
    [message] = smtp.messages
    assert message["From"].addresses[0].addr_spec == rep_north.email
    assert message["Reply-To"] is None


def test_a_marketing_template_is_filled_for_the_person(
    client: Any, rep_north: Any, marketer: Any, ana: Any
) -> None:
    template = email_template_create(
        actor=marketer,
        data={
            "name": "Welcome",
            "versions": [
                {
                    "language": "en",
                    "subject": "Welcome {{ first_name }}",
                    "html": "<p>Dear {{ full_name }}</p>",
                }
            ],
        },
    )
    client.force_login(rep_north)
    url = reverse("activities:email-compose")
    page = client.get(f"{url}?person={ana.pk}&template=marketing:{template.pk}")
    assert page.status_code == 200
    assert page.context["form"].initial["subject"] == "Welcome Ana"
    assert "Dear Ana Ruiz" in page.context["form"].initial["body"]
    assert client.get(f"{url}?person={ana.pk}&template=marketing:999999").status_code == 404


def test_attachments_are_sent_and_kept_on_the_interaction(
    client: Any, smtp: Any, rep_north: Any, ana: Any
) -> None:
    upload = SimpleUploadedFile("offer.pdf", b"%PDF-1.4 offer", content_type="application/pdf")
    compose(client, rep_north, f"person={ana.pk}", attachments=upload)
    [message] = smtp.messages
    [part] = list(message.iter_attachments())
    assert (part.get_filename(), part.get_content()) == ("offer.pdf", b"%PDF-1.4 offer")
    [attachment] = Attachment.objects.all()
    assert attachment.name == "offer.pdf"


@pytest.mark.parametrize(
    ("post", "field", "error"),
    [
        ({"to": ""}, "to", "Enter at least one recipient."),
        ({"to": "ana@"}, "to", "“ana@” is not a valid e-mail address."),
        ({"body": "Hi {{ nickname }}"}, "body", "{{ nickname }} is not a merge field"),
        ({"subject": ""}, "subject", "Enter a subject."),
    ],
)
def test_bad_input_is_told_on_the_field_and_nothing_is_sent_or_logged(
    client: Any, smtp: Any, rep_north: Any, ana: Any, post: Any, field: str, error: str
) -> None:
    response = compose(client, rep_north, f"person={ana.pk}", **post)
    assert response.status_code == 400
    assert error in " ".join(response.context["form"].errors[field])
    assert (smtp.messages, Interaction.objects.count()) == ([], 0)
    assert response.context["form"]["body"].value() == post.get("body", "Hello {{ first_name }}")


def test_an_attachment_over_the_limit_is_refused(
    client: Any, smtp: Any, settings: Any, rep_north: Any, ana: Any
) -> None:
    settings.CLIENTELA_MAX_ATTACHMENT_MB = 1
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (1024 * 1024), "application/pdf")
    response = compose(client, rep_north, f"person={ana.pk}", attachments=big)
    assert response.status_code == 400
    assert "big.pdf is larger than 1 MB." in response.context["form"].errors["attachments"]
    assert (smtp.messages, Interaction.objects.count()) == ([], 0)


def test_a_mail_server_that_is_down_logs_nothing_and_keeps_the_draft(
    client: Any, settings: Any, rep_north: Any, ana: Any
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    upload = SimpleUploadedFile("offer.pdf", b"%PDF-1.4", content_type="application/pdf")
    before = stored_files()
    response = compose(client, rep_north, f"person={ana.pk}", attachments=upload)
    assert response.status_code == 400
    assert "Nothing was sent." in response.content.decode()
    assert response.context["form"]["subject"].value() == "Your order"
    assert (Interaction.objects.count(), Attachment.objects.count()) == (0, 0)
    assert stored_files() == before  # the attachment's file is not left behind


def test_the_follow_up_task_is_one_click_away(
    client: Any, smtp: Any, rep_north: Any, ana: Any
) -> None:
    page = compose(client, rep_north, f"person={ana.pk}&next=/people/{ana.pk}/")
    interaction = Interaction.objects.get(channel="email")
    follow_up = reverse("activities:email-follow-up", args=[interaction.pk])
    assert follow_up.encode() in page.content
    response = client.post(follow_up, {"days": "3", "next": f"/people/{ana.pk}/"})
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.title == "Follow up: Your order"
    assert (task.assignee, list(task.people.all())) == (rep_north, [ana])
    expected = timezone.now() + datetime.timedelta(days=3)
    assert task.due_at is not None
    assert abs(task.due_at - expected) < datetime.timedelta(minutes=5)


def test_others_cannot_follow_up_or_write_to_people_they_may_not_see(
    client: Any, smtp: Any, rep_north: Any, rep_south: Any, ana: Any
) -> None:
    compose(client, rep_north, f"person={ana.pk}")
    interaction = Interaction.objects.get(channel="email")
    client.force_login(rep_south)
    follow_up = reverse("activities:email-follow-up", args=[interaction.pk])
    assert client.post(follow_up, {"days": "3"}).status_code == 404
    page = client.get(f"{reverse('activities:email-compose')}?person={ana.pk}")
    assert page.context["people"] == []
    assert page.context["form"].initial["to"] == ""


def test_the_signature_is_sanitized_and_exclusions_are_checked(client: Any, rep_north: Any) -> None:
    client.force_login(rep_north)
    url = reverse("activities:email-preferences")
    response = client.post(
        url,
        {"email_signature": "<b>Rep</b><script>x()</script>", "email_excluded": "not an address"},
    )
    assert "is no address or domain" in " ".join(response.context["form"].errors["email_excluded"])
    client.post(
        url,
        {
            "email_signature": "<b>Rep</b><script>x()</script>",
            "email_excluded": "Family.example\nme@home.example",
        },
    )
    prefs = rep_north.activity_preferences
    prefs.refresh_from_db()
    assert (prefs.email_signature, prefs.email_excluded) == (
        "<b>Rep</b>",
        "family.example\nme@home.example",
    )
