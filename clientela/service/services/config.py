"""Every write to the service desk's settings (admins only; anyone else gets
``NotFound``, as on the other settings pages): queues and their agents, categories,
the service settings (ticket prefix, what each status does to the clocks, when to
warn), and ``agent_set_away``. Business calendars and SLA policies are in
``config_sla``.

Each write is one transaction with its audit entry; bad input is a ``ValidationError``
keyed by the input field, with every problem at once, and nothing saved.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict, TypeVar

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils.translation import gettext as _

from clientela.core.audit import changes_between, record_audit
from clientela.core.choices import AuditAction
from clientela.core.errors import NotFound
from clientela.core.models import Team, User
from clientela.core.services import RecordWrites
from clientela.core.services.config import (
    clean_int,
    clean_name,
    delete_unused,
    locked,
    require_admin,
)
from clientela.core.validation import Errors, add, clean_text, raise_errors
from clientela.service.choices import AssignmentMode, CategoryKind, SlaBehaviour, TicketStatus
from clientela.service.models import (
    AgentStatus,
    Category,
    Queue,
    QueueMember,
    ServiceSettings,
    SlaPolicy,
)
from clientela.service.models.config import PREFIX_CACHE_KEY

M = TypeVar("M", bound=models.Model)

#: Most agents in one queue (a picker, not a directory).
MAX_AGENTS = 200
MAX_WEIGHT = 100
#: The warning share of a target an admin may choose.
WARN_MIN, WARN_MAX = Decimal("0.5"), Decimal("0.95")


class AgentData(TypedDict):
    user_id: int
    weight: int


class QueueData(TypedDict, total=False):
    name: str
    description: str
    email: str
    team_id: int
    manager_id: int | None
    agents: list[AgentData]
    assignment: str
    max_open_per_agent: int
    reassign_after_minutes: int
    sla_policy_id: int | None
    active: bool


class CategoryData(TypedDict, total=False):
    kind: str
    name: str
    active: bool


class SettingsData(TypedDict, total=False):
    ticket_prefix: str
    sla_behaviours: dict[str, str]
    warn_ratio: Any
    csat_enabled: bool
    csat_valid_days: int


def _lookup(
    model: type[M], data: Mapping[str, Any], field: str, errors: Errors, **where: Any
) -> M | None:
    value = data.get(field)
    if value is None:
        return None
    found = model._default_manager.filter(pk=value, **where).first() if type(value) is int else None
    if found is None:
        add(errors, field, _("There is no such choice (id %(id)s).") % {"id": value})
    return found


# --- queues -----------------------------------------------------------------------------


def queue_snapshot(queue: Queue) -> dict[str, Any]:
    agents = (
        [
            f"{m.user} ×{m.weight}"
            for m in queue.memberships.select_related("user").order_by("user_id")
        ]
        if queue.pk
        else []
    )
    return {
        "name": queue.name,
        "description": queue.description,
        "email": queue.email,
        "team": queue.team_id and str(queue.team),
        "manager": queue.manager_id and str(queue.manager),
        "agents": agents,
        "assignment": queue.assignment,
        "max_open_per_agent": queue.max_open_per_agent,
        "reassign_after_minutes": queue.reassign_after_minutes,
        "sla_policy": queue.sla_policy_id and str(queue.sla_policy),
        "active": queue.active,
    }


def _clean_agents(value: Any, errors: Errors) -> list[tuple[User, int]] | None:
    if not isinstance(value, list) or len(value) > MAX_AGENTS:
        add(errors, "agents", _("Give at most %(n)s agents.") % {"n": MAX_AGENTS})
        return None
    wanted: dict[int, int] = {}
    for n, agent in enumerate(value):
        user_id = agent.get("user_id") if isinstance(agent, Mapping) else None
        weight = agent.get("weight", 1) if isinstance(agent, Mapping) else None
        if type(user_id) is not int or user_id in wanted:
            add(errors, f"agents.{n}.user_id", _("Choose each agent once."))
        elif type(weight) is not int or not 1 <= weight <= MAX_WEIGHT:
            add(
                errors,
                f"agents.{n}.weight",
                _("Give a weight from 1 to %(high)s.") % {"high": MAX_WEIGHT},
            )
        else:
            wanted[user_id] = weight
    users = {u.pk: u for u in User.objects.filter(pk__in=wanted, is_active=True)}
    for n, user_id in enumerate(wanted):
        if user_id not in users:
            add(
                errors,
                f"agents.{n}.user_id",
                _("There is no active user %(id)s.") % {"id": user_id},
            )
    return [(users[pk], weight) for pk, weight in wanted.items() if pk in users]


def _clean_queue_text(queue: Queue, data: QueueData, errors: Errors) -> None:
    text = clean_text(Queue, data, ("description", "email"), errors)
    if text.get("email"):
        try:
            validate_email(text["email"])
        except ValidationError:
            add(errors, "email", _("Enter a valid e-mail address."))
            return
    for key, value in text.items():
        setattr(queue, key, value)


def _clean_queue_fields(queue: Queue, data: QueueData, errors: Errors) -> None:
    _clean_queue_text(queue, data, errors)
    if "team_id" in data or queue.team_id is None:
        team = _lookup(Team, {"team_id": data.get("team_id")}, "team_id", errors)
        if team is None and "team_id" not in errors:
            add(errors, "team_id", _("Choose the team the queue's tickets belong to."))
        queue.team = team  # type: ignore[assignment]
    if "manager_id" in data:
        queue.manager = _lookup(User, data, "manager_id", errors, is_active=True)
    if "sla_policy_id" in data:
        queue.sla_policy = _lookup(SlaPolicy, data, "sla_policy_id", errors)
    if "assignment" in data:
        if data["assignment"] not in AssignmentMode.values:
            add(errors, "assignment", _("Choose manual, round-robin or fewest open tickets."))
        else:
            queue.assignment = data["assignment"]
    clean_int(data, "max_open_per_agent", errors, low=0, high=10_000)
    clean_int(data, "reassign_after_minutes", errors, low=0, high=525_600)
    for key in ("max_open_per_agent", "reassign_after_minutes"):
        if key in data and key not in errors:
            setattr(queue, key, data[key])
    clean_flags(queue, data, ("active",), errors)


def clean_flags(
    record: Any, data: Mapping[str, Any], names: tuple[str, ...], errors: Errors
) -> None:
    """Set the booleans of ``names`` given in ``data`` on ``record`` (strictly booleans)."""
    for name in names:
        if name not in data:
            continue
        if not isinstance(data[name], bool):
            add(errors, name, _("Give true or false."))
        else:
            setattr(record, name, data[name])


def _apply_queue(actor: Any, queue: Queue, data: QueueData) -> None:
    errors: Errors = {}
    name = clean_name(Queue, data, errors, record=queue if queue.pk else None)
    _clean_queue_fields(queue, data, errors)
    agents = _clean_agents(data["agents"], errors) if "agents" in data else None
    raise_errors(errors)
    assert name is not None
    queue.name = name
    queue.save()
    if agents is not None:
        queue.memberships.exclude(user__in=[u for u, _w in agents]).delete()
        for user, weight in agents:
            QueueMember.objects.update_or_create(
                queue=queue, user=user, defaults={"weight": weight}
            )


QUEUE_WRITES = RecordWrites(
    apply=_apply_queue, snapshot=queue_snapshot, lock=locked, authorize=require_admin
)


def queue_create(*, actor: Any, data: QueueData) -> Queue:
    """A new queue with its agents (``agents``: ``[{user_id, weight}]``)."""
    return QUEUE_WRITES.create(actor, Queue(), data)


def queue_update(*, actor: Any, queue: Queue, data: QueueData) -> Queue:
    """Change what ``data`` names; ``agents`` given replaces the queue's agents."""
    return QUEUE_WRITES.update(actor, queue, data)


