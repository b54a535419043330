"""E-mail in to the contact history: the inbound handler ``activities.email_log``
(registered in ``apps.py`` at order 60, after the support queues' ``service.tickets``
at 50, so mail to a queue's address stays a ticket) and what a user does with a
message from an unknown sender.

Only messages from the mailboxes meant for it are looked at (``Mailbox.purpose``): the
team's shared BCC/forwarding address and users' own mailboxes. A message is logged
once (its ``Message-ID``: the core keeps one copy of a message from every mailbox, and
a message the CRM sent is logged already), on the people whose address (primary or
another of theirs) is its sender or a recipient, outbound when a user sent it. An
answer to a logged e-mail (``In-Reply-To``/``References``) joins its thread: the same
deal and organization. Organizations are not matched by domain: a shared domain
(gmail.com, a group's) would file mail on the wrong company.

Privacy: a user's own mailbox logs only what matches people the owner may see, never
what involves an address or domain on their exclusion list, and of anything else the
core's copy is emptied (only its key stays, so it is not fetched again). From the
shared box, an unknown sender's message waits in "Unmatched e-mails" for the user who
sent or got it (none: the admins), never made into a person on its own.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities import validation as v
from clientela.activities.choices import Direction, InteractionChannel, UnmatchedStatus
from clientela.activities.models import ActivityPreferences, Interaction, UnmatchedEmail
from clientela.activities.services.emails import excluded_entries
from clientela.activities.services.interactions import InteractionData, interaction_create
from clientela.contacts.models import EmailAddress, Person
from clientela.contacts.selectors import person_list
from clientela.contacts.services import person_create
from clientela.core.choices import MailboxPurpose
from clientela.core.email_registry import lead_maker
from clientela.core.errors import NotFound
from clientela.core.inbound.parsing import ParsedMessage, parse_message
from clientela.core.models import InboundMessage, Mailbox, User

logger = logging.getLogger(__name__)

LOGGED_PURPOSES = (MailboxPurpose.HISTORY, MailboxPurpose.PERSONAL)


def _participants(parsed: ParsedMessage) -> list[tuple[str, str]]:
    """(name, address) of the sender, then the recipients, addresses lower-cased; the
    mailboxes' own addresses (their user names) left out: the BCC address in a
    message's Cc is nobody to log or to offer as a new person."""
    found = [(parsed.from_name, parsed.from_address), *parsed.to, *parsed.cc]
    own = {u.lower() for u in Mailbox.objects.values_list("username", flat=True)}
    seen: dict[str, str] = {}
    for name, address in found:
        key = (address or "").strip().lower()
        if key and key not in seen and key not in own:
            seen[key] = name or ""
    return [(name, address) for address, name in seen.items()]


def _is_excluded(address: str, excluded: set[str]) -> bool:
    return address in excluded or address.rpartition("@")[2] in excluded


def _forget(message: InboundMessage) -> None:
    """Keep no content of a private message: only its key (so it is not taken again)."""
    InboundMessage.objects.filter(pk=message.pk).update(
        raw=b"", subject="", sender="", message_id=""
    )
    message.raw, message.subject, message.sender, message.message_id = b"", "", "", ""


def _admin() -> User | None:
    return (
        User.objects.filter(is_active=True)
        .filter(Q(role__key="admin") | Q(is_superuser=True))
        .order_by("pk")
        .first()
    )


def _people(actor: User, addresses: list[str]) -> list[int]:
    """The people ``actor`` may see with one of the addresses (primary or another)."""
    if not addresses:
        return []
    other = EmailAddress.objects.filter(address__in=addresses).values("person_id")
    found = person_list(user=actor).filter(Q(email__in=addresses) | Q(pk__in=other))
    return list(found.order_by("pk").values_list("pk", flat=True)[:50])


def _files(parsed: ParsedMessage) -> list[SimpleUploadedFile]:
    """The message's attachments the history accepts (size and type, as an upload)."""
    kept = []
    for attachment in parsed.attachments:
        if attachment.inline:
            continue
        upload = SimpleUploadedFile(
            attachment.filename or "attachment", attachment.content, attachment.content_type
        )
        errors: dict[str, list[str]] = {}
        v.clean_attachments([upload], errors)
        if not errors:
            kept.append(upload)
    return kept


def _log(actor: User, parsed: ParsedMessage, direction: str, links: dict[str, Any]) -> Interaction:
    return interaction_create(
        actor=actor,
        data=cast(
            InteractionData,
            {
                "channel": InteractionChannel.EMAIL,
                "direction": direction,
                "occurred_at": parsed.date or timezone.now(),
                "subject": (parsed.subject or _("(no subject)"))[:200],
                "body": (parsed.reply_text or parsed.text or "").strip()[:20000],
                "attachments": _files(parsed),
                "message_id": parsed.message_id,
                "in_reply_to": parsed.in_reply_to,
                **links,
            },
        ),
    )


def _thread(parsed: ParsedMessage) -> Interaction | None:
    ids = [i[:255] for i in (parsed.in_reply_to, *reversed(parsed.references)) if i]
    if not ids:
        return None
    found = {i.message_id: i for i in Interaction.objects.filter(message_id__in=ids)}
    return next((found[i] for i in ids if i in found), None)


