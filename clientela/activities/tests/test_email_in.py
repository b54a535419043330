"""E-mail in to the contact history (``services.email_log``): the shared BCC mailbox
and users' own mailboxes log each message to or from a known person once, threaded
with the e-mails sent from the CRM; unknown senders wait in "Unmatched e-mails" for
their user (never created silently); a personal mailbox keeps nothing private; support
queue mail stays a ticket. One test polls a real IMAP server (Dovecot)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from clientela.activities.models import Interaction, UnmatchedEmail
from clientela.activities.services.emails import email_preferences_update, email_send
from clientela.contacts.models import Person
from clientela.core.choices import InboundStatus
from clientela.core.inbound.polling import mailbox_poll
from clientela.core.inbound.services import inbound_receive, mailbox_create
from clientela.core.models import InboundMessage, Mailbox
from clientela.sales.models import Lead
from clientela.service.models import Ticket
from clientela.service.tests.helpers import make_queue

pytestmark = pytest.mark.django_db

BCC = "log@shop.example"


def mail(n: int, sender: str, to: str, subject: str = "", **headers: str) -> bytes:
    extra = "".join(f"{k.replace('_', '-')}: {v}\r\n" for k, v in headers.items())
    return (
        f"From: {sender}\r\nTo: {to}\r\nCc: {BCC}\r\n"
        f"Subject: {subject or f'Order {n}'}\r\nMessage-ID: <in{n}@mail.example>\r\n"
        f"{extra}Content-Type: text/plain; charset=utf-8\r\n\r\nHello, about order {n}.\r\n"
    ).encode()


def box(name: str, purpose: str, owner: Any = None) -> Mailbox:
    return Mailbox.objects.create(
        name=name,
        host="imap.example.com",
        username=name,
        password="x",
        purpose=purpose,
        owner=owner,
    )


def receive(raw: bytes, mailbox: Mailbox) -> InboundMessage:
    return inbound_receive(raw=raw, source="mailbox", mailbox=mailbox)


@pytest.fixture
def ana(rep_north: Any, person_factory: Any) -> Any:
    return person_factory(rep_north, first_name="Ana", last_name="Ruiz", email="ana@client.example")


def test_a_message_from_a_known_person_is_logged_once_from_both_mailboxes(
    rep_north: Any, ana: Any
) -> None:
    shared, own = box("bcc", "history"), box("nora", "personal", rep_north)
    raw = mail(1, "Ana <ANA@client.example>", rep_north.email)
    first = receive(raw, own)
    again = receive(raw, shared)
    assert (first.status, first.handler_key, again.pk) == (
        InboundStatus.TAKEN,
        "activities.email_log",
        first.pk,
    )
    interaction = Interaction.objects.get()
    assert (interaction.direction, interaction.owner) == ("in", rep_north)
    assert (interaction.message_id, list(interaction.people.all())) == ("<in1@mail.example>", [ana])
    assert interaction.body == "Hello, about order 1."


def test_a_message_a_user_sent_is_outbound(rep_north: Any, ana: Any) -> None:
    receive(mail(1, rep_north.email, "ana@client.example"), box("bcc", "history"))
    interaction = Interaction.objects.get()
    assert (interaction.direction, interaction.owner) == ("out", rep_north)


def test_an_answer_joins_the_thread_of_the_crm_email_and_its_deal(
    rep_north: Any, ana: Any, mailoutbox: Any
) -> None:
    sent = email_send(
        actor=rep_north,
        data={
            "to": ["ana@client.example"],
            "subject": "Offer",
            "body": "Here it is",
            "person_ids": [ana.pk],
            "related_type": "sales.deal",
            "related_id": 7,
        },
    )
    shared = box("bcc", "history")
    # The CRM's own e-mail, BCC'd to the log address, is not logged twice.
    assert receive(mailoutbox[0].message().as_bytes(), shared).status == InboundStatus.TAKEN
    assert Interaction.objects.count() == 1
    receive(
        mail(2, "ana@client.example", rep_north.email, "Re: Offer", In_Reply_To=sent.message_id),
        shared,
    )
    answer = Interaction.objects.exclude(pk=sent.pk).get()
    assert (answer.thread_key, answer.in_reply_to) == (sent.thread_key, sent.message_id)
    assert (answer.related_type, answer.related_id, answer.direction) == ("sales.deal", 7, "in")


def test_an_unknown_sender_waits_for_its_user_and_is_never_created_silently(
    client: Any, rep_north: Any, rep_south: Any, admin: Any
) -> None:
    message = receive(
        mail(1, "Eva Gómez <eva@new.example>", rep_north.email), box("bcc", "history")
    )
    assert message.status == InboundStatus.TAKEN
    assert (Person.objects.count(), Interaction.objects.count()) == (0, 0)
    unmatched = UnmatchedEmail.objects.get()
    assert (unmatched.user, unmatched.from_address) == (rep_north, "eva@new.example")
    url = reverse("activities:unmatched-emails")
    action = reverse("activities:unmatched-email-action", args=[unmatched.pk, "person"])
    for other in (rep_south, admin):  # another user's: not listed, a 404
        client.force_login(other)
        assert b"eva@new.example" not in client.get(url).content
        assert client.post(action).status_code == 404
    client.force_login(rep_north)
    assert b"eva@new.example" in client.get(url).content
    response = client.post(action)
    person = Person.objects.get(email="eva@new.example")
    assert response.status_code == 302
    assert (person.first_name, person.last_name, person.owner) == ("Eva", "Gómez", rep_north)
    assert list(Interaction.objects.get().people.all()) == [person]
    assert b"eva@new.example" not in client.get(url).content


def test_the_bcc_address_itself_is_nobody_to_log(rep_north: Any) -> None:
    shared = box(BCC, "history")  # its user name is its address
    message = receive(mail(1, rep_north.email, "colleague@shop.example"), shared)
    assert UnmatchedEmail.objects.filter(from_address=BCC).count() == 0
    assert [u.from_address for u in UnmatchedEmail.objects.all()] == ["colleague@shop.example"]
    assert message.status == InboundStatus.TAKEN


def test_an_unknown_sender_to_no_user_is_for_the_admins_and_can_become_a_lead(
    client: Any, admin: Any, rep_north: Any
) -> None:
    receive(mail(1, "Eva <eva@new.example>", "info@shop.example"), box("bcc", "history"))
    unmatched = UnmatchedEmail.objects.get()
    assert unmatched.user is None
    client.force_login(rep_north)
    assert b"eva@new.example" not in client.get(reverse("activities:unmatched-emails")).content
    client.force_login(admin)
    client.post(reverse("activities:unmatched-email-action", args=[unmatched.pk, "lead"]))
    lead = Lead.objects.get()
    assert lead.email == "eva@new.example"
    logged = Interaction.objects.get()
    assert (logged.related_type, logged.related_id) == ("sales.lead", lead.pk)


def test_ignoring_drops_it_and_its_content(client: Any, rep_north: Any) -> None:
    message = receive(mail(1, "eva@new.example", rep_north.email), box("bcc", "history"))
    unmatched = UnmatchedEmail.objects.get()
    client.force_login(rep_north)
    client.post(reverse("activities:unmatched-email-action", args=[unmatched.pk, "ignore"]))
    message.refresh_from_db()
    assert (bytes(message.raw), Person.objects.count()) == (b"", 0)
    assert (
        client.post(
            reverse("activities:unmatched-email-action", args=[unmatched.pk, "person"])
        ).status_code
        == 404
    )


def test_a_personal_mailbox_keeps_nothing_that_matches_no_contact(rep_north: Any, ana: Any) -> None:
    own = box("nora", "personal", rep_north)
    private = receive(mail(1, "Mum <mum@family.example>", rep_north.email, "Sunday"), own)
    private.refresh_from_db()
    assert (bytes(private.raw), private.subject, private.sender) == (b"", "", "")
    assert (Interaction.objects.count(), UnmatchedEmail.objects.count()) == (0, 0)
    # Not fetched and handled again: its key stays.
    assert receive(mail(1, "Mum <mum@family.example>", rep_north.email), own).pk == private.pk


def test_excluded_addresses_and_domains_are_never_logged(rep_north: Any, ana: Any) -> None:
    email_preferences_update(user=rep_north, signature="", excluded="client.example")
    own = box("nora", "personal", rep_north)
    receive(mail(1, "ana@client.example", rep_north.email), own)
    assert Interaction.objects.count() == 0


def test_the_owner_logs_only_people_they_may_see(rep_south: Any, ana: Any) -> None:
    receive(mail(1, "ana@client.example", rep_south.email), box("sam", "personal", rep_south))
    assert Interaction.objects.count() == 0


def test_support_queue_mail_stays_a_ticket(admin: Any, rep_north: Any, ana: Any) -> None:
    make_queue(email="help@shop.example", agents=[rep_north], manager=admin)
    message = receive(mail(1, "ana@client.example", "help@shop.example"), box("bcc", "history"))
    assert message.handler_key == "service.tickets"
    assert (Ticket.objects.count(), Interaction.objects.filter(channel="email").count()) == (1, 0)


def test_a_general_mailbox_is_left_to_the_other_handlers(rep_north: Any, ana: Any) -> None:
    message = receive(mail(1, "ana@client.example", rep_north.email), box("support", "general"))
    assert message.status == InboundStatus.UNHANDLED
    assert Interaction.objects.count() == 0


def test_a_personal_mailbox_is_polled_over_imap(
    dovecot: Any, admin: Any, rep_north: Any, ana: Any
) -> None:
    mailbox = mailbox_create(
        actor=admin,
        data=dovecot.mailbox_data(purpose="personal", owner_id=rep_north.pk),
    )
    dovecot.append(
        mail(1, "ana@client.example", rep_north.email),
        mail(2, "mum@family.example", rep_north.email, "Private"),
    )
    result = mailbox_poll(mailbox_id=mailbox.pk)
    assert result.error == ""
    assert list(Interaction.objects.values_list("message_id", flat=True)) == ["<in1@mail.example>"]
    private = InboundMessage.objects.get(message_id="")
    assert bytes(private.raw) == b""


def test_a_personal_mailbox_needs_its_owner(admin: Any, dovecot: Any) -> None:
    with pytest.raises(ValidationError) as raised:
        mailbox_create(actor=admin, data=dovecot.mailbox_data(purpose="personal"))
    assert "owner_id" in raised.value.message_dict


def test_a_reply_from_the_timeline_joins_the_thread(
    client: Any, smtp_server: Any, settings: Any, rep_north: Any, rep_south: Any, ana: Any
) -> None:
    smtp_server.use(settings)
    receive(mail(1, "ana@client.example", rep_north.email, "Question"), box("bcc", "history"))
    question = Interaction.objects.get()
    url = f"{reverse('activities:email-compose')}?reply={question.pk}"
    client.force_login(rep_south)  # another team's: not theirs to see
    assert client.get(url).status_code == 404
    client.force_login(rep_north)
    timeline = client.get(reverse("contacts:person-detail", args=[ana.pk]))
    assert f"?reply={question.pk}".encode() in timeline.content
    form = client.get(url).context["form"]
    assert (form.initial["to"], form.initial["subject"]) == ("ana@client.example", "Re: Question")
    client.post(url, {**form.initial, "body": "The answer"})
    [sent] = smtp_server.messages
    assert sent["In-Reply-To"] == question.message_id
    answer = Interaction.objects.exclude(pk=question.pk).get()
    assert (answer.thread_key, answer.direction) == (question.thread_key, "out")


def test_an_admin_gives_a_mailbox_its_purpose_and_owner_on_the_page(
    client: Any, admin: Any, rep_north: Any
) -> None:
    form = {
        "name": "Nora's mail",
        "host": "imap.example.com",
        "security": "ssl",
        "port": "993",
        "username": "nora",
        "password": "secret-pw",
        "folder": "INBOX",
        "poll_minutes": "5",
        "active": "on",
        "purpose": "personal",
    }
    client.force_login(admin)
    url = reverse("core:mailbox-create")
    refused = client.post(url, form)
    assert "Choose the active user whose mailbox this is." in refused.content.decode()
    assert not Mailbox.objects.exists()
    client.post(url, {**form, "owner_id": str(rep_north.pk)})
    mailbox = Mailbox.objects.get()
    assert (mailbox.purpose, mailbox.owner) == ("personal", rep_north)
    listed = client.get(reverse("core:mailbox-list")).content.decode()
    assert "A user&#x27;s own mailbox (logs only CRM contacts) · " in listed
