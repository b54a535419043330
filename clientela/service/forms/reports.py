"""The reports page's filter: a period (the last 12 months unless given) and a queue."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core.dashboards import period_bounds
from clientela.core.forms import BootstrapMixin
from clientela.core.widgets import DateInput
from clientela.service.models import Queue

#: The longest period a report covers (its monthly charts stay readable).
MAX_DAYS = 5 * 366


class ReportFilterForm(BootstrapMixin, forms.Form):
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput)
    queue = forms.ModelChoiceField(
        label=gettext_lazy("Queue"),
        queryset=Queue.objects.none(),
        required=False,
        empty_label=gettext_lazy("All queues"),
    )

    def __init__(self, *args: Any, queues: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["queue"].queryset = queues  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        default_from, default_to = period_bounds("last_12_months", timezone.localdate())
        start: datetime.date = data.get("date_from") or default_from or timezone.localdate()
        end: datetime.date = data.get("date_to") or default_to or timezone.localdate()
        if end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        elif (end - start).days > MAX_DAYS:
            self.add_error("date_to", _("Choose a period of at most five years."))
        data["date_from"], data["date_to"] = start, end
        return data

    def instants(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The period as ``[start, end)`` instants in the user's time zone (the last
        day included whole)."""
        start, end = self.cleaned_data["date_from"], self.cleaned_data["date_to"]
        midnight = datetime.time(0, 0)
        return (
            timezone.make_aware(datetime.datetime.combine(start, midnight)),
            timezone.make_aware(
                datetime.datetime.combine(end + datetime.timedelta(days=1), midnight)
            ),
        )
