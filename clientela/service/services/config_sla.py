"""Every write to business calendars and SLA policies (admins only).

A calendar is checked by the SLA arithmetic itself (``Calendar.of`` and
``holiday_dates``) before it is saved, each problem on the field it comes from: a time
zone that does not exist, working hours with no working time or overlapping intervals,
an unknown country or region, a day off that is not a date or is out of range. So a
saved calendar can always count working time.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from typing import Any, TypedDict

import holidays
from django.utils.translation import gettext as _

from clientela.contacts.models import Organization
from clientela.core.models import Tag
from clientela.core.services import RecordWrites
from clientela.core.services.config import (
    clean_int,
    clean_name,
    delete_unused,
    locked,
    require_admin,
)
from clientela.core.validation import Errors, add, clean_text, raise_errors
from clientela.service.choices import TicketPriority
from clientela.service.models import BusinessCalendar, SlaPolicy, SlaTarget
from clientela.service.services.config import clean_flags
from clientela.service.sla.calendars import Calendar, CalendarError
from clientela.service.sla.public_holidays import holiday_dates

#: Targets up to a year of business minutes.
MAX_TARGET_MINUTES = 525_600
MAX_EXTRA_DAYS = 500


class CalendarData(TypedDict, total=False):
    name: str
    time_zone: str
    hours: list[list[list[int]]]
    country: str
    subdivision: str
    extra_holidays: list[str]


class TargetData(TypedDict):
    priority: str
    first_response_minutes: int
    resolution_minutes: int


class PolicyData(TypedDict, total=False):
    name: str
    calendar_id: int
    position: int
    organization_id: int | None
    customer_tag_id: int | None
    targets: list[TargetData]
    breach_raises_priority: bool
    breach_reassigns: bool
    active: bool


def _message(error: CalendarError) -> str:
    return str(error)


def _region_code(country: str, region: str) -> str:
    """The ``holidays`` package's own spelling of a region typed in any case."""
    regions = holidays.list_supported_countries().get(country, []) if country else []
    return next((r for r in regions if r.casefold() == region.strip().casefold()), region)


# --- calendars --------------------------------------------------------------------------


def calendar_snapshot(calendar: BusinessCalendar) -> dict[str, Any]:
    return {
        "name": calendar.name,
        "time_zone": calendar.time_zone,
        "hours": str(calendar.hours),
        "country": calendar.country,
        "subdivision": calendar.subdivision,
        "extra_holidays": list(calendar.extra_holidays or []),
    }


def _clean_zone(calendar: BusinessCalendar, data: CalendarData, errors: Errors) -> None:
    if "time_zone" not in data:
        return
    zone: Any = data["time_zone"]
    try:
        zoneinfo.ZoneInfo(zone) if isinstance(zone, str) and zone else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = None
    if not isinstance(zone, str) or not zone:
        add(errors, "time_zone", _("Choose a time zone such as Europe/Madrid."))
        return
    calendar.time_zone = zone


def _clean_holidays(calendar: BusinessCalendar, data: CalendarData, errors: Errors) -> None:
    """Country, region and days off, each on its own field."""
    text = clean_text(BusinessCalendar, data, ("country", "subdivision"), errors)
    country = text.get("country", calendar.country).upper()
    region = text.get("subdivision", calendar.subdivision)
    try:
        holiday_dates(country, "", ())
    except CalendarError as exc:
        add(errors, "country", _message(exc))
        return
    try:
        holiday_dates(country, region, ())
    except CalendarError as exc:
        add(errors, "subdivision", _message(exc))
    calendar.country, calendar.subdivision = country, _region_code(country, region)
    if "extra_holidays" not in data:
        return
    extra = data["extra_holidays"]
    if not isinstance(extra, list) or len(extra) > MAX_EXTRA_DAYS:
        add(errors, "extra_holidays", _("Give at most %(n)s dates.") % {"n": MAX_EXTRA_DAYS})
        return
    days: set[str] = set()
    for value in extra:
        try:
            if not isinstance(value, str):
                raise CalendarError(_("“%(value)s” is not a date (YYYY-MM-DD)."), {"value": value})
            days |= {d.isoformat() for d in holiday_dates("", "", (), [value])}
        except CalendarError as exc:
            add(errors, "extra_holidays", _message(exc))
    calendar.extra_holidays = sorted(days)


def _apply_calendar(actor: Any, calendar: BusinessCalendar, data: CalendarData) -> None:
    errors: Errors = {}
    name = clean_name(BusinessCalendar, data, errors, record=calendar if calendar.pk else None)
    _clean_zone(calendar, data, errors)
    _clean_holidays(calendar, data, errors)
    if "hours" in data:
        calendar.hours = data["hours"]
    if "time_zone" not in errors:
        try:
            Calendar.of(calendar.time_zone, calendar.hours)
        except CalendarError as exc:
            add(errors, "hours", _message(exc))
    raise_errors(errors)
    assert name is not None
    calendar.name = name
    calendar.save()


CALENDAR_WRITES = RecordWrites(
    apply=_apply_calendar, snapshot=calendar_snapshot, lock=locked, authorize=require_admin
)


def business_calendar_create(*, actor: Any, data: CalendarData) -> BusinessCalendar:
    """A new business calendar (``hours``: seven days, Monday first, each a list of
    ``[start, end]`` minutes after local midnight)."""
    return CALENDAR_WRITES.create(actor, BusinessCalendar(), data)


