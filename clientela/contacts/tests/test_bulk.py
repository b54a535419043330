"""``contacts.bulk.Blank``: the importer's new records are what the model's
constructor gives."""

from __future__ import annotations

from django.db.models.signals import post_init, pre_init

from clientela.contacts.bulk import Blank
from clientela.contacts.models import Organization, Person


def _values(record: Person | Organization) -> dict[str, object]:
    return {f.attname: getattr(record, f.attname) for f in type(record)._meta.concrete_fields}


def test_blank_records_are_what_the_constructor_gives() -> None:
    # Blank skips the constructor: nothing may listen to its signals for these models.
    for model in (Person, Organization):
        assert not pre_init.has_listeners(model)
        assert not post_init.has_listeners(model)
    blank = Blank(Person(preferred_language="es"))
    first, second = blank(), blank()
    assert _values(first) == _values(Person(preferred_language="es"))
    assert first._state.adding
    assert first._state is not second._state
    first.custom["size"] = "big"
    first.last_name = "Ruiz"
    assert second.custom == {}
    assert second.last_name == ""
    assert _values(Blank(Organization())()) == _values(Organization())
