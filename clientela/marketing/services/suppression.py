"""The suppression list: addresses that are never sent a purpose's messages (or any).

An address is kept normalized (a lower-case e-mail address, an E.164 number) with its
keyed hash (HMAC-SHA256 with the server's ``SECRET_KEY``): sending checks the hash, so
an erased person's address, of which only the hash is kept
(``suppression_add_erased``), is still never written to again. Admins add and remove
entries by hand (``suppression_add`` / ``suppression_remove``); the consent services,
bounces and complaints add them as they happen. Every change is audited.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from clientela.core.audit import created_changes, record_audit
from clientela.core.choices import AuditAction
from clientela.core.errors import NotFound
from clientela.core.normalize import normalize_email, normalize_phone
from clientela.core.validation import Errors, add, raise_errors
from clientela.marketing.choices import (
    EMAIL_CHANNELS,
    PHONE_CHANNELS,
    ConsentChannel,
    SuppressionReason,
)
from clientela.marketing.models import ConsentPurpose, Suppression

_HASH_SALT = "clientela.marketing.suppression"


def require_admin(actor: Any) -> None:
    """The suppression list is the company's: for anyone but an admin, its pages and
    changes do not exist."""
    if not getattr(actor, "is_admin", False):
        raise NotFound()


def normalize_address(channel: str, raw: Any) -> str:
    """``raw`` as the list keeps it for ``channel``; ``ValidationError`` when it is not
    an address of that channel (post has no address to suppress)."""
    if channel in EMAIL_CHANNELS:
        return normalize_email(raw)
    if channel in PHONE_CHANNELS:
        return normalize_phone(raw)
    raise ValidationError(_("Only e-mail addresses and phone numbers are suppressed."))


def address_hash(channel: str, address: str) -> str:
    """The keyed hash of a normalized address (the same for every channel that shares
    the kind of address, so SMS and phone entries of a number match alike)."""
    kind = "email" if channel in EMAIL_CHANNELS else "phone"
    return salted_hmac(_HASH_SALT, f"{kind}:{address}", algorithm="sha256").hexdigest()


def _matching(channel: str, hashed: str, purpose: ConsentPurpose | None) -> QuerySet[Suppression]:
    qs = Suppression.objects.filter(channel=channel, address_hash=hashed)
    if purpose is None:
        return qs.filter(purpose__isnull=True)
    return qs.filter(Q(purpose__isnull=True) | Q(purpose=purpose))


def is_suppressed(channel: str, address: str, purpose: ConsentPurpose | None = None) -> bool:
    """Whether ``address`` (normalized or not) must not be sent ``purpose``'s messages on
    ``channel`` (with ``purpose`` None: whether every purpose is suppressed). An
    address that cannot be read is treated as suppressed: nothing goes to it."""
    try:
        normalized = normalize_address(channel, address)
    except ValidationError:
        return True
    return _matching(channel, address_hash(channel, normalized), purpose).exists()


def _check(channel: Any, reason: Any, note: Any, errors: Errors) -> None:
    if channel not in ConsentChannel.values:
        add(errors, "channel", _("Choose a channel: %(c)s.") % {"c": ", ".join(ConsentChannel)})
    if reason not in SuppressionReason.values:
        add(errors, "reason", _("Choose a reason."))
    if not isinstance(note, str) or len(note) > 300:
        add(errors, "note", _("At most %(limit)s characters.") % {"limit": 300})


def _add(
    *,
    actor: Any,
    channel: str,
    address: str,
    hashed: str,
    purpose: ConsentPurpose | None,
    reason: str,
    note: str = "",
) -> Suppression:
    existing = (
        Suppression.objects.filter(channel=channel, address_hash=hashed, reason=reason)
        .filter(purpose=purpose)
        .first()
    )
    if existing is not None:
        return existing
    entry = Suppression(
        channel=channel,
        address=address,
        address_hash=hashed,
        purpose=purpose,
        reason=reason,
        at=timezone.now(),
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    entry.full_clean()
    entry.save()
    record_audit(
        actor=actor,
        instance=entry,
        action=AuditAction.CREATE,
        changes=created_changes(suppression_snapshot(entry)),
    )
    return entry


def suppression_snapshot(entry: Suppression) -> dict[str, Any]:
    return {
        "channel": entry.channel,
        "address": entry.address,
        "purpose": entry.purpose and entry.purpose.key,
        "reason": entry.reason,
        "note": entry.note,
    }


@transaction.atomic
def suppression_add(
    *,
    actor: Any,
    channel: str,
    address: Any,
    reason: str = SuppressionReason.MANUAL,
    purpose: ConsentPurpose | None = None,
    note: Any = "",
    system: bool = False,
) -> Suppression:
    """Put ``address`` on the list for ``purpose`` (every purpose when None); the entry
    there already for the same reason is returned as it is. Admins only, but for the
    services that call it as the system (``system``: an unsubscribe, a bounce)."""
    if not system:
        require_admin(actor)
    errors: Errors = {}
    _check(channel, reason, note, errors)
    if reason == SuppressionReason.ERASED:
        add(errors, "reason", _("Erasure adds its entries itself."))
    normalized = ""
    if "channel" not in errors:
        try:
            normalized = normalize_address(channel, address)
        except ValidationError as exc:
            errors["address"] = exc.messages
    raise_errors(errors)
    hashed = address_hash(channel, normalized)
    return _add(
        actor=actor,
        channel=channel,
        address=normalized,
        hashed=hashed,
        purpose=purpose,
        reason=reason,
        note=note.strip(),
    )


@transaction.atomic
def suppression_add_erased(*, actor: Any, channel: str, address: str) -> Suppression | None:
    """For the erasure of a person (issue 17): their address is never written to again,
    and only its hash is kept; the address's other entries, which name it, go. None
    for an address that cannot be read (nothing to keep)."""
    try:
        normalized = normalize_address(channel, address)
    except ValidationError:
        return None
    hashed = address_hash(channel, normalized)
    Suppression.objects.filter(address_hash=hashed).exclude(address="").update(address="")
    return _add(
        actor=actor,
        channel=channel,
        address="",
        hashed=hashed,
        purpose=None,
        reason=SuppressionReason.ERASED,
    )


@transaction.atomic
def suppression_remove(*, actor: Any, suppression: Suppression) -> None:
    """Take an entry off the list (admins). An erasure's stays: the person asked never
    to be contacted, and nothing of theirs is left to contact them with."""
    require_admin(actor)
    fresh = Suppression.objects.select_for_update().filter(pk=suppression.pk).first()
    if fresh is None:
        raise NotFound()
    if fresh.reason == SuppressionReason.ERASED:
        raise ValidationError({"reason": [_("An erased person's entry cannot be removed.")]})
    record_audit(actor=actor, instance=fresh, action=AuditAction.PURGE)
    fresh.delete()


def lift_unsubscribed(*, actor: Any, channel: str, address: str, purpose: ConsentPurpose) -> int:
    """A new grant lifts the purpose's own "unsubscribed" entry (not a bounce, a
    complaint, an erasure, nor an unsubscribe from everything); how many went."""
    hashed = address_hash(channel, address)
    gone = 0
    for entry in Suppression.objects.filter(
        channel=channel,
        address_hash=hashed,
        purpose=purpose,
        reason=SuppressionReason.UNSUBSCRIBED,
    ):
        record_audit(actor=actor, instance=entry, action=AuditAction.PURGE)
        entry.delete()
        gone += 1
    return gone
