"""Forms of the pipelines settings page. They parse the input; the rules (one won stage,
at least one lost stage, unique names, stages in use) live in ``services.pipelines``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.core.forms import BootstrapMixin
from clientela.sales.services.pipelines import PipelineData, StageData


class PipelineForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("Inactive pipelines take no new deals."),
    )

    def to_data(self) -> PipelineData:
        return PipelineData(
            name=self.cleaned_data["name"], is_active=self.cleaned_data["is_active"]
        )


class StageForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    probability = forms.IntegerField(
        label=_("Probability (%)"), min_value=0, max_value=100, initial=0
    )
    is_won = forms.BooleanField(label=_("Won"), required=False)
    is_lost = forms.BooleanField(label=_("Lost"), required=False)

    def to_data(self) -> StageData:
        cd = self.cleaned_data
        return StageData(
            name=cd["name"],
            probability=cd["probability"],
            is_won=cd["is_won"],
            is_lost=cd["is_lost"],
        )
