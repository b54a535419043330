"""Every write to leads: create, update, status changes, trash/restore and the
conversion into a person, an organization and optionally a deal.

Create and update take a partial mapping (``LeadData``): keys present are set, keys
absent stay as they are. E-mails are stored normalized (lower case) and phones in
E.164, so conversion and the match suggestions compare like with like. A lead becomes
"converted" only through ``lead_convert``, which does its whole work in one
transaction: if any part fails (say the deal's currency is unknown) nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.activities.models import Interaction
from clientela.activities.services import InteractionData, interaction_create
from clientela.contacts.models import Organization, Person
from clientela.contacts.services import (
    MembershipInput,
    OrganizationData,
    PersonData,
    organization_create,
    person_create,
)
from clientela.core import search
from clientela.core.models import User
from clientela.core.normalize import normalize_email, normalize_phone, phone_search_terms
from clientela.core.permissions import can
from clientela.core.services import RecordWrites, record_restore, record_trash
from clientela.core.validation import clean_text
from clientela.sales.choices import LeadSource, LeadStatus
from clientela.sales.models import Deal, Lead
from clientela.sales.selectors import leads as selectors
from clientela.sales.services import common as c
from clientela.sales.services.deals import deal_create

#: Text fields taken as they are (stripped, within the column's length).
LEAD_TEXT = ("first_name", "last_name", "company", "job_title", "notes")
#: Statuses a user may set by hand; "converted" comes only from ``lead_convert``.
MANUAL_STATUSES = (
    LeadStatus.NEW,
    LeadStatus.CONTACTED,
    LeadStatus.QUALIFIED,
    LeadStatus.DISQUALIFIED,
)


class LeadData(TypedDict, total=False):
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    company: str
    job_title: str
    source: str
    status: str
    disqualified_reason: str
    notes: str
    owner_id: int | None


@dataclass(frozen=True)
class ConversionResult:
    """What a conversion linked or created (None where the lead had nothing for it)."""

    person: Person | None
    organization: Organization | None
    deal: Deal | None


# --- shared steps -----------------------------------------------------------------------


def lead_snapshot(lead: Lead) -> dict[str, Any]:
    return {
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "email": lead.email,
        "phone": lead.phone,
        "company": lead.company,
        "job_title": lead.job_title,
        "source": lead.source,
        "status": lead.status,
        "disqualified_reason": lead.disqualified_reason,
        "notes": lead.notes,
        "owner": str(lead.owner) if lead.owner_id else None,
        "team": str(lead.team) if lead.team_id else None,
        "converted_person": lead.converted_person,
        "converted_organization": lead.converted_organization,
        "converted_deal": lead.converted_deal,
    }


def lead_reindex(lead: Lead) -> None:
    """The lead in the header search (name, company, e-mail, phone digits)."""
    name = f"{lead.first_name} {lead.last_name}".strip()
    search.index_record(
        resource=Lead.RESOURCE,
        object_id=lead.pk,
        owner_id=lead.owner_id,
        team_id=lead.team_id,
        title=str(lead),
        subtitle=", ".join(x for x in (lead.company if name else "", lead.email) if x),
        parts=[
            lead.first_name,
            lead.last_name,
            lead.company,
            lead.email,
            *(phone_search_terms(lead.phone) if lead.phone else []),
        ],
    )


def _clean_status(lead: Lead, data: LeadData, errors: c.Errors) -> None:
    """Status and disqualification reason: a disqualified lead needs a reason; the
    reason is cleared when the lead is requalified; "converted" is never set here."""
    if "status" not in data and "disqualified_reason" not in data:
        return
    status = data.get("status", lead.status)
    reason_raw = data.get("disqualified_reason", lead.disqualified_reason)
    if reason_raw is not None and not isinstance(reason_raw, str):
        c.add(errors, "disqualified_reason", _("Enter text."))
        return
    reason = (reason_raw or "").strip()
    if lead.status == LeadStatus.CONVERTED and status != LeadStatus.CONVERTED:
        c.add(errors, "status", _("This lead is converted; its status can no longer change."))
        return
    if status == LeadStatus.CONVERTED and lead.status != LeadStatus.CONVERTED:
        c.add(errors, "status", _("A lead becomes converted only by converting it."))
        return
    if status != LeadStatus.CONVERTED and status not in MANUAL_STATUSES:
        c.add(
            errors,
            "status",
            _("Unknown status “%(value)s”; choose one of: %(choices)s.")
            % {"value": status, "choices": ", ".join(MANUAL_STATUSES)},
        )
        return
    if status == LeadStatus.DISQUALIFIED:
        if not reason:
            c.add(errors, "disqualified_reason", _("Say why the lead is disqualified."))
            return
        if len(reason) > 200:
            c.add(errors, "disqualified_reason", _("At most 200 characters."))
            return
    else:
        reason = ""
    lead.status, lead.disqualified_reason = status, reason


def _contact_point(
    raw: str | None, name: str, normalize: Callable[[str], str], errors: c.Errors
) -> str | None:
    """An e-mail or phone normalized, "" when blank, None (and an error) when invalid."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return ""
    try:
        return normalize(raw)
    except ValidationError as exc:
        errors[name] = exc.messages
        return None


