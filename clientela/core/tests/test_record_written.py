"""The record-written hook (``core.registry.register_record_written``): a higher app's
callback gets the id of a record created, or changed in an audited value, through the
generic record writes, once the write commits; nothing for an update that changed
nothing; a failing callback is logged and the write stands."""

from __future__ import annotations

from typing import Any

import pytest

from clientela.contacts.models import Person
from clientela.contacts.services import person_create, person_update
from clientela.core import registry

pytestmark = pytest.mark.django_db


def test_callbacks_run_after_commit_and_failures_do_not_undo_the_write(
    rep_north: Any, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    seen: list[int] = []

    def broken(pk: int) -> None:
        raise RuntimeError("the callback's own problem")

    monkeypatch.setitem(
        registry.record_written_callbacks,
        Person.RESOURCE,
        {"a-seen": seen.append, "b-broken": broken},
    )
    with django_capture_on_commit_callbacks(execute=False):
        person = person_create(actor=rep_north, data={"last_name": "Hook"})
        assert seen == []  # not before the commit
    with django_capture_on_commit_callbacks(execute=True) as ran:
        # Run as on commit: the broken one is logged (robust), the write stands.
        again = person_create(actor=rep_north, data={"last_name": "Hook 2"})
    assert len(ran) == 2
    assert seen == [again.pk]
    with django_capture_on_commit_callbacks(execute=True):
        person_update(actor=rep_north, person=person, data={"first_name": "Ana"})
        person_update(actor=rep_north, person=Person.objects.get(pk=person.pk), data={})
    assert seen == [again.pk, person.pk]
    assert Person.objects.get(pk=person.pk).first_name == "Ana"
