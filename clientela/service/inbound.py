"""E-mail to ticket: the handler ``core.inbound`` offers each incoming message to
(registered in ``apps.py``).

A message to a queue's address (To or Cc) is the customer's: its sender is matched to a
person by e-mail (one is created from the From name when none exists), and it threads
into its ticket by ``In-Reply-To``, then ``References`` (the ``Message-ID`` of a message
of the ticket), then the ticket number in the subject ("[T-1042]", following merges).
A reply to a closed ticket opens a new one that says so. A new ticket gets an
acknowledgement, at most ``ACK_RATE`` per sender, and never for a machine's message:
auto-replies, bulk mail and bounces are left alone (the core marks them ignored), so no
mail loop can start. The displayed text is the reply without its quoted history.
"""

from __future__ import annotations

import logging
import re
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from clientela.contacts.models import EmailAddress, Person
from clientela.contacts.services import person_create
from clientela.core.company import company_name, email_footer
from clientela.core.db import CompiledQuery
from clientela.core.mail import deliver
from clientela.core.memo import memoized
from clientela.core.models import User
from clientela.core.rate_limits import usage
from clientela.service.choices import TicketChannel, TicketStatus
from clientela.service.models import Queue, ServiceSettings, Ticket, TicketMessage
from clientela.service.selectors.active import queue_for_address
from clientela.service.services import tickets as services
from clientela.service.services.conversation import ticket_customer_message

logger = logging.getLogger(__name__)

#: Acknowledgements one sender may get: a loop with another robot stops here.
ACK_RATE = "3/h"
MAX_SUBJECT = 200


def _queue_of(parsed: Any) -> Queue | None:
    """The active queue whose address the message was sent to (To, then Cc)."""
    addresses = [address.lower() for _name, address in (*parsed.to, *parsed.cc) if address]
    return queue_for_address(addresses)


def _admin() -> User | None:
    return (
        User.objects.filter(is_active=True, role__key="admin").order_by("pk").first()
        or User.objects.filter(is_active=True, is_superuser=True).order_by("pk").first()
    )


def _actor(queue: Queue) -> User | None:
    """Who the handler acts as: the queue's manager, else the first active admin."""
    if queue.manager is not None and queue.manager.is_active:
        return queue.manager
    return memoized("service.inbound_admin", _admin)


# The handler's reads of every message, compiled to SQL once (``core.db.CompiledQuery``):
# building a queryset costs more than the database's answer.
_TEXT = "\x00inbound-value"
_BY_EMAIL = CompiledQuery(
    lambda a: Person.objects.alive().filter(email=a).order_by("pk")[:1], marker=_TEXT
)
_BY_OTHER_EMAIL = CompiledQuery(
    lambda a: (
        Person.objects.alive()
        .filter(pk__in=EmailAddress.objects.filter(address=a).values("person_id"))
        .order_by("pk")[:1]
    ),
    marker=_TEXT,
)
_MESSAGE_BY_ID = CompiledQuery(
    lambda m: (
        TicketMessage.objects.filter(message_id=m).select_related("ticket").order_by("pk")[:1]
    ),
    marker=_TEXT,
)


def _person(actor: User, name: str, address: str) -> Person | None:
    """The person with this e-mail (primary or another of theirs); a new one when none."""
    if not address:
        return None
    # The contact services store addresses lower-cased (``normalize_email``): exact
    # matches use the e-mail indexes, where ``iexact`` read every person.
    address = address.strip().lower()
    found = _BY_EMAIL.run(address) or _BY_OTHER_EMAIL.run(address)
    if found:
        return found[0]
    first, _space, last = (name or address.split("@")[0]).strip().partition(" ")
    try:
        return person_create(
            actor=actor,
            data={
                "first_name": first[:100],
                "last_name": last[:100] or first[:100],
                "email": address,
            },
        )
    except Exception:
        logger.warning("inbound: could not create a person for %s", address, exc_info=True)
        return None


def _number_in(subject: str) -> int | None:
    prefix = re.escape(ServiceSettings.prefix())
    match = re.search(rf"\[?{prefix}(\d{{1,12}})\]?", subject, flags=re.IGNORECASE)
    return int(match.group(1)) if match else None


