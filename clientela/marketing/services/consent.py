"""Recording consent with its proof: ``consent_record`` writes one append-only
``ConsentEvent`` and brings the person's ``ConsentState`` for that purpose and channel
up to date in the same transaction, with the audit entry on the person.

A withdrawal also puts the address on the suppression list for the purpose; a grant
lifts the purpose's "unsubscribed" entry (never a bounce, a complaint or an erasure).

Double opt-in: the grant is written pending and nothing counts as consent until the
person clicks the signed link of the confirmation e-mail (``confirm_url``: signed with
its own salt, valid for ``CONFIRM_DAYS``); ``consent_confirm`` then appends the
confirmation event (``confirms`` the pending grant, ``confirmed_at``) and the state
becomes granted. A withdrawal or another grant in between voids the link.

The same double opt-in grant again while one is pending and younger than
``RESEND_MINUTES`` (a visitor who sends the form twice, a script posting someone's
address over and over) records nothing and mails nothing: the pending grant stands and
its link still works. Later, a new grant and a new e-mail go (the first may be lost),
so an address gets at most one confirmation per purpose and channel in that window.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_ipv46_address
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.contacts.models import Person
from clientela.core import mail
from clientela.core.audit import record_audit
from clientela.core.choices import AuditAction, Language
from clientela.core.company import company_name, email_footer
from clientela.core.errors import NotFound
from clientela.core.services.records import lock_for_update
from clientela.core.validation import Errors, add, raise_errors
from clientela.marketing.choices import (
    EMAIL_CHANNELS,
    PHONE_CHANNELS,
    ConsentChannel,
    ConsentSource,
    LegalBasis,
    SuppressionReason,
)
from clientela.marketing.models import ConsentEvent, ConsentPurpose, ConsentState, ConsentWording
from clientela.marketing.services import suppression

SALT = "clientela.marketing.consent-confirm"
CONFIRM_DAYS = 7
RESEND_MINUTES = 60
MAX_WORDING = 10000

BROKEN = gettext_lazy(
    "This confirmation link is not valid. Copy the whole link from the e-mail, or click it there."
)
EXPIRED = gettext_lazy(
    "This confirmation link has expired. Sign up again to get a new one: nothing will be "
    "sent to you until you confirm."
)
VOID = gettext_lazy(
    "This confirmation link is no longer valid: your choice was changed after it was sent."
)


class ConsentLinkError(Exception):
    """A confirmation link that confirms nothing, with a message for the person."""

    def __init__(self, message: Any, status: int = 404) -> None:
        super().__init__(str(message))
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Confirmation:
    """What a confirmation click did: the pending grant, the confirmation event, and
    whether this click confirmed it (else it was confirmed before)."""

    grant: ConsentEvent
    confirmation: ConsentEvent
    created: bool


# --- input ---------------------------------------------------------------------------


def wording_for(text: str, language: str = "") -> ConsentWording | None:
    """The stored wording of ``text`` (stored now if new): one row per exact text."""
    if not text:
        return None
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    wording, _created = ConsentWording.objects.get_or_create(
        sha256=digest, defaults={"text": text, "language": language}
    )
    return wording


def _purpose(value: Any, errors: Errors) -> ConsentPurpose | None:
    if isinstance(value, ConsentPurpose):
        return value
    found = ConsentPurpose.objects.filter(key=value).first() if isinstance(value, str) else None
    if found is None:
        add(errors, "purpose", _("There is no consent purpose “%(key)s”.") % {"key": value})
    elif not found.active:
        add(errors, "purpose", _("The purpose “%(name)s” is not in use.") % {"name": found})
    return found


def _choice(value: Any, choices: Any, field: str, errors: Errors) -> None:
    if value not in choices.values:
        add(errors, field, _("Choose one of: %(c)s.") % {"c": ", ".join(choices.values)})


def _clean(data: dict[str, Any], errors: Errors) -> None:
    _choice(data["channel"], ConsentChannel, "channel", errors)
    _choice(data["source"], ConsentSource, "source", errors)
    _choice(data["legal_basis"], LegalBasis, "legal_basis", errors)
    if not isinstance(data["granted"], bool):
        add(errors, "granted", _("Give true or false."))
    text = data["wording_text"]
    if not isinstance(text, str) or len(text) > MAX_WORDING:
        add(errors, "wording", _("At most %(limit)s characters.") % {"limit": MAX_WORDING})
    ip = data["ip"]
    if ip:
        try:
            validate_ipv46_address(ip)
        except ValidationError:
            add(errors, "ip", _("Enter a valid IP address."))
    if not isinstance(data["user_agent"], str):
        add(errors, "user_agent", _("Enter text."))


def address_of(person: Person, channel: str) -> str:
    """The person's address on ``channel`` as the suppression list keeps it ("" for
    post, or when they have none)."""
    raw = person.email if channel in EMAIL_CHANNELS else ""
    raw = person.phone if channel in PHONE_CHANNELS else raw
    try:
        return suppression.normalize_address(channel, raw) if raw else ""
    except ValidationError:
        return ""


def _person(actor: Any, person: Person) -> Person:
    """The person re-read in the transaction: for a user, only one they may see
    (``NotFound``) and change (``PermissionDenied``); for the system (a confirmation
    click, a public form: ``actor`` None), any person not in the trash."""
    if actor is not None:
        return lock_for_update(person, actor, "update")
    fresh = Person.objects.select_for_update().filter(pk=person.pk, deleted_at__isnull=True).first()
    if fresh is None:
        raise NotFound()
    return fresh


# --- the state -------------------------------------------------------------------------


def _describe(state: ConsentState | None) -> str | None:
    if state is None:
        return None
    if state.granted:
        return "granted, confirmed" if state.confirmed else "granted"
    return "pending" if state.pending else "withdrawn"


def _set_state(event: ConsentEvent, **values: Any) -> tuple[str | None, str | None]:
    """Move the state of the event's person, purpose and channel; (before, after)."""
    state = (
        ConsentState.objects.select_for_update()
        .filter(person=event.person, purpose=event.purpose, channel=event.channel)
        .first()
    )
    before = _describe(state)
    if state is None:
        state = ConsentState(
            person=event.person, purpose=event.purpose, channel=event.channel, since=event.at
        )
    for name, value in values.items():
        setattr(state, name, value)
    state.event = event
    state.save()
    return before, _describe(state)


