"""What the activities pages share: the icon of each interaction channel, and the
form of a task or an appointment (core's generic form with their reminder rows)."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError
from django.http import QueryDict

from clientela.activities.choices import InteractionChannel
from clientela.activities.forms import ERROR_TARGETS, ReminderFormSet, reminder_formset
from clientela.contacts.views.pickers import linked_choices
from clientela.core.forms import add_service_errors, user_options
from clientela.core.views.kinds import RecordFormView
from clientela.core.views.records import prefilled_links

#: Bootstrap icon of each interaction channel (other timeline entries take their
#: source's, ``core.registry.TimelineSource.icon``).
CHANNEL_ICONS: dict[str, str] = {
    InteractionChannel.NOTE: "bi-journal-text",
    InteractionChannel.CALL: "bi-telephone",
    InteractionChannel.EMAIL: "bi-envelope",
    InteractionChannel.MEETING: "bi-people",
    InteractionChannel.LETTER: "bi-mailbox",
    InteractionChannel.SMS: "bi-phone",
    InteractionChannel.CHAT: "bi-chat-dots",
    InteractionChannel.WEB_FORM: "bi-ui-checks",
}


class ReminderFormView(RecordFormView):
    """Create or edit a task or an appointment: its people and organization (a new one
    pre-filled from a record page's "New …" link) and the user's reminder rows."""

    error_targets = ERROR_TARGETS
    reminders: ReminderFormSet

    def new_initial(self) -> dict[str, Any]:
        """A new record's values, besides the links a "New …" link gives."""
        return {}

    def reminder_rows(self, record: Any) -> Any:
        return record.reminders.all()

    def initial(self, record: Any) -> dict[str, Any]:
        if record is None:
            return {**self.new_initial(), **prefilled_links(self.request)}
        return super().initial(record)

    def form_kwargs(self, record: Any) -> dict[str, Any]:
        return {"users": user_options()}

    def get_form(self, data: QueryDict | None, record: Any) -> Any:
        rows = [
            {"minutes_before": r.minutes_before, "by_email": r.by_email}
            for r in (self.reminder_rows(record) if record is not None else ())
        ]
        self.reminders = reminder_formset(data, initial=rows or None)
        initial = self.initial(record)
        form_class = cast(Any, self.kind.form_class)
        return form_class(
            data,
            initial=initial,
            **self.form_kwargs(record),
            **linked_choices(self.request, initial),
        )

    def is_valid(self, form: Any) -> bool:
        return bool(form.is_valid() & self.reminders.is_valid())

    def payload(self, form: Any, record: Any) -> Any:
        return form.to_data(self.reminders)

    def service_errors(self, form: Any, exc: ValidationError) -> None:
        add_service_errors(
            form, exc, formsets={"reminders": self.reminders}, targets=self.error_targets
        )

    def form_context(self, form: Any, record: Any) -> dict[str, Any]:
        return {"reminders": self.reminders}
