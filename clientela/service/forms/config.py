"""The forms of the service desk's settings pages. Each parses what a person types
(working hours as "09:00-14:00, 16:00-19:00", targets as hours and minutes, one day off
a line) into the data the services take; the services check the rest."""

from __future__ import annotations

import re
from typing import Any

import holidays
from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.core.forms import BootstrapMixin
from clientela.service.choices import (
    AssignmentMode,
    CategoryKind,
    SlaBehaviour,
    TicketPriority,
    TicketStatus,
)
from clientela.service.models import BusinessCalendar, Queue, ServiceSettings, SlaPolicy
from clientela.service.sla.calendars import Calendar, CalendarError

_INTERVAL = re.compile(r"^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$")


def _set_choices(form: forms.Form, name: str, choices: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def format_day(intervals: list[list[int]]) -> str:
    return ", ".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in intervals)


def parse_day(text: str) -> list[list[int]]:
    """ "09:00-14:00, 16:00-19:00" as ``[[540, 840], [960, 1140]]``."""
    intervals = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = _INTERVAL.match(part)
        if match is None:
            raise forms.ValidationError(
                _("Write each interval as 09:00-14:00, separated by commas.")
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if m1 > 59 or m2 > 59:
            raise forms.ValidationError(_("Minutes go from 00 to 59."))
        intervals.append([h1 * 60 + m1, h2 * 60 + m2])
    return intervals


def _check_day(day: int, intervals: list[list[int]]) -> None:
    """One day's intervals checked by the SLA arithmetic, so its error (an interval
    out of the day, two that overlap) shows next to that day."""
    if not intervals:
        return
    try:
        Calendar.of("UTC", [intervals if n == day else [] for n in range(7)])
    except CalendarError as exc:
        raise forms.ValidationError(str(exc)) from None


class GroupedFields:
    """The bound fields of a form in its groups (agents, days, targets) and the rest."""

    fields: dict[str, forms.Field]
    agent_fields: list[str]
    day_fields: list[str]
    target_fields: list[str]
    target_rows: list[tuple[str, list[str]]]

    def _bound(self, names: list[str]) -> list[forms.BoundField]:
        return [self[name] for name in names]  # type: ignore[index]

    def main_fields(self) -> list[forms.BoundField]:
        grouped = {*self.agent_fields, *self.day_fields, *self.target_fields}
        return self._bound([n for n in self.fields if n not in grouped])

    def agents(self) -> list[forms.BoundField]:
        return self._bound(self.agent_fields)

    def days(self) -> list[forms.BoundField]:
        return self._bound(self.day_fields)

    def targets(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(label, self._bound(names)) for label, names in self.target_rows]


class QueueForm(GroupedFields, BootstrapMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=300, required=False)
    email = forms.CharField(
        label=gettext_lazy("Support e-mail address"), max_length=254, required=False
    )
    team = forms.TypedChoiceField(label=gettext_lazy("Team"), coerce=int)
    manager = forms.TypedChoiceField(
        label=gettext_lazy("Manager"), coerce=int, required=False, empty_value=None
    )
    assignment = forms.ChoiceField(label=gettext_lazy("Assignment"), choices=AssignmentMode)
    max_open_per_agent = forms.IntegerField(
        label=gettext_lazy("Most open tickets per agent (0: no limit)"), min_value=0
    )
    reassign_after_minutes = forms.IntegerField(
        label=gettext_lazy("Reassign unanswered after (minutes, 0: never)"), min_value=0
    )
    sla_policy = forms.TypedChoiceField(
        label=gettext_lazy("SLA policy"), coerce=int, required=False, empty_value=None
    )
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False)

    def __init__(self, *args: Any, teams: Any, users: Any, policies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = [(u.pk, str(u.get_full_name() or u.username)) for u in users]
        _set_choices(self, "team", [(t.pk, t.name) for t in teams])
        _set_choices(self, "manager", [("", "—"), *people])
        _set_choices(
            self,
            "sla_policy",
            [
                ("", _("By the policies' conditions")),
                *[(p.pk, p.name) for p in policies],
            ],
        )
        self.agent_fields, self.day_fields, self.target_fields = [], [], []
        self.target_rows: list[tuple[str, list[str]]] = []
        for pk, name in people:
            self.fields[f"weight_{pk}"] = forms.IntegerField(
                label=name, min_value=0, max_value=100, required=False
            )
            self.agent_fields.append(f"weight_{pk}")

    @staticmethod
    def initial_for(queue: Queue) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": queue.name,
            "description": queue.description,
            "email": queue.email,
            "team": queue.team_id,
            "manager": queue.manager_id,
            "assignment": queue.assignment,
            "max_open_per_agent": queue.max_open_per_agent,
            "reassign_after_minutes": queue.reassign_after_minutes,
            "sla_policy": queue.sla_policy_id,
            "active": queue.active,
        }
        for member in queue.memberships.all():
            initial[f"weight_{member.user_id}"] = member.weight
        return initial

    def to_data(self) -> Any:
        c = self.cleaned_data
        agents = [
            {"user_id": int(name.removeprefix("weight_")), "weight": c[name]}
            for name in self.agent_fields
            if c.get(name)
        ]
        return {
            "name": c["name"],
            "description": c["description"],
            "email": c["email"],
            "team_id": c["team"],
            "manager_id": c["manager"],
            "agents": agents,
            "assignment": c["assignment"],
            "max_open_per_agent": c["max_open_per_agent"],
            "reassign_after_minutes": c["reassign_after_minutes"],
            "sla_policy_id": c["sla_policy"],
            "active": c["active"],
        }


class CategoryForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=CategoryKind)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)

    def to_data(self) -> Any:
        return dict(self.cleaned_data)


def _countries() -> list[tuple[str, str]]:
    return [("", _("No public holidays"))] + [
        (code, code) for code in sorted(holidays.list_supported_countries())
    ]


def _regions() -> list[tuple[str, Any]]:
    groups = [
        (code, [(r, f"{code}-{r}") for r in regions])
        for code, regions in sorted(holidays.list_supported_countries().items())
        if regions
    ]
    return [("", _("The whole country")), *groups]


class CalendarForm(GroupedFields, BootstrapMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    time_zone = forms.CharField(label=gettext_lazy("Time zone"), max_length=64)
    country = forms.ChoiceField(label=gettext_lazy("Public holidays of"), required=False)
    subdivision = forms.ChoiceField(label=gettext_lazy("Region"), required=False)
    extra_holidays = forms.CharField(
        label=gettext_lazy("Other days off (one a line, YYYY-MM-DD)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "country", _countries())
        _set_choices(self, "subdivision", _regions())
        self.agent_fields, self.day_fields, self.target_fields = [], [], []
        self.target_rows = []
        for day in range(7):
            self.fields[f"day_{day}"] = forms.CharField(
                label=WEEKDAYS[day],
                required=False,
                max_length=300,
                widget=forms.TextInput(attrs={"placeholder": "09:00-14:00, 16:00-19:00"}),
            )
            self.day_fields.append(f"day_{day}")

    @staticmethod
    def initial_for(calendar: BusinessCalendar) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": calendar.name,
            "time_zone": calendar.time_zone,
            "country": calendar.country,
            "subdivision": calendar.subdivision,
            "extra_holidays": "\n".join(calendar.extra_holidays or []),
        }
        for day, intervals in enumerate(calendar.hours or []):
            initial[f"day_{day}"] = format_day(intervals)
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for day, name in enumerate(self.day_fields):
            try:
                cleaned[f"{name}_parsed"] = intervals = parse_day(cleaned.get(name, ""))
                _check_day(day, intervals)
            except forms.ValidationError as exc:
                self.add_error(name, exc)
        return cleaned

    def to_data(self) -> Any:
        c = self.cleaned_data
        return {
            "name": c["name"],
            "time_zone": c["time_zone"],
            "hours": [c[f"{name}_parsed"] for name in self.day_fields],
            "country": c["country"],
            "subdivision": c["subdivision"],
            "extra_holidays": [d.strip() for d in c["extra_holidays"].splitlines() if d.strip()],
        }


_TARGETS = {
    "first_response": gettext_lazy("First response"),
    "resolution": gettext_lazy("Resolution"),
}
_UNITS = {"hours": gettext_lazy("hours"), "minutes": gettext_lazy("minutes")}


class PolicyForm(GroupedFields, BootstrapMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    calendar = forms.TypedChoiceField(label=gettext_lazy("Business calendar"), coerce=int)
    position = forms.IntegerField(label=gettext_lazy("Order (the first match wins)"), min_value=0)
    organization = forms.TypedChoiceField(
        label=gettext_lazy("Only for organization"), coerce=int, required=False, empty_value=None
    )
    customer_tag = forms.TypedChoiceField(
        label=gettext_lazy("Only for customers tagged"),
        coerce=int,
        required=False,
        empty_value=None,
    )
    breach_raises_priority = forms.BooleanField(
        label=gettext_lazy("On breach, raise the priority one step"), required=False
    )
    breach_reassigns = forms.BooleanField(
        label=gettext_lazy("On breach, give the ticket to another agent"), required=False
    )
    active = forms.BooleanField(label=gettext_lazy("Active"), required=False)

    def __init__(
        self, *args: Any, calendars: Any, organizations: Any, tags: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "calendar", [(c.pk, c.name) for c in calendars])
        _set_choices(self, "organization", [("", "—"), *organizations])
        _set_choices(self, "customer_tag", [("", "—"), *[(t.pk, t.name) for t in tags]])
        self.agent_fields, self.day_fields, self.target_fields = [], [], []
        self.target_rows = []
        for priority, label in TicketPriority.choices:
            row = []
            for target in ("first_response", "resolution"):
                for unit, high in (("hours", 8760), ("minutes", 59)):
                    name = f"{priority}_{target}_{unit}"
                    self.fields[name] = forms.IntegerField(
                        label=f"{label}, {_TARGETS[target]} ({_UNITS[unit]})",
                        min_value=0,
                        max_value=high,
                        required=False,
                    )
                    row.append(name)
            self.target_rows.append((str(label), row))
            self.target_fields.extend(row)

    @staticmethod
    def initial_for(policy: SlaPolicy) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "name": policy.name,
            "calendar": policy.calendar_id,
            "position": policy.position,
            "organization": policy.organization_id,
            "customer_tag": policy.customer_tag_id,
            "breach_raises_priority": policy.breach_raises_priority,
            "breach_reassigns": policy.breach_reassigns,
            "active": policy.active,
        }
        for t in policy.targets.all():
            for target in ("first_response", "resolution"):
                minutes = getattr(t, f"{target}_minutes")
                initial[f"{t.priority}_{target}_hours"] = minutes // 60
                initial[f"{t.priority}_{target}_minutes"] = minutes % 60
        return initial

    def _targets(self) -> list[dict[str, Any]]:
        c, targets = self.cleaned_data, []
        for priority in TicketPriority.values:
            minutes = {
                t: (c.get(f"{priority}_{t}_hours") or 0) * 60
                + (c.get(f"{priority}_{t}_minutes") or 0)
                for t in ("first_response", "resolution")
            }
            if any(minutes.values()):
                targets.append(
                    {
                        "priority": priority,
                        "first_response_minutes": minutes["first_response"],
                        "resolution_minutes": minutes["resolution"],
                    }
                )
        return targets

    def error_targets(self) -> dict[str, str]:
        """The service's ``targets.<n>.<field>`` errors on the row's hours input."""
        mapping = dict(ERROR_TARGETS)
        for n, target in enumerate(self._targets()):
            for key in ("first_response", "resolution"):
                mapping[f"targets.{n}.{key}_minutes"] = f"{target['priority']}_{key}_hours"
        return mapping

    def to_data(self) -> Any:
        c = self.cleaned_data
        return {
            "name": c["name"],
            "calendar_id": c["calendar"],
            "position": c["position"],
            "organization_id": c["organization"],
            "customer_tag_id": c["customer_tag"],
            "targets": self._targets(),
            "breach_raises_priority": c["breach_raises_priority"],
            "breach_reassigns": c["breach_reassigns"],
            "active": c["active"],
        }


class SettingsForm(BootstrapMixin, forms.Form):
    ticket_prefix = forms.CharField(label=gettext_lazy("Ticket number prefix"), max_length=10)
    warn_ratio = forms.DecimalField(
        label=gettext_lazy("Warn the assignee at (share of the target, 0.50–0.95)"),
        max_digits=3,
        decimal_places=2,
    )
    csat_enabled = forms.BooleanField(
        label=gettext_lazy("Ask customers to rate solved tickets (by e-mail)"), required=False
    )
    csat_valid_days = forms.IntegerField(
        label=gettext_lazy("Rating links work for (days)"), min_value=1, max_value=90
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for status, label in TicketStatus.choices:
            self.fields[f"clock_{status}"] = forms.ChoiceField(label=label, choices=SlaBehaviour)

    @staticmethod
    def initial_for(settings: ServiceSettings) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "ticket_prefix": settings.ticket_prefix,
            "warn_ratio": settings.warn_ratio,
            "csat_enabled": settings.csat_enabled,
            "csat_valid_days": settings.csat_valid_days,
        }
        for status in TicketStatus.values:
            initial[f"clock_{status}"] = settings.behaviour(status)
        return initial

    def to_data(self) -> Any:
        c = self.cleaned_data
        return {
            "ticket_prefix": c["ticket_prefix"],
            "warn_ratio": str(c["warn_ratio"]),
            "csat_enabled": c["csat_enabled"],
            "csat_valid_days": c["csat_valid_days"],
            "sla_behaviours": {s: c[f"clock_{s}"] for s in TicketStatus.values},
        }


#: Service errors shown on the field that caused them.
ERROR_TARGETS = {
    "team_id": "team",
    "manager_id": "manager",
    "sla_policy_id": "sla_policy",
    "calendar_id": "calendar",
    "organization_id": "organization",
    "customer_tag_id": "customer_tag",
    **{f"sla_behaviours.{s}": f"clock_{s}" for s in TicketStatus.values},
}
