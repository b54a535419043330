"""What ``core.api.records`` needs to serve ``/forms`` (list with ``q``, create,
retrieve, patch, delete) from the kind's declaration in ``marketing.kinds``. The public
``POST /forms/<slug>/submit`` for headless sites is a page of ``views.forms_public``
(no token: the visitor's address is rate-limited instead)."""

from __future__ import annotations

import datetime
from typing import Annotated, Any, cast

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field

from clientela.core.api import api_user
from clientela.core.api.schemas import Flag, InputSchema, OutputSchema, omissible
from clientela.core.choices import Language
from clientela.marketing.api.segments import NamedParams
from clientela.marketing.choices import ConsentChannel, FormFieldType
from clientela.marketing.filters import NamedFilters
from clientela.marketing.models import LeadForm
from clientela.marketing.selectors import forms as selectors
from clientela.marketing.services import lead_forms as services


class FieldIn(InputSchema):
    key: str = Field(max_length=40, description="A lower-case word: the posted name.")
    label: str = Field(max_length=200)
    type: FormFieldType
    required: Flag = False
    maps_to: str = Field(
        "",
        max_length=50,
        description="A lead field (first_name, last_name, email, phone, company, job_title, "
        "notes) or `custom.<key>`; empty: kept in the lead's notes.",
    )
    choices: list[Annotated[str, Field(max_length=200)]] | None = Field(
        None, max_length=50, description="The options of a `select`."
    )


class FormConsentIn(InputSchema):
    purpose: str = Field(max_length=50, description="A consent purpose's key (newsletter…).")
    channel: ConsentChannel
    text: str = Field(max_length=2000, description="The exact text shown: stored as the proof.")


class LeadFormIn(InputSchema):
    name: Annotated[str, Field(max_length=200)] = omissible("Required on create.")
    slug: Annotated[str, Field(max_length=80)] = omissible(
        "Required on create: the public page is `/forms/<slug>/`."
    )
    active: Flag = omissible()
    title: Annotated[str, Field(max_length=200)] = omissible()
    intro: Annotated[str, Field(max_length=2000)] = omissible()
    submit_label: Annotated[str, Field(max_length=60)] = omissible()
    fields: Annotated[list[FieldIn], Field(max_length=30)] = omissible(
        "Required on create: the whole list, in order."
    )
    consents: Annotated[list[FormConsentIn], Field(max_length=10)] = omissible(
        "Consent checkboxes (need a required e-mail field)."
    )
    double_opt_in: Flag = omissible()
    proof_of_work: Flag = omissible(
        "Submissions need a solved challenge of GET /forms/{slug}/challenge."
    )
    campaign_id: int | None = omissible("The campaign new leads are credited to.")
    lead_owner_id: int | None = omissible("Who owns the new leads (default: the form's owner).")
    notify_owner: Flag = omissible()
    notify_email: Annotated[str, Field(max_length=254)] = omissible()
    thank_you: Annotated[str, Field(max_length=2000)] = omissible()
    redirect_url: Annotated[str, Field(max_length=500)] = omissible(
        "After a submission, go to this https address on an allowed origin's site."
    )
    allowed_origins: Annotated[
        list[Annotated[str, Field(max_length=200)]], Field(max_length=20)
    ] = omissible("The https origins that may embed the form and post to it.")
    language: Language = omissible()


class LeadFormPatch(LeadFormIn):
    version: int | None = Field(None, ge=1, description="The version you read (or If-Match).")


class LeadFormOut(OutputSchema):
    id: int
    name: str
    slug: str
    active: bool
    title: str
    intro: str
    submit_label: str
    fields: list[dict[str, Any]]
    consents: list[dict[str, Any]]
    double_opt_in: bool
    proof_of_work: bool
    campaign_id: int | None
    lead_owner_id: int | None
    notify_owner: bool
    notify_email: str
    thank_you: str
    redirect_url: str
    allowed_origins: list[str]
    language: str
    public_url: str
    submit_url: str
    owner_id: int
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


def lead_form_out(form: LeadForm) -> LeadFormOut:
    base = f"{services.own_origin()}/forms/{form.slug}/"
    return LeadFormOut(
        id=form.pk,
        name=form.name,
        slug=form.slug,
        active=form.active,
        title=form.title,
        intro=form.intro,
        submit_label=form.submit_label,
        fields=form.fields,
        consents=form.consents,
        double_opt_in=form.double_opt_in,
        proof_of_work=form.proof_of_work,
        campaign_id=form.campaign_id,
        lead_owner_id=form.lead_owner_id,
        notify_owner=form.notify_owner,
        notify_email=form.notify_email,
        thank_you=form.thank_you,
        redirect_url=form.redirect_url,
        allowed_origins=form.allowed_origins,
        language=form.language,
        public_url=base,
        submit_url=base + "submit",
        owner_id=form.owner_id,
        version=form.version,
        created_at=form.created_at,
        updated_at=form.updated_at,
    )


def _plain(value: Any) -> Any:
    value = getattr(value, "value", value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def lead_form_data(payload: LeadFormIn) -> services.LeadFormData:
    raw = payload.model_dump(exclude_unset=True, exclude={"version"})
    return cast(services.LeadFormData, {k: _plain(v) for k, v in raw.items()})


def lead_forms_query(request: HttpRequest, params: NamedParams) -> QuerySet[LeadForm]:
    filters, errors = NamedFilters.from_params(request.GET)
    if errors:
        raise ValidationError(errors)
    return selectors.lead_form_list(user=api_user(request), filters=filters)


FORM_DOCS = {
    "list": "Filters: `q` (words of the name or address). By name by default.",
    "create": "A name, an address (`slug`) and the fields are required; one field must map "
    "to the e-mail or to a name.",
    "update": "Send only what changes; `fields`, `consents` and `allowed_origins` replace "
    "the whole list.",
}
