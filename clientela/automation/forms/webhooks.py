"""The webhook form: the URL, the events (checkboxes grouped by the kind of record
they are about, plus "every event"), a description, and on/off once it exists."""

from __future__ import annotations

from itertools import groupby
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.automation.models import WebhookSubscription
from clientela.automation.services.subscriptions import ALL_EVENTS
from clientela.core.events import event_types
from clientela.core.forms import BootstrapMixin


def event_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """(kind, [(event name, description)]) from the catalogue, by kind."""
    types = event_types()
    return [
        (kind, [(t.name, str(t.description)) for t in found])
        for kind, found in groupby(types, key=lambda t: t.name.split(".", 1)[0])
    ]


class WebhookForm(BootstrapMixin, forms.Form):
    url = forms.CharField(
        label=_("URL"),
        max_length=2000,
        help_text=_("The https:// address that receives the events (a POST of JSON)."),
        widget=forms.URLInput(attrs={"placeholder": "https://", "inputmode": "url"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), widget=forms.CheckboxSelectMultiple, required=True
    )
    description = forms.CharField(
        label=_("Description"), max_length=500, required=False, widget=forms.TextInput
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [
            (ALL_EVENTS, _("Every event, including those added later"))
        ]
        choices += [(t.name, t.name) for t in event_types()]
        field = cast(forms.MultipleChoiceField, self.fields["events"])
        field.choices = choices
        field.error_messages["required"] = _("Choose at least one event.")

    @classmethod
    def initial_for(cls, webhook: WebhookSubscription) -> dict[str, Any]:
        return {
            "url": webhook.url,
            "events": list(webhook.events),
            "description": webhook.description,
            "enabled": webhook.enabled,
        }

    def groups(self) -> list[tuple[str, list[Any]]]:
        """The events' checkboxes by kind, for the template."""
        boxes = {box.data["value"]: box for box in self["events"]}
        return [
            (kind, [(boxes[name], description) for name, description in found])
            for kind, found in event_groups()
        ]

    def all_box(self) -> Any:
        return next(box for box in self["events"] if box.data["value"] == ALL_EVENTS)

    def to_data(self, webhook: WebhookSubscription | None) -> dict[str, Any]:
        data = {
            "url": self.cleaned_data["url"],
            "events": self.cleaned_data["events"],
            "description": self.cleaned_data["description"],
        }
        if webhook is not None:
            data["enabled"] = self.cleaned_data["enabled"]
        return data
