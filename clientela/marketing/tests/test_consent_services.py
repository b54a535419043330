"""Consent with proof: the append-only events, the state kept with them, suppression
on withdrawal and its lifting on a grant, the wording stored once, bad input and who
may record consent."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from clientela.contacts.merge import person_merge
from clientela.contacts.services import person_trash
from clientela.core.errors import NotFound
from clientela.core.models import AuditEntry
from clientela.core.services.records import record_purge
from clientela.marketing.choices import SuppressionReason
from clientela.marketing.models import (
    ConsentEvent,
    ConsentPurpose,
    ConsentState,
    ConsentWording,
    Suppression,
)
from clientela.marketing.models.consent import AppendOnly
from clientela.marketing.services import suppression
from clientela.marketing.services.consent import consent_record

pytestmark = pytest.mark.django_db

WORDING = "I want the newsletter by e-mail. I can unsubscribe at any time."


@pytest.fixture
def ana(person_factory: Any, rep_north: Any) -> Any:
    return person_factory(
        rep_north, first_name="Ana", email="Ana@Example.com", phone="+34600111222"
    )


def record(actor: Any, person: Any, **extra: Any) -> ConsentEvent:
    values: dict[str, Any] = {
        "purpose": "newsletter",
        "channel": "email",
        "granted": True,
        "source": "form",
        "legal_basis": "consent",
        "wording_text": WORDING,
        **extra,
    }
    return consent_record(actor=actor, person=person, **values)


def state(person: Any, purpose: str = "newsletter", channel: str = "email") -> ConsentState:
    return ConsentState.objects.get(person=person, purpose__key=purpose, channel=channel)


def test_the_default_purposes_are_there() -> None:
    keys = set(ConsentPurpose.objects.values_list("key", flat=True))
    assert {"newsletter", "offers", "events", "surveys"} <= keys


def test_a_grant_is_recorded_with_its_proof_and_counts(rep_north: Any, ana: Any) -> None:
    event = record(rep_north, ana, ip="203.0.113.7", user_agent="Firefox")
    assert (event.granted, event.source, event.legal_basis, event.actor) == (
        True,
        "form",
        "consent",
        rep_north,
    )
    assert event.wording is not None
    assert event.wording.text == WORDING
    assert (event.ip, event.user_agent) == ("203.0.113.7", "Firefox")
    now = state(ana)
    assert (now.granted, now.pending, now.confirmed, now.event_id) == (True, False, False, event.pk)
    entry = AuditEntry.objects.filter(object_id=ana.pk).latest("id")
    assert entry.changes == {"consent newsletter/email": [None, "granted (form, consent)"]}


def test_the_wording_is_stored_once(rep_north: Any, ana: Any) -> None:
    first = record(rep_north, ana)
    second = record(rep_north, ana, purpose="offers")
    assert first.wording_id == second.wording_id
    assert ConsentWording.objects.filter(text=WORDING).count() == 1
    assert record(rep_north, ana, wording_text="").wording is None


def test_events_are_append_only(rep_north: Any, ana: Any) -> None:
    event = record(rep_north, ana)
    event.granted = False
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    assert ConsentEvent.objects.get(pk=event.pk).granted is True


def test_a_withdrawal_suppresses_the_address_for_the_purpose(rep_north: Any, ana: Any) -> None:
    record(rep_north, ana)
    record(rep_north, ana, granted=False, source="user", wording_text="")
    assert state(ana).granted is False
    [entry] = Suppression.objects.all()
    assert (entry.channel, entry.address, entry.purpose.key, entry.reason) == (  # type: ignore[union-attr]
        "email",
        "ana@example.com",
        "newsletter",
        SuppressionReason.UNSUBSCRIBED,
    )
    assert suppression.is_suppressed("email", "ANA@example.com ", entry.purpose)
    assert not suppression.is_suppressed("email", "ana@example.com")  # not every purpose
    # Two events: the proof of both stays.
    assert ConsentEvent.objects.filter(person=ana).count() == 2


def test_a_grant_lifts_the_unsubscribe_but_not_a_bounce(
    rep_north: Any, admin: Any, ana: Any
) -> None:
    record(rep_north, ana, granted=False)
    suppression.suppression_add(
        actor=admin, channel="email", address="ana@example.com", reason="hard_bounce"
    )
    record(rep_north, ana)
    reasons = set(Suppression.objects.values_list("reason", flat=True))
    assert reasons == {SuppressionReason.HARD_BOUNCE}
    assert suppression.is_suppressed("email", "ana@example.com")


def test_sms_withdrawal_suppresses_the_phone_number(rep_north: Any, ana: Any) -> None:
    record(rep_north, ana, channel="sms", granted=False)
    [entry] = Suppression.objects.all()
    assert (entry.channel, entry.address) == ("sms", "+34600111222")


def test_bad_input_names_each_field_and_saves_nothing(rep_north: Any, ana: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        record(
            rep_north,
            ana,
            purpose="nope",
            channel="fax",
            source="rumour",
            legal_basis="whim",
            granted="yes",
            ip="not-an-ip",
        )
    assert set(caught.value.message_dict) == {
        "purpose",
        "channel",
        "source",
        "legal_basis",
        "granted",
        "ip",
    }
    assert not ConsentEvent.objects.exists()
    assert not ConsentState.objects.exists()


def test_an_inactive_purpose_takes_no_consent(rep_north: Any, ana: Any) -> None:
    ConsentPurpose.objects.filter(key="surveys").update(active=False)
    with pytest.raises(ValidationError) as caught:
        record(rep_north, ana, purpose="surveys")
    assert "purpose" in caught.value.message_dict


def test_double_opt_in_needs_an_email_address(rep_north: Any, person_factory: Any) -> None:
    nobody = person_factory(rep_north, first_name="No", phone="+34600999888")
    with pytest.raises(ValidationError) as caught:
        record(rep_north, nobody, double_opt_in=True)
    assert "double_opt_in" in caught.value.message_dict
    with pytest.raises(ValidationError):
        record(rep_north, nobody, channel="sms", double_opt_in=True)
    assert not ConsentEvent.objects.exists()


def test_recording_needs_the_update_right(reader: Any, rep_north: Any, ana: Any) -> None:
    with pytest.raises(PermissionDenied):
        record(reader, ana)  # reads every person, changes none
    assert not ConsentEvent.objects.exists()


def test_an_invisible_person_is_not_found(rep_south: Any, ana: Any) -> None:
    with pytest.raises(NotFound):
        record(rep_south, ana)  # Ana is the North team's


def test_suppression_add_remove_and_erased(admin: Any, rep_north: Any) -> None:
    entry = suppression.suppression_add(
        actor=admin, channel="sms", address="+34 600 22 33 44", note="asked by phone"
    )
    assert (entry.address, entry.reason, entry.purpose) == ("+34600223344", "manual", None)
    assert suppression.is_suppressed("phone", "+34600223344") is False  # another channel
    assert suppression.is_suppressed("sms", "+34600223344")
    with pytest.raises(NotFound):
        suppression.suppression_remove(actor=rep_north, suppression=entry)
    suppression.suppression_remove(actor=admin, suppression=entry)
    assert not suppression.is_suppressed("sms", "+34600223344")
    erased = suppression.suppression_add_erased(
        actor=admin, channel="email", address="Gone@Example.com"
    )
    assert erased is not None
    assert erased.address == ""
    assert suppression.is_suppressed("email", "gone@example.com")
    with pytest.raises(ValidationError):
        suppression.suppression_remove(actor=admin, suppression=erased)


def test_suppression_bad_input(admin: Any, rep_north: Any) -> None:
    with pytest.raises(NotFound):
        suppression.suppression_add(actor=rep_north, channel="email", address="a@example.com")
    with pytest.raises(ValidationError) as caught:
        suppression.suppression_add(actor=admin, channel="email", address="not an address")
    assert set(caught.value.message_dict) == {"address"}
    with pytest.raises(ValidationError) as caught:
        suppression.suppression_add(actor=admin, channel="post", address="Calle Mayor 1")
    assert set(caught.value.message_dict) == {"address"}
    with pytest.raises(ValidationError) as caught:
        suppression.suppression_add(
            actor=admin, channel="email", address="a@example.com", reason="erased"
        )
    assert set(caught.value.message_dict) == {"reason"}
    assert not Suppression.objects.exists()


def test_a_purged_person_takes_their_consent_along(admin: Any, ana: Any) -> None:
    record(admin, ana, double_opt_in=True)
    record(admin, ana, purpose="offers", granted=False)
    person_trash(actor=admin, person=ana)
    ana.refresh_from_db()
    assert record_purge(actor=admin, records=[ana]) == (1, [])
    assert not ConsentEvent.objects.exists()
    assert not ConsentState.objects.exists()
    # The address stays suppressed for the purpose it left.
    assert Suppression.objects.filter(address="ana@example.com").exists()


def test_a_merge_keeps_the_survivors_state_and_every_event(
    admin: Any, ana: Any, person_factory: Any
) -> None:
    twin = person_factory(admin, first_name="Ana", email="ana.twin@example.com")
    record(admin, ana)
    record(admin, twin, granted=False)
    record(admin, twin, purpose="events")
    person_merge(actor=admin, survivor=ana, other=twin)
    assert ConsentEvent.objects.filter(person=ana).count() == 3
    states = {(s.purpose.key, s.granted) for s in ConsentState.objects.filter(person=ana)}
    assert states == {("newsletter", True), ("events", True)}
