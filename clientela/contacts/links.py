"""Checks of the people and the organization a record of a higher app names (an
interaction's people, a deal's organization, a quote's customer): each must be one the
actor may see, read through the scoped contacts selectors. Like ``core.validation``,
each check adds messages to an ``errors`` dict keyed by the input field."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from clientela.contacts.models import Organization, Person
from clientela.contacts.selectors import organization_list, person_list
from clientela.core.models import User
from clientela.core.validation import Errors, add, clean_ids


def clean_people(actor: User, value: Any, errors: Errors) -> list[Person] | None:
    """The people of ``person_ids``, each one the actor may see."""
    ids = clean_ids(value, "person_ids", errors)
    if ids is None:
        return None
    # The list's tags are not needed to link a person.
    visible = person_list(user=actor).prefetch_related(None)
    found = {p.pk: p for p in visible.filter(pk__in=ids)}
    unknown = [str(i) for i in ids if i not in found]
    if unknown:
        add(errors, "person_ids", _("Unknown person id(s): %(ids)s.") % {"ids": ", ".join(unknown)})
        return None
    return [found[i] for i in ids]


def clean_organization(actor: User, value: Any, errors: Errors) -> Organization | None:
    """The organization of ``organization_id`` (None: none), one the actor may see."""
    if value is None:
        return None
    if type(value) is not int:
        add(errors, "organization_id", _("An organization id is a whole number."))
        return None
    org = organization_list(user=actor).prefetch_related(None).filter(pk=value).first()
    if org is None:
        add(errors, "organization_id", _("Unknown organization id: %(id)s.") % {"id": value})
    return org


__all__ = ["clean_organization", "clean_people"]
