"""SMS campaigns: only to people with SMS consent and an E.164 mobile number, the text
with its merge fields, through the SMS gateway; a STOP reply posted by the provider's
signed webhook withdraws the consent and suppresses the number; a failed delivery
report marks the delivery."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from clientela.core.sms import SmsMessage
from clientela.core.sms.backends.twilio import twilio_signature
from clientela.core.testing.sms import sms_outbox_fixture  # noqa: F401 - a fixture
from clientela.env import env_sms_url
from clientela.marketing.models import ConsentState, Delivery, Suppression
from clientela.marketing.sending import engine
from clientela.marketing.services import campaigns as services
from clientela.marketing.services import segments
from clientela.marketing.services.consent import consent_record
from clientela.marketing.services.sms_replies import sms_status

pytestmark = pytest.mark.django_db

MOBILE, LANDLINE, OTHER_MOBILE = "+34612345678", "+34912345678", "+34699111222"


def _sms_people(actor: Any, person_factory: Any) -> tuple[list[Any], Any]:
    mobile = person_factory(actor, first_name="Marta", phone=MOBILE)
    landline = person_factory(actor, first_name="Luis", phone=LANDLINE)
    no_consent = person_factory(actor, first_name="Nuria", phone=OTHER_MOBILE)
    for person in (mobile, landline):
        consent_record(
            actor=actor,
            person=person,
            purpose="offers",
            channel="sms",
            granted=True,
            source="user",
            wording_text="Yes, offers by SMS.",
        )
    static = segments.list_create(actor=actor, data={"name": "SMS"})
    people = [mobile, landline, no_consent]
    segments.list_add_members(actor=actor, static_list=static, person_ids=[p.pk for p in people])
    return people, static


def test_an_sms_campaign_reaches_consenting_mobiles_only(
    sms_outbox: list[SmsMessage], marketer: Any, person_factory: Any
) -> None:
    _people, static = _sms_people(marketer, person_factory)
    campaign = services.campaign_create(
        actor=marketer,
        data={
            "name": "Flash sale",
            "channel": "sms",
            "purpose": "offers",
            "list_ids": [static.pk],
            "text": "Hola {{ first_name }}: -20 % hoy. Responde STOP para no recibir más.",
        },
    )
    services.campaign_send(actor=marketer, campaign=campaign)
    result = engine.campaign_run(campaign.pk)
    assert result.sent == 1
    [message] = sms_outbox
    assert message.to == MOBILE
    assert message.body.startswith("Hola Marta: -20 % hoy.")
    delivery = Delivery.objects.get()
    assert message.reference == f"delivery-{delivery.pk}"
    sms_status(
        type(
            "S",
            (),
            {"status": "undelivered", "reference": message.reference, "error_code": "30005"},
        )()
    )
    delivery.refresh_from_db()
    assert delivery.bounced_at is not None


def test_an_sms_campaign_needs_its_text(marketer: Any, person_factory: Any) -> None:
    _people, static = _sms_people(marketer, person_factory)
    campaign = services.campaign_create(
        actor=marketer,
        data={"name": "Empty", "channel": "sms", "purpose": "offers", "list_ids": [static.pk]},
    )
    with pytest.raises(Exception, match="text message"):
        services.campaign_send(actor=marketer, campaign=campaign)


def test_stop_through_the_signed_webhook_withdraws_and_suppresses(
    client: Client,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    marketer: Any,
    person_factory: Any,
) -> None:
    people, _static = _sms_people(marketer, person_factory)
    monkeypatch.setenv("TEST_SMS_URL", "twilio://AC01:the-token@api.twilio.com?from=Shop")
    settings.CLIENTELA_SMS_BACKEND = env_sms_url("TEST_SMS_URL", "")
    settings.CLIENTELA_PUBLIC_URL = "https://crm.example.com"
    params = {"From": MOBILE, "To": "+34600000000", "Body": " Stop ", "MessageSid": "SM1"}
    url = "https://crm.example.com/sms/inbound/twilio/"
    response = client.post(
        "/sms/inbound/twilio/",
        params,
        HTTP_X_TWILIO_SIGNATURE=twilio_signature("the-token", url, params.items()),
    )
    assert response.status_code == 200
    state = ConsentState.objects.get(person=people[0], purpose__key="offers", channel="sms")
    assert not state.granted
    entry = Suppression.objects.get(channel="sms", address=MOBILE, purpose=None)
    assert entry.reason == "unsubscribed"
    # The landline's consent is untouched.
    assert ConsentState.objects.get(person=people[1], channel="sms").granted
