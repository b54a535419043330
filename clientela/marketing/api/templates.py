"""What ``core.api.records`` needs to serve ``/email-templates`` (list with ``q`` and
``language``, create, retrieve, patch, delete) from the kind's declaration in
``marketing.kinds``."""

from __future__ import annotations

import datetime
from typing import Annotated, cast

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field

from clientela.core.api import PageParams, api_user
from clientela.core.api.schemas import InputSchema, OutputSchema, omissible
from clientela.core.choices import Language
from clientela.marketing.filters import TemplateFilters
from clientela.marketing.models import EmailTemplate
from clientela.marketing.rendering import MERGE_FIELDS
from clientela.marketing.selectors import templates as selectors
from clientela.marketing.services import templates as services

_FIELDS = ", ".join(f"`{{{{ {name} }}}}`" for name in MERGE_FIELDS)


class TemplateVersionIn(InputSchema):
    language: Language
    subject: str = Field(min_length=1, max_length=300, description=f"With merge fields: {_FIELDS}.")
    html: str = Field(
        min_length=1,
        max_length=200_000,
        description="HTML with merge fields and `{% if field %} … {% endif %}`; CSS in a "
        "`<style>` is inlined when sent. A syntax error (with its line) or an unknown "
        "field is a 422 on `versions.<language>.html`.",
    )


class EmailTemplateIn(InputSchema):
    name: Annotated[str, Field(max_length=200)] = omissible("Required on create.")
    description: Annotated[str, Field(max_length=2000)] = omissible()
    purpose: Annotated[str, Field(max_length=50)] = omissible(
        "A hint for campaigns (newsletter, offers…)."
    )
    default_language: Language = omissible("en or es: the version of people in no other.")
    versions: Annotated[
        list[TemplateVersionIn], Field(min_length=1, max_length=len(Language.values))
    ] = omissible(
        "Required on create: the whole set, one per language (a language left out is removed)."
    )


class EmailTemplatePatch(EmailTemplateIn):
    version: int | None = Field(None, ge=1, description="The version you read (or If-Match).")


class TemplateVersionOut(OutputSchema):
    language: str
    subject: str
    html: str


class EmailTemplateOut(OutputSchema):
    id: int
    name: str
    description: str
    purpose: str
    default_language: str
    versions: list[TemplateVersionOut]
    owner_id: int
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class EmailTemplateListParams(PageParams):
    q: str | None = Field(None, max_length=200, description="Words of the name or description.")
    language: Language | None = None
    sort: str = Field(
        "name",
        max_length=20,
        pattern=r"^-?(name|updated|created)$",
        description="Sort by `name`, `updated` or `created` (`-key` descends).",
    )


def email_template_out(template: EmailTemplate) -> EmailTemplateOut:
    return EmailTemplateOut(
        id=template.pk,
        name=template.name,
        description=template.description,
        purpose=template.purpose,
        default_language=template.default_language,
        versions=[
            TemplateVersionOut(language=v.language, subject=v.subject, html=v.html)
            for v in template.versions.all()
        ],
        owner_id=template.owner_id,
        version=template.version,
        created_at=template.created_at,
        updated_at=template.updated_at,
    )


def email_template_data(payload: EmailTemplateIn) -> services.TemplateData:
    raw = payload.model_dump(exclude_unset=True, exclude={"version"})
    data = {k: getattr(v, "value", v) for k, v in raw.items()}
    if "versions" in data:
        data["versions"] = [
            {**v, "language": getattr(v["language"], "value", v["language"])}
            for v in data["versions"]
        ]
    return cast(services.TemplateData, data)


def email_templates_query(
    request: HttpRequest, params: EmailTemplateListParams
) -> QuerySet[EmailTemplate]:
    filters, errors = TemplateFilters.from_params(request.GET)
    if errors:
        raise ValidationError(errors)
    return selectors.email_template_list(user=api_user(request), filters=filters)


TEMPLATE_DOCS = {
    "list": "Filters: `q` (words of the name or description), `language` (templates with "
    "a version in it). By name by default.",
    "create": "A name and at least one version are required; the default language must "
    "have a version.",
    "update": "Send only the fields to change; `versions` replaces the whole set.",
}