def _audit(actor: Any, event: ConsentEvent, change: tuple[str | None, str | None]) -> None:
    key = f"consent {event.purpose.key}/{event.channel}"
    record_audit(
        actor=actor,
        instance=event.person,
        action=AuditAction.UPDATE,
        changes={key: [change[0], f"{change[1]} ({event.source}, {event.legal_basis})"]},
    )


# --- recording -------------------------------------------------------------------------


@transaction.atomic
def consent_record(
    *,
    actor: Any,
    person: Person,
    purpose: ConsentPurpose | str,
    channel: str,
    granted: bool,
    source: str,
    legal_basis: str = LegalBasis.CONSENT,
    wording_text: str = "",
    wording_language: str = "",
    ip: str = "",
    user_agent: str = "",
    double_opt_in: bool = False,
    reference: str = "",
) -> ConsentEvent:
    """Record a grant or withdrawal of ``person``'s consent for ``purpose`` (a purpose
    or its key) on ``channel``; ``ValidationError`` naming each bad field, nothing
    saved. With ``double_opt_in`` a grant by e-mail is pending and the confirmation
    e-mail goes out once this commits."""
    errors: Errors = {}
    found = _purpose(purpose, errors)
    data = {
        "channel": channel,
        "source": source,
        "legal_basis": legal_basis,
        "granted": granted,
        "wording_text": wording_text,
        "ip": ip,
        "user_agent": user_agent,
    }
    _clean(data, errors)
    raise_errors(errors)
    assert found is not None
    fresh = _person(actor, person)
    pending = bool(double_opt_in and granted)
    if pending and (channel not in EMAIL_CHANNELS or not address_of(fresh, channel)):
        raise ValidationError(
            {"double_opt_in": [_("Double opt-in needs the e-mail channel and an address.")]}
        )
    if pending and (waiting := _recent_pending(fresh, found, channel)) is not None:
        return waiting
    language = wording_language or fresh.preferred_language
    event = ConsentEvent(
        person=fresh,
        purpose=found,
        channel=channel,
        granted=granted,
        source=source,
        legal_basis=legal_basis,
        wording=wording_for(wording_text.strip(), language if language in Language else ""),
        ip=ip or None,
        user_agent=user_agent[:500],
        reference=reference[:300],
        actor=actor if getattr(actor, "pk", None) else None,
        at=timezone.now(),
        pending=pending,
    )
    event.full_clean()
    event.save()
    if pending:
        change = _set_state(event, pending=True, pending_event=event)
        transaction.on_commit(lambda: send_confirmation(event.pk), robust=True)
    elif granted:
        change = _set_state(
            event, granted=True, since=event.at, confirmed=False, pending=False, pending_event=None
        )
        _lift(actor, fresh, event)
    else:
        change = _set_state(
            event, granted=False, since=event.at, confirmed=False, pending=False, pending_event=None
        )
        _suppress(actor, fresh, event)
    _audit(actor, event, change)
    return event


def _recent_pending(person: Person, purpose: ConsentPurpose, channel: str) -> ConsentEvent | None:
    """The pending grant of ``person`` for ``purpose`` and ``channel`` asked for less
    than ``RESEND_MINUTES`` ago, if any (the person's row is locked by the caller)."""
    since = timezone.now() - datetime.timedelta(minutes=RESEND_MINUTES)
    state = (
        ConsentState.objects.filter(person=person, purpose=purpose, channel=channel, pending=True)
        .select_related("pending_event")
        .first()
    )
    event = state.pending_event if state is not None else None
    return event if event is not None and event.pending and event.at >= since else None


