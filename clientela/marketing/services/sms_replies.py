"""What comes back from text messages, handed over by the SMS gateway in core
(``core.sms``: the provider's webhook): a STOP reply withdraws every SMS consent of the
people with that number and suppresses the number for every purpose (recorded as a
reply, with the words they sent); a delivery report that the message failed marks its
delivery bounced."""

from __future__ import annotations

from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from clientela.contacts.models import Person, PhoneNumber
from clientela.core import sms
from clientela.marketing.choices import BounceKind, ConsentSource, SuppressionReason
from clientela.marketing.models import ConsentState, Delivery
from clientela.marketing.services.consent import consent_record
from clientela.marketing.services.suppression import suppression_add

#: The provider's words for a message that did not reach the phone.
FAILED = frozenset({"failed", "undelivered"})


def sms_reply(from_e164: str, body: str, stop: bool) -> None:
    """The reply handler (``core.sms.register_sms_reply_handler``)."""
    if not stop:
        return
    numbers = PhoneNumber.objects.filter(number=from_e164).values("person_id")
    people = Person.objects.alive().filter(Q(phone=from_e164) | Q(pk__in=numbers))
    states = ConsentState.objects.filter(
        person__in=people, channel="sms", granted=True
    ).select_related("person", "purpose")
    for state in states:
        consent_record(
            actor=None,
            person=state.person,
            purpose=state.purpose,
            channel="sms",
            granted=False,
            source=ConsentSource.REPLY,
            wording_text=f"SMS reply: {body.strip()[:100]}",
        )
    suppression_add(
        actor=None,
        channel="sms",
        address=from_e164,
        reason=SuppressionReason.UNSUBSCRIBED,
        note=body.strip()[:100],
        system=True,
    )


def sms_status(status: sms.SmsStatus) -> None:
    """The delivery report handler (``core.sms.register_sms_status_handler``)."""
    if status.status not in FAILED or not status.reference.startswith("delivery-"):
        return
    pk = status.reference.removeprefix("delivery-")
    if pk.isdigit():
        Delivery.objects.filter(pk=int(pk)).update(
            bounced_at=Coalesce("bounced_at", timezone.now()),
            bounce_kind=BounceKind.HARD,
            error=f"SMS {status.status} {status.error_code}".strip(),
        )
