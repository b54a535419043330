"""Add a tag to, or remove one from, the record the rule runs on, or its organization
or person ("when a deal is won, tag the organization Key account"): through that
record's kind's own update service (``RecordKind.update_record``), so validation,
audit, search and events hold as for a change on a page. Only kinds whose update takes
``tags`` (its API patch schema has them) are offered."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clientela.automation.rules.actions import ActionProblem, ActionType, Context, Outcome, Param
from clientela.automation.rules.actions.common import only, organization_of, person_of
from clientela.contacts.models import Organization, Person
from clientela.core.events.records import cast_model
from clientela.core.kinds import RECORD_KINDS
from clientela.core.models import Tag

TAG_CHARS = Tag._meta.get_field("name").max_length or 50
RECORD, ORGANIZATION, PERSON = "record", "organization", "person"


def _takes_tags(resource: str) -> bool:
    kind = RECORD_KINDS.get(resource)
    if kind is None or kind.update is None or kind.api_patch is None:
        return False
    return "tags" in cast_model(kind.api_patch).model_fields


def tagged_kinds() -> frozenset[str]:
    """The kinds whose update service sets tags."""
    return frozenset(r for r in RECORD_KINDS if _takes_tags(r))


def _related(resource: str, name: str) -> bool:
    model = RECORD_KINDS[resource].model
    fields = {f.name for f in model._meta.get_fields()}
    wanted = {ORGANIZATION: ("organization", "converted_organization")}.get(
        name, ("person", "people", "converted_person")
    )
    return any(f in fields for f in wanted)


def _targets(resource: str) -> list[str]:
    found = [RECORD] if _takes_tags(resource) else []
    for name in (ORGANIZATION, PERSON):
        if resource != f"contacts.{name}" and _related(resource, name):
            found.append(name)
    return found


def _target_choices() -> list[tuple[str, Any]]:
    return [
        (RECORD, gettext_lazy("The record")),
        (ORGANIZATION, gettext_lazy("Its organization")),
        (PERSON, gettext_lazy("Its person")),
    ]


def _clean(params: Mapping[str, Any], resource: str) -> dict[str, Any]:
    only(params, {"tag", "target"})
    tag = params.get("tag")
    name = " ".join(tag.split()) if isinstance(tag, str) else ""
    if not name:
        raise ActionProblem("tag", _("Enter a tag."))
    if len(name) > TAG_CHARS:
        raise ActionProblem("tag", _("At most %(n)s characters.") % {"n": TAG_CHARS})
    target = params.get("target", RECORD)
    offered = _targets(resource)
    if target not in offered:
        raise ActionProblem(
            "target", _("Choose one of: %(choices)s.") % {"choices": ", ".join(offered)}
        )
    cleaned = {"tag": name}
    if target != RECORD:
        cleaned["target"] = target
    return cleaned


def _target(context: Context, params: Mapping[str, Any]) -> tuple[str, Any]:
    """The kind and the record to tag."""
    if context.record is None:
        raise ActionProblem("", _("The record is gone."))
    target = params.get("target", RECORD)
    if target == ORGANIZATION:
        found: Any = organization_of(context.record)
        resource = Organization.RESOURCE
    elif target == PERSON:
        found, resource = person_of(context.record), Person.RESOURCE
    else:
        found, resource = context.record, context.resource
    if found is None:
        raise ActionProblem("target", _("The record has no %(target)s.") % {"target": target})
    return resource, found


def _set_tags(context: Context, resource: str, record: Any, names: list[str]) -> None:
    kind = RECORD_KINDS[resource]
    kind.update_record(actor=context.actor, record=record, data={"tags": names})


def _add(context: Context, params: Mapping[str, Any]) -> Outcome:
    resource, record = _target(context, params)
    names = [t.name for t in record.tags.all()]
    tag = params["tag"]
    if tag.casefold() in {n.casefold() for n in names}:
        return Outcome(_("“%(name)s” already tagged “%(tag)s”.") % {"name": record, "tag": tag})
    _set_tags(context, resource, record, [*names, tag])
    return Outcome(_("“%(name)s” tagged “%(tag)s”.") % {"name": record, "tag": tag})


def _remove(context: Context, params: Mapping[str, Any]) -> Outcome:
    resource, record = _target(context, params)
    names = [t.name for t in record.tags.all()]
    tag = params["tag"]
    kept = [n for n in names if n.casefold() != tag.casefold()]
    if len(kept) == len(names):
        return Outcome(_("“%(name)s” was not tagged “%(tag)s”.") % {"name": record, "tag": tag})
    _set_tags(context, resource, record, kept)
    return Outcome(_("Tag “%(tag)s” removed from “%(name)s”.") % {"name": record, "tag": tag})


def action_types() -> list[ActionType]:
    kinds = frozenset(r for r in RECORD_KINDS if _targets(r))
    params = (
        Param("tag", gettext_lazy("Tag")),
        Param(
            "target",
            gettext_lazy("On"),
            kind="choice",
            required=False,
            choices=_target_choices,
        ),
    )
    return [
        ActionType(
            key="add_tag",
            label=gettext_lazy("Add a tag"),
            params=params,
            clean=_clean,
            run=_add,
            resources=kinds,
            changes_record=True,
            order=40,
        ),
        ActionType(
            key="remove_tag",
            label=gettext_lazy("Remove a tag"),
            params=params,
            clean=_clean,
            run=_remove,
            resources=kinds,
            changes_record=True,
            order=41,
        ),
    ]
