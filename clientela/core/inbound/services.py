"""Every write of inbound e-mail: the mailboxes an admin configures (audited, the
password never in the audit trail) and ``inbound_receive``, the one path every message
takes, from a polled mailbox or from the API."""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any, TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core.audit import changes_between, created_changes, record_audit
from clientela.core.choices import (
    AuditAction,
    InboundSource,
    InboundStatus,
    MailboxPurpose,
    MailboxSecurity,
)
from clientela.core.inbound.parsing import (
    ParsedMessage,
    UnparseableMessage,
    clean_text,
    parse_message,
)
from clientela.core.models import InboundMessage, Mailbox, User
from clientela.core.registry import inbound_handlers_in_order
from clientela.core.services.records import _require_admin

logger = logging.getLogger("clientela.inbound")


class MailboxData(TypedDict, total=False):
    name: str
    host: str
    port: int
    security: str
    username: str
    #: Blank on an edit keeps the stored password.
    password: str
    folder: str
    poll_minutes: int
    active: bool
    purpose: str
    #: The user of a personal mailbox (required then, refused otherwise).
    owner_id: int | None


#: What the audit trail and the pages may show of a mailbox: all but the password.
SHOWN_FIELDS = (
    "name",
    "host",
    "port",
    "security",
    "username",
    "folder",
    "poll_minutes",
    "active",
    "purpose",
    "owner",
)
HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$|^\[?[0-9a-fA-F:.]+\]?$")
MAX_POLL_MINUTES = 24 * 60
#: Of a message over the size limit only its header is kept, at most this much.
STUB_BYTES = 64 * 1024


def mailbox_snapshot(mailbox: Mailbox) -> dict[str, Any]:
    return {name: getattr(mailbox, name) for name in SHOWN_FIELDS}


def _text(data: MailboxData, key: str, errors: dict[str, list[str]], limit: int) -> str:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        errors[key] = [_("Enter text.")]
        return ""
    text = (value or "").strip()
    if len(text) > limit:
        errors[key] = [_("At most %(limit)d characters.") % {"limit": limit}]
    return text


