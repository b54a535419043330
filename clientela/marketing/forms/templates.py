"""The e-mail template's form (a subject and an HTML body per language, in tabs) and
the preview's person picker."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.contacts.forms import PersonPicker
from clientela.core.choices import Language
from clientela.core.forms import BootstrapMixin
from clientela.marketing.models import EmailTemplate
from clientela.marketing.services.templates import TemplateData, VersionData

LANGUAGES = tuple(Language.values)


def version_field_names(language: str) -> tuple[str, str]:
    return f"subject_{language}", f"html_{language}"


#: Service error keys -> this form's inputs.
ERROR_TARGETS = {
    f"versions.{language}.{part}": f"{part}_{language}"
    for language in LANGUAGES
    for part in ("subject", "html")
}


class EmailTemplateForm(BootstrapMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=200, widget=forms.TextInput({"autofocus": True})
    )
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea({"rows": 2})
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=50,
        required=False,
        help_text=_("A hint for the campaigns that use it: newsletter, offers, events…"),
    )
    default_language = forms.ChoiceField(
        label=_("Default language"),
        choices=Language.choices,
        help_text=_("People whose language has no version get this one."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, users: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for language in LANGUAGES:
            subject, html = version_field_names(language)
            self.fields[subject] = forms.CharField(
                label=_("Subject"),
                max_length=300,
                required=False,
                widget=forms.TextInput({"class": "form-control"}),
            )
            self.fields[html] = forms.CharField(
                label=_("HTML"),
                max_length=200_000,
                required=False,
                strip=False,
                widget=forms.Textarea(
                    {
                        "rows": 18,
                        "class": "form-control font-monospace small",
                        "data-merge-target": "",
                    }
                ),
            )

    def language_tabs(self) -> list[tuple[str, str, Any, Any]]:
        """(code, name, subject field, HTML field) per language, for the tabs."""
        names = dict(Language.choices)
        tabs = []
        for code in LANGUAGES:
            subject, html = version_field_names(code)
            tabs.append((code, str(names[code]), self[subject], self[html]))
        return tabs

    @classmethod
    def initial_for(cls, template: EmailTemplate) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": template.name,
            "description": template.description,
            "purpose": template.purpose,
            "default_language": template.default_language,
            "version": template.version,
        }
        for version in template.versions.all():
            subject, html = version_field_names(version.language)
            initial[subject], initial[html] = version.subject, version.html
        return initial

    def to_data(self, template: EmailTemplate | None) -> TemplateData:
        c = self.cleaned_data
        versions: list[VersionData] = []
        for language in LANGUAGES:
            subject, html = version_field_names(language)
            if c.get(subject, "").strip() or c.get(html, "").strip():
                versions.append(
                    {"language": language, "subject": c.get(subject, ""), "html": c.get(html, "")}
                )
        return {
            "name": c["name"],
            "description": c.get("description", ""),
            "purpose": c.get("purpose", ""),
            "default_language": c["default_language"],
            "versions": versions,
        }


class PreviewForm(BootstrapMixin, forms.Form):
    """Whom to preview the template as (any person the user sees) and in which version."""

    person = forms.TypedChoiceField(
        label=_("Preview as"), coerce=int, empty_value=None, required=False, widget=PersonPicker
    )
    language = forms.ChoiceField(
        label=_("Version"),
        required=False,
        choices=[("", _("The person's language")), *Language.choices],
    )

    def __init__(self, *args: Any, people: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *((p.pk, str(p)) for p in people)]
        self.fields["person"].choices = choices  # type: ignore[attr-defined]
        self.fields["person"].widget.choices = choices