def _clean_lead(actor: User, lead: Lead, data: LeadData, errors: c.Errors) -> None:
    for name, value in clean_text(Lead, data, LEAD_TEXT, errors).items():
        setattr(lead, name, value)
    if "email" in data:
        email = _contact_point(data["email"], "email", normalize_email, errors)
        lead.email = lead.email if email is None else email
    if "phone" in data:
        phone = _contact_point(data["phone"], "phone", normalize_phone, errors)
        lead.phone = lead.phone if phone is None else phone
    if "source" in data:
        source = data["source"]
        if source not in LeadSource.values:
            c.add(
                errors,
                "source",
                _("Unknown source “%(value)s”; choose one of: %(choices)s.")
                % {"value": source, "choices": ", ".join(LeadSource.values)},
            )
        else:
            lead.source = source
    _clean_status(lead, data, errors)
    if data.get("owner_id") is not None or lead.pk is None:
        owner = c.clean_owner_id(data.get("owner_id"), errors)
        if "owner_id" not in errors:
            assigned = c.assign_owner_team(actor, Lead.RESOURCE, owner, errors)
            if assigned is not None:
                lead.owner, lead.team = assigned
    has_name = bool(lead.first_name or lead.last_name)
    if not (has_name or lead.company or lead.email) and not (
        {"first_name", "last_name", "company", "email"} & set(errors)
    ):
        c.add(errors, "last_name", _("Give at least a name, a company or an e-mail."))


def _save(actor: User, lead: Lead, data: LeadData) -> None:
    errors: c.Errors = {}
    _clean_lead(actor, lead, data, errors)
    c.raise_errors(errors)
    lead.save()
    lead_reindex(lead)


def _create(actor: User, lead: Lead, data: LeadData) -> None:
    if data.get("status") == LeadStatus.CONVERTED:
        raise ValidationError({"status": [_("A lead becomes converted only by converting it.")]})
    _save(actor, lead, data)


# --- create, update, status, trash ------------------------------------------------------


_LEADS = RecordWrites(apply=_save, apply_new=_create, snapshot=lead_snapshot)


def lead_create(*, actor: User, data: LeadData) -> Lead:
    return _LEADS.create(actor, Lead(), data)


def lead_from_email(actor: User, name: str, address: str, subject: str) -> tuple[str, int]:
    """A new lead for the unknown sender of an e-mail (offered by the contact-history
    log, ``core.email_registry``): (its resource, its id)."""
    first, _space, last = (name or address.split("@")[0]).strip().partition(" ")
    lead = lead_create(
        actor=actor,
        data={
            "first_name": first[:100],
            "last_name": last[:100],
            "email": address,
            "source": LeadSource.OTHER,
            "notes": (_("From the e-mail “%(subject)s”.") % {"subject": subject})[:2000],
        },
    )
    return Lead.RESOURCE, lead.pk


def lead_update(
    *, actor: User, lead: Lead, data: LeadData, expected_version: int | None = None
) -> Lead:
    return _LEADS.update(actor, lead, data, expected_version)