def _number(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    try:
        number = int(value)
    except ValueError:
        return None
    return number if low <= number <= high else None


Errors = dict[str, list[str]]


def _clean_texts(mailbox: Mailbox, data: MailboxData, errors: Errors, creating: bool) -> None:
    for key, limit in (("name", 100), ("host", 253), ("username", 254), ("folder", 200)):
        if creating or key in data:
            value = _text(data, key, errors, limit)
            if not value and key not in errors:
                errors[key] = [_("This field is required.")]
            setattr(mailbox, key, value)
    if mailbox.host and "host" not in errors and not HOST.match(mailbox.host):
        errors["host"] = [_("Enter a host name such as imap.example.com.")]
    if mailbox.name and Mailbox.objects.filter(name=mailbox.name).exclude(pk=mailbox.pk).exists():
        errors["name"] = [_("Another mailbox has this name.")]


def _clean_choices(mailbox: Mailbox, data: MailboxData, errors: Errors, creating: bool) -> None:
    if creating or "port" in data:
        port = _number(data.get("port"), 1, 65535)
        if port is None:
            errors["port"] = [_("Enter a port between 1 and 65535.")]
        else:
            mailbox.port = port
    if creating or "poll_minutes" in data:
        minutes = _number(data.get("poll_minutes"), 1, MAX_POLL_MINUTES)
        if minutes is None:
            errors["poll_minutes"] = [
                _("Enter a number of minutes between 1 and %(max)d.") % {"max": MAX_POLL_MINUTES}
            ]
        else:
            mailbox.poll_minutes = minutes
    if creating or "security" in data:
        security = data.get("security")
        if security not in MailboxSecurity.values:
            errors["security"] = [_("Choose a kind of security from the list.")]
        else:
            mailbox.security = str(security)
    if "active" in data:
        mailbox.active = bool(data.get("active"))


def _clean_purpose(mailbox: Mailbox, data: MailboxData, errors: Errors) -> None:
    """A personal mailbox needs its owner (an active user); the others have none."""
    if "purpose" in data:
        if data["purpose"] not in MailboxPurpose.values:
            errors["purpose"] = [_("Choose a purpose from the list.")]
            return
        mailbox.purpose = data["purpose"]
    if "owner_id" in data or "purpose" in data:
        owner_id = _number(data.get("owner_id"), 1, 2**63 - 1)
        owner = User.objects.filter(pk=owner_id, is_active=True).first() if owner_id else None
        if mailbox.purpose != MailboxPurpose.PERSONAL:
            mailbox.owner = None
        elif owner is None:
            errors["owner_id"] = [_("Choose the active user whose mailbox this is.")]
        else:
            mailbox.owner = owner


def _clean(mailbox: Mailbox, data: MailboxData, *, creating: bool) -> None:
    errors: Errors = {}
    _clean_texts(mailbox, data, errors, creating)
    _clean_choices(mailbox, data, errors, creating)
    _clean_purpose(mailbox, data, errors)
    password = data.get("password") or ""
    if not isinstance(password, str) or len(password) > 254:
        errors["password"] = [_("At most %(limit)d characters.") % {"limit": 254}]
    elif password:
        mailbox.password = password
    elif creating:
        errors["password"] = [_("This field is required.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def mailbox_create(*, actor: Any, data: MailboxData) -> Mailbox:
    _require_admin(actor)
    mailbox = Mailbox()
    _clean(mailbox, data, creating=True)
    mailbox.full_clean()
    mailbox.save()
    record_audit(
        actor=actor,
        instance=mailbox,
        action=AuditAction.CREATE,
        changes=created_changes(mailbox_snapshot(mailbox)),
    )
    return mailbox


@transaction.atomic
def mailbox_update(*, actor: Any, mailbox: Mailbox, data: MailboxData) -> Mailbox:
    """Change a mailbox; a blank password keeps the stored one. Another server, account
    or folder starts from a fresh checkpoint (its UIDs are not this one's), and any
    change clears the back-off so the next poll comes soon."""
    _require_admin(actor)
    mailbox = Mailbox.objects.select_for_update().get(pk=mailbox.pk)
    before = mailbox_snapshot(mailbox)
    old_password = mailbox.password
    _clean(mailbox, data, creating=False)
    mailbox.full_clean()
    after = mailbox_snapshot(mailbox)
    changes = changes_between(before, after)
    if any(before[k] != after[k] for k in ("host", "port", "username", "folder")):
        mailbox.uidvalidity, mailbox.last_uid = None, 0
    if mailbox.password != old_password:
        changes["password"] = ["", "changed"]  # that it changed, never the value
    if changes:
        mailbox.failures, mailbox.next_poll_at = 0, None
        mailbox.save()
        record_audit(actor=actor, instance=mailbox, action=AuditAction.UPDATE, changes=changes)
    return mailbox


@transaction.atomic
def mailbox_delete(*, actor: Any, mailbox: Mailbox) -> None:
    """Delete a mailbox; the messages taken from it stay (their mailbox left blank)."""
    _require_admin(actor)
    record_audit(
        actor=actor,
        instance=mailbox,
        action=AuditAction.PURGE,
        changes={k: [str(v), None] for k, v in mailbox_snapshot(mailbox).items()},
    )
    mailbox.delete()


# --- taking a message in ------------------------------------------------------------------


def message_key(parsed: ParsedMessage | None, raw: bytes, message_id: str = "") -> str:
    """What makes a message the same message wherever it comes from: its Message-ID,
    else its bytes."""
    found = parsed.message_id if parsed is not None else message_id
    if found:
        return "m" + hashlib.sha256(found.encode("utf-8", "replace")).hexdigest()[:63]
    return "r" + hashlib.sha256(raw).hexdigest()[:63]


def _stub(raw: bytes) -> tuple[bytes, str]:
    """The header of a message too large to keep, and its Message-ID."""
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        end = raw.find(b"\n\n")
    head = raw[: end if 0 <= end < STUB_BYTES else STUB_BYTES]
    found = re.search(rb"(?im)^message-id:\s*(<[^<>\s]+>)", head)
    return head, found.group(1).decode("ascii", "replace") if found else ""


def _describe(parsed: ParsedMessage | None, message: InboundMessage) -> None:
    if parsed is None:
        return
    message.message_id = parsed.message_id[:998]
    message.subject = parsed.subject[:300]
    sender = parsed.from_address
    if parsed.from_name:
        sender = f"{parsed.from_name} <{parsed.from_address}>"
    message.sender = sender[:300]


def _run_handlers(message: InboundMessage, parsed: ParsedMessage) -> None:
    """Offer the message to each handler in order until one takes it. A handler that
    breaks has its work undone (its savepoint), and the message is kept flagged."""
    for handler in inbound_handlers_in_order():
        try:
            with transaction.atomic():
                taken = handler.handle(message, parsed)
        except Exception as exc:
            logger.exception("inbound handler %s failed on message %s", handler.key, message.pk)
            message.status, message.flagged = InboundStatus.FAILED, True
            message.handler_key = handler.key
            message.error = clean_text(f"{handler.key}: {type(exc).__name__}: {exc}")[:500]
            return
        if taken:
            message.status, message.handler_key = InboundStatus.TAKEN, handler.key
            return
    message.status = InboundStatus.IGNORED if parsed.automatic else InboundStatus.UNHANDLED


@transaction.atomic
def inbound_receive(
    *,
    raw: bytes,
    source: str,
    mailbox: Mailbox | None = None,
    uidvalidity: int | None = None,
    uid: int | None = None,
    size: int | None = None,
) -> InboundMessage:
    """Store one raw message and run the handlers on it, in one transaction. Returns
    the stored message; a message already stored (same mailbox UID, or same
    Message-ID from anywhere) is returned as it is and handled no second time.

    It never raises for the message's content: one too large keeps only its header,
    one that cannot be read is kept raw; both are flagged ``failed`` for an admin.
    ``size`` is the message's real size when ``raw`` holds only its header (a poll
    does not download a message over the limit)."""
    parsed: ParsedMessage | None = None
    stored, error, header_id = raw, "", ""
    size = max(size or 0, len(raw))
    if size > settings.CLIENTELA_INBOUND_MAX_BYTES:
        stored, header_id = _stub(raw)
        error = _("The message is larger than %(limit)d bytes; only its header was kept.") % {
            "limit": settings.CLIENTELA_INBOUND_MAX_BYTES
        }
    else:
        try:
            parsed = parse_message(raw)
        except UnparseableMessage as exc:
            error = _("The message could not be read (%(reason)s).") % {"reason": exc}
        except Exception as exc:  # a parser bug on odd input must not block the mailbox
            logger.exception("parsing an inbound message failed")
            error = _("The message could not be read (%(reason)s).") % {
                "reason": type(exc).__name__
            }
    key = message_key(parsed, raw, header_id)
    # Stored already: the same mailbox UID (fetched again after a crash), or the same
    # message from anywhere. One query; the rare duplicate is read whole after.
    seen = Q(message_key=key)
    if uid is not None:
        seen |= Q(mailbox=mailbox, uidvalidity=uidvalidity, uid=uid)
    duplicate = InboundMessage.objects.filter(seen).values_list("pk", flat=True).first()
    if duplicate is not None:
        return InboundMessage.objects.get(pk=duplicate)
    message = InboundMessage(
        source=source if source in InboundSource.values else InboundSource.API,
        mailbox=mailbox,
        uidvalidity=uidvalidity if uid is not None else None,
        uid=uid,
        message_id=header_id,
        message_key=key,
        raw=stored,
        size=size,
        received_at=timezone.now(),
        status=InboundStatus.FAILED,
        error=error[:500],
        flagged=bool(error),
    )
    _describe(parsed, message)
    try:
        with transaction.atomic():
            message.save()
            if parsed is not None:
                _run_handlers(message, parsed)
                message.save(update_fields=["status", "handler_key", "error", "flagged", "kind"])
    except IntegrityError:
        # Taken meanwhile by another process (the same message in two mailboxes).
        again = InboundMessage.objects.filter(message_key=key).first()
        if again is None:
            raise
        return again
    return message
