"""The form of a canned answer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.core.choices import Language
from clientela.core.forms import BootstrapMixin, set_choices
from clientela.service.models import CannedAnswer, Queue
from clientela.service.services.canned import MERGE_FIELDS, CannedData


class CannedAnswerForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    body = forms.CharField(
        label=_("Text"),
        max_length=10000,
        widget=forms.Textarea({"rows": 6}),
        help_text=_("Merge fields: %(fields)s")
        % {"fields": ", ".join("{{ %s }}" % f for f in MERGE_FIELDS)},  # noqa: UP031
    )
    language = forms.ChoiceField(label=_("Language"), required=False)
    queue = forms.ChoiceField(label=_("Queue"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "language", [("", _("Any language")), *Language.choices])
        set_choices(
            self, "queue", [("", _("Every queue")), *((q.pk, q.name) for q in Queue.objects.all())]
        )

    @staticmethod
    def initial_for(answer: CannedAnswer) -> dict[str, Any]:
        return {
            "title": answer.title,
            "body": answer.body,
            "language": answer.language,
            "queue": answer.queue_id or "",
            "active": answer.active,
        }

    def to_data(self) -> CannedData:
        c = self.cleaned_data
        return {
            "title": c["title"],
            "body": c["body"],
            "language": c["language"],
            "queue_id": int(c["queue"]) if c["queue"] else None,
            "active": c["active"],
        }
