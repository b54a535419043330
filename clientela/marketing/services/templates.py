"""E-mail templates: create, change, trash, restore (the kind ``marketing.kinds.TEMPLATES``).

Create and update take a partial mapping (``TemplateData``); ``versions``, when given,
is the whole set of language versions (a language left out is removed). Every subject
and HTML body is checked as a merge-field template (``core.merge_fields``) before
anything is saved: a syntax error is reported with its line, an unknown merge field by
its name, on the version's field (``versions.<language>.html``).
"""

from __future__ import annotations

from typing import Any, TypedDict

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.core.choices import Language
from clientela.core.mail import deliver
from clientela.core.merge_fields import TemplateProblem, template_problem
from clientela.core.models import User
from clientela.core.services import RecordWrites, record_restore, record_trash
from clientela.core.validation import Errors, add, clean_text, raise_errors
from clientela.marketing.models import EmailTemplate, TemplateVersion
from clientela.marketing.rendering import MERGE_FIELDS

#: The longest subject and HTML body (the model's limits).
LIMITS = {"subject": 300, "html": 200_000}


class VersionData(TypedDict):
    language: str
    subject: str
    html: str


class TemplateData(TypedDict, total=False):
    name: str
    description: str
    purpose: str
    default_language: str
    versions: list[VersionData]


def template_snapshot(template: EmailTemplate) -> dict[str, Any]:
    versions = getattr(template, "_versions", None)
    if versions is None:
        versions = list(template.versions.all()) if template.pk else []
    snapshot: dict[str, Any] = {
        "name": template.name,
        "description": template.description,
        "purpose": template.purpose,
        "default_language": template.default_language,
    }
    for version in versions:
        snapshot[f"subject_{version.language}"] = version.subject
        snapshot[f"html_{version.language}"] = version.html
    return snapshot


def _clean_version(raw: Any, errors: Errors, seen: set[str]) -> TemplateVersion | None:
    if not isinstance(raw, dict):
        add(errors, "versions", _("Each version needs a language, a subject and HTML."))
        return None
    language = raw.get("language")
    if language not in Language.values or language in seen:
        add(errors, "versions", _("Give each version a different language: en or es."))
        return None
    seen.add(language)
    key = f"versions.{language}"
    version = TemplateVersion(language=language)
    for name in ("subject", "html"):
        value = raw.get(name)
        limit = LIMITS[name]
        if not isinstance(value, str) or not value.strip():
            add(errors, f"{key}.{name}", _("This version needs a subject and HTML."))
        elif len(value) > limit:
            add(errors, f"{key}.{name}", _("At most %(limit)s characters.") % {"limit": limit})
        elif problem := template_problem(value, MERGE_FIELDS, html=name == "html"):
            add(errors, f"{key}.{name}", str(problem))
        else:
            setattr(version, name, value.strip() if name == "subject" else value)
    return version


def _clean_versions(data: TemplateData, errors: Errors) -> list[TemplateVersion] | None:
    if "versions" not in data:
        return None
    raw = data["versions"]
    if not isinstance(raw, list) or not raw:
        add(errors, "versions", _("Write the template in at least one language."))
        return None
    seen: set[str] = set()
    versions = [_clean_version(item, errors, seen) for item in raw]
    return [v for v in versions if v is not None]


def _apply(actor: User, template: EmailTemplate, data: TemplateData) -> None:
    errors: Errors = {}
    fields = ("name", "description", "purpose")
    for name, value in clean_text(EmailTemplate, data, fields, errors).items():
        setattr(template, name, value)
    if not template.name and "name" not in errors:
        add(errors, "name", _("Give the template a name."))
    if "default_language" in data:
        if data["default_language"] not in Language.values:
            add(errors, "default_language", _("Choose English or Spanish."))
        else:
            template.default_language = data["default_language"]
    versions = _clean_versions(data, errors)
    if versions is None and template.pk is None and "versions" not in errors:
        add(errors, "versions", _("Write the template in at least one language."))
    if versions is not None:
        languages = {v.language for v in versions}
    elif template.pk is not None:
        languages = set(template.versions.values_list("language", flat=True))
    else:
        languages = set()
    if languages and template.default_language not in languages and "versions" not in errors:
        add(
            errors,
            "default_language",
            _("Write a version in the default language, or choose another default."),
        )
    raise_errors(errors)
    if template.pk is None:
        template.owner, template.team = actor, actor.team
    template.full_clean(exclude=["owner", "team"])
    template.save()
    if versions is not None:
        _save_versions(template, versions)


def _save_versions(template: EmailTemplate, versions: list[TemplateVersion]) -> None:
    kept = {v.language: v for v in template.versions.all()}
    for version in versions:
        old = kept.pop(version.language, None)
        if old is None:
            version.template = template
            version.save()
        elif (old.subject, old.html) != (version.subject, version.html):
            old.subject, old.html = version.subject, version.html
            old.save(update_fields=["subject", "html", "updated_at"])
    TemplateVersion.objects.filter(pk__in=[v.pk for v in kept.values()]).delete()
    template._versions = list(template.versions.all())  # type: ignore[attr-defined]


_TEMPLATES = RecordWrites(apply=_apply, snapshot=template_snapshot)


def email_template_create(*, actor: User, data: TemplateData) -> EmailTemplate:
    """A new template (the create right on templates): ``name`` and ``versions`` required."""
    return _TEMPLATES.create(actor, EmailTemplate(), data)


def email_template_update(
    *,
    actor: User,
    email_template: EmailTemplate,
    data: TemplateData,
    expected_version: int | None = None,
) -> EmailTemplate:
    """Change what ``data`` names (``versions``: the whole set)."""
    return _TEMPLATES.update(actor, email_template, data, expected_version)


def email_template_trash(
    *, actor: User, email_template: EmailTemplate, expected_version: int | None = None
) -> None:
    with transaction.atomic():
        record_trash(actor=actor, record=email_template, expected_version=expected_version)


def email_template_restore(*, actor: User, email_template: EmailTemplate) -> None:
    record_restore(actor=actor, record=email_template, reindex=lambda record: None)


def email_template_send_test(
    *, actor: User, email_template: EmailTemplate, person_id: int | None, language: str = ""
) -> str:
    """Send ``email_template`` filled in for a person the actor may see (or a made-up
    one) to the actor's own address, now; the address it went to. ``ValidationError``
    when the actor has no address or sending failed."""
    from clientela.marketing.selectors.templates import template_preview  # noqa: PLC0415

    if not actor.email:
        raise_errors({"email": [_("Your account has no e-mail address to send the test to.")]})
    try:
        rendered = template_preview(
            user=actor, template=email_template, person_id=person_id, language=language
        )
    except TemplateProblem as exc:  # saved broken some other way (an old row)
        raise_errors({"html": [str(exc)]})
    message = EmailMultiAlternatives(
        subject=_("[Test] %(subject)s") % {"subject": rendered.subject},
        body=rendered.text,
        to=[actor.email],
    )
    message.attach_alternative(rendered.html, "text/html")
    if not deliver(message):
        raise_errors({"email": [_("The test could not be sent; try again later.")]})
    return actor.email
