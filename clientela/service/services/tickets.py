"""Tickets: create, change (fields, status, assignee), bulk changes, merge, trash.

Create and update take a partial mapping (``TicketData``): keys present are set, keys
absent stay as they are; ``ValidationError`` lists every problem at once and nothing is
saved. A status moves only along ``choices.TRANSITIONS``; each move tells the SLA
clocks (``services.sla``). A ticket's team is its queue's (visibility follows the
queue); its owner is its assignee, or whoever created it while nobody is assigned.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contacts.links import clean_organization
from clientela.contacts.selectors import person_visible
from clientela.core import search
from clientela.core.audit import record_audit
from clientela.core.choices import AuditAction, Language
from clientela.core.errors import NotFound
from clientela.core.events import records as events
from clientela.core.models import Tag, User
from clientela.core.services import (
    RecordWrites,
    clean_tags_and_custom,
    record_restore,
    record_trash,
)
from clientela.core.validation import Errors, add, clean_text, raise_errors
from clientela.sales.selectors.deals import deal_for_link
from clientela.sales.selectors.orders import orders_for
from clientela.sales.selectors.quotes import quotes_for
from clientela.sales.sequences import take_numbers
from clientela.sales.services import common as money_checks
from clientela.service.choices import (
    TRANSITIONS,
    CategoryKind,
    TicketChannel,
    TicketPriority,
    TicketStatus,
    TicketType,
)
from clientela.service.models import Category, ServiceSettings, Ticket
from clientela.service.selectors.active import active_queues
from clientela.service.selectors.tickets import tickets_worked
from clientela.service.services import assignment, satisfaction, sla

TEXT = ("subject", "description", "resolution")
CHOICES = {
    "type": TicketType,
    "priority": TicketPriority,
    "channel": TicketChannel,
    "language": Language,
}
CATEGORIES = {
    "category_id": CategoryKind.TICKET,
    "complaint_category_id": CategoryKind.COMPLAINT,
    "root_cause_id": CategoryKind.ROOT_CAUSE,
}


class TicketData(TypedDict, total=False):
    subject: str
    description: str
    type: str
    priority: str
    status: str
    channel: str
    language: str
    category_id: int | None
    queue_id: int | None
    assignee_id: int | None
    person_id: int | None
    organization_id: int | None
    deal_id: int | None
    quote_id: int | None
    order_id: int | None
    complaint_category_id: int | None
    root_cause_id: int | None
    resolution: str
    compensation: Any
    compensation_currency: str
    customer_agreed: bool
    #: Tag names (replace all the ticket's tags) and custom field values by key.
    tags: list[str]
    custom: dict[str, Any]


def ticket_snapshot(ticket: Ticket) -> dict[str, Any]:
    def name(value: Any) -> str | None:
        return str(value) if value is not None else None

    return {
        "subject": ticket.subject,
        "description": ticket.description,
        "type": ticket.type,
        "priority": ticket.priority,
        "status": ticket.status,
        "channel": ticket.channel,
        "language": ticket.language,
        "category": name(ticket.category),
        "queue": name(ticket.queue),
        "assignee": name(ticket.assignee),
        "person": name(ticket.person),
        "organization": name(ticket.organization),
        "deal": name(ticket.deal),
        "quote": name(ticket.quote),
        "order": name(ticket.order),
        "complaint_category": name(ticket.complaint_category),
        "root_cause": name(ticket.root_cause),
        "resolution": ticket.resolution,
        "compensation": (
            f"{ticket.compensation} {ticket.compensation_currency}"
            if ticket.compensation is not None
            else None
        ),
        "customer_agreed": ticket.customer_agreed,
        "merged_into": name(ticket.merged_into),
        "tags": sorted(t.name for t in ticket.tags.all()) if ticket.pk else [],
        "custom": dict(ticket.custom or {}),
    }


def ticket_changed(actor: User | None, ticket: Ticket, before: dict[str, Any]) -> None:
    """The events (``ticket.updated``, ``ticket.status_changed``, ``ticket.closed``) of
    a change made without ``ticket_update``: a merge, a customer's message, the SLA
    sweep. ``before`` is ``ticket_snapshot`` taken before the change; call it once the
    ticket is saved, in the change's transaction."""
    events.record_changed(actor, ticket, before, ticket_snapshot(ticket))


def ticket_reindex(ticket: Ticket) -> None:
    """The ticket in the header search: its number, subject and customer."""
    customer = ticket.person or ticket.organization
    search.index_record(
        resource=Ticket.RESOURCE,
        object_id=ticket.pk,
        owner_id=ticket.owner_id,
        team_id=ticket.team_id,
        title=f"{ticket.label} {ticket.subject}",
        subtitle=str(customer) if customer else "",
        parts=[ticket.label, str(ticket.number), ticket.subject, str(customer or "")],
    )


