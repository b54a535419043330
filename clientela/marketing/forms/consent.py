"""Forms of consent: recording a grant or withdrawal on the person page, a purpose on
the settings page, a manual suppression entry. They only parse: the services check
and write."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy

from clientela.core.forms import BootstrapMixin
from clientela.marketing.choices import ConsentChannel, ConsentSource, LegalBasis
from clientela.marketing.models import ConsentPurpose

GRANT, WITHDRAW = "grant", "withdraw"


class ConsentRecordForm(BootstrapMixin, forms.Form):
    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"))
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"), choices=ConsentChannel, initial=ConsentChannel.EMAIL
    )
    action = forms.ChoiceField(
        label=gettext_lazy("Choice"),
        choices=[(GRANT, gettext_lazy("Grants consent")), (WITHDRAW, gettext_lazy("Withdraws"))],
    )
    source = forms.ChoiceField(
        label=gettext_lazy("Source"), choices=ConsentSource, initial=ConsentSource.USER
    )
    legal_basis = forms.ChoiceField(
        label=gettext_lazy("Legal basis"), choices=LegalBasis, initial=LegalBasis.CONSENT
    )
    wording = forms.CharField(
        label=gettext_lazy("Exact wording shown or said"),
        required=False,
        max_length=10000,
        widget=forms.Textarea({"rows": 2}),
    )
    double_opt_in = forms.BooleanField(
        label=gettext_lazy("Ask for confirmation by e-mail (double opt-in)"), required=False
    )

    def __init__(self, *args: Any, purposes: list[ConsentPurpose], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["purpose"]).choices = [
            (p.key, p.name) for p in purposes
        ]

    def to_kwargs(self) -> dict[str, Any]:
        c = self.cleaned_data
        return {
            "purpose": c["purpose"],
            "channel": c["channel"],
            "granted": c["action"] == GRANT,
            "source": c["source"],
            "legal_basis": c["legal_basis"],
            "wording_text": c["wording"],
            "double_opt_in": c["double_opt_in"],
        }


class PurposeForm(BootstrapMixin, forms.Form):
    key = forms.SlugField(
        label=gettext_lazy("Key"),
        max_length=50,
        help_text=gettext_lazy("What campaigns and the API call it; it cannot change later."),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=300, required=False)
    order = forms.IntegerField(label=gettext_lazy("Position"), min_value=0, max_value=32767)
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def __init__(self, *args: Any, record: ConsentPurpose | None = None, **kwargs: Any) -> None:
        if record is not None:
            kwargs.setdefault(
                "initial",
                {
                    "key": record.key,
                    "name": record.name,
                    "description": record.description,
                    "order": record.order,
                    "active": record.active,
                },
            )
            kwargs.setdefault("prefix", f"p{record.pk}")
        else:
            kwargs.setdefault("initial", {"active": True, "order": 0})
            kwargs.setdefault("prefix", "new")
        super().__init__(*args, **kwargs)
        if record is not None:
            self.fields["key"].disabled = True
            self.fields["key"].help_text = ""

    def to_data(self) -> Any:
        data = dict(self.cleaned_data)
        if self.fields["key"].disabled:
            data.pop("key")
        return data


class SuppressionForm(BootstrapMixin, forms.Form):
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        choices=[(c.value, c.label) for c in ConsentChannel if c != ConsentChannel.POST],
    )
    address = forms.CharField(label=gettext_lazy("E-mail address or phone number"), max_length=254)
    purpose = forms.ChoiceField(label=gettext_lazy("Purpose"), required=False)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, purposes: list[ConsentPurpose], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["purpose"])
        field.choices = [("", gettext_lazy("Every purpose"))] + [
            (str(p.pk), p.name) for p in purposes
        ]

    def purpose_of(self, purposes: list[ConsentPurpose]) -> ConsentPurpose | None:
        chosen = self.cleaned_data.get("purpose")
        return next((p for p in purposes if str(p.pk) == chosen), None)


class SuppressionSearchForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), max_length=200, required=False)
