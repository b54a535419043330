from django.urls import path

from clientela.activities.kinds import APPOINTMENTS, INTERACTIONS, TASKS
from clientela.activities.views import (
    appointments,
    calendar,
    emails,
    feed,
    interactions,
    my_day,
    notifications,
    preferences,
    tasks,
    timeline,
)
from clientela.contacts.views.pickers import person_options
from clientela.core.views.kinds import RecordDeleteView, RecordDetailView, record_urls

app_name = "activities"
urlpatterns = [
    path("calendar/<str:token>.ics", feed.calendar_feed, name="calendar-feed"),
    # pages
    path("my-day/", my_day.my_day, name="my-day"),
    path("my-day/birthdays/", my_day.birthday_list, name="birthday-list"),
    path("my-day/birthdays/<int:person_pk>/greet/", my_day.birthday_greet, name="birthday-greet"),
    path("timeline/<str:kind>/<int:pk>/", timeline.timeline_entries, name="timeline-entries"),
    path("timeline/<str:kind>/<int:pk>/log/", timeline.timeline_log, name="timeline-log"),
    # An interaction is edited, deleted and brought back in place on the timeline.
    *record_urls(
        INTERACTIONS,
        edit=interactions.InteractionEditView,
        delete=interactions.InteractionDeleteView,
        restore=interactions.InteractionRestoreView,
    ),
    path(
        "interactions/<int:pk>/entry/",
        interactions.InteractionEntryView.as_view(kind=INTERACTIONS),
        name="interaction-entry",
    ),
    path(
        "interactions/<int:pk>/history/",
        interactions.InteractionHistoryView.as_view(kind=INTERACTIONS),
        name="interaction-history",
    ),
    path(
        "interactions/<int:pk>/attachments/<int:attachment_pk>/",
        timeline.attachment_download,
        name="attachment-download",
    ),
    *record_urls(
        TASKS,
        list=tasks.TaskListView,
        create=tasks.TaskFormView,
        detail=RecordDetailView,
        edit=tasks.TaskFormView,
        delete=RecordDeleteView,
    ),
    path("tasks/<int:pk>/complete/", tasks.task_set_status, {"done": True}, name="task-complete"),
    path("tasks/<int:pk>/reopen/", tasks.task_set_status, {"done": False}, name="task-reopen"),
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/events/", calendar.calendar_events, name="calendar-events"),
    path("calendar/move/", calendar.calendar_move, name="calendar-move"),
    *record_urls(
        APPOINTMENTS,
        create=appointments.AppointmentFormView,
        detail=appointments.AppointmentDetailView,
        edit=appointments.AppointmentFormView,
        delete=RecordDeleteView,
    ),
    path("notifications/", notifications.notification_list, name="notification-list"),
    path("notifications/badge/", notifications.notification_badge, name="notification-badge"),
    path("notifications/menu/", notifications.notification_menu, name="notification-menu"),
    path(
        "notifications/<int:pk>/read/",
        notifications.notification_read,
        name="notification-read",
    ),
    path(
        "notifications/read-all/",
        notifications.notification_read_all,
        name="notification-read-all",
    ),
    # The person picker lives in contacts; this older address stays for bookmarks.
    path(
        "activities/people-options/",
        person_options,
        {"checkboxes": True},
        name="people-options",
    ),
    path("account/activities/", preferences.activity_preferences, name="preferences"),
    path("account/email/", emails.email_preferences, name="email-preferences"),
    path("email/new/", emails.email_compose, name="email-compose"),
    path("email/<int:pk>/sent/", emails.email_sent, name="email-sent"),
    path("email/<int:pk>/follow-up/", emails.email_follow_up, name="email-follow-up"),
    path("email/unmatched/", emails.unmatched_list, name="unmatched-emails"),
    path(
        "email/unmatched/<int:pk>/<str:action>/",
        emails.unmatched_action,
        name="unmatched-email-action",
    ),
    path("account/activities/feed/renew/", preferences.feed_renew, name="feed-renew"),
]