# --- checks -----------------------------------------------------------------------------


def _pick(qs: Any, value: Any, field: str, errors: Errors, what: str) -> Any:
    """The row of ``qs`` with id ``value`` (None: none); an error when unknown."""
    return _pick_by(lambda pk: qs.filter(pk=pk).first(), value, field, errors, what)


def _pick_by(find: Any, value: Any, field: str, errors: Errors, what: str) -> Any:
    """``find(value)`` for an id ``value`` (None: none); an error when it finds nothing."""
    if value is None:
        return None
    if type(value) is not int:
        add(errors, field, _("Give the %(what)s as an id.") % {"what": what})
        return None
    found = find(value) if 0 < value < 2**63 else None
    if found is None:
        add(errors, field, _("There is no %(what)s with this id.") % {"what": what})
    return found


def _clean_choices(ticket: Ticket, data: TicketData, errors: Errors) -> None:
    for name, choices in CHOICES.items():
        if name not in data:
            continue
        value = data[name]  # type: ignore[literal-required]
        if value not in choices.values:
            add(
                errors,
                name,
                _("Unknown value “%(value)s”; choose one of: %(choices)s.")
                % {"value": value, "choices": ", ".join(choices.values)},
            )
        else:
            setattr(ticket, name, value)


def _clean_links(actor: User, ticket: Ticket, data: TicketData, errors: Errors) -> None:
    """Customer, organization, category, queue and the sales records: each one the actor
    may see (a rep cannot link a ticket to another team's deal)."""
    for field, kind in CATEGORIES.items():
        if field in data:
            pool = Category.objects.filter(kind=kind, active=True)
            chosen = _pick(pool, data[field], field, errors, _("category"))  # type: ignore[literal-required]
            setattr(ticket, field.removesuffix("_id"), chosen)
    if "person_id" in data:
        ticket.person = _pick_by(
            lambda pk: person_visible(user=actor, pk=pk),
            data["person_id"],
            "person_id",
            errors,
            _("person"),
        )
    if "organization_id" in data:
        ticket.organization = (
            clean_organization(actor, data["organization_id"], errors)
            if data["organization_id"] is not None
            else None
        )
    if "deal_id" in data:
        deal_id = data["deal_id"]
        ticket.deal = deal_for_link(actor, deal_id, errors) if deal_id is not None else None
    if "quote_id" in data:
        ticket.quote = _pick(quotes_for(actor), data["quote_id"], "quote_id", errors, _("quote"))
    if "order_id" in data:
        ticket.order = _pick(orders_for(actor), data["order_id"], "order_id", errors, _("order"))
    if "queue_id" in data:
        queues = active_queues()
        ticket.queue = _pick_by(queues.get, data["queue_id"], "queue_id", errors, _("queue"))


def _clean_assignee(ticket: Ticket, data: TicketData, errors: Errors) -> bool:
    """The assignee: an active user, an agent of the ticket's queue when it has agents.
    Returns whether the assignee changed."""
    if "assignee_id" not in data:
        return False
    users = User.objects.filter(is_active=True)
    assignee = _pick(users, data["assignee_id"], "assignee_id", errors, _("user"))
    if assignee is not None and ticket.queue is not None:
        agents = ticket.queue.memberships.values_list("user_id", flat=True)
        if agents and assignee.pk not in set(agents):
            add(
                errors,
                "assignee_id",
                _("%(user)s is not an agent of this queue.") % {"user": assignee},
            )
            return False
    changed = (assignee.pk if assignee else None) != ticket.assignee_id
    ticket.assignee = assignee
    return changed


def _clean_complaint(ticket: Ticket, data: TicketData, errors: Errors) -> None:
    if "compensation_currency" in data:
        code = data["compensation_currency"] or ""
        if code:
            code = money_checks.clean_currency(code, "compensation_currency", errors) or ""
        ticket.compensation_currency = code
    if "compensation" in data:
        raw = data["compensation"]
        amount = None
        if raw not in (None, ""):
            amount = money_checks.clean_amount(
                raw, "compensation", errors, currency=ticket.compensation_currency or None
            )
        ticket.compensation = amount  # type: ignore[assignment]
    if ticket.compensation is not None and not ticket.compensation_currency:
        add(errors, "compensation_currency", _("Give the compensation's currency."))
    if "customer_agreed" in data:
        if not isinstance(data["customer_agreed"], bool):
            add(errors, "customer_agreed", _("Answer true or false."))
        else:
            ticket.customer_agreed = data["customer_agreed"]


