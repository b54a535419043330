"""The forms of segments and static lists. The segment form's ``rules`` is the
condition tree as JSON in a hidden input, which the condition builder
(``static/clientela/conditions.js``) writes; without JavaScript it is a text area."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.core.forms import BootstrapMixin, set_choices
from clientela.marketing.models import Segment, StaticList


def _owner_choices(users: Any) -> list[tuple[Any, Any]]:
    return [(u.pk, str(u)) for u in users]


class _NamedForm(BootstrapMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=200, widget=forms.TextInput({"autofocus": True})
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea({"rows": 2})
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, users: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "owner", _owner_choices(users))

    def named_data(self) -> dict[str, Any]:
        c = self.cleaned_data
        return {"name": c["name"], "description": c["description"], "owner_id": c["owner"]}


class SegmentForm(_NamedForm):
    rules = forms.CharField(
        label=_("Conditions"),
        required=False,
        max_length=100000,
        widget=forms.Textarea({"rows": 4, "class": "font-monospace"}),
        help_text=_("The people who meet these conditions, among those each user sees."),
    )

    @classmethod
    def initial_for(cls, segment: Segment) -> dict[str, Any]:
        return {
            "name": segment.name,
            "description": segment.description,
            "owner": segment.owner_id,
            "rules": json.dumps(segment.rules),
            "version": segment.version,
        }

    def clean_rules(self) -> Any:
        text = self.cleaned_data.get("rules") or ""
        if not text.strip():
            return {"all": []}
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("The conditions are not valid JSON.")) from None

    def to_data(self, segment: Segment | None) -> dict[str, Any]:
        return {**self.named_data(), "rules": self.cleaned_data["rules"]}


class ListForm(_NamedForm):
    @classmethod
    def initial_for(cls, static_list: StaticList) -> dict[str, Any]:
        return {
            "name": static_list.name,
            "description": static_list.description,
            "owner": static_list.owner_id,
            "version": static_list.version,
        }

    def to_data(self, static_list: StaticList | None) -> dict[str, Any]:
        return self.named_data()


class AddToListForm(BootstrapMixin, forms.Form):
    """The people list's "Add to a list": which list (or a new one)."""

    static_list = forms.TypedChoiceField(
        label=_("List"), coerce=int, required=False, empty_value=None
    )
    new_name = forms.CharField(label=_("Or a new list named"), required=False, max_length=200)

    def __init__(self, *args: Any, lists: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "static_list", [("", "—"), *[(s.pk, s.name) for s in lists]])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("static_list") and not (cleaned.get("new_name") or "").strip():
            raise forms.ValidationError(_("Choose a list, or name a new one."))
        return cleaned
