"""Reads of e-mail templates, narrowed first to what the asking user may see (their
role's right on templates: the marketing role keeps them, sales reps and support agents
read them); the list's filters are ``filters.TemplateFilters``."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from clientela.core.email_registry import FilledTemplate
from clientela.core.errors import NotFound
from clientela.core.kinds import parse_id
from clientela.marketing.filters import TemplateFilters
from clientela.marketing.models import EmailTemplate, TemplateVersion
from clientela.marketing.rendering import (
    CAMPAIGN_FIELDS,
    Rendered,
    choose_version,
    company_fields,
    compile_version,
    person_merge_fields,
)


def _versions() -> Prefetch[Any]:
    return Prefetch("versions", queryset=TemplateVersion.objects.order_by("language"))


def templates_visible(user: Any) -> QuerySet[EmailTemplate]:
    """The live templates ``user`` may read."""
    return EmailTemplate.objects.alive().visible_to(user)


def email_template_list(
    *, user: Any, filters: TemplateFilters | None = None
) -> QuerySet[EmailTemplate]:
    filters = filters or TemplateFilters()
    qs = templates_visible(user).select_related("owner").prefetch_related(_versions())
    if filters.q:
        for word in filters.q.split()[:8]:
            qs = qs.filter(Q(name__icontains=word) | Q(description__icontains=word))
    if filters.language:
        qs = qs.filter(versions__language=filters.language)
    return qs.order_by(*filters.order_by())


def email_template_get(*, user: Any, pk: Any) -> EmailTemplate:
    """One template with its versions; ``NotFound`` if missing, trashed or not visible."""
    found = (
        templates_visible(user)
        .select_related("owner")
        .prefetch_related(_versions())
        .filter(pk=parse_id(pk))
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def email_template_trash_get(*, user: Any, pk: Any) -> EmailTemplate:
    found = (
        EmailTemplate.objects.visible_to(user)
        .filter(pk=parse_id(pk), deleted_at__isnull=False)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


# --- the preview ------------------------------------------------------------------------


def preview_fields(*, user: Any, person_id: int | None) -> dict[str, str]:
    """The merge fields of a person ``user`` may see (``NotFound`` otherwise), or of a
    made-up person when none is named; the campaign's links as "#"."""
    links = dict.fromkeys(CAMPAIGN_FIELDS, "#")
    if person_id is None:
        name = user.get_full_name() or user.username
        sample = {
            "first_name": user.first_name or user.username,
            "last_name": user.last_name,
            "full_name": name,
            "email": user.email,
            "organization": "",
            "owner_name": name,
            "owner_signature": "\n".join(p for p in (name, user.email) if p),
            "language": getattr(user, "language", ""),
        }
        return {**company_fields(), **sample, **links}
    found = person_merge_fields(user=user, person_ids=[parse_id(person_id)])
    if not found:
        raise NotFound()
    return {**next(iter(found.values())), **links}


def template_preview(
    *, user: Any, template: EmailTemplate, person_id: int | None, language: str = ""
) -> Rendered:
    """``template`` filled in for a person ``user`` may see (``NotFound`` otherwise), in
    ``language``'s version if given, else the person's: a ``rendering.Rendered``."""
    fields = preview_fields(user=user, person_id=person_id)
    version = choose_version(
        template.versions.all(), language or fields.get("language", ""), template.default_language
    )
    return compile_version(version).render(fields)


# --- for the composer of one e-mail (``core.email_templates``) ---------------------------


def template_options(user: Any) -> list[tuple[int, str]]:
    """(id, name) of the templates ``user`` may start an e-mail from."""
    return list(templates_visible(user).order_by("name", "id").values_list("pk", "name")[:500])


def template_filled(user: Any, template_id: int, person_id: int | None) -> FilledTemplate:
    """A template filled in for a person as one e-mail's subject and text (a campaign's
    links, meaningless in one e-mail, come out as "#")."""
    template = email_template_get(user=user, pk=template_id)
    rendered = template_preview(user=user, template=template, person_id=person_id)
    return FilledTemplate(subject=rendered.subject, text=rendered.text)
