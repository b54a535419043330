"""Give the record an owner: a named user, or the next active member of a team in turn
(round-robin): ``{"type": "assign_owner", "team": 3}`` or ``{"type": "assign_owner",
"user": 7}``. Set through the kind's update service (its owner field as the API names
it: a ticket's or task's is its assignee), so the team follows the owner and the
change is audited as any reassignment.

The round-robin's turn is kept per rule and action (``RuleTurn``), read and moved under
a row lock: the member after the last one given a record (by id, among the team's
active members now), the first again after the last. A failed reassignment (a ticket's
queue without that agent) rolls the turn back with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.automation.models import RuleTurn
from clientela.automation.rules.actions import ActionProblem, ActionType, Context, Outcome, Param
from clientela.automation.rules.actions import common as c
from clientela.automation.rules.actions.fields import api_values, patch_schema, writable_kind
from clientela.core.kinds import RECORD_KINDS
from clientela.core.models import Team, User

#: The owner field, as the API names it, of the kinds whose owner a rule may set.
OWNER_FIELDS = {
    "contacts.person": "owner_id",
    "contacts.organization": "owner_id",
    "sales.deal": "owner_id",
    "sales.lead": "owner_id",
    "service.ticket": "assignee_id",
    "activities.task": "assignee_id",
}
#: A round-robin's turn on a record: any value that never equals a trigger's "to".
_TURN = object()


def owner_kinds() -> frozenset[str]:
    found = set()
    for resource, field in OWNER_FIELDS.items():
        kind = writable_kind(resource)
        schema = patch_schema(kind) if kind is not None else None
        if schema is not None and field in schema.model_fields:
            found.add(resource)
    return frozenset(found)


def _team_choices() -> list[tuple[str, Any]]:
    return [(str(t.pk), t.name) for t in Team.objects.order_by("name")[:500]]


def _clean(params: Mapping[str, Any], resource: str) -> dict[str, Any]:
    c.only(params, {"team", "user"})
    if ("team" in params) == ("user" in params):
        raise ActionProblem("team", _("Give a team (in turn among its members) or a user."))
    if "user" in params:
        return {"user": c.a_user(params, "user")}
    pk = c.an_id(params, "team")
    c.known(Team.objects.filter(pk=pk).exists, "team", _("There is no team with this id."))
    return {"team": pk}


def members(team_id: int) -> list[int]:
    """The ids of the team's active members, in turn order."""
    users = User.objects.filter(team_id=team_id, is_active=True, is_system=False)
    return list(users.order_by("pk").values_list("pk", flat=True))


def next_member(context: Context, team_id: int) -> int:
    """The member whose turn it is, the turn moved on (under a row lock)."""
    found = members(team_id)
    if not found:
        raise c.failed(_("The team has no active members."))
    step = c.step_index(context)
    RuleTurn.objects.get_or_create(rule=context.rule, step=step)
    turn = RuleTurn.objects.select_for_update().get(rule=context.rule, step=step)
    after = [pk for pk in found if turn.last_member is None or pk > turn.last_member]
    chosen = after[0] if after else found[0]
    turn.last_member = chosen
    turn.save(update_fields=["last_member", "updated_at"])
    return chosen


def _run(context: Context, params: Mapping[str, Any]) -> Outcome:
    record = c.record_of(context)
    user_id = params["user"] if "user" in params else next_member(context, params["team"])
    field = OWNER_FIELDS[context.resource]
    kind = RECORD_KINDS[context.resource]
    kind.update_record(
        actor=context.actor, record=record, data=api_values(context.resource, {field: user_id})
    )
    user = User.objects.get(pk=user_id)
    return Outcome(_("Assigned to %(user)s.") % {"user": user}, c.page_of(context.resource, record))


def _changes(params: Mapping[str, Any]) -> dict[str, Any]:
    value = params.get("user", _TURN)
    return {"owner_id": value, "owner": value, "assignee_id": value, "assignee": value}


def action_types() -> list[ActionType]:
    return [
        ActionType(
            key="assign_owner",
            label=gettext_lazy("Assign the owner"),
            params=(
                Param(
                    "team",
                    gettext_lazy("Team (in turn among its members)"),
                    kind="choice",
                    required=False,
                    choices=_team_choices,
                ),
                Param(
                    "user",
                    gettext_lazy("User"),
                    kind="int",
                    required=False,
                    help=gettext_lazy("A user's id, instead of a team."),
                ),
            ),
            clean=_clean,
            run=_run,
            resources=owner_kinds(),
            changes_record=True,
            changes=_changes,
            order=50,
        )
    ]
