"""Every write to interactions, tasks, appointments, reminders, notifications and the
activity preferences: one function per use case, one transaction, the whole input
validated before anything is saved, an audit entry per change (through the record
shells of ``core.services.records``).

Create and update take a partial mapping (``InteractionData``/``TaskData``/
``AppointmentData``): keys present are set, keys absent stay as they are. Lists
(``person_ids``, ``attendee_ids``, ``reminders``) replace the whole list; attachments
are added. One module per part; every public name is re-exported here, so
``from clientela.activities import services; services.task_create`` works.
"""

from __future__ import annotations

from clientela.activities.reminders import ReminderInput
from clientela.activities.services.appointments import (
    AppointmentData,
    BookingConflict,
    appointment_create,
    appointment_reschedule,
    appointment_restore,
    appointment_snapshot,
    appointment_trash,
    appointment_update,
)
from clientela.activities.services.common import may_change_interaction
from clientela.activities.services.interactions import (
    InteractionData,
    interaction_create,
    interaction_restore,
    interaction_snapshot,
    interaction_trash,
    interaction_update,
)
from clientela.activities.services.preferences import (
    activity_preferences_get,
    activity_preferences_update,
    calendar_feed_renew,
    calendar_feed_token,
    feed_token_for,
    feed_token_valid,
    notification_mark_read,
)
from clientela.activities.services.tasks import (
    TaskData,
    task_cancel,
    task_complete,
    task_create,
    task_reopen,
    task_restore,
    task_snapshot,
    task_trash,
    task_update,
)

__all__ = [
    "AppointmentData",
    "BookingConflict",
    "InteractionData",
    "ReminderInput",
    "TaskData",
    "activity_preferences_get",
    "activity_preferences_update",
    "appointment_create",
    "appointment_reschedule",
    "appointment_restore",
    "appointment_snapshot",
    "appointment_trash",
    "appointment_update",
    "calendar_feed_renew",
    "calendar_feed_token",
    "feed_token_for",
    "feed_token_valid",
    "interaction_create",
    "interaction_restore",
    "interaction_snapshot",
    "interaction_trash",
    "interaction_update",
    "may_change_interaction",
    "notification_mark_read",
    "task_cancel",
    "task_complete",
    "task_create",
    "task_reopen",
    "task_restore",
    "task_snapshot",
    "task_trash",
    "task_update",
]