def _threaded(parsed: Any) -> Ticket | None:
    """The ticket this message answers, following merges."""
    ids = [i for i in (parsed.in_reply_to, *reversed(parsed.references)) if i]
    for message_id in ids:
        if found := _MESSAGE_BY_ID.run(message_id):
            return _followed(found[0].ticket)
    number = _number_in(parsed.subject or "")
    if number is not None:
        ticket = Ticket.objects.filter(number=number, deleted_at__isnull=True).first()
        return _followed(ticket) if ticket is not None else None
    return None


def _followed(ticket: Ticket) -> Ticket:
    seen = 0
    while ticket.merged_into_id is not None and seen < 10:
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
        seen += 1
    return ticket


def _files(parsed: Any) -> list[tuple[str, str, bytes, str]]:
    return [
        (a.filename or "attachment", a.content_type, a.content, a.content_id)
        for a in parsed.attachments
    ]


def _add_message(
    ticket: Ticket, parsed: Any, person: Person | None, body: str, *, opened: bool = False
) -> None:
    ticket_customer_message(
        opened=opened,
        ticket=ticket,
        body=body,
        person=person,
        body_html=parsed.html,
        from_name=parsed.from_name,
        from_address=parsed.from_address,
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        attachments=_files(parsed),
    )


def handle_ticket_mail(message: Any, parsed: Any) -> bool:
    """Take a message to a queue's address into a ticket (see the module)."""
    if parsed.automatic:
        return False
    queue = _queue_of(parsed)
    if queue is None:
        return False
    actor = _actor(queue)
    if actor is None:
        return False
    person = _person(actor, parsed.from_name, parsed.from_address)
    body = (parsed.reply_text or parsed.text or "").strip() or _("(no text)")
    ticket = _threaded(parsed)
    follow_up = ticket is not None and ticket.status == TicketStatus.CLOSED
    if ticket is not None and not follow_up:
        _add_message(ticket, parsed, person, body)
        return True
    description = body
    if follow_up and ticket is not None:
        description = _("Follow-up to %(label)s, which was closed.") % {"label": ticket.label}
        description = f"{description}\n\n{body}"
    created = services.ticket_create(
        actor=actor,
        data={
            "subject": (parsed.subject or _("(no subject)"))[:MAX_SUBJECT],
            "description": description[:20000],
            "channel": TicketChannel.EMAIL,
            "queue_id": queue.pk,
            **({"person_id": person.pk} if person is not None else {}),
        },
    )
    _add_message(created, parsed, person, body, opened=True)
    if parsed.from_address:
        transaction.on_commit(lambda: acknowledge(created, parsed.from_address, parsed.message_id))
    return True


def acknowledge(ticket: Ticket, to: str, in_reply_to: str) -> bool:
    """Tell the sender their message became ticket T-n, in their language, unless
    they had ``ACK_RATE`` acknowledgements already (sent by ``core.mail.deliver``: at
    the end of a mailbox poll's batch). Returns whether one was sent or queued."""
    counted = usage(group="service-ack", key=to.lower(), rate=ACK_RATE)
    if counted is not None and counted.count > counted.limit:
        return False
    with translation.override(ticket.language):
        context = {"ticket": ticket, "company": company_name(), "footer": email_footer()}
        subject = " ".join(render_to_string("service/email/ack_subject.txt", context).split())
        body = render_to_string("service/email/ack_body.txt", context)
    headers = {
        "Message-ID": make_msgid(domain="clientela.invalid"),
        "Auto-Submitted": "auto-replied",
        "X-Auto-Response-Suppress": "All",
    }
    if in_reply_to:
        headers.update({"In-Reply-To": in_reply_to, "References": in_reply_to})
    sender = (
        ticket.queue.email if ticket.queue and ticket.queue.email else settings.DEFAULT_FROM_EMAIL
    )
    message = EmailMessage(subject=subject, body=body, from_email=sender, to=[to], headers=headers)
    return deliver(message)