def _clean_status(ticket: Ticket, before: str, data: TicketData, errors: Errors) -> None:
    """A move along the allowed transitions; a complaint is solved or closed only with
    its resolution written down."""
    if "status" not in data:
        return
    status = data["status"]
    if status not in TicketStatus.values:
        add(errors, "status", _("Unknown status “%(value)s”.") % {"value": status})
        return
    if status != before and status not in TRANSITIONS[before]:
        add(
            errors,
            "status",
            _("A ticket cannot go from “%(from)s” to “%(to)s”.")
            % {"from": TicketStatus(before).label, "to": TicketStatus(status).label},
        )
        return
    ticket.status = status


def _finish(ticket: Ticket, errors: Errors) -> None:
    done = ticket.status in (TicketStatus.SOLVED, TicketStatus.CLOSED)
    if done and ticket.type == TicketType.COMPLAINT and not ticket.resolution.strip():
        add(errors, "resolution", _("Write down how the complaint was resolved first."))
    if ticket.merged_into_id is not None and ticket.status != TicketStatus.CLOSED:
        add(errors, "status", _("This ticket was merged into another; answer that one."))
    if not ticket.subject.strip() and "subject" not in errors:
        add(errors, "subject", _("Give the ticket a subject."))


# --- create and change ------------------------------------------------------------------


def _next_number() -> int:
    """The next ticket number, under a row lock in the caller's transaction: a
    rolled-back create gives its number back, so numbers have no gaps."""
    return take_numbers("ticket", 0)


def _apply(actor: User, ticket: Ticket, data: TicketData) -> None:
    errors: Errors = {}
    before_status = ticket.status if ticket.pk else TicketStatus.NEW
    before_queue, before_priority = ticket.queue_id, ticket.priority
    for name, value in clean_text(Ticket, data, TEXT, errors).items():
        setattr(ticket, name, value)
    _clean_choices(ticket, data, errors)
    _clean_links(actor, ticket, data, errors)
    assignee_changed = _clean_assignee(ticket, data, errors)
    _clean_complaint(ticket, data, errors)
    _clean_status(ticket, before_status, data, errors)
    tags = clean_tags_and_custom(ticket, Ticket.RESOURCE, data, errors)
    _finish(ticket, errors)
    raise_errors(errors)
    now = timezone.now()
    if ticket.queue is not None:
        ticket.team_id = ticket.queue.team_id
    elif ticket.pk is None:
        # A system user (a workflow rule) belongs to no team: the assignee's then.
        ticket.team = actor.team or (ticket.assignee.team if ticket.assignee else None)
        if ticket.team is None:
            raise ValidationError({"queue_id": [_("Choose a queue: the ticket has no team.")]})
    if assignee_changed:
        ticket.assigned_at = now if ticket.assignee_id else None
    elif ticket.pk is None:
        assignment.assign_new(ticket)
    ticket.owner = ticket.assignee or (actor if ticket.pk is None else ticket.owner)
    if ticket.status != before_status:
        _stamp_status(ticket, now)
    if ticket.pk is None:
        if "language" not in data and ticket.person is not None:
            ticket.language = ticket.person.preferred_language
        ticket.number = _next_number()
        ticket.last_message_at = now
    # The links were read by the checks above (each one the actor may see): validating
    # them again is a query per link.
    # Its one constraint (no negative compensation) is checked by a query: only when
    # the compensation changes.
    ticket.full_clean(
        exclude=["number", "tags", *_LINKS], validate_constraints="compensation" in data
    )
    if ticket.pk is None:
        sla.ticket_started(ticket, now=now)
    else:
        retarget = before_queue != ticket.queue_id or before_priority != ticket.priority
        sla.ticket_changed(ticket, before_status=before_status, retarget=retarget, now=now)
    _save(ticket, tags)
    if ticket.status == TicketStatus.SOLVED and before_status != TicketStatus.SOLVED:
        satisfaction.on_solved(ticket)


def _save(ticket: Ticket, tags: list[Tag] | None) -> None:
    new = ticket.pk is None
    ticket.save()
    if tags is not None:
        ticket.tags.set(tags)
    elif new:  # known to have none: the snapshot need not ask
        ticket._prefetched_objects_cache = {"tags": Tag.objects.none()}  # type: ignore[attr-defined]
    ticket_reindex(ticket)


#: The ticket's links to other rows (customer, queue, assignee, categories, deal…).
_LINKS = [f.name for f in Ticket._meta.concrete_fields if f.is_relation]


def _stamp_status(ticket: Ticket, now: Any) -> None:
    if ticket.status == TicketStatus.SOLVED:
        ticket.solved_at = now
    elif ticket.status == TicketStatus.CLOSED:
        ticket.closed_at = now
        ticket.solved_at = ticket.solved_at or now
    else:
        ticket.solved_at = ticket.closed_at = None


def _create(actor: User, ticket: Ticket, data: TicketData) -> None:
    if "status" in data and data["status"] not in (TicketStatus.NEW, TicketStatus.OPEN):
        raise ValidationError({"status": [_("A new ticket starts as new or open.")]})
    ticket.status = data.get("status", TicketStatus.NEW)
    rest = cast(TicketData, {k: v for k, v in data.items() if k != "status"})
    _apply(actor, ticket, rest)


