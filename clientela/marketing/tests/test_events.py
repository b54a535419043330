"""``form.submitted``: a visitor's accepted submission, with what they entered, where
they came from and the lead it made (whose ``lead.created`` comes first); a refused
submission leaves no event."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest
from django.core.exceptions import ValidationError

from clientela.core.events import event_type
from clientela.core.models import OutboxEvent
from clientela.marketing.events import SUBMISSION
from clientela.marketing.services.form_submit import Origin, form_submit
from clientela.marketing.tests.form_setup import body, lucia, make_form

pytestmark = pytest.mark.django_db

ORIGIN = Origin(
    ip="203.0.113.9",
    user_agent="Test",
    referrer="https://shop.example.com/offers",
    utm={"utm_source": "newsletter", "utm_campaign": "Spring"},
)


def test_a_submission_emits_form_submitted_after_its_lead(marketer: Any) -> None:
    form = make_form(marketer)
    submission = form_submit(form=form, data=body(form, **lucia()), origin=ORIGIN)
    event = OutboxEvent.objects.get(type="form.submitted")
    assert (event.resource, event.record_id, event.actor_id) == (SUBMISSION, submission.pk, None)
    data = event.data
    assert (data["id"], data["form_id"], data["form_name"]) == (submission.pk, form.pk, form.name)
    assert data["lead_id"] == submission.lead_id is not None
    assert data["values"]["email"] == "lucia@example.com"
    assert data["values"]["size"] == "11-50"
    assert (data["utm_source"], data["utm_campaign"], data["utm_medium"]) == (
        "newsletter",
        "Spring",
        "",
    )
    assert data["referrer"] == "https://shop.example.com/offers"
    known = event_type("form.submitted")
    assert known is not None
    jsonschema_rs.validator_for(dict(known.schema)).validate(data)
    lead = OutboxEvent.objects.get(type="lead.created", record_id=submission.lead_id)
    assert lead.pk < event.pk


def test_a_refused_submission_emits_nothing(marketer: Any) -> None:
    form = make_form(marketer)
    with pytest.raises(ValidationError):
        form_submit(form=form, data=body(form, **lucia(email="not an address")), origin=ORIGIN)
    assert not OutboxEvent.objects.filter(type__in=["form.submitted", "lead.created"]).exists()