def _links(parsed: ParsedMessage, people: list[int]) -> dict[str, Any]:
    """The people, and a thread's key, organization and higher record."""
    links: dict[str, Any] = {"person_ids": people, "thread_key": parsed.message_id}
    parent = _thread(parsed)
    if parent is not None:
        links["thread_key"] = parent.thread_key or parent.message_id
        links["organization_id"] = parent.organization_id
        if parent.related_type:
            links.update(related_type=parent.related_type, related_id=parent.related_id)
    return links


def handle_email_log(message: InboundMessage, parsed: ParsedMessage) -> bool:
    """Log a message of a contact-history or personal mailbox (see the module)."""
    mailbox = message.mailbox
    if mailbox is None or mailbox.purpose not in LOGGED_PURPOSES:
        return False
    personal = mailbox.purpose == MailboxPurpose.PERSONAL
    message_id = parsed.message_id[:255]
    if message_id and Interaction.objects.filter(message_id=message_id).exists():
        return True  # sent from the CRM, or logged from another mailbox
    taken = not parsed.automatic and _take(message, parsed, mailbox.owner if personal else None)
    if personal and not taken:
        _forget(message)
    return taken


def _take(message: InboundMessage, parsed: ParsedMessage, owner: User | None) -> bool:
    participants = _participants(parsed)
    addresses = [address for _name, address in participants]
    active = User.objects.filter(is_active=True).annotate(address=Lower("email"))
    users = {u.email.lower(): u for u in active.filter(address__in=addresses)}
    sender = users.get(parsed.from_address.lower())
    user = owner or sender or next(iter(users.values()), None)
    prefs = ActivityPreferences.objects.filter(user=user).first() if user else None
    excluded = excluded_entries(prefs)
    if any(_is_excluded(a, excluded) for a in addresses if a not in users):
        return False
    actor = user or _admin()
    if actor is None:
        return False
    contacts = [a for a in addresses if a not in users]
    links = _links(parsed, _people(actor, contacts))
    if links["person_ids"] or links.get("organization_id") or links.get("related_type"):
        direction = Direction.OUTBOUND if sender is not None else Direction.INBOUND
        _log(actor, parsed, direction, links)
        return True
    if owner is not None or not contacts:
        return False  # a personal mailbox keeps nothing unmatched
    name, address = next(((n, a) for n, a in participants if a in contacts))
    UnmatchedEmail.objects.create(
        message=message,
        user=user,
        from_name=name[:200],
        from_address=address[:254],
        subject=parsed.subject[:300],
        received_at=message.received_at,
    )
    return True


# --- what a user does with an unmatched e-mail ------------------------------------------


def _open(unmatched: UnmatchedEmail) -> tuple[UnmatchedEmail, ParsedMessage]:
    fresh = (
        UnmatchedEmail.objects.select_for_update().select_related("message").get(pk=unmatched.pk)
    )
    if fresh.status != UnmatchedStatus.OPEN:
        raise NotFound()
    return fresh, parse_message(bytes(fresh.message.raw))


def _done(unmatched: UnmatchedEmail, interaction: Interaction | None, status: str) -> None:
    unmatched.status, unmatched.interaction = status, interaction
    unmatched.save(update_fields=["status", "interaction", "updated_at"])


def _direction(parsed: ParsedMessage, user: User) -> str:
    from_user = parsed.from_address.lower() == (user.email or "").lower()
    return Direction.OUTBOUND if from_user else Direction.INBOUND


def unmatched_create_person(*, actor: User, unmatched: UnmatchedEmail) -> Person:
    """Create a person for the unknown address and log the message on them."""
    with transaction.atomic():
        fresh, parsed = _open(unmatched)
        first, _space, last = (fresh.from_name or fresh.from_address.split("@")[0]).partition(" ")
        person = person_create(
            actor=actor,
            data={
                "first_name": first.strip()[:100],
                "last_name": last.strip()[:100] or first.strip()[:100],
                "email": fresh.from_address,
            },
        )
        links = _links(parsed, [person.pk])
        interaction = _log(actor, parsed, _direction(parsed, actor), links)
        _done(fresh, interaction, UnmatchedStatus.DONE)
    return person


def unmatched_create_lead(*, actor: User, unmatched: UnmatchedEmail) -> tuple[str, int]:
    """Create a lead for the unknown sender (``sales``, through the registry) and log
    the message on it; (the lead's URL name, its id)."""
    maker = lead_maker()
    if maker is None:
        raise NotFound()
    with transaction.atomic():
        fresh, parsed = _open(unmatched)
        resource, pk = maker.make(actor, fresh.from_name, fresh.from_address, fresh.subject)
        links = {**_links(parsed, []), "related_type": resource, "related_id": pk}
        interaction = _log(actor, parsed, _direction(parsed, actor), links)
        _done(fresh, interaction, UnmatchedStatus.DONE)
    return maker.url_name, pk


def unmatched_ignore(*, actor: User, unmatched: UnmatchedEmail) -> None:
    """Drop it from the list; its content is emptied (the key stays)."""
    with transaction.atomic():
        fresh, _parsed = _open(unmatched)
        _done(fresh, None, UnmatchedStatus.IGNORED)
        _forget(fresh.message)
