"""E-mail out from the CRM: a user writes to the people of a person's, organization's or
deal's page, the message goes through SMTP from the user (``sender``), with their
signature, and is logged on the timeline with its ``Message-ID`` in the same
transaction: when the server refuses it, nothing is logged and the form keeps the
draft. Also the user's e-mail preferences (signature, addresses never logged) and the
one-click follow-up task after sending.
"""

from __future__ import annotations

import datetime
import smtplib
from email.utils import formataddr, make_msgid, parseaddr
from typing import Any, TypedDict, cast

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from clientela.activities import validation as v
from clientela.activities.choices import Direction, InteractionChannel
from clientela.activities.models import ActivityPreferences, Interaction, Task
from clientela.activities.services.interactions import InteractionData, interaction_create
from clientela.activities.services.preferences import activity_preferences_get
from clientela.activities.services.tasks import TaskData, task_create
from clientela.contacts.models import Organization, Person
from clientela.contacts.selectors import organization_list, person_list
from clientela.core.company import company_name
from clientela.core.inbound.parsing import html_to_text
from clientela.core.merge_fields import TemplateProblem, compile_template
from clientela.core.models import User
from clientela.core.validation import Errors, add, raise_errors

#: At most this many recipients (To and Cc together): a one-to-one e-mail, not a
#: campaign (marketing sends those, with consent and unsubscribe).
MAX_RECIPIENTS = 20
#: What a signature may hold besides text.
SIGNATURE_TAGS = {"a", "b", "strong", "i", "em", "br", "p", "span", "div"}
#: The merge fields a composed e-mail may use, filled for its first person.
COMPOSER_FIELDS = (
    "first_name",
    "last_name",
    "full_name",
    "email",
    "organization",
    "my_name",
    "company_name",
)


class EmailSendFailed(Exception):
    """The mail server did not take the message; nothing was logged."""


class EmailData(TypedDict, total=False):
    to: list[str]
    cc: list[str]
    subject: str
    body: str
    person_ids: list[int]
    organization_id: int | None
    related_type: str
    related_id: int | None
    attachments: list[UploadedFile[bytes]]
    #: The ``Message-ID`` this e-mail answers (a reply from the timeline).
    in_reply_to: str
    #: An HTML part made already (an e-mail template filled in for its person, as a
    #: workflow rule sends it): sent as the HTML alternative of ``body`` (its text
    #: part); neither has merge fields filled again nor a signature added.
    html: str


# --- preferences ----------------------------------------------------------------------


def sanitize_signature(value: str) -> str:
    """HTML (anything with a "<") cleaned to ``SIGNATURE_TAGS``; plain text kept as
    typed (it is escaped where it goes into HTML)."""
    value = value.strip()
    if "<" not in value:
        return value
    return nh3.clean(value, tags=SIGNATURE_TAGS, attributes={"a": {"href"}})


def excluded_entries(prefs: ActivityPreferences | None) -> set[str]:
    """The user's never-logged addresses ("a@b.com") and domains ("b.com"), lower-cased."""
    text = prefs.email_excluded if prefs is not None else ""
    return {line.strip().lower().lstrip("@") for line in text.splitlines() if line.strip()}


@transaction.atomic
def email_preferences_update(*, user: User, signature: str, excluded: str) -> ActivityPreferences:
    """Save the user's signature (sanitized) and their list of addresses and domains
    never logged from their mailbox (each checked)."""
    errors: Errors = {}
    if len(signature) > 2000:
        add(errors, "email_signature", _("At most %(limit)d characters.") % {"limit": 2000})
    lines = [line.strip().lower() for line in excluded.splitlines() if line.strip()]
    for line in lines:
        domain = line.lstrip("@")
        valid = "@" in domain or "." in domain
        if valid and "@" in domain:
            try:
                validate_email(domain)
            except ValidationError:
                valid = False
        if not valid or " " in domain or len(domain) > 254:
            add(
                errors,
                "email_excluded",
                _("“%(entry)s” is no address or domain.") % {"entry": line},
            )
    if len(lines) > 200:
        add(errors, "email_excluded", _("At most %(limit)d lines.") % {"limit": 200})
    raise_errors(errors)
    prefs = activity_preferences_get(user=user)
    prefs.email_signature = sanitize_signature(signature)
    prefs.email_excluded = "\n".join(dict.fromkeys(lines))
    prefs.save(update_fields=["email_signature", "email_excluded"])
    return prefs


# --- the message ----------------------------------------------------------------------