def queue_delete(*, actor: Any, queue: Queue, expected_version: int | None = None) -> None:
    """Delete a queue (for good) that never held a ticket; one that did is deactivated
    instead (its tickets and reports keep it). Tickets in the trash count too. Queues
    have no version: ``expected_version``, which the generic API passes, is moot."""
    delete_unused(
        actor=actor,
        record=queue,
        used="tickets",
        field="queue",
        message=_(
            "The queue “%(name)s” has tickets, so it cannot be deleted: deactivate it instead."
        ),
    )


# --- categories -------------------------------------------------------------------------


def category_snapshot(category: Category) -> dict[str, Any]:
    return {"kind": category.kind, "name": category.name, "active": category.active}


def _apply_category(actor: Any, category: Category, data: CategoryData) -> None:
    errors: Errors = {}
    if category.pk is None:
        if data.get("kind") not in CategoryKind.values:
            add(errors, "kind", _("Choose a ticket category, complaint category or root cause."))
        else:
            category.kind = str(data["kind"])
    elif "kind" in data and data["kind"] != category.kind:
        add(errors, "kind", _("A category keeps its kind."))
    name = clean_name(
        Category,
        data,
        errors,
        record=category if category.pk else None,
        kind=category.kind or data.get("kind"),
    )
    if "active" in data and not isinstance(data["active"], bool):
        add(errors, "active", _("Give true or false."))
    raise_errors(errors)
    assert name is not None
    category.name = name
    category.active = bool(data.get("active", category.active))
    category.save()