def _lift(actor: Any, person: Person, event: ConsentEvent) -> None:
    address = address_of(person, event.channel)
    if address:
        suppression.lift_unsubscribed(
            actor=actor, channel=event.channel, address=address, purpose=event.purpose
        )


def _suppress(actor: Any, person: Person, event: ConsentEvent) -> None:
    address = address_of(person, event.channel)
    if address:
        suppression.suppression_add(
            actor=actor,
            channel=event.channel,
            address=address,
            reason=SuppressionReason.UNSUBSCRIBED,
            purpose=event.purpose,
            system=True,
        )


# --- double opt-in ---------------------------------------------------------------------


def confirm_token(event: ConsentEvent) -> str:
    return signing.dumps({"e": event.pk, "p": event.person_id}, salt=SALT, compress=True)


def confirm_url(event: ConsentEvent) -> str:
    path = reverse("marketing:consent-confirm", args=[confirm_token(event)])
    return f"{settings.CLIENTELA_PUBLIC_URL}{path}"


def confirmation_email(event: ConsentEvent) -> EmailMessage:
    """The confirmation e-mail of a pending grant, in the person's language."""
    person = event.person
    with translation.override(person.preferred_language):
        context = {
            "person": person,
            "purpose": event.purpose,
            "url": confirm_url(event),
            "days": CONFIRM_DAYS,
            "company": company_name(),
            "footer": email_footer(),
        }
        subject = " ".join(render_to_string("marketing/consent/email_subject.txt", context).split())
        body = render_to_string("marketing/consent/email_body.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address_of(person, event.channel)],
        headers={"Auto-Submitted": "auto-generated"},
    )


def send_confirmation(event_id: int) -> bool:
    """E-mail the link of a pending grant (after the grant committed); False when the
    grant is no longer pending or sending failed (logged by ``core.mail``)."""
    event = (
        ConsentEvent.objects.select_related("person", "purpose")
        .filter(pk=event_id, pending=True)
        .first()
    )
    if event is None or not address_of(event.person, event.channel):
        return False
    return mail.deliver(confirmation_email(event))


def link_language(token: str) -> str | None:
    """The language of the person a link with a good signature names, expired or not
    (its problem page is then in their language); None for a broken link."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    person = data.get("p") if isinstance(data, dict) else None
    if type(person) is not int:
        return None
    found = Person.objects.filter(pk=person).values_list("preferred_language", flat=True)
    return found.first()


def confirm_link(token: str) -> ConsentEvent:
    """The pending grant a link names (``ConsentLinkError`` when broken or expired)."""
    try:
        data = signing.loads(token, salt=SALT, max_age=datetime.timedelta(days=CONFIRM_DAYS))
    except signing.SignatureExpired:
        raise ConsentLinkError(EXPIRED) from None
    except signing.BadSignature:
        raise ConsentLinkError(BROKEN) from None
    if not isinstance(data, dict) or type(data.get("e")) is not int:
        raise ConsentLinkError(BROKEN)
    if type(data.get("p")) is not int:
        raise ConsentLinkError(BROKEN)
    event = (
        ConsentEvent.objects.select_related("person", "purpose")
        .filter(pk=data["e"], person_id=data["p"], pending=True)
        .filter(person__deleted_at__isnull=True)
        .first()
    )
    if event is None:
        raise ConsentLinkError(BROKEN)
    return event


@transaction.atomic
def consent_confirm(*, token: str, ip: str = "", user_agent: str = "") -> Confirmation:
    """The click on a confirmation link: the pending grant confirmed and counted from
    now (a second click finds it confirmed); ``ConsentLinkError`` for a broken,
    expired or voided link."""
    grant = confirm_link(token)
    person = _person(None, grant.person)
    done = ConsentEvent.objects.filter(confirms=grant).first()
    if done is not None:
        return Confirmation(grant=grant, confirmation=done, created=False)
    state = (
        ConsentState.objects.select_for_update()
        .filter(person=person, purpose=grant.purpose, channel=grant.channel)
        .first()
    )
    if state is None or state.pending_event_id != grant.pk:
        raise ConsentLinkError(VOID)
    now = timezone.now()
    try:
        validate_ipv46_address(ip)
    except ValidationError:
        ip = ""
    event = ConsentEvent(
        person=person,
        purpose=grant.purpose,
        channel=grant.channel,
        granted=True,
        source=grant.source,
        legal_basis=grant.legal_basis,
        wording=grant.wording,
        ip=ip or None,
        user_agent=user_agent[:500],
        at=now,
        confirms=grant,
        confirmed_at=now,
    )
    event.save()
    change = _set_state(
        event, granted=True, since=now, confirmed=True, pending=False, pending_event=None
    )
    _lift(None, person, event)
    _audit(None, event, change)
    return Confirmation(grant=grant, confirmation=event, created=True)