def sender(user: User) -> tuple[str, list[str]]:
    """(From, Reply-To) of an e-mail ``user`` sends. From is the user's address when
    its domain is one the server may send as (``CLIENTELA_EMAIL_SEND_AS_DOMAINS``, "*"
    for any); otherwise the company's address under the user's name, and replies go
    to the user (Reply-To). A system user (a workflow rule's "Automation") sends as
    the company."""
    company_address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    if getattr(user, "is_system", False):
        return formataddr((company_name(), company_address)), []
    name = user.get_full_name() or user.get_username()
    address = (user.email or "").strip()
    domain = address.rpartition("@")[2].lower()
    allowed = {d.lower() for d in settings.CLIENTELA_EMAIL_SEND_AS_DOMAINS}
    if address and ("*" in allowed or domain in allowed):
        return formataddr((name, address)), []
    shown = _("%(user)s via %(company)s") % {"user": name, "company": company_name()}
    return formataddr((shown, company_address)), [address] if address else []


def _addresses(value: Any, key: str, errors: Errors, *, required: bool) -> list[str]:
    raw = (
        value if isinstance(value, list | tuple) else str(value or "").replace(";", ",").split(",")
    )
    found = [str(a).strip() for a in raw if str(a).strip()]
    if required and not found:
        add(errors, key, _("Enter at least one recipient."))
    for address in found:
        try:
            validate_email(address)
        except ValidationError:
            add(
                errors,
                key,
                _("“%(address)s” is not a valid e-mail address.") % {"address": address},
            )
    return list(dict.fromkeys(a.lower() for a in found))


def composer_fields(actor: User, person: Person | None, org: Organization | None) -> dict[str, str]:
    """The composer's merge fields for the e-mail's first person (blank without one)."""
    first, last = (person.first_name, person.last_name) if person is not None else ("", "")
    return {
        "first_name": first,
        "last_name": last,
        "full_name": " ".join(p for p in (first, last) if p),
        "email": person.email if person is not None else "",
        "organization": org.name if org is not None else "",
        "my_name": actor.get_full_name() or actor.get_username(),
        "company_name": company_name(),
    }


def _filled(text: str, key: str, values: dict[str, str], errors: Errors) -> str:
    try:
        return compile_template(text, COMPOSER_FIELDS).render(values)
    except TemplateProblem as problem:
        add(errors, key, str(problem))
        return text


def _with_signature(body: str, signature: str) -> tuple[str, str]:
    """The text and HTML parts: the body, then "-- " and the signature."""
    html = linebreaks(escape(body))
    if not signature:
        return body, html
    is_html = "<" in signature
    text_signature = html_to_text(signature) if is_html else signature
    html_signature = signature if is_html else linebreaks(escape(signature))
    return f"{body}\n\n-- \n{text_signature}", f"{html}<p>-- </p>{html_signature}"


def _message(actor: User, data: EmailData, to: list[str], cc: list[str]) -> EmailMultiAlternatives:
    from_email, reply_to = sender(actor)
    domain = parseaddr(from_email)[1].rpartition("@")[2] or "clientela.invalid"
    if data.get("html"):
        text, html = data["body"], data["html"]
    else:
        signature = activity_preferences_get(user=actor).email_signature
        text, html = _with_signature(data["body"], signature)
    headers = {"Message-ID": make_msgid(domain=domain)}
    if data.get("in_reply_to"):
        headers.update({"In-Reply-To": data["in_reply_to"], "References": data["in_reply_to"]})
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=text,
        from_email=from_email,
        to=to,
        cc=cc,
        reply_to=reply_to,
        headers=headers,
    )
    message.attach_alternative(html, "text/html")
    for upload in data.get("attachments") or []:
        upload.seek(0)
        message.attach(upload.name or "file", upload.read(), v.content_type_of(upload))
        upload.seek(0)
    return message


def _deliver_now(message: EmailMultiAlternatives) -> None:
    """Send through SMTP now, or raise ``EmailSendFailed`` with the reason."""
    try:
        sent = get_connection(fail_silently=False).send_messages([message])
    except (smtplib.SMTPException, OSError) as exc:
        raise EmailSendFailed(
            _("The mail server did not take the e-mail (%(reason)s). Nothing was sent.")
            % {"reason": type(exc).__name__}
        ) from exc
    if not sent:
        raise EmailSendFailed(_("The mail server did not take the e-mail. Nothing was sent."))