CATEGORY_WRITES = RecordWrites(
    apply=_apply_category, snapshot=category_snapshot, lock=locked, authorize=require_admin
)


def category_create(*, actor: Any, data: CategoryData) -> Category:
    return CATEGORY_WRITES.create(actor, Category(), data)


def category_update(*, actor: Any, category: Category, data: CategoryData) -> Category:
    """Rename or (de)activate a category; tickets keep it either way."""
    return CATEGORY_WRITES.update(actor, category, data)


# --- the service settings ---------------------------------------------------------------


def settings_snapshot(settings: ServiceSettings) -> dict[str, Any]:
    return {
        "ticket_prefix": settings.ticket_prefix,
        "sla_behaviours": [f"{s}: {settings.behaviour(s)}" for s in TicketStatus.values],
        "warn_ratio": str(settings.warn_ratio),
        "csat_enabled": settings.csat_enabled,
        "csat_valid_days": settings.csat_valid_days,
    }


def _clean_behaviours(value: Any, errors: Errors) -> dict[str, str] | None:
    if not isinstance(value, Mapping):
        add(errors, "sla_behaviours", _("Give what each status does to the clock."))
        return None
    cleaned: dict[str, str] = {}
    for status in TicketStatus.values:
        behaviour = value.get(status)
        if behaviour not in SlaBehaviour.values:
            add(
                errors,
                f"sla_behaviours.{status}",
                _("Choose running, paused or stopped for “%(status)s”.")
                % {"status": TicketStatus(status).label},
            )
        else:
            cleaned[status] = str(behaviour)
    unknown = set(value) - set(TicketStatus.values)
    if unknown:
        add(
            errors,
            "sla_behaviours",
            _("Unknown statuses: %(names)s.") % {"names": ", ".join(sorted(map(str, unknown)))},
        )
    return cleaned


def _clean_ratio(value: Any, errors: Errors) -> Decimal | None:
    try:
        ratio = Decimal(str(value)) if not isinstance(value, bool | float) else None
    except InvalidOperation:
        ratio = None
    if ratio is None or not ratio.is_finite() or not WARN_MIN <= ratio <= WARN_MAX:
        add(errors, "warn_ratio", _("Give a share from 0.50 to 0.95, such as 0.80."))
        return None
    return ratio.quantize(Decimal("0.01"))


