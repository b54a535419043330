"""Steps the interaction, task and appointment services share: the linked people,
organization and higher-app record, the owner and team, the model checks, the locked
re-read (private notes only for their author and admins)."""

from __future__ import annotations

from typing import Any, TypedDict, TypeVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from clientela.activities import validation as v
from clientela.activities.models import Interaction
from clientela.contacts.links import clean_organization, clean_people
from clientela.contacts.models import Organization, Person
from clientela.core.errors import NotFound
from clientela.core.models import CRMRecord, User
from clientela.core.services import lock_for_update
from clientela.core.validation import Errors, OwnerRule, assign_owner_team

_R = TypeVar("_R", bound=CRMRecord)


class LinkData(TypedDict, total=False):
    person_ids: list[int]
    organization_id: int | None
    related_type: str
    related_id: int | None


#: Activities are handed to someone through the task's assignee, so refusals are
#: reported there.
ACTIVITY_OWNER = OwnerRule(
    inactive=("assignee_id", gettext_lazy("The owner must be an active user.")),
    no_team=("team", gettext_lazy("Choose a team: the owner belongs to none.")),
    not_own=("assignee_id", gettext_lazy("You can only assign tasks to yourself.")),
    not_team=("assignee_id", gettext_lazy("You can only assign tasks within your team.")),
)


def apply_links(actor: User, record: Any, data: Any, errors: Errors) -> list[Person] | None:
    """Set organization and generic link on ``record``; return the people to set
    (None: unchanged)."""
    people = clean_people(actor, data["person_ids"], errors) if "person_ids" in data else None
    if "organization_id" in data:
        org: Organization | None = clean_organization(actor, data["organization_id"], errors)
        record.organization = org
    related = v.clean_related(data, errors)
    if related is not None:
        record.related_type, record.related_id = related
    return people


def assign_owner(actor: User, record: CRMRecord, owner: User, errors: Errors) -> None:
    """Owner and team of a new activity (``core.validation.assign_owner_team``)."""
    assigned = assign_owner_team(actor, record.RESOURCE, owner, errors, rule=ACTIVITY_OWNER)
    if assigned is not None:
        record.owner, record.team = assigned


def full_clean(record: Any, errors: Errors) -> None:
    try:
        record.full_clean(exclude=["owner", "team", "people", "attendees", "assignee"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, messages)


def links_snapshot(record: Any) -> dict[str, Any]:
    return {
        "people": sorted(str(p) for p in record.people.all()),
        "organization": record.organization,
        "related": f"{record.related_type}:{record.related_id}" if record.related_type else "",
    }


def lock(record: _R, actor: User, action: str = "update") -> _R:
    authored = isinstance(record, Interaction)
    fresh = lock_for_update(record, actor, action, allowed=_by_author if authored else None)
    if isinstance(fresh, Interaction) and not may_see_private(actor, fresh):
        raise NotFound()
    return fresh


def may_see_private(user: User, interaction: Interaction) -> bool:
    return not interaction.is_private or interaction.owner_id == user.pk or user.is_admin


def may_change_interaction(user: Any, interaction: Interaction) -> bool:
    """Whether ``user`` may change or delete ``interaction`` as far as the history's
    own rule goes: what someone logged is theirs to correct, and the admins'. Teammates
    who may see it (the role's team scope) still may not rewrite it; the role's update
    and delete rights are asked on top (``lock``)."""
    return bool(interaction.owner_id == user.pk or getattr(user, "is_admin", False))


def _by_author(record: Any, user: Any) -> bool:
    return may_change_interaction(user, record)
