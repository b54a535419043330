"""A ticket's conversation: agents' public replies (e-mailed to the customer in their
language, threaded with ``Message-ID`` / ``In-Reply-To`` / ``References``), internal
notes (never sent; ``@username`` notifies a colleague who may see the ticket) and the
customer's own messages as they come in.

The e-mail goes out once the reply is committed (``on_commit``); whether the mail
server took it is written on the message (``sent_at`` or ``send_error``), so a failed
send shows on the ticket instead of losing the reply.
"""

from __future__ import annotations

import re
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clientela.activities import validation as files
from clientela.activities.services.notifications import notifications_send
from clientela.contacts.models import Person
from clientela.core.audit import record_audit
from clientela.core.choices import AuditAction
from clientela.core.company import company_name, email_footer
from clientela.core.errors import NotFound
from clientela.core.models import User
from clientela.core.validation import Errors, add, raise_errors
from clientela.service.choices import TicketChannel, TicketStatus
from clientela.service.models import Ticket, TicketAttachment, TicketMessage
from clientela.service.selectors.tickets import tickets_visible, tickets_worked
from clientela.service.services import sla

MAX_BODY = 100_000
MENTION = re.compile(r"(?<![\w.@])@([\w.+-]{1,150})")


def _clean_body(body: Any, errors: Errors) -> str:
    if not isinstance(body, str) or not body.strip():
        add(errors, "body", _("Write the message."))
        return ""
    if len(body) > MAX_BODY:
        add(errors, "body", _("At most %(n)s characters.") % {"n": f"{MAX_BODY:,}"})
        return ""
    return body.strip()


def _attach(message: TicketMessage, uploads: list[Any]) -> None:
    for upload in uploads:
        attachment = TicketAttachment(
            message=message,
            name=(upload.name or "file")[:200],
            size=upload.size or 0,
            content_type=files.content_type_of(upload),
        )
        attachment.file.save(upload.name or "file", upload, save=False)
        attachment.save()


def _locked(actor: User, ticket: Ticket) -> Ticket:
    from clientela.core.permissions import require  # noqa: PLC0415

    fresh = tickets_worked(actor).select_for_update().filter(pk=ticket.pk).first()
    if fresh is None:
        raise NotFound()
    require(actor, "update", Ticket.RESOURCE)
    return fresh


@transaction.atomic
def ticket_reply(
    *,
    actor: User,
    ticket: Ticket,
    body: Any,
    public: bool = True,
    status: str | None = None,
    attachments: list[Any] | None = None,
    send: bool = True,
) -> TicketMessage:
    """An agent's message on a ticket they work on: a public reply (e-mailed to the
    customer; the first one meets the first-response clock) or an internal note.
    ``status`` moves the ticket at the same time ("reply and set pending"); ``send``
    False logs a public reply given another way (on the phone) without e-mailing it."""
    fresh = _locked(actor, ticket)
    errors: Errors = {}
    text = _clean_body(body, errors)
    uploads = files.clean_attachments(attachments, errors) if attachments else []
    if fresh.merged_into_id is not None:
        add(
            errors,
            "body",
            _("This ticket was merged into %(label)s; answer there.")
            % {"label": fresh.merged_into},
        )
    if public and fresh.status == TicketStatus.CLOSED:
        add(errors, "body", _("This ticket is closed; open a new one to write to the customer."))
    raise_errors(errors)
    now = timezone.now()
    message = TicketMessage.objects.create(
        ticket=fresh,
        public=public,
        author=actor,
        body=text,
        channel=fresh.channel if public else TicketChannel.IN_PERSON,
        message_id=make_msgid(domain=_mail_domain()) if public else "",
    )
    _attach(message, uploads)
    before = fresh.status
    if public:
        sla.ticket_first_response(fresh, now=now)
        if fresh.status == TicketStatus.NEW and status is None:
            status = TicketStatus.OPEN
    fresh.last_message_at = now
    fresh.save(update_fields=[*_CLOCK_FIELDS, "last_message_at", "updated_at"])
    if status is not None and status != before:
        from clientela.service.services.tickets import ticket_set_status  # noqa: PLC0415

        ticket_set_status(actor=actor, ticket=fresh, status=status)
    record_audit(
        actor=actor,
        instance=fresh,
        action=AuditAction.UPDATE,
        changes={("reply" if public else "note"): [None, text[:200]]},
    )
    if public and send:
        transaction.on_commit(lambda: send_reply(message.pk))
    else:
        _notify_mentions(actor, fresh, text)
    return message


_CLOCK_FIELDS = [
    "first_responded_at",
    "first_response_due_at",
    "resolution_due_at",
    "next_due_at",
    "sla_state",
]


def _notify_mentions(actor: User, ticket: Ticket, text: str) -> None:
    """``@username`` in a note: a notification for each mentioned colleague who may
    see the ticket (the others are left out without a word: no names leak)."""
    names = {m.lower() for m in MENTION.findall(text)}
    if not names:
        return
    users = [
        user
        for user in User.objects.filter(is_active=True).exclude(pk=actor.pk)
        if user.username.lower() in names and tickets_visible(user).filter(pk=ticket.pk).exists()
    ]
    notifications_send(
        users=users,
        title=_("%(user)s mentioned you on %(ticket)s") % {"user": actor, "ticket": ticket.label},
        body=text[:300],
        url=reverse("service:ticket-detail", args=[ticket.pk]),
    )


