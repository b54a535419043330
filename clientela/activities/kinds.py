"""The kinds of record the activities app owns, declared once (see ``core.kinds``):
interactions, tasks and appointments. ``ActivitiesConfig.ready()`` registers them."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from clientela.activities import api, exports, forms, schemas, selectors, services
from clientela.activities.models import Appointment, Interaction, Task
from clientela.core.kinds import RecordKind

SCOPES = ("activities:read", "activities:write")


def interaction_url(interaction: Interaction) -> str:
    """Where an interaction is shown: on the timeline of the (first) person it is about,
    else of its organization; one about no one is on its author's "My day"."""
    person = interaction.people.order_by("pk").first()
    if person is not None:
        return reverse("contacts:person-detail", kwargs={"pk": person.pk})
    if interaction.organization_id is not None:
        return reverse("contacts:organization-detail", kwargs={"pk": interaction.organization_id})
    return reverse("activities:my-day")


INTERACTIONS = RecordKind(
    resource=Interaction.RESOURCE,
    model=Interaction,
    namespace="activities",
    url_prefix="interaction",
    path="interactions",
    singular=_("interaction"),
    plural=_("Interactions"),
    icon="bi-chat-left-text",
    list_selector=selectors.interaction_list,
    get_selector=selectors.interaction_get,
    create=services.interaction_create,
    update=services.interaction_update,
    trash=services.interaction_trash,
    restore=services.interaction_restore,
    name_fields=("subject",),
    form_class=forms.InteractionForm,
    api_scopes=SCOPES,
    api_in=schemas.InteractionIn,
    api_patch=schemas.InteractionPatch,
    api_out_schema=schemas.InteractionOut,
    api_list_params=schemas.InteractionListParams,
    api_list=api.interactions_query,
    api_data=api.api_data,
    api_out_page=api.interactions_api_out,
    api_docs=api.INTERACTION_DOCS,
    has_detail_page=False,
    show_url=interaction_url,
    export_columns=exports.INTERACTION_COLUMNS,
    export_rows=exports.INTERACTION_ROWS,
)

TASKS = RecordKind(
    resource=Task.RESOURCE,
    model=Task,
    namespace="activities",
    url_prefix="task",
    path="tasks",
    singular=_("task"),
    plural=_("Tasks"),
    icon="bi-check2-square",
    list_selector=selectors.task_list,
    get_selector=selectors.task_get,
    create=services.task_create,
    update=services.task_update,
    trash=services.task_trash,
    restore=services.task_restore,
    name_fields=("title",),
    form_class=forms.TaskForm,
    list_template="activities/task_list.html",
    results_template="activities/_task_results.html",
    results_id="task-results",
    page_size=50,
    new_label=_("New task"),
    detail_template="activities/task_detail.html",
    form_template="activities/task_form.html",
    page_messages={
        "created": _("Task “%(name)s” created."),
        "saved": _("Task “%(name)s” saved."),
        "deleted": _("Task “%(name)s” deleted."),
    },
    api_scopes=SCOPES,
    api_in=schemas.TaskIn,
    api_patch=schemas.TaskPatch,
    api_out_schema=schemas.TaskOut,
    api_list_params=schemas.TaskListParams,
    api_list=api.tasks_query,
    api_data=api.api_data,
    api_out=schemas.task_out,
    api_update=api.task_api_update,
    api_docs=api.TASK_DOCS,
    export_columns=exports.TASK_COLUMNS,
    export_rows=exports.TASK_ROWS,
)

APPOINTMENTS = RecordKind(
    resource=Appointment.RESOURCE,
    model=Appointment,
    namespace="activities",
    url_prefix="appointment",
    path="appointments",
    singular=_("appointment"),
    plural=_("Appointments"),
    icon="bi-calendar-event",
    list_selector=selectors.appointment_list,
    get_selector=selectors.appointment_get,
    create=services.appointment_create,
    update=services.appointment_update,
    trash=services.appointment_trash,
    restore=services.appointment_restore,
    name_fields=("title",),
    form_class=forms.AppointmentForm,
    detail_template="activities/appointment_detail.html",
    form_template="activities/appointment_form.html",
    after_delete="activities:calendar",
    page_messages={
        "created": _("Appointment “%(name)s” created."),
        "saved": _("Appointment “%(name)s” saved."),
        "deleted": _("Appointment “%(name)s” deleted."),
    },
    api_scopes=SCOPES,
    api_in=schemas.AppointmentIn,
    api_patch=schemas.AppointmentPatch,
    api_out_schema=schemas.AppointmentOut,
    api_list_params=schemas.AppointmentListParams,
    api_list=api.appointments_query,
    api_data=api.api_data,
    api_out_page=api.appointments_api_out,
    api_docs=api.APPOINTMENT_DOCS,
    export_columns=exports.APPOINTMENT_COLUMNS,
    export_rows=exports.APPOINTMENT_ROWS,
)

ALL = (INTERACTIONS, TASKS, APPOINTMENTS)