def lead_set_status(
    *,
    actor: User,
    lead: Lead,
    status: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Lead:
    """Move a lead to new, contacted, qualified or disqualified (with a reason)."""
    data: LeadData = {"status": status, "disqualified_reason": reason}
    return lead_update(actor=actor, lead=lead, data=data, expected_version=expected_version)


def lead_trash(*, actor: User, lead: Lead, expected_version: int | None = None) -> None:
    record_trash(actor=actor, record=lead, expected_version=expected_version)


def lead_restore(*, actor: User, lead: Lead) -> None:
    record_restore(actor=actor, record=lead, reindex=lead_reindex)


# --- scores -----------------------------------------------------------------------------

#: Leads written per UPDATE statement by ``lead_scores_set``.
SCORE_BATCH = 500
#: Reasons kept per lead, and the length of each.
MAX_REASONS, MAX_REASON_CHARS = 5, 200


def lead_scores_set(*, scores: Mapping[int, tuple[int, list[str]]]) -> int:
    """Give leads their score (0–100) and its reasons: ``{lead id: (score, reasons)}``,
    written by analytics' lead scoring (nightly for every open lead, and for one lead
    after it changed). Returns how many leads it wrote (trashed or unknown ids are left
    out).

    A score is derived data, not an edit: the lead's ``version`` and ``updated_at`` stay
    as they are and no audit entry is written. Bumping the version would make whoever
    has the lead's form open get a version conflict on save for a change they cannot
    see nor undo, every night; and the history would fill with one machine entry per
    lead and night. Nothing but these two columns is touched, in bulk."""
    for pk, (score, reasons) in scores.items():
        if type(score) is not int or not 0 <= score <= 100:
            raise ValueError(f"lead {pk}: a score is a whole number from 0 to 100, not {score!r}")
        if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
            raise ValueError(f"lead {pk}: the reasons are a list of text")
    written = 0
    ids = sorted(scores)
    with transaction.atomic():
        for start in range(0, len(ids), SCORE_BATCH):
            batch = ids[start : start + SCORE_BATCH]
            alive = set(
                Lead.objects.filter(pk__in=batch, deleted_at__isnull=True).values_list(
                    "pk", flat=True
                )
            )
            leads = [
                Lead(
                    pk=pk,
                    score=scores[pk][0],
                    score_reasons=[r[:MAX_REASON_CHARS] for r in scores[pk][1][:MAX_REASONS]],
                )
                for pk in batch
                if pk in alive
            ]
            Lead.objects.bulk_update(leads, ["score", "score_reasons"])
            written += len(leads)
    return written


# --- conversion -------------------------------------------------------------------------


def _pick(qs: Any, pk: Any, field: str, errors: c.Errors) -> Any:
    if type(pk) is not int or pk <= 0:
        c.add(errors, field, _("Give the record as an id."))
        return None
    found = qs.filter(pk=pk).first()
    if found is None:
        c.add(errors, field, _("There is no such record: %(id)s.") % {"id": pk})
    return found


def _prefixed(exc: ValidationError, prefix: str) -> ValidationError:
    """A nested service's errors under ``prefix.`` (``deal.currency``)."""
    if not hasattr(exc, "error_dict"):
        return ValidationError({prefix: exc.messages})
    return ValidationError(
        {
            (prefix if key == "__all__" else f"{prefix}.{key}"): messages
            for key, messages in exc.message_dict.items()
        }
    )


def _person_name(lead: Lead) -> tuple[str, str]:
    """The new person's first and last name; a lead known only by its e-mail gives
    the address's local part as the last name."""
    if lead.first_name or lead.last_name:
        return lead.first_name, lead.last_name
    return "", lead.email.split("@", 1)[0][:100]


def _create_person(actor: User, lead: Lead, organization: Organization | None) -> Person:
    first, last = _person_name(lead)
    data: PersonData = {"first_name": first, "last_name": last}
    if lead.email:
        data["email"] = lead.email
    if lead.phone:
        data["phone"] = lead.phone
    if organization is not None:
        data["memberships"] = [
            MembershipInput(organization.pk, lead.job_title or "", is_primary=True)
        ]
    try:
        return person_create(actor=actor, data=data)
    except ValidationError as exc:
        raise _prefixed(exc, "person") from exc


def _create_organization(actor: User, lead: Lead) -> Organization:
    data: OrganizationData = {"name": lead.company}
    try:
        return organization_create(actor=actor, data=data)
    except ValidationError as exc:
        raise _prefixed(exc, "organization") from exc


def _create_deal(
    actor: User,
    lead: Lead,
    deal: Mapping[str, Any] | None,
    person: Person | None,
    organization: Organization | None,
) -> Deal:
    data: dict[str, Any] = dict(deal or {})
    if not str(data.get("title") or "").strip():
        data["title"] = lead.company or str(lead)
    if organization is not None and "organization_id" not in data:
        data["organization_id"] = organization.pk
    if person is not None and "person_ids" not in data:
        data["person_ids"] = [person.pk]
    try:
        return deal_create(actor=actor, data=data)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise _prefixed(exc, "deal") from exc


def _log_on_timeline(
    actor: User, lead: Lead, person: Person | None, organization: Organization | None
) -> None:
    """A note on the person's (else the organization's) timeline: "Converted from
    lead …", linked back to the lead."""
    if (person is None and organization is None) or not can(actor, "create", Interaction.RESOURCE):
        return
    subject = _("Converted from lead “%(lead)s”") % {"lead": lead}
    lines = [
        f"{label}: {value}"
        for label, value in (
            (_("Company"), lead.company),
            (_("Job title"), lead.job_title),
            (_("Source"), lead.get_source_display()),
        )
        if value
    ]
    if lead.notes:
        lines += ["", lead.notes]
    data: InteractionData = {
        "channel": "note",
        "subject": subject[:200],
        "body": "\n".join(lines)[:20000],
        "person_ids": [person.pk] if person is not None else [],
        "related_type": Lead.RESOURCE,
        "related_id": lead.pk,
    }
    if organization is not None:
        data["organization_id"] = organization.pk
    interaction_create(actor=actor, data=data)


class ConversionOptions(TypedDict, total=False):
    """How a conversion is asked for (``lead_convert``)."""

    person_id: int | None
    organization_id: int | None
    create_deal: bool
    deal: Mapping[str, Any] | None
    create_person: bool
    create_organization: bool
    skip_organization: bool


def _linked(
    actor: User, lead: Lead, ask: ConversionOptions
) -> tuple[Person | None, Organization | None]:
    """The lead may be converted, and the person and organization asked for exist."""
    errors: c.Errors = {}
    if lead.status == LeadStatus.CONVERTED:
        c.add(errors, "status", _("This lead is already converted."))
    elif lead.status == LeadStatus.DISQUALIFIED:
        c.add(errors, "status", _("A disqualified lead cannot be converted; requalify it first."))
    person: Person | None = None
    organization: Organization | None = None
    if ask.get("person_id") is not None:
        person = _pick(selectors.people_for(actor), ask["person_id"], "person_id", errors)
    if ask.get("organization_id") is not None and not ask.get("skip_organization"):
        organization = _pick(
            selectors.organizations_for(actor), ask["organization_id"], "organization_id", errors
        )
    deal = ask.get("deal")
    if ask.get("create_deal") and deal is not None and not isinstance(deal, Mapping):
        c.add(errors, "deal", _("Send the deal as an object."))
    c.raise_errors(errors)
    return person, organization


def _convert(actor: User, lead: Lead, ask: ConversionOptions) -> None:
    person, organization = _linked(actor, lead, ask)
    if person is None and not ask.get("create_person"):
        person = selectors.person_with_email(actor, lead.email)
    if organization is None and not ask.get("skip_organization") and lead.company:
        if not ask.get("create_organization"):
            organization = selectors.organization_named(actor, lead.company)
        if organization is None:
            organization = _create_organization(actor, lead)
    if person is None and (lead.first_name or lead.last_name or lead.email):
        person = _create_person(actor, lead, organization)
    deal = None
    if ask.get("create_deal"):
        deal = _create_deal(actor, lead, ask.get("deal"), person, organization)
    lead.status = LeadStatus.CONVERTED
    lead.converted_at = timezone.now()
    lead.converted_person, lead.converted_organization = person, organization
    lead.converted_deal = deal
    lead.save()


_CONVERSION = RecordWrites(apply=_convert, snapshot=lead_snapshot)


@transaction.atomic
def lead_convert(
    *,
    actor: User,
    lead: Lead,
    expected_version: int | None = None,
    **ask: Unpack[ConversionOptions],
) -> ConversionResult:
    """Turn a lead into customer records, in one transaction.

    The person is the one given (``person_id``), else the visible person with the
    lead's e-mail, else a new one (``create_person`` forces a new one). The
    organization is the one given, else the visible organization named like the lead's
    company, else a new one when the lead has a company (``create_organization``
    forces a new one, ``skip_organization`` links none). A new person joins the
    organization with the lead's job title. With ``create_deal`` a deal is created
    from ``deal`` (``DealData``; its errors come back as ``deal.<field>``). The lead is
    marked converted and keeps links to all three; the person's timeline gets a note.
    """
    fresh = _CONVERSION.update(actor, lead, ask, expected_version)
    person, organization = fresh.converted_person, fresh.converted_organization
    _log_on_timeline(actor, fresh, person, organization)
    lead.status, lead.version = fresh.status, fresh.version
    lead.converted_at = fresh.converted_at
    lead.converted_person, lead.converted_organization = person, organization
    lead.converted_deal = fresh.converted_deal
    return ConversionResult(person=person, organization=organization, deal=fresh.converted_deal)


__all__ = [
    "ConversionOptions",
    "ConversionResult",
    "LeadData",
    "lead_convert",
    "lead_create",
    "lead_restore",
    "lead_scores_set",
    "lead_set_status",
    "lead_trash",
    "lead_update",
]
