"""A visitor's submission of a web-to-lead form, accepted whole or not at all.

``form_submit`` checks the spam guards (``form_spam``; ``form_pow`` when the form asks
for a proof of work, whose challenge then serves this submission alone) and every value against the
form's fields (each problem on the field's key), then, in one transaction: the lead
through ``sales.services.leads.lead_create`` as the form's lead owner (source
``web_form``); for each ticked consent checkbox, the person found by the e-mail (any
person not in the trash, primary or other address) or created through
``contacts.services.person_create``, and the consent recorded through
``consent_record`` with the checkbox's exact text, the IP and the user agent (double
opt-in when the form asks: the confirmation e-mail goes once this commits); a
``CampaignAttribution`` for the form's campaign and for the campaign ``utm_campaign``
names (its id or its exact name); the submission row. The notification e-mail to the
lead's owner (and the form's extra address) goes after the commit.

Why the person only for consent: a lead is not yet a customer; the consent is a
person's (the suppression list and the campaigns read people), so a ticked box finds
or makes that person and links them on the submission; the lead's conversion later
links the same person by its e-mail.

Leads have no custom fields of their own yet: a field mapped to ``custom.<key>``, and
every field mapped to nothing, is kept on the submission and written into the lead's
notes ("Label: value"), so the owner sees it on the lead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.contacts.models import EmailAddress, Person
from clientela.contacts.services import person_create
from clientela.core import mail
from clientela.core.company import company_name
from clientela.core.normalize import normalize_email, normalize_phone
from clientela.core.validation import Errors, add
from clientela.marketing.choices import EMAIL_CHANNELS, ConsentSource, FormFieldType
from clientela.marketing.events import emit_form_submitted
from clientela.marketing.form_pow import USED as POW_USED
from clientela.marketing.form_pow import check_proof
from clientela.marketing.form_spam import SpamRefused, check_spam
from clientela.marketing.models import Campaign, CampaignAttribution, FormSubmission, LeadForm
from clientela.marketing.services.consent import consent_record
from clientela.marketing.services.lead_forms import LEAD_FIELDS, FieldSpec, own_origin
from clientela.sales.choices import LeadSource
from clientela.sales.models import Lead
from clientela.sales.services.leads import LeadData, lead_create

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
TEXT_LIMIT, TEXTAREA_LIMIT = 200, 5000
TRUE = frozenset({"on", "true", "1", "yes"})
REQUIRED = gettext_lazy("This field is required.")
#: The consent checkboxes' posted names: ``consent_0``, ``consent_1``…
CONSENT_KEY = "consent_{}"


class FormClosed(Exception):
    """The form takes no submissions now (inactive, or its lead owner lost the rights)."""


@dataclass
class Origin:
    """Where a submission came from."""

    ip: str = ""
    user_agent: str = ""
    referrer: str = ""
    utm: dict[str, str] = field(default_factory=dict)


# --- the values ------------------------------------------------------------------------


def _text(raw: Any) -> str | None:
    """A posted value as text (a form-encoded list: its last value); None if not text."""
    if isinstance(raw, list):
        raw = raw[-1] if raw else ""
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "on" if raw else ""
    if isinstance(raw, int | float):
        return str(raw)
    return raw if isinstance(raw, str) else None


def _limit(spec: FieldSpec) -> int:
    target = spec.get("maps_to", "")
    if target in LEAD_FIELDS:
        return LEAD_FIELDS[target]
    return TEXTAREA_LIMIT if spec.get("type") == FormFieldType.TEXTAREA else TEXT_LIMIT


def _clean_value(spec: FieldSpec, raw: Any, errors: Errors) -> Any:
    key, kind = spec["key"], spec.get("type")
    text = _text(raw)
    if text is None:
        add(errors, key, _("Send this field as text."))
        return None
    if kind == FormFieldType.CHECKBOX:
        ticked = text.strip().lower() in TRUE
        if spec.get("required") and not ticked:
            add(errors, key, _("Tick this box to go on."))
        return ticked
    value = text.strip()
    if not value:
        if spec.get("required"):
            add(errors, key, str(REQUIRED))
        return ""
    if len(value) > _limit(spec):
        add(errors, key, _("At most %(limit)s characters.") % {"limit": _limit(spec)})
        return None
    try:
        if kind == FormFieldType.EMAIL:
            return normalize_email(value)
        if kind == FormFieldType.PHONE:
            return normalize_phone(value)
    except ValidationError as exc:
        add(errors, key, " ".join(exc.messages))
        return None
    if kind == FormFieldType.SELECT and value not in spec.get("choices", []):
        add(errors, key, _("Choose one of the options."))
        return None
    return value


def clean_submission(form: LeadForm, data: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    """The form's values from ``data`` by field key (unknown keys are left out), and the
    consent checkboxes ticked (``consent_<n>``: True/False); the errors by key."""
    errors: Errors = {}
    values: dict[str, Any] = {}
    for spec in form.fields:
        value = _clean_value(spec, data.get(spec["key"]), errors)
        if value is not None:
            values[spec["key"]] = value
    for i, _consent in enumerate(form.consents):
        key = CONSENT_KEY.format(i)
        text = _text(data.get(key))
        values[key] = bool(text and text.strip().lower() in TRUE)
    return values, errors


def _lead_data(form: LeadForm, values: dict[str, Any], owner_id: int) -> LeadData:
    data: dict[str, Any] = {"source": LeadSource.WEB_FORM, "owner_id": owner_id}
    extra: list[str] = []
    for spec in form.fields:
        value = values.get(spec["key"])
        if value in (None, "", False):
            continue
        target = spec.get("maps_to", "")
        shown = _("Yes") if value is True else str(value)
        if target in LEAD_FIELDS and target != "notes":
            data[target] = value
        elif target == "notes" and spec.get("type") == FormFieldType.TEXTAREA:
            extra.insert(0, shown)
        else:
            extra.append(f"{spec['label']}: {shown}")
    if extra:
        data["notes"] = "\n".join(extra)[: LEAD_FIELDS["notes"]]
    return data  # type: ignore[return-value]


def _field_errors(form: LeadForm, exc: ValidationError) -> ValidationError:
    """The lead service's errors under the form's field keys."""
    keys = {spec.get("maps_to"): spec["key"] for spec in form.fields}
    errors: Errors = {}
    for name, messages in exc.message_dict.items():
        add(errors, keys.get(name, "__all__"), " ".join(messages))
    return ValidationError(errors)


# --- the person and the campaigns ---------------------------------------------------------


def _person(owner: Any, form: LeadForm, lead: Lead) -> Person:
    found = (
        Person.objects.alive()
        .filter(
            Q(email=lead.email)
            | Q(pk__in=EmailAddress.objects.filter(address=lead.email).values("person_id"))
        )
        .order_by("pk")
        .first()
    )
    if found is not None:
        return found
    first = lead.first_name or ("" if lead.last_name else lead.email.split("@")[0])
    data: dict[str, Any] = {
        "first_name": first[:100],
        "last_name": lead.last_name,
        "email": lead.email,
        "preferred_language": form.language,
    }
    if lead.phone:
        data["phone"] = lead.phone
    return person_create(actor=owner, data=data)  # type: ignore[arg-type]


def _utm_campaign(name: str) -> Campaign | None:
    if not name:
        return None
    live = Campaign.objects.alive()
    if name.isdigit() and len(name) < 19:
        found = live.filter(pk=int(name)).first()
        if found is not None:
            return found
    return live.filter(name__iexact=name).order_by("pk").first()


def attribute_lead(*, lead: Lead, campaigns: list[Campaign], at: Any) -> None:
    """Credit ``lead`` to each of ``campaigns`` in order: the first campaign that ever
    brought it keeps the first touch, the last one named here takes the last touch."""
    if not campaigns:
        return
    had_first = CampaignAttribution.objects.filter(lead=lead, first_touch=True).exists()
    CampaignAttribution.objects.filter(lead=lead, last_touch=True).update(last_touch=False)
    for i, campaign in enumerate(campaigns):
        row, _created = CampaignAttribution.objects.get_or_create(
            campaign=campaign, lead=lead, defaults={"at": at}
        )
        row.first_touch = row.first_touch or (not had_first and i == 0)
        row.last_touch = i == len(campaigns) - 1
        row.save(update_fields=["first_touch", "last_touch"])


# --- the submission ----------------------------------------------------------------------


def form_submit(
    *, form: LeadForm, data: Mapping[str, Any], origin: Origin, now: float | None = None
) -> FormSubmission:
    """Accept a visitor's ``data`` for ``form`` (see the module): ``SpamRefused``,
    ``FormClosed`` or ``ValidationError`` (by field key) and nothing saved, else the
    submission with its lead."""
    if not form.active or form.deleted_at is not None:
        raise FormClosed()
    check_spam(form.pk, data, now)
    proof = check_proof(form.pk, data) if form.proof_of_work else ""
    if proof and FormSubmission.objects.filter(proof=proof).exists():
        raise SpamRefused(POW_USED)
    values, errors = clean_submission(form, data)
    if errors:
        raise ValidationError(errors)
    owner = form.lead_owner or form.owner
    if owner is None or not owner.is_active:
        raise FormClosed()
    try:
        submission = _write(form, owner, values, origin, proof)
    except PermissionDenied:
        raise FormClosed() from None
    except IntegrityError:
        # Two posts of one solved challenge at once: the unique proof lets one in.
        if proof and FormSubmission.objects.filter(proof=proof).exists():
            raise SpamRefused(POW_USED) from None
        raise
    transaction.on_commit(lambda: notify(submission.pk), robust=True)
    return submission


@transaction.atomic
def _write(
    form: LeadForm, owner: Any, values: dict[str, Any], origin: Origin, proof: str
) -> FormSubmission:
    try:
        lead = lead_create(actor=owner, data=_lead_data(form, values, owner.pk))
    except ValidationError as exc:
        raise _field_errors(form, exc) from None
    ticked = [c for i, c in enumerate(form.consents) if values.get(CONSENT_KEY.format(i))]
    person = _person(owner, form, lead) if ticked and lead.email else None
    for consent in ticked:
        assert person is not None
        consent_record(
            actor=None,
            person=person,
            purpose=consent["purpose"],
            channel=consent["channel"],
            granted=True,
            source=ConsentSource.FORM,
            wording_text=consent["text"],
            wording_language=form.language,
            ip=origin.ip,
            user_agent=origin.user_agent,
            double_opt_in=form.double_opt_in and consent["channel"] in EMAIL_CHANNELS,
        )
    at = timezone.now()
    utm = {key: origin.utm.get(key, "")[:200] for key in UTM_KEYS}
    named = [form.campaign, _utm_campaign(utm["utm_campaign"])]
    campaigns = [c for i, c in enumerate(named) if c is not None and c not in named[:i]]
    alive = [c for c in campaigns if c.deleted_at is None]
    attribute_lead(lead=lead, campaigns=alive, at=at)
    submission = FormSubmission(
        form=form,
        data=values,
        lead=lead,
        person=person,
        ip=origin.ip or None,
        user_agent=origin.user_agent[:500],
        referrer=origin.referrer[:1000],
        at=at,
        proof=proof,
        **utm,
    )
    submission.full_clean(exclude=["form", "lead", "person"])
    submission.save()
    emit_form_submitted(submission)
    return submission


def _lines(form: LeadForm, data: Mapping[str, Any]) -> list[str]:
    lines = []
    for spec in form.fields:
        value = data.get(spec["key"])
        if value not in (None, "", False):
            lines.append(f"{spec['label']}: {_('Yes') if value is True else value}")
    return lines


def notify(submission_id: int) -> int:
    """E-mail the new lead to its owner (when the form says so) and to the form's extra
    address, each in the owner's language; how many messages went."""
    submission = (
        FormSubmission.objects.select_related("form", "lead", "lead__owner")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None or submission.lead is None:
        return 0
    form, lead = submission.form, submission.lead
    to = [lead.owner.email] if form.notify_owner and lead.owner and lead.owner.email else []
    if form.notify_email and form.notify_email not in to:
        to.append(form.notify_email)
    if not to:
        return 0
    language = getattr(lead.owner, "language", "") or None
    with translation.override(language):
        context = {
            "form": form,
            "lead": lead,
            "submission": submission,
            "lines": _lines(form, submission.data),
            "url": own_origin() + reverse("sales:lead-detail", args=[lead.pk]),
            "company": company_name(),
        }
        subject = _("New lead from “%(form)s”: %(lead)s") % {"form": form.name, "lead": lead}
        body = render_to_string("marketing/forms/notify_email.txt", context)
    message = EmailMessage(subject=subject, body=body, to=to)
    return len(to) if mail.deliver(message) else 0
