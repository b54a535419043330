"""The consent purposes (the kind ``marketing.kinds.CONSENT_PURPOSES``): read by
everyone signed in, kept by admins (``PermissionDenied`` for anyone else, who can see
them). A purpose's ``key`` is set once; its name, description, order and whether it is
in use change. A purpose with consent recorded is deactivated, never deleted: the
proof refers to it."""

from __future__ import annotations

import re
from typing import Any, TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.core.audit import record_audit
from clientela.core.choices import AuditAction
from clientela.core.errors import NotFound, PermissionDenied
from clientela.core.models import User
from clientela.core.services import RecordWrites
from clientela.core.validation import Errors, add, clean_text, raise_errors
from clientela.marketing.models import ConsentPurpose

KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")
MAX_ORDER = 32767


class PurposeData(TypedDict, total=False):
    key: str
    name: str
    description: str
    active: bool
    order: int


def require_admin(actor: Any) -> None:
    if not getattr(actor, "is_admin", False):
        raise PermissionDenied(_("Only admins change the consent purposes."))


def _locked(purpose: ConsentPurpose, actor: Any) -> ConsentPurpose:
    require_admin(actor)
    fresh = ConsentPurpose.objects.select_for_update().filter(pk=purpose.pk).first()
    if fresh is None:
        raise NotFound()
    return fresh


def purpose_snapshot(purpose: ConsentPurpose) -> dict[str, Any]:
    return {
        "key": purpose.key,
        "name": purpose.name,
        "description": purpose.description,
        "active": purpose.active,
        "order": purpose.order,
    }


def _clean_key(purpose: ConsentPurpose, data: PurposeData, errors: Errors) -> None:
    if "key" not in data or data["key"] == purpose.key:
        if not purpose.pk and not purpose.key:
            add(errors, "key", _("Give the purpose a key (lower-case letters, digits, - or _)."))
        return
    key = data["key"]
    if purpose.pk:
        add(errors, "key", _("A purpose's key cannot change; rename it instead."))
    elif not isinstance(key, str) or not KEY.match(key):
        add(errors, "key", _("Use lower-case letters, digits, - and _ (at most 50)."))
    elif ConsentPurpose.objects.filter(key=key).exists():
        add(errors, "key", _("“%(key)s” is already taken.") % {"key": key})
    else:
        purpose.key = key


def _apply(actor: Any, purpose: ConsentPurpose, data: PurposeData) -> None:
    errors: Errors = {}
    _clean_key(purpose, data, errors)
    for name, value in clean_text(ConsentPurpose, data, ("name", "description"), errors).items():
        setattr(purpose, name, value)
    if "name" not in errors and not purpose.name:
        add(errors, "name", _("Enter a name."))
    if "active" in data:
        if isinstance(data["active"], bool):
            purpose.active = data["active"]
        else:
            add(errors, "active", _("Give true or false."))
    if "order" in data:
        order: Any = data["order"]
        if type(order) is int and 0 <= order <= MAX_ORDER:
            purpose.order = order
        else:
            add(errors, "order", _("Give a whole number from 0 to %(n)s.") % {"n": MAX_ORDER})
    raise_errors(errors)
    purpose.full_clean()
    purpose.save()


PURPOSE_WRITES = RecordWrites(
    apply=_apply, snapshot=purpose_snapshot, lock=_locked, authorize=require_admin
)


def purpose_create(*, actor: User, data: PurposeData) -> ConsentPurpose:
    """A new purpose (admins): ``key`` and ``name`` required."""
    return PURPOSE_WRITES.create(actor, ConsentPurpose(), data)


def purpose_update(
    *,
    actor: User,
    purpose: ConsentPurpose,
    data: PurposeData,
    expected_version: int | None = None,
) -> ConsentPurpose:
    """Rename, describe, reorder, (de)activate a purpose. Purposes have no version:
    ``expected_version``, which the generic API passes, is moot."""
    return PURPOSE_WRITES.update(actor, purpose, data)


@transaction.atomic
def purpose_delete(
    *, actor: User, purpose: ConsentPurpose, expected_version: int | None = None
) -> None:
    """Delete a purpose nobody consented to yet (and no address is suppressed for);
    one with consent recorded is deactivated instead (a ``ValidationError`` says so)."""
    fresh = _locked(purpose, actor)
    if fresh.events.exists() or fresh.suppressions.exists():
        raise ValidationError(
            {"key": [_("Consent was recorded for this purpose: deactivate it instead.")]}
        )
    record_audit(actor=actor, instance=fresh, action=AuditAction.DELETE)
    fresh.delete()


#: The purposes Clientela ships (key, name, description, position); admins rename them
#: or add more. Their names are stored in English, as a new database holds them.
DEFAULT_PURPOSES = (
    ("newsletter", "Newsletter", "News and articles, now and then.", 10),
    ("offers", "Offers", "Promotions, discounts and new products.", 20),
    ("events", "Events", "Invitations to events and webinars.", 30),
    ("surveys", "Surveys", "Questions about our products and service.", 40),
)


def purposes_ensure_defaults() -> None:
    """The shipped purposes, each created if its key is missing (one an admin renamed
    or deactivated is left as it is). Run after every migrate and every flush (the
    post_migrate signal), as the roles' rights are."""
    for key, name, description, order in DEFAULT_PURPOSES:
        ConsentPurpose.objects.get_or_create(
            key=key, defaults={"name": name, "description": description, "order": order}
        )