#: How long rating links may be made to work, in days.
CSAT_DAYS_MIN, CSAT_DAYS_MAX = 1, 90


def _clean_csat(settings: ServiceSettings, data: SettingsData, errors: Errors) -> None:
    """The satisfaction survey on or off, and how many days its links work."""
    if "csat_enabled" in data:
        if isinstance(data["csat_enabled"], bool):
            settings.csat_enabled = data["csat_enabled"]
        else:
            add(errors, "csat_enabled", _("Answer true or false."))
    if "csat_valid_days" in data:
        days = data["csat_valid_days"]
        if type(days) is not int or not CSAT_DAYS_MIN <= days <= CSAT_DAYS_MAX:
            add(
                errors,
                "csat_valid_days",
                _("Give a number of days from %(min)s to %(max)s.")
                % {"min": CSAT_DAYS_MIN, "max": CSAT_DAYS_MAX},
            )
        else:
            settings.csat_valid_days = days


@transaction.atomic
def service_settings_update(*, actor: Any, data: SettingsData) -> ServiceSettings:
    """Change the ticket prefix, what each status does to the SLA clocks, when the
    assignee is warned and the satisfaction survey. The prefix is cached: the new one
    shows at once."""
    require_admin(actor)
    settings = ServiceSettings.load()
    settings = ServiceSettings.objects.select_for_update().get(pk=settings.pk)
    before = settings_snapshot(settings)
    errors: Errors = {}
    text = clean_text(ServiceSettings, data, ("ticket_prefix",), errors)
    behaviours = (
        _clean_behaviours(data["sla_behaviours"], errors) if "sla_behaviours" in data else None
    )
    ratio = _clean_ratio(data["warn_ratio"], errors) if "warn_ratio" in data else None
    _clean_csat(settings, data, errors)
    raise_errors(errors)
    if "ticket_prefix" in text:
        settings.ticket_prefix = text["ticket_prefix"]
    if behaviours is not None:
        settings.sla_behaviours = behaviours
    if ratio is not None:
        settings.warn_ratio = ratio
    settings.save()
    changes = changes_between(before, settings_snapshot(settings))
    if changes:
        record_audit(actor=actor, instance=settings, action=AuditAction.UPDATE, changes=changes)
    transaction.on_commit(lambda: cache.delete(PREFIX_CACHE_KEY))
    cache.delete(PREFIX_CACHE_KEY)
    return settings


# --- agents away ------------------------------------------------------------------------


def _may_mark(actor: Any, user: User) -> bool:
    """Oneself, an admin, or the manager of a queue ``user`` works in."""
    if getattr(actor, "pk", None) == user.pk or getattr(actor, "is_admin", False):
        return True
    return Queue.objects.filter(manager_id=getattr(actor, "pk", None), members=user).exists()


@transaction.atomic
def agent_set_away(
    *, actor: Any, user: User, away: bool, until: datetime.datetime | None = None
) -> AgentStatus:
    """Mark ``user`` away (automatic assignment skips them; ``until`` ends it by
    itself) or back. An agent marks themself; an admin or their queue's manager may
    too; for anyone else the agent does not exist."""
    if not _may_mark(actor, user):
        raise NotFound()
    errors: Errors = {}
    if until is not None and (until.tzinfo is None or not away):
        add(errors, "until", _("Give an aware date and time, and only when away."))
    raise_errors(errors)
    status, _created = AgentStatus.objects.select_for_update().get_or_create(user=user)
    before = {"away": status.away, "away_until": status.away_until}
    status.away, status.away_until = away, until if away else None
    status.save()
    changes = changes_between(before, {"away": status.away, "away_until": status.away_until})
    if changes:
        record_audit(actor=actor, instance=status, action=AuditAction.UPDATE, changes=changes)
    return status
