"""Web forms of the activities pages. They only parse what the browser sent into the
services' ``InteractionData``/``TaskData``/``AppointmentData``; the rules (end after
start, reminders before the event, attachment size and type, visible related records)
are checked by the services, whose errors ``core.forms.add_service_errors`` puts back
next to the right field."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.forms.formsets import formset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientela.activities.choices import Direction, InteractionChannel, Priority
from clientela.activities.models import Appointment, Interaction, Task
from clientela.activities.services import (
    AppointmentData,
    InteractionData,
    ReminderInput,
    TaskData,
)
from clientela.contacts.forms import LinkedForm
from clientela.core.forms import (
    BootstrapMixin,
    MultipleFileField,
    RowFormSet,
    WallClockField,
    local_input,
    make_aware_in,
    set_choices,
    time_zone_choices,
)
from clientela.core.registry import timeline_sources_in_order
from clientela.core.widgets import DATETIME_LOCAL, DateTimeLocalInput

BLANK = [("", "—")]
MAX_REMINDERS = 5
MAX_ATTACHMENTS = 10
#: Reminder offsets offered, in minutes before the due time or start.
REMINDER_CHOICES = [
    (5, _("5 minutes before")),
    (15, _("15 minutes before")),
    (30, _("30 minutes before")),
    (60, _("1 hour before")),
    (1440, _("1 day before")),
]
#: Service error keys that belong to another input of the page.
ERROR_TARGETS = {
    "occurred_at": "occurred_at",
    "start_at": "start",
    "end_at": "end",
    "due_at": "due_at",
    "organization_id": "organization",
    "person_ids": "people",
    "attendee_ids": "attendees",
    "assignee_id": "assignee",
}

# --- interactions ---------------------------------------------------------------------


class InteractionForm(BootstrapMixin, forms.Form):
    """Log an interaction from a record's timeline (the record is the link)."""

    channel = forms.ChoiceField(label=_("Channel"), choices=InteractionChannel.choices)
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, initial=Direction.OUTBOUND
    )
    occurred_at = forms.DateTimeField(
        label=_("When"), widget=DateTimeLocalInput(), input_formats=[DATETIME_LOCAL]
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=0, max_value=100000
    )
    subject = forms.CharField(label=_("Subject"), required=False, max_length=200)
    body = forms.CharField(
        label=_("Details"), required=False, max_length=20000, widget=forms.Textarea({"rows": 3})
    )
    outcome = forms.CharField(label=_("Outcome"), required=False, max_length=200)
    is_private = forms.BooleanField(
        label=_("Private"),
        required=False,
        help_text=_("Only you and admins see a private note."),
    )
    attachments = MultipleFileField(
        label=_("Attachments"), required=False, max_files=MAX_ATTACHMENTS
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("occurred_at", local_input(timezone.now()))
        kwargs["initial"].setdefault("channel", InteractionChannel.CALL)
        super().__init__(*args, **kwargs)

    def to_data(self) -> InteractionData:
        data = self.cleaned_data
        return {
            "channel": data["channel"],
            "direction": data["direction"],
            "occurred_at": make_aware_in(data["occurred_at"], timezone.get_current_timezone_name()),
            "duration_minutes": data.get("duration_minutes"),
            "subject": data.get("subject", ""),
            "body": data.get("body", ""),
            "outcome": data.get("outcome", ""),
            "is_private": bool(data.get("is_private")),
            "attachments": list(data.get("attachments") or []),
        }


class InteractionEditForm(InteractionForm):
    """Correct a logged interaction in place on the timeline: the same fields but the
    attachments (they stay as they are), and the version that was edited, so that a
    change made meanwhile by someone else is told rather than overwritten."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["attachments"]
        # The form replaces the entry: the keyboard goes on from its first field.
        self.fields["channel"].widget.attrs["autofocus"] = True

    @classmethod
    def initial_for(cls, interaction: Interaction) -> dict[str, Any]:
        return {
            "channel": interaction.channel,
            "direction": interaction.direction,
            "occurred_at": local_input(interaction.occurred_at),
            "duration_minutes": interaction.duration_minutes,
            "subject": interaction.subject,
            "body": interaction.body,
            "outcome": interaction.outcome,
            "is_private": interaction.is_private,
            "version": interaction.version,
        }

    def to_data(self, record: Interaction | None = None) -> InteractionData:
        data = super().to_data()
        del data["attachments"]
        return data


class TimelineFilterForm(forms.Form):
    """Only renders the timeline's filter bar; the view parses the values itself."""

    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Everything"))])
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All channels"))]
    )
    user = forms.ChoiceField(label=_("User"), required=False, choices=[("", _("Everyone"))])

    def __init__(self, *args: Any, users: Iterable[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every registered timeline source, this app's and the higher apps' alike.
        kinds = [(s.key, s.choice_label) for s in timeline_sources_in_order()]
        set_choices(self, "kind", [("", _("Everything")), *kinds])
        set_choices(self, "channel", [("", _("All channels")), *InteractionChannel.choices])
        set_choices(self, "user", [("", _("Everyone")), *users])
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"


# --- reminders ------------------------------------------------------------------------


class ReminderRow(forms.Form):
    # The blank choice is "no reminder", so the empty row a new form shows saves nothing.
    minutes_before = forms.TypedChoiceField(
        label=_("Remind me"),
        coerce=int,
        choices=[("", _("No reminder")), *REMINDER_CHOICES],
        required=False,
        empty_value=None,
    )
    by_email = forms.BooleanField(label=_("Also by e-mail"), required=False)


class ReminderFormSet(RowFormSet):
    title = _("Reminders")

    def reminders(self) -> list[tuple[int, bool]]:
        """(minutes_before, by_email) of every filled, non-removed row, once each."""
        seen: dict[int, bool] = {}
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or data.get("minutes_before") in (None, ""):
                continue
            seen[int(data["minutes_before"])] = bool(data.get("by_email"))
        return sorted(seen.items())


def reminder_formset(
    data: Any = None, initial: list[dict[str, Any]] | None = None
) -> ReminderFormSet:
    cls = formset_factory(
        ReminderRow,
        formset=ReminderFormSet,
        extra=0 if initial else 1,
        can_delete=True,
        max_num=MAX_REMINDERS,
        validate_max=True,
    )
    return cast(ReminderFormSet, cls(data=data, initial=initial, prefix="reminders"))


# --- tasks ----------------------------------------------------------------------------


class TaskForm(LinkedForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=10000, widget=forms.Textarea({"rows": 3})
    )
    due_at = forms.DateTimeField(
        label=_("Due"), required=False, widget=DateTimeLocalInput(), input_formats=[DATETIME_LOCAL]
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    assignee = forms.TypedChoiceField(label=_("Assignee"), coerce=int)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    field_order = ("title", "due_at", "priority", "assignee", "description")

    def __init__(self, *args: Any, users: Iterable[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "assignee", users)

    @classmethod
    def initial_for(cls, task: Task) -> dict[str, Any]:
        return {
            "title": task.title,
            "description": task.description,
            "due_at": local_input(task.due_at),
            "priority": task.priority,
            "assignee": task.assignee_id,
            "version": task.version,
            **cls.links_of(task),
        }

    def to_data(self, reminders: ReminderFormSet) -> TaskData:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data.get("description", ""),
            "due_at": (
                make_aware_in(data["due_at"], timezone.get_current_timezone_name())
                if data.get("due_at")
                else None
            ),
            "priority": data["priority"],
            "assignee_id": data["assignee"],
            "reminders": [ReminderInput(m, e) for m, e in reminders.reminders()],
            "person_ids": self.person_ids(),
            "organization_id": self.cleaned_data.get("organization"),
        }


# --- appointments ---------------------------------------------------------------------


class AppointmentForm(LinkedForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    start = WallClockField(
        label=_("Start"), widget=DateTimeLocalInput(), input_formats=[DATETIME_LOCAL]
    )
    end = WallClockField(
        label=_("End"), widget=DateTimeLocalInput(), input_formats=[DATETIME_LOCAL]
    )
    time_zone = forms.ChoiceField(label=_("Time zone"))
    location = forms.CharField(label=_("Location"), required=False, max_length=300)
    attendees = forms.TypedMultipleChoiceField(
        label=_("Attending users"), required=False, coerce=int
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=10000, widget=forms.Textarea({"rows": 3})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    field_order = ("title", "start", "end", "time_zone", "location", "attendees", "description")

    def __init__(self, *args: Any, users: Iterable[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "time_zone", time_zone_choices())
        set_choices(self, "attendees", users)
        self.fields["attendees"].widget.attrs["size"] = "6"

    @classmethod
    def initial_for(cls, appointment: Appointment) -> dict[str, Any]:
        """The times as the wall clock of the appointment's own time zone."""
        tz: datetime.tzinfo
        try:
            tz = zoneinfo.ZoneInfo(appointment.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            tz = timezone.get_current_timezone()
        return {
            "title": appointment.title,
            "description": appointment.description,
            "start": local_input(appointment.start_at, tz),
            "end": local_input(appointment.end_at, tz),
            "time_zone": appointment.time_zone,
            "location": appointment.location,
            "attendees": [u.pk for u in appointment.attendees.all()],
            "version": appointment.version,
            **cls.links_of(appointment),
        }

    def to_data(self, reminders: ReminderFormSet) -> AppointmentData:
        data = self.cleaned_data
        tz = data["time_zone"]
        return {
            "title": data["title"],
            "description": data.get("description", ""),
            "start_at": make_aware_in(data["start"], tz),
            "end_at": make_aware_in(data["end"], tz),
            "time_zone": tz,
            "location": data.get("location", ""),
            "attendee_ids": list(data.get("attendees") or []),
            "reminders": [ReminderInput(m, e) for m, e in reminders.reminders()],
            "person_ids": self.person_ids(),
            "organization_id": self.cleaned_data.get("organization"),
        }


# --- preferences ----------------------------------------------------------------------


class ActivityPreferencesForm(BootstrapMixin, forms.Form):
    email_reminders = forms.BooleanField(label=_("Send my reminders by e-mail too"), required=False)
    auto_birthday_greetings = forms.BooleanField(
        label=_("Greet the people I own on their birthday automatically"),
        required=False,
        help_text=_("An e-mail in the person's language, logged on their timeline."),
    )


class EmailForm(BootstrapMixin, forms.Form):
    """The e-mail composer of person, organization and deal pages (``services.emails``):
    addresses separated by commas; merge fields such as {{ first_name }} are filled for
    the e-mail's first person."""

    to = forms.CharField(
        label=_("To"),
        max_length=2000,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
        help_text=_("Separate addresses with commas."),
        required=False,
    )
    cc = forms.CharField(
        label=_("Cc"),
        max_length=2000,
        required=False,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Message"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Your signature is added below. Merge fields: {{ first_name }}, {{ last_name }}, "
            "{{ full_name }}, {{ organization }}, {{ my_name }}, {{ company_name }}."
        ),
    )
    attachments = MultipleFileField(
        label=_("Attachments"), required=False, max_files=MAX_ATTACHMENTS
    )
    in_reply_to = forms.CharField(required=False, max_length=255, widget=forms.HiddenInput)

    def to_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["attachments"] = list(data.get("attachments") or [])
        return data


class EmailPreferencesForm(BootstrapMixin, forms.Form):
    email_signature = forms.CharField(
        label=_("Signature"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Text, or a little HTML (bold, italics, links)."),
    )
    email_excluded = forms.CharField(
        label=_("Never log e-mail with"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocapitalize": "none", "spellcheck": "false"}),
        help_text=_(
            "One address (name@example.com) or domain (example.com) a line: e-mail to or "
            "from them is never logged from your mailbox."
        ),
    )
