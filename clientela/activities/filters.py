"""The filters of the activities lists, declared on ``core.filters``: the task list's
tab (``?view=``, shared by the page and the export), and what an export of interactions
or appointments takes (the filters of their API lists)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.activities.choices import InteractionChannel
from clientela.activities.selectors import TaskView
from clientela.core.filters import ChoiceParam, DateParam, Errors, IdParam, ListFilters, Sorts

#: The days the calendar shows and an export may ask for: far enough for any real
#: appointment, and clear of the ends of Python's calendar (a week around 9999-12-31
#: does not exist, nor does the UTC time of 0001-01-01 in Madrid).
FIRST_DAY, LAST_DAY = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)

#: The task list's tabs (``?view=``); "mine" when none is given.
TASK_VIEWS = ("mine", "team", "overdue", "all")


def task_view(params: Mapping[str, Any]) -> tuple[TaskView, Errors]:
    """The task list's tab; an unknown one is reported and "mine" shown instead."""
    view = str(params.get("view") or "mine")
    if view in TASK_VIEWS:
        return cast(TaskView, view), {}
    choices = ", ".join(TASK_VIEWS)
    return "mine", {"view": [_("Choose one of: %(choices)s.") % {"choices": choices}]}


@dataclass
class InteractionFilters(ListFilters):
    FIELDS: ClassVar[Mapping[str, forms.Field]] = {
        "person": IdParam(),
        "organization": IdParam(),
        "channel": ChoiceParam(
            InteractionChannel.choices, message=gettext_lazy("Unknown channel “%(value)s”.")
        ),
    }
    SORTS: ClassVar[Sorts] = {"occurred": ("occurred_at", "id")}
    DEFAULT_SORT = "-occurred"

    person: int | None = None
    organization: int | None = None
    channel: str = ""
    sort: str = "occurred"
    descending: bool = True


@dataclass
class AppointmentFilters(ListFilters):
    """``date_from`` / ``date_to``: the appointments touching those days (in the
    user's time zone)."""

    FIELDS: ClassVar[Mapping[str, forms.Field]] = {
        "date_from": DateParam(message=gettext_lazy("Enter a date as YYYY-MM-DD.")),
        "date_to": DateParam(message=gettext_lazy("Enter a date as YYYY-MM-DD.")),
    }
    SORTS: ClassVar[Sorts] = {"start": ("start_at", "id")}
    DEFAULT_SORT = "start"

    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    sort: str = "start"

    def clean(self, params: Mapping[str, Any], errors: Errors, **context: Any) -> None:
        for name in ("date_from", "date_to"):
            day = getattr(self, name)
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                setattr(self, name, None)
                errors[name] = [
                    _("Give a day of the years %(first)s to %(last)s.")
                    % {"first": FIRST_DAY.year, "last": LAST_DAY.year}
                ]
