"""Web forms of the deal pages. They parse what the browser sent into the services'
``DealData``; the rules (stage of the deal's pipeline, status agreeing with the stage,
money with the currency's decimals, visible people and organization, owner) are
checked by ``services.deals``, whose errors ``add_service_errors`` puts back on the
right field (``ERROR_TARGETS``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.contacts.forms import LinkedForm
from clientela.core import selectors as core_selectors
from clientela.core.forms import BootstrapMixin, user_options
from clientela.core.widgets import DateInput
from clientela.sales import money
from clientela.sales.choices import DealStatus
from clientela.sales.selectors.pipelines import pipeline_list
from clientela.sales.services.deals import DealData

BLANK = [("", "—")]

#: Service error keys that belong to another input of the page.
ERROR_TARGETS = {
    "pipeline_id": "pipeline",
    "stage_id": "stage",
    "owner_id": "owner",
    "organization_id": "organization",
    "person_ids": "people",
}


class DealForm(LinkedForm):
    """Create or edit a deal (its people and organization come from ``LinkedForm``)."""

    title = forms.CharField(label=_("Title"), max_length=200)
    pipeline = forms.TypedChoiceField(label=_("Pipeline"), coerce=int, choices=())
    stage = forms.TypedChoiceField(
        label=_("Stage"),
        coerce=int,
        required=False,
        choices=(),
        help_text=_("A new deal starts in the pipeline's first stage if you leave this empty."),
    )
    amount = forms.CharField(
        label=_("Amount"),
        max_length=30,
        initial="0",
        widget=forms.TextInput({"inputmode": "decimal", "autocomplete": "off"}),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=())
    probability = forms.IntegerField(
        label=_("Probability (%)"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("Leave empty to take the stage's probability."),
    )
    close_date = forms.DateField(
        label=_("Expected close date"),
        required=False,
        widget=DateInput(),
        input_formats=["%Y-%m-%d"],
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, choices=())
    next_step = forms.CharField(label=_("Next step"), max_length=200, required=False)
    lost_reason = forms.CharField(label=_("Lost reason"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=10000, widget=forms.Textarea({"rows": 3})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        pipelines: Iterable[tuple[int, str]] = (),
        stages: Iterable[tuple[str, list[tuple[int, str]]]] = (),
        users: Iterable[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._field("pipeline").choices = list(pipelines)
        self._field("stage").choices = BLANK + list(stages)
        self._field("owner").choices = list(users)
        self._field("currency").choices = money.currency_choices()

    def _field(self, name: str) -> forms.ChoiceField:
        return cast(forms.ChoiceField, self.fields[name])

    def to_data(self, *, editing: bool) -> DealData:
        """The service input. On an edit the probability is sent only when the user
        changed it, so a new stage brings its own default."""
        cd = self.cleaned_data
        data: dict[str, Any] = {
            "title": cd["title"],
            "pipeline_id": cd["pipeline"],
            "amount": cd["amount"].strip(),
            "currency": cd["currency"],
            "close_date": cd.get("close_date"),
            "organization_id": cd.get("organization") or None,
            "person_ids": self.person_ids(),
            "owner_id": cd["owner"],
            "next_step": cd.get("next_step", ""),
            "lost_reason": cd.get("lost_reason", ""),
            "notes": cd.get("notes", ""),
        }
        if cd.get("stage") not in (None, ""):
            data["stage_id"] = cd["stage"]
        if cd.get("probability") is not None and (
            not editing or "probability" in self.changed_data
        ):
            data["probability"] = cd["probability"]
        return cast(DealData, data)


class BoardFilterForm(BootstrapMixin, forms.Form):
    """The board's filters (rendered only; the view parses the query itself)."""

    pipeline = forms.ChoiceField(label=_("Pipeline"), required=False, choices=())
    owner = forms.ChoiceField(label=_("Owner"), required=False, choices=())
    team = forms.ChoiceField(label=_("Team"), required=False, choices=())
    close_month = forms.CharField(
        label=_("Closing in"),
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )

    def __init__(
        self,
        *args: Any,
        pipelines: Iterable[tuple[Any, Any]] = (),
        users: Iterable[tuple[int, str]] = (),
        teams: Iterable[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["pipeline"]).choices = list(pipelines)
        cast(forms.ChoiceField, self.fields["owner"]).choices = [("", _("Anyone")), *users]
        cast(forms.ChoiceField, self.fields["team"]).choices = [("", _("Any team")), *teams]


class DealFilterForm(BoardFilterForm):
    """The deal list's filters: the board's plus stage, status and a search."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=())
    status = forms.ChoiceField(label=_("Status"), required=False, choices=())

    field_order = ("q", "pipeline", "stage", "status", "owner", "team", "close_month")

    def __init__(
        self,
        *args: Any,
        stages: Iterable[tuple[str, list[tuple[int, str]]]] = (),
        statuses: Iterable[tuple[str, Any]] = (),
        pipelines: Iterable[tuple[Any, Any]] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, pipelines=[("", _("Any pipeline")), *pipelines], **kwargs)
        cast(forms.ChoiceField, self.fields["stage"]).choices = [("", _("Any stage")), *stages]
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("Any status")), *statuses]


def deal_filter_form(*, user: Any, initial: dict[str, Any], resource: str) -> DealFilterForm:
    """The filter panel of the deal list (``RecordKind.filter_form``)."""
    pipelines = list(pipeline_list())
    return DealFilterForm(
        initial=initial,
        pipelines=[(p.pk, p.name) for p in pipelines],
        stages=[(p.name, [(s.pk, s.name) for s in p.stages.all()]) for p in pipelines],
        statuses=DealStatus.choices,
        users=user_options(),
        teams=[(t.pk, t.name) for t in core_selectors.team_list()],
    )
