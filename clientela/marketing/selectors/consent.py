"""Reads of consent: the purposes (everyone signed in; admins also the inactive ones),
a person's current consents and history (only of a person the user may see), the
suppression list (admins), and ``consented_q``, the audience condition of campaigns."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from clientela.contacts.models import Person
from clientela.contacts.selectors import person_visible
from clientela.core.errors import NotFound
from clientela.core.kinds import parse_id
from clientela.marketing.choices import EMAIL_CHANNELS, PHONE_CHANNELS, ConsentChannel
from clientela.marketing.models import ConsentEvent, ConsentPurpose, ConsentState, Suppression
from clientela.marketing.services.suppression import require_admin

#: Events a person's history shows at most (the newest).
HISTORY_LIMIT = 200


def purpose_list(*, user: Any, active_only: bool = False) -> QuerySet[ConsentPurpose]:
    """The purposes in their order: the active ones for everyone signed in; admins see
    the inactive ones too (unless ``active_only``)."""
    if getattr(user, "pk", None) is None:
        raise NotFound()
    qs = ConsentPurpose.objects.all()
    if active_only or not getattr(user, "is_admin", False):
        qs = qs.filter(active=True)
    return qs


def purpose_get(*, user: Any, pk: Any) -> ConsentPurpose:
    found = purpose_list(user=user).filter(pk=parse_id(pk)).first()
    if found is None:
        raise NotFound()
    return found


def consent_person(*, user: Any, pk: Any) -> Person:
    """The person whose consents ``user`` reads (the row alone, one query;
    ``NotFound`` when missing, in the trash or not visible)."""
    found = person_visible(user=user, pk=parse_id(pk))
    if found is None:
        raise NotFound()
    return found


def consent_current(*, user: Any, person: Person) -> QuerySet[ConsentState]:
    """Where ``person``'s consents stand, per purpose and channel (``person`` as read
    through a scoped selector; checked again, so a hidden one is ``NotFound``)."""
    consent_person(user=user, pk=person.pk)
    return ConsentState.objects.filter(person=person).select_related("purpose", "event")


def consent_history(
    *, user: Any, person: Person, limit: int = HISTORY_LIMIT
) -> QuerySet[ConsentEvent]:
    """``person``'s consent events, newest first, with their wording and who recorded
    them."""
    consent_person(user=user, pk=person.pk)
    qs = ConsentEvent.objects.filter(person=person).select_related("purpose", "wording", "actor")
    return qs.order_by("-at", "-id")[:limit]


def _address_field(channel: str) -> str | None:
    if channel in EMAIL_CHANNELS:
        return "email"
    if channel in PHONE_CHANNELS:
        return "phone"
    return None


def consented_q(purpose_key: str, channel: str) -> Q:
    """The people a campaign of ``purpose_key`` on ``channel`` may reach, as a condition
    on ``Person`` (one query with the rest of an audience): consent granted for an
    active purpose (a double opt-in grant only once confirmed: the state is granted
    from the confirmation on), an address on the channel, and that address not
    suppressed for the purpose or for every purpose. Entries of erased people, which
    keep only a hash, match no stored address; sending checks each address against
    the hashes too (``services.suppression.is_suppressed``)."""
    if channel not in ConsentChannel.values:
        raise ValueError(f"unknown channel {channel!r}")
    granted = ConsentState.objects.filter(
        person=OuterRef("pk"),
        purpose__key=purpose_key,
        purpose__active=True,
        channel=channel,
        granted=True,
    )
    condition = Q(Exists(granted))
    field = _address_field(channel)
    if field is not None:
        suppressed = Suppression.objects.filter(channel=channel, address=OuterRef(field)).filter(
            Q(purpose__isnull=True) | Q(purpose__key=purpose_key)
        )
        condition &= ~Q(**{field: ""}) & ~Q(Exists(suppressed))
    return condition


def suppression_list(*, user: Any, q: str = "", channel: str = "") -> QuerySet[Suppression]:
    """The suppression list (admins), newest first: ``q`` in the address or note."""
    require_admin(user)
    qs = Suppression.objects.select_related("purpose", "created_by")
    if q:
        qs = qs.filter(Q(address__icontains=q) | Q(note__icontains=q))
    if channel in ConsentChannel.values:
        qs = qs.filter(channel=channel)
    return qs


def suppression_get(*, user: Any, pk: Any) -> Suppression:
    found = suppression_list(user=user).filter(pk=parse_id(pk)).first()
    if found is None:
        raise NotFound()
    return found