def _checked(actor: User, data: EmailData) -> tuple[EmailData, list[str], list[str]]:
    """The input checked and its merge fields filled; ``ValidationError`` naming the
    fields otherwise."""
    errors: Errors = {}
    to = _addresses(data.get("to"), "to", errors, required=True)
    cc = _addresses(data.get("cc"), "cc", errors, required=False)
    if len(to) + len(cc) > MAX_RECIPIENTS:
        add(errors, "to", _("At most %(limit)d recipients.") % {"limit": MAX_RECIPIENTS})
    subject = " ".join(str(data.get("subject") or "").split())
    body = str(data.get("body") or "").strip()
    if not subject:
        add(errors, "subject", _("Enter a subject."))
    if not body:
        add(errors, "body", _("Write the e-mail."))
    if data.get("attachments"):
        v.clean_attachments(data["attachments"], errors)
    if data.get("html"):  # filled in already
        filled: EmailData = {**data, "subject": subject[:200], "body": body}
    else:
        people = person_list(user=actor).filter(pk__in=data.get("person_ids") or [])
        org_id = data.get("organization_id")
        org = organization_list(user=actor).filter(pk=org_id).first() if org_id else None
        values = composer_fields(actor, people.order_by("pk").first(), org)
        filled = {
            **data,
            "subject": _filled(subject, "subject", values, errors)[:200],
            "body": _filled(body, "body", values, errors),
        }
    raise_errors(errors)
    return filled, to, cc


def _known_people(actor: User, addresses: list[str], person_ids: list[int]) -> list[int]:
    """The linked people and the people the e-mail went to, as far as ``actor`` sees
    them (through the contacts selector)."""
    found = person_list(user=actor).filter(email__in=addresses).values_list("pk", flat=True)
    return list(dict.fromkeys([*person_ids, *found]))


def email_send(*, actor: User, data: EmailData, sender_user: User | None = None) -> Interaction:
    """Send an e-mail and log it as an outbound e-mail interaction of the people it
    went to (the known ones), the linked people, organization and higher record, with
    its ``Message-ID``. ``ValidationError`` for bad input, ``EmailSendFailed`` when the
    server refused it: in both cases nothing is logged or kept. ``sender_user`` sends
    in another user's name (From, Reply-To, signature) what ``actor`` writes: a
    workflow rule, acting as the system user, writes as the record's owner."""
    data, to, cc = _checked(actor, data)
    message = _message(sender_user or actor, data, to, cc)
    message_id = message.extra_headers["Message-ID"]
    in_reply_to = str(data.get("in_reply_to") or "")[:255]
    thread = Interaction.objects.filter(message_id=in_reply_to).exclude(message_id="")
    stored: list[str] = []
    try:
        with transaction.atomic():
            interaction = interaction_create(
                actor=actor,
                data=cast(
                    InteractionData,
                    {
                        "channel": InteractionChannel.EMAIL,
                        "direction": Direction.OUTBOUND,
                        "subject": data["subject"],
                        "body": message.body,
                        "person_ids": _known_people(actor, to + cc, data.get("person_ids") or []),
                        "organization_id": data.get("organization_id"),
                        **_related(data),
                        "attachments": list(data.get("attachments") or []),
                        "message_id": message_id,
                        "in_reply_to": in_reply_to,
                        "thread_key": next(
                            iter(thread.values_list("thread_key", flat=True)), message_id
                        ),
                        **({"owner_id": sender_user.pk} if sender_user is not None else {}),
                    },
                ),
            )
            stored = [str(a.file.name) for a in interaction.attachments.all()]
            _deliver_now(message)
    except EmailSendFailed:
        for name in stored:  # the rolled-back attachments' files
            default_storage.delete(name)
        raise
    return interaction


def _related(data: EmailData) -> dict[str, Any]:
    if not data.get("related_type"):
        return {}
    return {"related_type": data["related_type"], "related_id": data.get("related_id")}


def email_follow_up(*, actor: User, interaction: Interaction, days: int) -> Task:
    """A task for ``actor`` to follow up on an e-mail in ``days`` days, linked like it."""
    if not 0 <= days <= 365:
        raise ValidationError({"days": [_("Enter a number of days from 0 to 365.")]})
    return task_create(
        actor=actor,
        data=cast(
            TaskData,
            {
                "title": (_("Follow up: %(subject)s") % {"subject": interaction.subject})[:200],
                "due_at": timezone.now() + datetime.timedelta(days=days),
                "assignee_id": actor.pk,
                "person_ids": list(interaction.people.values_list("pk", flat=True)),
                "organization_id": interaction.organization_id,
                **_related(
                    {"related_type": interaction.related_type, "related_id": interaction.related_id}
                ),
            },
        ),
    )
