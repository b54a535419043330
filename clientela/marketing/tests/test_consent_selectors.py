"""``consented_q``, the audience condition of campaigns (run on SQLite and, with
``DATABASE_URL``, on PostgreSQL): granted, confirmed where double opt-in was asked,
with an address, not suppressed for the purpose or every purpose; in one query. And
the person's consents read only where the person is visible."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clientela.contacts.models import Person
from clientela.core.errors import NotFound
from clientela.marketing.models import ConsentPurpose
from clientela.marketing.selectors import consent as selectors
from clientela.marketing.services.consent import consent_record
from clientela.marketing.services.suppression import (
    is_suppressed,
    suppression_add,
    suppression_add_erased,
)

pytestmark = pytest.mark.django_db


def grant(
    actor: Any, person: Any, purpose: str = "offers", channel: str = "email", **kw: Any
) -> None:
    consent_record(
        actor=actor,
        person=person,
        purpose=purpose,
        channel=channel,
        granted=kw.pop("granted", True),
        source="import",
        **kw,
    )


def audience(purpose: str = "offers", channel: str = "email") -> set[str]:
    qs = Person.objects.filter(selectors.consented_q(purpose, channel))
    return set(qs.values_list("first_name", flat=True))


def test_consented_q(
    person_factory: Any, admin: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    def make(name: str, **kw: Any) -> Any:
        return person_factory(admin, first_name=name, **kw)

    yes = make("Yes", email="yes@example.com", phone="+34600000001")
    make("Never", email="never@example.com")
    withdrawn = make("Withdrawn", email="withdrawn@example.com")
    pending = make("Pending", email="pending@example.com")
    bounced = make("Bounced", email="bounced@example.com")
    other_purpose = make("Newsletter", email="news@example.com")
    no_address = make("NoAddress", phone="+34600000002")
    suppressed_all = make("All", email="all@example.com")
    for person in (yes, withdrawn, pending, bounced, no_address, suppressed_all):
        grant(admin, person, double_opt_in=person is pending)
    grant(admin, withdrawn, granted=False)
    grant(admin, other_purpose, purpose="newsletter")
    suppression_add(
        actor=admin, channel="email", address="bounced@example.com", reason="hard_bounce"
    )
    suppression_add(actor=admin, channel="email", address="all@example.com")
    # An unsubscribe from another purpose does not count against this one.
    grant(admin, yes, purpose="newsletter", granted=False)
    grant(admin, yes, channel="sms")
    with CaptureQueriesContext(connection) as queries:
        assert audience() == {"Yes"}
    assert len(queries) == 1
    assert audience("newsletter") == {"Newsletter"}
    assert audience(channel="sms") == {"Yes"}
    assert audience(channel="post") == set()
    # The erased person's hash: not matched by address here (they are gone), but the
    # sending check refuses it.
    assert suppression_add_erased(actor=admin, channel="email", address="yes@example.com")
    assert is_suppressed("email", "yes@example.com")


def test_an_inactive_purpose_has_no_audience(person_factory: Any, admin: Any) -> None:
    grant(admin, person_factory(admin, first_name="Yes", email="y@example.com"))
    ConsentPurpose.objects.filter(key="offers").update(active=False)
    assert audience() == set()


def test_reads_are_scoped(person_factory: Any, rep_north: Any, rep_south: Any) -> None:
    ana = person_factory(rep_north, first_name="Ana", email="ana@example.com")
    grant(rep_north, ana)
    assert len(selectors.consent_current(user=rep_north, person=ana)) == 1
    assert len(selectors.consent_history(user=rep_north, person=ana)) == 1
    with pytest.raises(NotFound):
        selectors.consent_current(user=rep_south, person=ana)
    with pytest.raises(NotFound):
        selectors.consent_history(user=rep_south, person=ana)


def test_purposes_and_suppressions_reads(admin: Any, rep_north: Any) -> None:
    ConsentPurpose.objects.filter(key="surveys").update(active=False)
    assert "surveys" not in {p.key for p in selectors.purpose_list(user=rep_north)}
    assert "surveys" in {p.key for p in selectors.purpose_list(user=admin)}
    with pytest.raises(NotFound):
        selectors.suppression_list(user=rep_north)
    with pytest.raises(ValueError, match="channel"):
        selectors.consented_q("offers", "fax")
