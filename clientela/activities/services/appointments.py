"""Every write to appointments: create, update, trash; the reminders of the owner and
the attendees follow the start time."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clientela.activities import reminders as rem
from clientela.activities import selectors
from clientela.activities.models import Appointment
from clientela.activities.reminders import ReminderInput
from clientela.activities.services.common import (
    LinkData,
    apply_links,
    assign_owner,
    full_clean,
    links_snapshot,
    lock,
)
from clientela.core.models import User
from clientela.core.models.accounts import validate_time_zone
from clientela.core.services import RecordWrites, record_restore, record_trash
from clientela.core.validation import (
    Errors,
    add,
    clean_datetime,
    clean_text,
    clean_users,
    raise_errors,
)


class AppointmentData(LinkData, total=False):
    title: str
    description: str
    start_at: datetime.datetime
    end_at: datetime.datetime
    time_zone: str
    location: str
    attendee_ids: list[int]
    reminders: list[ReminderInput]


APPOINTMENT_TEXT = ("title", "description", "location")


def appointment_snapshot(appointment: Appointment) -> dict[str, Any]:
    snap: dict[str, Any] = {name: getattr(appointment, name) for name in APPOINTMENT_TEXT}
    snap.update(
        start_at=appointment.start_at,
        end_at=appointment.end_at,
        time_zone=appointment.time_zone,
        attendees=sorted(str(u) for u in appointment.attendees.all()) if appointment.pk else [],
        reminders=rem.reminder_minutes(appointment) if appointment.pk else [],
    )
    snap.update(links_snapshot(appointment))
    return snap


def _clean_times(
    actor: User, appointment: Appointment, data: AppointmentData, errors: Errors
) -> None:
    """Start and end (the end after the start) and the time zone they are shown in."""
    creating = appointment.pk is None
    for key in ("start_at", "end_at"):
        if key in data or creating:
            when = clean_datetime(data.get(key), key, errors, required=True)
            if when is not None:
                setattr(appointment, key, when)
    if (
        "start_at" not in errors
        and "end_at" not in errors
        and appointment.start_at is not None
        and appointment.end_at is not None
        and appointment.end_at <= appointment.start_at
    ):
        add(errors, "end_at", _("The end must be after the start."))
    if "time_zone" in data or creating:
        zone = data.get("time_zone") or actor.time_zone or "UTC"
        try:
            validate_time_zone(zone)
            appointment.time_zone = zone
        except ValidationError as exc:
            errors["time_zone"] = exc.messages


def _save_appointment(actor: User, appointment: Appointment, data: AppointmentData) -> None:
    errors: Errors = {}
    for name, value in clean_text(Appointment, data, APPOINTMENT_TEXT, errors).items():
        setattr(appointment, name, value)
    if appointment.pk is None and not appointment.title and "title" not in errors:
        add(errors, "title", _("Enter a title."))
    _clean_times(actor, appointment, data, errors)
    attendees = (
        clean_users(data["attendee_ids"], "attendee_ids", errors)
        if "attendee_ids" in data
        else None
    )
    people = apply_links(actor, appointment, data, errors)
    reminders = rem.clean_reminders(data["reminders"], errors) if "reminders" in data else None
    if reminders and "start_at" not in errors:
        rem.check_reminder_times(appointment.start_at, reminders, errors)
    full_clean(appointment, errors)
    raise_errors(errors)
    appointment.save()
    if people is not None:
        appointment.people.set(people)
    if attendees is not None:
        appointment.attendees.set(attendees)
    users = [appointment.owner, *appointment.attendees.all()]
    rem.sync_reminders(appointment, appointment.start_at, users, reminders)


def _create_appointment(actor: User, appointment: Appointment, data: AppointmentData) -> None:
    errors: Errors = {}
    assign_owner(actor, appointment, actor, errors)
    raise_errors(errors)
    _save_appointment(actor, appointment, data)


_APPOINTMENTS = RecordWrites(
    apply=_save_appointment, apply_new=_create_appointment, snapshot=appointment_snapshot, lock=lock
)


def appointment_create(*, actor: User, data: AppointmentData) -> Appointment:
    return _APPOINTMENTS.create(actor, Appointment(), data)


def appointment_update(
    *,
    actor: User,
    appointment: Appointment,
    data: AppointmentData,
    expected_version: int | None = None,
) -> Appointment:
    return _APPOINTMENTS.update(actor, appointment, data, expected_version)


class BookingConflict(Exception):
    """A new time would double-book someone attending (the owner included); the
    appointment was left as it was."""

    def __init__(self) -> None:
        super().__init__(_("An attending user is already booked at that time."))


def _reschedule(actor: User, appointment: Appointment, data: AppointmentData) -> None:
    errors: Errors = {}
    _clean_times(actor, appointment, data, errors)
    raise_errors(errors)
    # Checked on the locked copy at its new time, before anything is written.
    if selectors.appointment_conflicts(appointment=appointment):
        raise BookingConflict()
    _save_appointment(actor, appointment, data)


_RESCHEDULE = RecordWrites(apply=_reschedule, snapshot=appointment_snapshot, lock=lock)


def appointment_reschedule(
    *,
    actor: User,
    appointment: Appointment,
    start_at: datetime.datetime,
    end_at: datetime.datetime,
    expected_version: int | None = None,
) -> Appointment:
    """Move or resize an appointment (the calendar's drag and drop): refused with
    ``BookingConflict`` when someone attending is booked at the new time, unlike the
    form, which saves and shows the double booking."""
    data: AppointmentData = {"start_at": start_at, "end_at": end_at}
    return _RESCHEDULE.update(actor, appointment, data, expected_version)


@transaction.atomic
def appointment_trash(
    *, actor: User, appointment: Appointment, expected_version: int | None = None
) -> None:
    record_trash(actor=actor, record=appointment, expected_version=expected_version)
    rem.drop_pending_reminders(appointment)


def appointment_restore(*, actor: User, appointment: Appointment) -> None:
    """Back from the trash (its deleter or an admin); the reminders dropped with the
    trash stay dropped: set them again on the form."""
    record_restore(actor=actor, record=appointment, reindex=lambda record: None)