def _lock(ticket: Ticket, actor: User) -> Ticket:
    """The ticket re-read under a lock, if ``actor`` works on it (their role's scope,
    their queue, their assignment) and may update tickets; ``NotFound`` otherwise."""
    from clientela.core.permissions import require  # noqa: PLC0415

    fresh = tickets_worked(actor).select_for_update().filter(pk=ticket.pk).first()
    if fresh is None:
        raise NotFound()
    require(actor, "update", Ticket.RESOURCE)
    return fresh


_TICKETS = RecordWrites(apply=_apply, apply_new=_create, snapshot=ticket_snapshot, lock=_lock)


def ticket_create(*, actor: User, data: TicketData) -> Ticket:
    return _TICKETS.create(actor, Ticket(), data)


def ticket_update(
    *, actor: User, ticket: Ticket, data: TicketData, expected_version: int | None = None
) -> Ticket:
    return _TICKETS.update(actor, ticket, data, expected_version)


def ticket_set_status(
    *, actor: User, ticket: Ticket, status: str, expected_version: int | None = None
) -> Ticket:
    return ticket_update(
        actor=actor, ticket=ticket, data={"status": status}, expected_version=expected_version
    )


def ticket_assign(*, actor: User, ticket: Ticket, assignee_id: int | None) -> Ticket:
    return ticket_update(actor=actor, ticket=ticket, data={"assignee_id": assignee_id})


#: What the bulk actions of a queue may change.
BULK_FIELDS = ("assignee_id", "status", "priority")


@transaction.atomic
def tickets_bulk_update(*, actor: User, ticket_ids: Iterable[int], data: TicketData) -> int:
    """Change the assignee, status or priority of several tickets at once, each through
    ``ticket_update``: all or nothing (the first ticket refused names itself)."""
    unknown = set(data) - set(BULK_FIELDS)
    if unknown or not data:
        raise ValidationError({"__all__": [_("Change the assignee, status or priority.")]})
    ids = list(dict.fromkeys(ticket_ids))
    tickets = {t.pk: t for t in tickets_worked(actor).filter(pk__in=ids)}
    if len(tickets) != len(ids):
        raise NotFound()
    for pk in ids:
        try:
            ticket_update(actor=actor, ticket=tickets[pk], data=data)
        except ValidationError as exc:
            messages = [f"{tickets[pk].label}: {m}" for m in exc.messages]
            raise ValidationError({"__all__": messages}) from exc
    return len(ids)


def ticket_trash(*, actor: User, ticket: Ticket, expected_version: int | None = None) -> None:
    record_trash(actor=actor, record=ticket, expected_version=expected_version)


def ticket_restore(*, actor: User, ticket: Ticket) -> None:
    record_restore(actor=actor, record=ticket, reindex=ticket_reindex)


# --- merge ------------------------------------------------------------------------------


@transaction.atomic
def ticket_merge(*, actor: User, ticket: Ticket, into: Ticket) -> Ticket:
    """Merge a duplicate ``ticket`` into ``into``: its messages move over, it closes and
    points to ``into`` (its number then leads there), both histories say so."""
    source, target = _lock(ticket, actor), _lock(into, actor)
    if source.pk == target.pk:
        raise ValidationError({"into_id": [_("A ticket cannot be merged into itself.")]})
    if target.merged_into_id is not None or target.status == TicketStatus.CLOSED:
        raise ValidationError({"into_id": [_("Merge into an open ticket.")]})
    if source.merged_into_id is not None:
        raise ValidationError({"into_id": [_("This ticket is already merged.")]})
    before = ticket_snapshot(source)
    moved = source.messages.update(ticket=target)
    now = timezone.now()
    source.merged_into, source.status = target, TicketStatus.CLOSED
    source.closed_at = now
    source.version += 1
    source.save(update_fields=["merged_into", "status", "closed_at", "version", "updated_at"])
    sla.ticket_changed(source, before_status=ticket.status, retarget=False, now=now)
    target.last_message_at = max(
        filter(None, [target.last_message_at, source.last_message_at]), default=now
    )
    target.version += 1
    target.save(update_fields=["last_message_at", "version", "updated_at"])
    record_audit(
        actor=actor,
        instance=source,
        action=AuditAction.UPDATE,
        changes={"merged_into": [None, target.label], "status": [ticket.status, "closed"]},
    )
    ticket_changed(actor, source, before)
    record_audit(
        actor=actor,
        instance=target,
        action=AuditAction.UPDATE,
        changes={"merged": [None, f"{source.label} ({moved})"]},
    )
    return target


def ticket_prefix() -> str:
    return ServiceSettings.prefix()
