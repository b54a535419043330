"""The web form's settings page: its fields and consent checkboxes as JSON (edited by
the fields editor, ``static/marketing/form-builder.js``, which writes the JSON back; the
textareas still work without script), the campaign, who gets the leads, what happens
after a submission and the sites that may embed it."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.core.choices import Language
from clientela.core.forms import BootstrapMixin, set_choices
from clientela.marketing.models import LeadForm
from clientela.marketing.services.lead_forms import LeadFormData


def _json_list(text: str, message: Any) -> list[Any]:
    if not text.strip():
        return []
    try:
        value = json.loads(text)
    except ValueError:
        raise forms.ValidationError(message) from None
    if not isinstance(value, list):
        raise forms.ValidationError(message)
    return value


class LeadFormForm(BootstrapMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=200, widget=forms.TextInput({"autofocus": True})
    )
    slug = forms.CharField(
        label=_("Address"),
        max_length=80,
        help_text=_("The public page is /forms/<address>/: lower-case letters, digits, hyphens."),
    )
    active = forms.BooleanField(label=_("Active (takes submissions)"), required=False)
    language = forms.ChoiceField(label=_("Language of the page"), choices=Language.choices)
    title = forms.CharField(label=_("Title shown"), max_length=200, required=False)
    intro = forms.CharField(
        label=_("Introduction"), max_length=2000, required=False, widget=forms.Textarea({"rows": 2})
    )
    submit_label = forms.CharField(
        label=_("Button label"), max_length=60, required=False, help_text=_("Default: “Send”.")
    )
    field_list = forms.CharField(
        label=_("Fields"),
        max_length=50000,
        required=False,
        widget=forms.Textarea({"rows": 6, "class": "font-monospace", "data-form-fields": ""}),
    )
    consents = forms.CharField(
        label=_("Consent checkboxes"),
        max_length=50000,
        required=False,
        widget=forms.Textarea({"rows": 3, "class": "font-monospace", "data-form-consents": ""}),
        help_text=_("The exact text of each checkbox is stored with the consent as its proof."),
    )
    double_opt_in = forms.BooleanField(
        label=_("Double opt-in: e-mail consent counts once the link in a confirmation is clicked"),
        required=False,
    )
    proof_of_work = forms.BooleanField(
        label=_("Proof of work: the visitor's browser solves a small puzzle before sending"),
        help_text=_(
            "Against spam that gets past the other checks. It takes about half a second on "
            "a phone and needs JavaScript in the visitor's browser."
        ),
        required=False,
    )
    campaign = forms.TypedChoiceField(
        label=_("Campaign"), coerce=int, empty_value=None, required=False
    )
    lead_owner = forms.TypedChoiceField(
        label=_("Owner of new leads"), coerce=int, empty_value=None, required=False
    )
    notify_owner = forms.BooleanField(label=_("E-mail the owner of each new lead"), required=False)
    notify_email = forms.EmailField(
        label=_("Also notify"),
        max_length=254,
        required=False,
        help_text=_("A shared inbox (a sales queue) told of every new lead."),
    )
    thank_you = forms.CharField(
        label=_("Thank-you message"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )
    redirect_url = forms.CharField(
        label=_("Or redirect to"),
        max_length=500,
        required=False,
        help_text=_("An https address on one of the allowed sites."),
    )
    allowed_origins = forms.CharField(
        label=_("Sites that may embed the form"),
        max_length=5000,
        required=False,
        widget=forms.Textarea({"rows": 2, "class": "font-monospace"}),
        help_text=_("One origin a line, such as https://www.example.com."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, users: Any = (), campaigns: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(
            self, "lead_owner", [("", _("The form's owner")), *((u.pk, str(u)) for u in users)]
        )
        set_choices(self, "campaign", [("", "—"), *((c.pk, c.name) for c in campaigns)])

    @classmethod
    def initial_for(cls, form: LeadForm) -> dict[str, Any]:
        return {
            "name": form.name,
            "slug": form.slug,
            "active": form.active,
            "language": form.language,
            "title": form.title,
            "intro": form.intro,
            "submit_label": form.submit_label,
            "field_list": json.dumps(form.fields, ensure_ascii=False, indent=1),
            "consents": json.dumps(form.consents, ensure_ascii=False, indent=1),
            "double_opt_in": form.double_opt_in,
            "proof_of_work": form.proof_of_work,
            "campaign": form.campaign_id,
            "lead_owner": form.lead_owner_id,
            "notify_owner": form.notify_owner,
            "notify_email": form.notify_email,
            "thank_you": form.thank_you,
            "redirect_url": form.redirect_url,
            "allowed_origins": "\n".join(form.allowed_origins),
            "version": form.version,
        }

    @classmethod
    def new_initial(cls, language: str) -> dict[str, Any]:
        """A new form starts with a name and an e-mail field, active, owner notified."""
        fields = [
            {"key": "name", "label": str(_("Name")), "type": "text", "required": True,
             "maps_to": "first_name"},
            {"key": "email", "label": str(_("E-mail")), "type": "email", "required": True,
             "maps_to": "email"},
        ]  # fmt: skip
        return {
            "active": True,
            "notify_owner": True,
            "language": language,
            "field_list": json.dumps(fields, ensure_ascii=False, indent=1),
            "consents": "[]",
        }

    def clean_field_list(self) -> list[Any]:
        return _json_list(
            self.cleaned_data.get("field_list") or "", _("The fields are not valid JSON (a list).")
        )

    def clean_consents(self) -> list[Any]:
        return _json_list(
            self.cleaned_data.get("consents") or "",
            _("The consent checkboxes are not valid JSON (a list)."),
        )

    def to_data(self, form: LeadForm | None) -> LeadFormData:
        c = self.cleaned_data
        origins = [line.strip() for line in c.get("allowed_origins", "").splitlines()]
        return {
            "name": c["name"],
            "slug": c["slug"],
            "active": c["active"],
            "language": c["language"],
            "title": c["title"],
            "intro": c["intro"],
            "submit_label": c["submit_label"],
            "fields": c["field_list"],
            "consents": c["consents"],
            "double_opt_in": c["double_opt_in"],
            "proof_of_work": c["proof_of_work"],
            "campaign_id": c["campaign"],
            "lead_owner_id": c["lead_owner"],
            "notify_owner": c["notify_owner"],
            "notify_email": c["notify_email"],
            "thank_you": c["thank_you"],
            "redirect_url": c["redirect_url"],
            "allowed_origins": [o for o in origins if o],
        }