def business_calendar_update(
    *, actor: Any, calendar: BusinessCalendar, data: CalendarData
) -> BusinessCalendar:
    return CALENDAR_WRITES.update(actor, calendar, data)


def business_calendar_delete(
    *, actor: Any, calendar: BusinessCalendar, expected_version: int | None = None
) -> None:
    """Delete a calendar no SLA policy counts on (for good: settings have no trash,
    nor a version, so ``expected_version``, which the generic API passes, is moot)."""
    delete_unused(
        actor=actor,
        record=calendar,
        used="policies",
        field="calendar",
        message=_("SLA policies count on the calendar “%(name)s”: change them first."),
    )


# --- SLA policies -----------------------------------------------------------------------


def policy_snapshot(policy: SlaPolicy) -> dict[str, Any]:
    targets = (
        [
            f"{t.priority}: {t.first_response_minutes}/{t.resolution_minutes}"
            for t in policy.targets.order_by("priority")
        ]
        if policy.pk
        else []
    )
    return {
        "name": policy.name,
        "calendar": policy.calendar_id and str(policy.calendar),
        "position": policy.position,
        "organization": policy.organization_id and str(policy.organization),
        "customer_tag": policy.customer_tag_id and str(policy.customer_tag),
        "targets": targets,
        "breach_raises_priority": policy.breach_raises_priority,
        "breach_reassigns": policy.breach_reassigns,
        "active": policy.active,
    }


def _clean_targets(value: Any, errors: Errors) -> list[TargetData] | None:
    if not isinstance(value, list):
        add(errors, "targets", _("Give the targets per priority."))
        return None
    cleaned: dict[str, TargetData] = {}
    for n, raw in enumerate(value):
        if not isinstance(raw, Mapping) or raw.get("priority") not in TicketPriority.values:
            add(errors, f"targets.{n}.priority", _("Choose low, normal, high or urgent."))
            continue
        if raw["priority"] in cleaned:
            add(errors, "targets", _("One target per priority."))
            continue
        one: Errors = {}
        for key in ("first_response_minutes", "resolution_minutes"):
            clean_int(raw, key, one, low=1, high=MAX_TARGET_MINUTES)
            if key not in raw:
                add(one, key, _("This field is required."))
        for key, messages in one.items():
            for message in messages:
                add(errors, f"targets.{n}.{key}", message)
        if not one:
            cleaned[raw["priority"]] = TargetData(
                priority=raw["priority"],
                first_response_minutes=raw["first_response_minutes"],
                resolution_minutes=raw["resolution_minutes"],
            )
    return list(cleaned.values())


def _clean_policy_links(policy: SlaPolicy, data: PolicyData, errors: Errors) -> None:
    for field, model, attr in (
        ("calendar_id", BusinessCalendar, "calendar"),
        ("organization_id", Organization, "organization"),
        ("customer_tag_id", Tag, "customer_tag"),
    ):
        if field not in data:
            continue
        value = data[field]  # type: ignore[literal-required]
        found = model._default_manager.filter(pk=value).first() if type(value) is int else None
        if value is not None and found is None:
            add(errors, field, _("There is no such choice (id %(id)s).") % {"id": value})
        setattr(policy, attr, found)
    if policy.calendar_id is None and "calendar_id" not in errors:
        add(errors, "calendar_id", _("Choose the business calendar the targets count on."))
    if policy.organization_id and policy.customer_tag_id:
        add(errors, "customer_tag_id", _("Give an organization or a customer tag, not both."))


def _apply_policy(actor: Any, policy: SlaPolicy, data: PolicyData) -> None:
    errors: Errors = {}
    name = clean_name(SlaPolicy, data, errors, record=policy if policy.pk else None)
    _clean_policy_links(policy, data, errors)
    clean_int(data, "position", errors, low=0, high=10_000)
    clean_flags(policy, data, ("breach_raises_priority", "breach_reassigns", "active"), errors)
    targets = _clean_targets(data["targets"], errors) if "targets" in data else None
    raise_errors(errors)
    assert name is not None
    policy.name = name
    if "position" in data:
        policy.position = data["position"]
    policy.save()
    if targets is not None:
        policy.targets.exclude(priority__in=[t["priority"] for t in targets]).delete()
        for target in targets:
            SlaTarget.objects.update_or_create(
                policy=policy,
                priority=target["priority"],
                defaults={
                    "first_response_minutes": target["first_response_minutes"],
                    "resolution_minutes": target["resolution_minutes"],
                },
            )


POLICY_WRITES = RecordWrites(
    apply=_apply_policy, snapshot=policy_snapshot, lock=locked, authorize=require_admin
)


def sla_policy_create(*, actor: Any, data: PolicyData) -> SlaPolicy:
    """A new policy with its targets (``[{priority, first_response_minutes,
    resolution_minutes}]``, business minutes)."""
    return POLICY_WRITES.create(actor, SlaPolicy(), data)


def sla_policy_update(*, actor: Any, policy: SlaPolicy, data: PolicyData) -> SlaPolicy:
    """Change what ``data`` names; ``targets`` given replaces the policy's targets.
    Tickets keep the due times they have; new tickets and clocks use the change."""
    return POLICY_WRITES.update(actor, policy, data)


def sla_policy_delete(
    *, actor: Any, policy: SlaPolicy, expected_version: int | None = None
) -> None:
    """Delete a policy: its tickets keep their due times (their policy becomes none).
    For good, as ``business_calendar_delete``."""
    delete_unused(actor=actor, record=policy, used="", field="", message="")
