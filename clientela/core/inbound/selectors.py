"""Every read of inbound e-mail: admins only (anyone else gets ``NotFound``, as for
the other settings pages), the raw message left out of lists."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from clientela.core.choices import InboundStatus
from clientela.core.errors import NotFound
from clientela.core.models import InboundMessage, Mailbox
from clientela.core.services.records import _require_admin

#: What the admin's list of messages offers: those that need a look.
REVIEW_STATUSES = (InboundStatus.FAILED, InboundStatus.UNHANDLED)


def mailbox_list(*, user: Any) -> QuerySet[Mailbox]:
    _require_admin(user)
    return Mailbox.objects.select_related("owner").order_by("name")


def mailbox_get(*, user: Any, pk: int) -> Mailbox:
    found = mailbox_list(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def inbound_message_list(*, user: Any, status: str = "") -> QuerySet[InboundMessage]:
    """Messages an admin should look at (flagged or unhandled), newest first, or those
    of one ``status``; without their raw bytes."""
    _require_admin(user)
    qs = InboundMessage.objects.select_related("mailbox").defer("raw")
    if status in InboundStatus.values:
        return qs.filter(status=status)
    return qs.filter(status__in=REVIEW_STATUSES)


def inbound_message_get(*, user: Any, pk: int) -> InboundMessage:
    _require_admin(user)
    found = InboundMessage.objects.select_related("mailbox").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found
