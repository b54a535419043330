"""Web forms for leads. They only parse what the browser sent; every rule (a name,
company or e-mail; valid e-mail and phone; the disqualification reason; what a
conversion may link or create) is checked by ``services.leads``, whose errors come back
next to the right field through ``core.forms.add_service_errors``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.core import selectors as core_selectors
from clientela.core.forms import BootstrapMixin, set_choices
from clientela.core.models import User
from clientela.core.widgets import FastSelect
from clientela.sales.choices import LeadSource, LeadStatus
from clientela.sales.models import Lead, Pipeline
from clientela.sales.selectors.leads import ConversionMatches
from clientela.sales.services.leads import MANUAL_STATUSES, LeadData

BLANK = [("", "—")]
NEW = "new"
NONE = "none"


class LeadFilterForm(forms.Form):
    """Only renders the filter panel; ``LeadFilters.from_params`` does the parsing."""

    q = forms.CharField(label=_("Contains"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=BLANK + list(LeadStatus.choices)
    )
    source = forms.ChoiceField(
        label=_("Source"), required=False, choices=BLANK + list(LeadSource.choices)
    )
    owner = forms.ChoiceField(label=_("Owner"), required=False, widget=FastSelect)

    def __init__(self, *args: Any, users: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "owner", BLANK + [(u.pk, str(u)) for u in users])


def lead_filter_form(*, user: Any, initial: dict[str, Any], resource: str) -> LeadFilterForm:
    """The filter panel of the lead list (``RecordKind.filter_form``)."""
    return LeadFilterForm(initial=initial, users=core_selectors.user_choices())


class LeadForm(BootstrapMixin, forms.Form):
    first_name = forms.CharField(
        label=_("First name"),
        required=False,
        max_length=100,
        widget=forms.TextInput({"autofocus": True, "autocomplete": "off"}),
    )
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=100)
    email = forms.CharField(
        label=_("E-mail"), required=False, max_length=254, widget=forms.EmailInput
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=50,
        widget=forms.TextInput({"type": "tel"}),
        help_text=_("With the country code, e.g. +34 612 345 678."),
    )
    company = forms.CharField(label=_("Company"), required=False, max_length=200)
    job_title = forms.CharField(label=_("Job title"), required=False, max_length=100)
    source = forms.ChoiceField(
        label=_("Source"), choices=LeadSource.choices, initial=LeadSource.MANUAL
    )
    owner = forms.ChoiceField(label=_("Owner"))
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=10000, widget=forms.Textarea({"rows": 4})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    TEXT = ("first_name", "last_name", "email", "phone", "company", "job_title", "notes")

    def __init__(self, *args: Any, users: Iterable[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.users = {u.pk: u for u in users}
        set_choices(
            self,
            "owner",
            [(pk, f"{u} ({u.team})" if u.team_id else str(u)) for pk, u in self.users.items()],
        )

    @classmethod
    def initial_for(cls, lead: Lead) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(lead, name) for name in cls.TEXT}
        initial.update(source=lead.source, owner=lead.owner_id, version=lead.version)
        return initial

    def to_data(self, lead: Lead | None) -> LeadData:
        c = self.cleaned_data
        data: dict[str, Any] = {name: c[name] for name in self.TEXT}
        data["source"] = c["source"]
        owner_id = int(c["owner"])
        if lead is None or owner_id != lead.owner_id:
            data["owner_id"] = owner_id
        return cast(LeadData, data)


class LeadStatusForm(forms.Form):
    """One of the status buttons of the lead page (a reason for "disqualified")."""

    status = forms.ChoiceField(choices=[(s.value, s.label) for s in MANUAL_STATUSES])
    reason = forms.CharField(required=False, max_length=200)
    version = forms.IntegerField(required=False)


class ConvertForm(BootstrapMixin, forms.Form):
    """The conversion page: which person and organization (an existing match or a new
    record) and, optionally, a deal."""

    person = forms.ChoiceField(label=_("Person"), widget=forms.RadioSelect)
    organization = forms.ChoiceField(label=_("Organization"), widget=forms.RadioSelect)
    create_deal = forms.BooleanField(
        label=_("Create a deal"),
        required=False,
        # Shows the deal's fields (Bootstrap's collapse; they are in the page anyway).
        widget=forms.CheckboxInput(
            {
                "data-bs-toggle": "collapse",
                "data-bs-target": "#deal-fields",
                "aria-controls": "deal-fields",
            }
        ),
    )
    deal_title = forms.CharField(label=_("Deal title"), required=False, max_length=200)
    deal_amount = forms.CharField(
        label=_("Amount"),
        required=False,
        max_length=30,
        widget=forms.TextInput({"inputmode": "decimal"}),
    )
    deal_currency = forms.CharField(
        label=_("Currency"),
        required=False,
        max_length=3,
        widget=forms.TextInput({"autocapitalize": "characters", "size": 3}),
        help_text=_("ISO code, e.g. EUR, USD, MXN."),
    )
    deal_pipeline = forms.ChoiceField(label=_("Pipeline"), required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        lead: Lead,
        matches: ConversionMatches,
        pipelines: Iterable[Pipeline],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        people: list[tuple[str, Any]] = []
        for match in matches.people:
            person = match.person
            detail = ", ".join(x for x in (person.email, person.phone) if x)
            reasons = ", ".join(str(r) for r in match.reason_labels)
            label = _("Use %(name)s") % {"name": person.full_name}
            people.append((str(person.pk), f"{label} — {detail} ({reasons})" if detail else label))
        has_person_data = bool(lead.first_name or lead.last_name or lead.email)
        if has_person_data or not people:
            people.append((NEW, str(_("Create a new person"))))
        if not has_person_data:
            people.append((NONE, str(_("No person"))))
        set_choices(self, "person", people)
        by_email = matches.person_by_email
        self.fields["person"].initial = str(by_email.pk) if by_email else people[0][0]

        orgs: list[tuple[str, Any]] = [
            (str(o.pk), _("Use %(name)s") % {"name": o.name}) for o in matches.organizations
        ]
        if lead.company:
            orgs.append((NEW, _("Create the organization “%(name)s”") % {"name": lead.company}))
        orgs.append((NONE, str(_("No organization"))))
        set_choices(self, "organization", orgs)
        exact = [o for o in matches.organizations if o.name.lower() == lead.company.lower()]
        self.fields["organization"].initial = (
            str(exact[0].pk) if exact else (NEW if lead.company else NONE)
        )
        set_choices(self, "deal_pipeline", [(p.pk, p.name) for p in pipelines])

    def conversion_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``services.leads.lead_convert``."""
        c = self.cleaned_data
        kwargs: dict[str, Any] = {}
        if c["person"] == NEW:
            kwargs["create_person"] = True
        elif c["person"] != NONE:
            kwargs["person_id"] = int(c["person"])
        if c["organization"] == NEW:
            kwargs["create_organization"] = True
        elif c["organization"] == NONE:
            kwargs["skip_organization"] = True
        else:
            kwargs["organization_id"] = int(c["organization"])
        if c["create_deal"]:
            deal: dict[str, Any] = {"title": c["deal_title"]}
            if c["deal_amount"].strip():
                deal["amount"] = c["deal_amount"].strip()
            if c["deal_currency"].strip():
                deal["currency"] = c["deal_currency"].strip()
            if c.get("deal_pipeline"):
                deal["pipeline_id"] = int(c["deal_pipeline"])
            kwargs["create_deal"] = True
            kwargs["deal"] = deal
        return kwargs


#: Service error keys that belong to another input of the conversion page.
CONVERT_ERROR_TARGETS = {
    "person_id": "person",
    "organization_id": "organization",
    "deal.title": "deal_title",
    "deal.amount": "deal_amount",
    "deal.currency": "deal_currency",
    "deal.pipeline_id": "deal_pipeline",
}
#: ... and of the lead form.
LEAD_ERROR_TARGETS = {"owner_id": "owner"}
