"""A merged-away record cannot come back from the trash on its own, through the
service itself (the trash page hides it too): restoring it alone would bring the
duplicate back; undoing the merge is the way."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from clientela.contacts.merge import merge_undo, person_merge
from clientela.contacts.models import Person
from clientela.contacts.services import person_restore

pytestmark = pytest.mark.django_db


def test_restore_refused_while_merged_and_allowed_after_undo(
    admin: Any, person_factory: Any
) -> None:
    keep = person_factory(admin, first_name="Ana", last_name="Ruiz")
    dup = person_factory(admin, first_name="Ana", last_name="Ruíz")
    merge = person_merge(actor=admin, survivor=keep, other=dup, picks={})
    gone = Person.objects.get(pk=dup.pk)
    with pytest.raises(ValidationError, match="merged into another"):
        person_restore(actor=admin, person=gone)
    assert Person.objects.get(pk=dup.pk).deleted_at is not None
    merge_undo(actor=admin, merge=merge)
    assert Person.objects.get(pk=dup.pk).deleted_at is None