def _mail_domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL.rsplit("<", 1)[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] if "@" in address else "localhost"


def _thread_ids(ticket: Ticket, before: TicketMessage) -> list[str]:
    return [
        mid
        for mid in TicketMessage.objects.filter(ticket=ticket, public=True, pk__lt=before.pk)
        .exclude(message_id="")
        .order_by("created_at", "id")
        .values_list("message_id", flat=True)
    ]


def reply_email(message: TicketMessage) -> EmailMessage | None:
    """The e-mail of a public reply, or None when the customer has no address."""
    ticket = message.ticket
    person: Person | None = ticket.person
    to = person.email if person is not None else ""
    if not to:
        return None
    thread = _thread_ids(ticket, message)
    with translation.override(ticket.language):
        context = {
            "ticket": ticket,
            "message": message,
            "company": company_name(),
            "footer": email_footer(),
        }
        subject = " ".join(render_to_string("service/email/reply_subject.txt", context).split())
        body = render_to_string("service/email/reply_body.txt", context)
    headers = {"Message-ID": message.message_id}
    if thread:
        headers["In-Reply-To"] = thread[-1]
        headers["References"] = " ".join(thread[-20:])
    email = EmailMessage(
        subject=subject,
        body=body,
        from_email=(ticket.queue.email if ticket.queue and ticket.queue.email else None)
        or settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
    )
    for attachment in message.attachments.all():
        with attachment.file.open("rb") as handle:
            email.attach(attachment.name, handle.read(), attachment.content_type)
    return email


def send_reply(message_id: int) -> None:
    """Hand a committed reply to the mail server and write down how it went."""
    message = TicketMessage.objects.select_related("ticket__person", "ticket__queue").get(
        pk=message_id
    )
    email = reply_email(message)
    if email is None:
        TicketMessage.objects.filter(pk=message_id).update(
            send_error=_("The customer has no e-mail address.")[:300]
        )
        return
    try:
        email.send()
    except Exception as exc:
        TicketMessage.objects.filter(pk=message_id).update(send_error=str(exc)[:300])
        return
    TicketMessage.objects.filter(pk=message_id).update(sent_at=timezone.now(), send_error="")


@transaction.atomic
def ticket_customer_message(
    *,
    ticket: Ticket,
    body: str,
    person: Person | None = None,
    body_html: str = "",
    from_name: str = "",
    from_address: str = "",
    channel: str = TicketChannel.EMAIL,
    message_id: str = "",
    in_reply_to: str = "",
    attachments: list[tuple[str, str, bytes, str]] | None = None,
    opened: bool = False,
) -> TicketMessage:
    """The customer's message on their ticket (from e-mail or the portal): a solved or
    pending ticket opens again. A closed or merged ticket takes no more messages (the
    caller opens a new ticket). ``opened``: the caller has just created ``ticket`` in
    this transaction for this message (``ticket_create`` set its time of last
    message): the message is added without reading the ticket again."""
    fresh = ticket if opened else Ticket.objects.select_for_update().get(pk=ticket.pk)
    if fresh.status == TicketStatus.CLOSED or fresh.merged_into_id is not None:
        raise ValidationError({"ticket": [_("This ticket is closed.")]})
    now = timezone.now()
    message = TicketMessage.objects.create(
        ticket=fresh,
        public=True,
        person=person,
        from_name=from_name[:200],
        from_address=from_address[:254],
        body=body[:MAX_BODY],
        body_html=body_html,
        channel=channel,
        message_id=message_id[:255],
        in_reply_to=in_reply_to[:255],
    )
    _store_files(message, attachments or [])
    if opened:
        return message
    before = fresh.status
    fresh.last_message_at = now
    fresh.version += 1
    if fresh.status in (TicketStatus.SOLVED, TicketStatus.PENDING):
        from clientela.service.services.tickets import (  # noqa: PLC0415
            ticket_changed,
            ticket_snapshot,
        )

        snapshot = ticket_snapshot(fresh)
        fresh.status = TicketStatus.OPEN
        fresh.solved_at = None
        sla.ticket_changed(fresh, before_status=before, retarget=False, now=now)
        fresh.save()
        ticket_changed(None, fresh, snapshot)
    else:
        fresh.save(update_fields=["last_message_at", "version", "updated_at"])
    # Not indexed again: the search holds the number, subject and customer, which a
    # message does not change.
    return message


def _store_files(message: TicketMessage, attachments: list[tuple[str, str, bytes, str]]) -> None:
    """Files that came with an e-mail (name, type, bytes, content id): only the kinds
    and sizes an agent could attach; the others are named in the message instead."""
    from django.core.files.base import ContentFile  # noqa: PLC0415

    limit = files.max_attachment_bytes()
    refused = []
    for name, content_type, data, content_id in attachments:
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if len(data) > limit or ext not in files.ALLOWED_EXTENSIONS:
            refused.append(name)
            continue
        attachment = TicketAttachment(
            message=message,
            name=name[:200],
            size=len(data),
            content_type=content_type[:100],
            content_id=content_id[:255],
        )
        attachment.file.save(name, ContentFile(data), save=False)
        attachment.save()
    if refused:
        note = _("Attachments not kept (type or size): %(names)s") % {"names": ", ".join(refused)}
        message.body = f"{message.body}\n\n[{note}]"
        message.save(update_fields=["body"])
